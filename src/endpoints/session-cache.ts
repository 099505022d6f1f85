/**
 * Sessions this Worker isolate authenticated recently, so a busy partner's
 * verify, add and query calls skip the round trip to its AccountDO (issue 7:
 * "keeping reads off the hot path").
 *
 * Exactness: an entry is never used past the session's own expiry as the
 * object last reported it (last seen + idle time), and lives at most
 * `ttlMs`, shorter than the object's 60 s touch interval, so an active
 * session still reaches the object often enough to stay alive. Only
 * successful authentications are cached: an unknown token always asks.
 * Pay calls do not use it; they authenticate inside the object.
 */
import type { Session } from "../durable/account";

/** Entries kept per isolate; the oldest go first. */
export const SESSION_CACHE_MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly entries = new Map<string, { session: Session; validUntilMs: number }>();

  get(token: string, nowMs: number): Session | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.validUntilMs <= nowMs) {
      this.entries.delete(token);
      return null;
    }
    return entry.session;
  }

  put(token: string, session: Session, nowMs: number, ttlMs: number, sessionExpiresAtMs: number): void {
    if (ttlMs <= 0) return;
    if (this.entries.size >= SESSION_CACHE_MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { session, validUntilMs: Math.min(nowMs + ttlMs, sessionExpiresAtMs) });
  }
}
