/**
 * Sessions this Worker isolate authenticated recently, so Douyin's Verify —
 * the hot read-only check (issue 7: "keeping reads off the hot path") — and
 * Product/Calendar, which OTAs pull often, skip the round trip to the
 * customer's AccountDO.
 *
 * Which endpoints may use it (SPEC §11: a changed password or a suspension
 * ends every session at once): only those that declare `sessionCache` —
 * Verify and Product/Calendar, which change nothing and show nothing of the
 * customer's own (stock and the catalogue). Every other endpoint asks the
 * object on every call: pays authenticate inside it, and add, query and bill
 * add reach it before they act, so an ended session is refused there at once
 * in every isolate. The isolate that serves the admin change drops that
 * customer's entries at once (`forgetCustomer`); other isolates cannot be
 * told, so there an ended session may still pass these for at most
 * SESSION_CACHE_SECONDS — the trade-off README's caches table states.
 *
 * Exactness otherwise: an entry is never used past the session's own expiry
 * as the object last reported it (last seen + idle time), and lives at most
 * `ttlMs`, shorter than the object's 60 s touch interval, so an active
 * session still reaches the object often enough to stay alive. Only
 * successful authentications are cached; a token the object refuses is
 * dropped.
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

  /** The object refused this token: never serve it again. */
  forget(token: string): void {
    this.entries.delete(token);
  }

  /** Every entry of one customer, when its sessions end (an admin change served by this isolate). */
  forgetCustomer(dwid: string): number {
    let dropped = 0;
    for (const [token, entry] of this.entries) {
      if (entry.session.dwid === dwid) {
        this.entries.delete(token);
        dropped += 1;
      }
    }
    return dropped;
  }
}

/** The isolate's one cache, shared by the partner pipeline and the admin API. */
export const isolateSessions = new SessionCache();
