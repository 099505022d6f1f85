/**
 * D1 side of Order/Resend (SPEC §10): an order's resends are its `outbox`
 * rows of kind 'order_resent' (migration 0007), and they are their own
 * counter — no other row, no other store.
 *
 * Exact under any concurrency: the INSERT counts the order's resends of the
 * last hour and inserts only below the limit, in one statement, and D1 runs
 * writes one at a time (one SQLite database, each batch one transaction):
 * of N resends of one order racing, each INSERT sees every one that ran
 * before it, so exactly the first RESENDS_PER_ORDER_PER_HOUR of the hour
 * insert. The same statement requires the order still paid with a valid
 * ticket, so a refund of its last tickets that commits first leaves nothing
 * to send.
 */
import { orderResentOutboxId, RESEND_WINDOW_MS, RESENDS_PER_ORDER_PER_HOUR } from "../domain/resends";

export interface ResendDecision {
  /** The outbox row this call inserted (`order-resent:<orderid>:<n>`), or null when it inserted none. */
  outboxId: string | null;
  /** Creation instants of the order's resends inside the window, after this call: what the limit counted. */
  inWindowMs: number[];
  /** The order's valid tickets as the batch saw them: what the SMS will list. */
  validTickets: number;
}

/** One batch: the guarded insert, then what decided it, read in the same transaction. */
export async function insertResendIfAllowed(db: D1Database, r: { orderId: string; dwid: string; mobile: string; nowMs: number }): Promise<ResendDecision> {
  const windowStartMs = r.nowMs - RESEND_WINDOW_MS;
  const [insert, window, all, valid] = await db.batch([
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT 'order-resent:' || o.order_id || ':' || ((SELECT count(*) FROM outbox WHERE kind = 'order_resent' AND target_id = o.order_id) + 1),
              'order_resent', o.dwid, o.order_id, ?3, 'pending', 0, ?4, ?4
       FROM orders o
       WHERE o.order_id = ?1 AND o.dwid = ?2 AND o.status = 'paid'
         AND EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.order_id AND t.status = 'valid')
         AND (SELECT count(*) FROM outbox WHERE kind = 'order_resent' AND target_id = o.order_id AND created_at_ms > ?5) < ?6`,
    ).bind(r.orderId, r.dwid, JSON.stringify({ mobile: r.mobile }), r.nowMs, windowStartMs, RESENDS_PER_ORDER_PER_HOUR),
    db.prepare("SELECT created_at_ms FROM outbox WHERE kind = 'order_resent' AND target_id = ?1 AND created_at_ms > ?2 ORDER BY created_at_ms").bind(r.orderId, windowStartMs),
    db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'order_resent' AND target_id = ?1").bind(r.orderId),
    db.prepare("SELECT count(*) AS n FROM tickets WHERE order_id = ?1 AND status = 'valid'").bind(r.orderId),
  ]);
  const inserted = insert!.meta.changes === 1;
  const inWindowMs = (window!.results as { created_at_ms: number }[]).map((row) => row.created_at_ms);
  // Read back in the insert's transaction: a resend inserted is within the limit (a third guard beside the WHERE).
  if (inserted && inWindowMs.length > RESENDS_PER_ORDER_PER_HOUR) throw new Error(`order ${r.orderId}: ${inWindowMs.length} resends within the hour`);
  const count = (all!.results as { n: number }[])[0]!.n;
  return {
    outboxId: inserted ? orderResentOutboxId(r.orderId, count) : null,
    inWindowMs,
    validTickets: (valid!.results as { n: number }[])[0]!.n,
  };
}
