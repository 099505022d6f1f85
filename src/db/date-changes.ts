/**
 * D1's side of moving a paid order to another day (SPEC §10
 * Order/ChangeDate, migration 0009): one batch records the decision first —
 * 'commit' only while the order is paid, on the day and hold key the
 * change was planned from, every ticket still valid, and the change id not
 * fenced — then moves the order and its ticket lines under it, and reads
 * the order back. A refund, a gate check and another change are guarded by
 * the same hold key, so D1 commits exactly one of any two of them.
 */
import { ORDER_COLUMNS, toOrder, type Order, type OrderRow } from "./orders";

export interface DateChange {
  changeId: string;
  orderId: string;
  dwid: string;
  fromHoldKey: string;
  fromDate: string;
  fromTimespan: number | null;
  toDate: string;
  /** The order's slot on the new day (its first ticket line's), null when the day has none. */
  toTimespan: number | null;
  /** Each product's slot on the new day, as its InventoryDO placed the hold. */
  slotByProduct: ReadonlyMap<string, number | null>;
  decidedAtMs: number;
}

export interface DateChangeDecided {
  decision: "commit" | "void";
  /** The order as it stands after the batch. */
  order: Order | null;
}

export async function changeOrderDate(db: D1Database, c: DateChange): Promise<DateChangeDecided> {
  const committed = "EXISTS (SELECT 1 FROM order_date_changes WHERE change_id = ?1 AND outcome = 'commit')";
  const [decided, , , read] = await db.batch([
    db
      .prepare(
        `INSERT INTO order_date_changes (change_id, order_id, from_hold_key, from_date, from_timespan, to_date, to_timespan, outcome, decided_at_ms)
         SELECT ?1, ?2, ?4, ?5, ?6, ?7, ?8,
           CASE WHEN EXISTS (SELECT 1 FROM orders WHERE order_id = ?2 AND dwid = ?3 AND status = 'paid'
                               AND effect_date = ?5 AND coalesce(hold_key, order_id) = ?4)
                 AND NOT EXISTS (SELECT 1 FROM tickets WHERE order_id = ?2 AND status != 'valid')
                 AND NOT EXISTS (SELECT 1 FROM order_fences WHERE order_id = ?1)
                THEN 'commit' ELSE 'void' END, ?9
         RETURNING outcome`,
      )
      .bind(c.changeId, c.orderId, c.dwid, c.fromHoldKey, c.fromDate, c.fromTimespan, c.toDate, c.toTimespan, c.decidedAtMs),
    db
      .prepare(`UPDATE orders SET effect_date = ?3, timespan_index = ?4, hold_key = ?1 WHERE order_id = ?2 AND ${committed}`)
      .bind(c.changeId, c.orderId, c.toDate, c.toTimespan),
    db
      .prepare(
        `UPDATE order_items SET timespan_index = (SELECT s.value FROM json_each(?3) AS s WHERE s.key = order_items.product_id)
         WHERE order_id = ?2 AND item_kind = 'ticket' AND ${committed}`,
      )
      .bind(c.changeId, c.orderId, JSON.stringify(Object.fromEntries(c.slotByProduct))),
    db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?1`).bind(c.orderId),
  ]);
  const row = (decided!.results as { outcome: "commit" | "void" }[])[0];
  if (row?.outcome !== "commit" && row?.outcome !== "void") throw new Error("date change batch recorded no decision");
  const order = (read!.results as OrderRow[])[0];
  return { decision: row.outcome, order: order ? toOrder(order) : null };
}

/** An order's committed date changes, oldest first (Order/Query, the admin order detail). */
export async function dateChangesOfOrder(db: D1Database, orderId: string): Promise<{ changeId: string; fromDate: string; toDate: string; toTimespan: number | null; changedAtMs: number }[]> {
  const { results } = await db
    .prepare(
      `SELECT change_id, from_date, to_date, to_timespan, decided_at_ms FROM order_date_changes
       WHERE order_id = ? AND outcome = 'commit' ORDER BY decided_at_ms, change_id`,
    )
    .bind(orderId)
    .all<{ change_id: string; from_date: string; to_date: string; to_timespan: number | null; decided_at_ms: number }>();
  return results.map((r) => ({ changeId: r.change_id, fromDate: r.from_date, toDate: r.to_date, toTimespan: r.to_timespan, changedAtMs: r.decided_at_ms }));
}
