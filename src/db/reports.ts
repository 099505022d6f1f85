/**
 * The operators' dashboard (SPEC §12): paid orders, refunds, check-ins and
 * failed notifications of a window, summed by D1 in ONE batch. Every
 * statement reads an indexed range of its window (orders_by_paid,
 * refunds_by_time, tickets_by_use, outbox_by_status) and reaches an order's
 * lines, tickets, product and customer by their primary keys — never a scan
 * of a table that grows with sales (test/api/query-plans.test.ts).
 *
 * "Paid in the window" is by the instant of payment (orders.paid_at_ms), a
 * refund by the instant it was decided; a Shanghai day is [00:00, 24:00)
 * UTC+8. A refunded order stays in the sales it was paid in; its refund
 * counts where it was made.
 */
import type { Query } from "./order-search";

/** Instants (Unix ms): the window [fromMs, toMs), its last day [dayMs, toMs). */
export interface ReportWindow {
  fromMs: number;
  dayMs: number;
  toMs: number;
}

/** Shanghai day number of an instant column: days since 1970-01-01 in UTC+8. */
const dayNumberOf = (column: string) => `((${column} + 28800000) / 86400000)`;

const PAID_LINES = `FROM orders o JOIN order_items i ON i.order_id = o.order_id WHERE o.paid_at_ms >= ?1 AND o.paid_at_ms < ?3`;
const SALES = `count(DISTINCT o.order_id) AS orders,
  coalesce(sum(CASE WHEN i.item_kind = 'ticket' THEN i.quantity END), 0) AS tickets,
  sum(i.amount_fen) AS amount_fen,
  count(DISTINCT CASE WHEN o.paid_at_ms >= ?2 THEN o.order_id END) AS orders_day,
  coalesce(sum(CASE WHEN o.paid_at_ms >= ?2 AND i.item_kind = 'ticket' THEN i.quantity END), 0) AS tickets_day,
  coalesce(sum(CASE WHEN o.paid_at_ms >= ?2 THEN i.amount_fen END), 0) AS amount_fen_day`;
const COMMITTED_REFUNDS = `FROM refunds r WHERE r.decided_at_ms >= ?1 AND r.decided_at_ms < ?3 AND r.outcome = 'commit'`;

/** The dashboard's statements, by name; the window's bind ?1 fromMs, ?2 dayMs, ?3 toMs. */
export function dashboardQueries(w: ReportWindow): Record<DashboardPart, Query> {
  const query = (sql: string, params: number[] = [w.fromMs, w.dayMs, w.toMs]): Query => ({ sql, params });
  return {
    salesByProduct: query(
      `SELECT i.product_id AS key, (SELECT name FROM products WHERE product_id = i.product_id) AS name, ${SALES} ${PAID_LINES} GROUP BY i.product_id`,
    ),
    salesByCustomer: query(`SELECT o.dwid AS key, (SELECT name FROM customers WHERE dwid = o.dwid) AS name, ${SALES} ${PAID_LINES} GROUP BY o.dwid`),
    salesByDay: query(`SELECT ${dayNumberOf("o.paid_at_ms")} AS key, ${SALES} ${PAID_LINES} GROUP BY key`),
    refundsByCustomer: query(
      `SELECT r.dwid AS key, (SELECT name FROM customers WHERE dwid = r.dwid) AS name, count(*) AS refunds, sum(json_array_length(r.tickets_json)) AS tickets, sum(r.amount_fen) AS amount_fen,
         sum(CASE WHEN r.decided_at_ms >= ?2 THEN 1 ELSE 0 END) AS refunds_day,
         sum(CASE WHEN r.decided_at_ms >= ?2 THEN json_array_length(r.tickets_json) ELSE 0 END) AS tickets_day,
         sum(CASE WHEN r.decided_at_ms >= ?2 THEN r.amount_fen ELSE 0 END) AS amount_fen_day
       ${COMMITTED_REFUNDS} GROUP BY r.dwid`,
    ),
    refundsByProduct: query(
      `SELECT t.product_id AS key, (SELECT name FROM products WHERE product_id = t.product_id) AS name, count(*) AS tickets, sum(CASE WHEN r.decided_at_ms >= ?2 THEN 1 ELSE 0 END) AS tickets_day
       FROM refunds r JOIN json_each(r.tickets_json) j JOIN tickets t ON t.ticket_code = j.value
       WHERE r.decided_at_ms >= ?1 AND r.decided_at_ms < ?3 AND r.outcome = 'commit' GROUP BY t.product_id`,
    ),
    refundsByDay: query(`SELECT ${dayNumberOf("r.decided_at_ms")} AS key, count(*) AS refunds, sum(r.amount_fen) AS amount_fen ${COMMITTED_REFUNDS} GROUP BY key`),
    checkinsByHour: query(
      `SELECT ((used_at_ms + 28800000) % 86400000) / 3600000 AS key, count(*) AS checkins FROM tickets
       WHERE used_at_ms >= ?1 AND used_at_ms < ?2 GROUP BY key`,
      [w.dayMs, w.toMs],
    ),
    notifications: query(`SELECT status AS key, count(*) AS count FROM outbox WHERE status IN ('failed', 'dead') GROUP BY status`, []),
  };
}

export type DashboardPart =
  | "salesByProduct" | "salesByCustomer" | "salesByDay" | "refundsByCustomer" | "refundsByProduct" | "refundsByDay" | "checkinsByHour" | "notifications";

export interface SalesRow {
  key: string | number;
  name?: string | null;
  orders: number;
  tickets: number;
  amount_fen: number;
  orders_day: number;
  tickets_day: number;
  amount_fen_day: number;
}

export interface DashboardRows {
  salesByProduct: SalesRow[];
  salesByCustomer: SalesRow[];
  salesByDay: SalesRow[];
  refundsByCustomer: { key: string; name: string | null; refunds: number; tickets: number; amount_fen: number; refunds_day: number; tickets_day: number; amount_fen_day: number }[];
  refundsByProduct: { key: string; name: string | null; tickets: number; tickets_day: number }[];
  refundsByDay: { key: number; refunds: number; amount_fen: number }[];
  checkinsByHour: { key: number; checkins: number }[];
  notifications: { key: "failed" | "dead"; count: number }[];
}

/** Every part of the dashboard in one D1 round trip (one batch: one consistent read). */
export async function readDashboard(db: D1Database, w: ReportWindow): Promise<DashboardRows> {
  const queries = Object.entries(dashboardQueries(w)) as [DashboardPart, Query][];
  const results = await db.batch(queries.map(([, q]) => db.prepare(q.sql).bind(...q.params)));
  return Object.fromEntries(queries.map(([name], i) => [name, results[i]!.results])) as unknown as DashboardRows;
}
