/**
 * Sessions this Worker isolate authenticated recently, so the hot calls skip
 * the round trip to the customer's AccountDO: Douyin's Verify and
 * Product/Calendar, which OTAs pull often (issue 7: "keeping reads off the
 * hot path"), and Order/Add, the most frequent write at a sale peak (issue
 * 19: the session's call was a quarter of an add's cost).
 *
 * Which endpoints may use it (SPEC §11: a changed password or a suspension
 * ends every session at once) — those that declare `sessionCache`:
 * - "unguarded": Verify and Product/Calendar, which change nothing and show
 *   nothing of the customer's own (stock and the catalogue). There an ended
 *   session may still pass for at most SESSION_CACHE_SECONDS in an isolate
 *   that did not serve the change — the trade-off README's caches table
 *   states.
 * - "guarded": Order/Add. Its one write, the order's insert, carries the
 *   cached session's credentials version and lands only while D1's copy of
 *   the customer's version is still that one (db/orders.ts `insertOrder`,
 *   migration 0014). The admin change makes the copy unknown before it asks
 *   the object and copies the new version after, so from the moment the
 *   object ends the sessions no cached session can place an order in any
 *   isolate; a refused insert makes the pipeline ask the object, which
 *   answers 401, and the holds are given back. Every other answer of a
 *   guarded endpoint (a refusal, a repeated senderid's order) is given only
 *   after the object confirmed the session (partner-pipeline.ts).
 * Every other endpoint asks the object on every call: pays authenticate
 * inside it, and query and bill add reach it before they act. The isolate
 * that serves the admin change drops that customer's entries at once
 * (`forgetCustomer`).
 *
 * Exactness otherwise: an entry is never used past the session's own expiry
 * as the object last reported it (last seen + idle time), and lives at most
 * `ttlMs`, shorter than the object's 60 s touch interval, so an active
 * session still reaches the object often enough to stay alive. Only
 * successful authentications are cached; a token the object refuses is
 * dropped. A session the object dropped for room (the least recently used
 * past 200 per customer) may still pass from the cache until its entry
 * ends.
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
