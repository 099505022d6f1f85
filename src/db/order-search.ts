/**
 * Operators' order lists (GET /admin/orders, a customer's orders) and the
 * CSV export of the same filters (SPEC §12): newest first, paged by the key
 * (created_at_ms, order_id), each page one indexed range read — never a scan
 * of `orders` nor a sort of it (migration 0011; test/api/query-plans.test.ts
 * holds every statement's plan to that).
 *
 * The statement is built from the filters given: the customer, else the
 * visit date, else the status walks that filter's index (filter,
 * created_at_ms, order_id) from the key on, the other filters checked on
 * the rows it meets; no filter walks (created_at_ms, order_id); `q` — an
 * order id or senderid prefix — reads the two ranges it names (primary
 * key, orders_by_sender) and sorts only what matched.
 */
import { ORDER_COLUMNS, toOrder, type Order, type OrderRow, type OrderStatus } from "./orders";
import { decodeCursor, pageOf, type Page } from "./pages";

export interface OrderFilter {
  dwid?: string;
  effectDate?: string;
  status?: OrderStatus;
  /** Matches order id or senderid by prefix (case-sensitive). */
  q?: string;
}

/** Where a page starts: after this key, newest first. null: the first page. */
export interface OrderKey {
  createdAtMs: number;
  orderId: string;
}

export interface Query {
  sql: string;
  params: (string | number | null)[];
}

/** Above every real created_at_ms: the first page's key. */
const FIRST_KEY: OrderKey = { createdAtMs: Number.MAX_SAFE_INTEGER, orderId: "" };

/**
 * The page of `limit` orders after `after` matching `f`, with `columns`
 * (`o.` names the order; `c.` its customer, LEFT JOINed when `withCustomer`).
 */
export function orderPageQuery(f: OrderFilter, after: OrderKey | null, limit: number, options: { columns?: string; withCustomer?: boolean } = {}): Query {
  const key = after ?? FIRST_KEY;
  const params: (string | number | null)[] = [];
  const bind = (value: string | number) => {
    params.push(value);
    return `?${params.length}`;
  };
  // One filter leads (q, else the customer, the visit date, the status): its index is walked. The
  // others are written `+column`, which keeps SQLite from walking theirs — without statistics it
  // could pick the status index and read every paid order to find one customer's.
  const leading = f.q !== undefined ? "q" : f.dwid !== undefined ? "dwid" : f.effectDate !== undefined ? "effectDate" : f.status !== undefined ? "status" : null;
  const column = (name: string, filter: keyof OrderFilter) => (leading === filter ? `o.${name}` : `+o.${name}`);
  const where: string[] = [];
  if (f.q !== undefined) {
    const [low, high] = [bind(f.q), bind(prefixEnd(f.q))];
    where.push(
      `o.order_id IN (SELECT order_id FROM orders WHERE order_id >= ${low} AND order_id < ${high}
         UNION SELECT order_id FROM orders WHERE sender_id >= ${low} AND sender_id < ${high})`,
    );
  }
  if (f.dwid !== undefined) where.push(`${column("dwid", "dwid")} = ${bind(f.dwid)}`);
  if (f.effectDate !== undefined) where.push(`${column("effect_date", "effectDate")} = ${bind(f.effectDate)}`);
  if (f.status !== undefined) where.push(`${column("status", "status")} = ${bind(f.status)}`);
  where.push(`(o.created_at_ms, o.order_id) < (${bind(key.createdAtMs)}, ${bind(key.orderId)})`);
  // Unqualified names are the order's own unless a join brings the customer's (then `columns` qualifies them).
  const columns = options.columns ?? ORDER_COLUMNS;
  const join = options.withCustomer ? " LEFT JOIN customers c ON c.dwid = o.dwid" : "";
  return {
    sql: `SELECT ${columns} FROM orders o${join} WHERE ${where.join(" AND ")} ORDER BY o.created_at_ms DESC, o.order_id DESC LIMIT ${bind(limit)}`,
    params,
  };
}

/**
 * The first string after every string starting with `prefix` in SQLite's
 * BINARY order (UTF-8 bytes, which is code point order): the prefix with
 * its last code point plus one (past the surrogates, which UTF-8 lacks).
 */
function prefixEnd(prefix: string): string {
  const points = Array.from(prefix);
  const last = points.pop()!.codePointAt(0)!;
  const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1;
  return points.join("") + String.fromCodePoint(Math.min(next, 0x10ffff));
}

export function keyOf(row: { created_at_ms: number; order_id: string }): OrderKey {
  return { createdAtMs: row.created_at_ms, orderId: row.order_id };
}

/** Newest first, `limit` a page; the cursor is the last row's key. */
export async function listOrders(db: D1Database, f: OrderFilter & { limit: number; cursor?: string }): Promise<Page<Order>> {
  const cursor = decodeCursor(f.cursor);
  const after = cursor && typeof cursor[0] === "number" && typeof cursor[1] === "string" ? { createdAtMs: cursor[0], orderId: cursor[1] } : null;
  const query = orderPageQuery(f, after, f.limit + 1);
  const { results } = await db.prepare(query.sql).bind(...query.params).all<OrderRow>();
  return pageOf(results, f.limit, toOrder, (r) => [r.created_at_ms, r.order_id]);
}

/** An order as the CSV export writes it: the list's columns, its customer's name, its units and products. */
export interface OrderExportRow {
  order_id: string;
  dwid: string;
  customer_name: string | null;
  sender_id: string | null;
  kind: "ticket" | "yearcard";
  product_ids: string | null;
  units: number | null;
  status: OrderStatus;
  effect_date: string;
  timespan_index: number | null;
  amount_fen: number;
  refunded_fen: number;
  refunded_units: number;
  mobile: string;
  created_at_ms: number;
  paid_at_ms: number | null;
  business_date: string | null;
}

/**
 * Each row's lines are read by their primary key (order_id, line_no): a few
 * rows per order, never a scan. Products are listed in line order, space
 * separated (product ids have no commas or spaces).
 */
const EXPORT_COLUMNS = `o.order_id, o.dwid, c.name AS customer_name, o.sender_id, o.kind,
  (SELECT replace(group_concat(DISTINCT product_id), ',', ' ') FROM order_items WHERE order_id = o.order_id) AS product_ids,
  (SELECT sum(quantity) FROM order_items WHERE order_id = o.order_id AND item_kind = 'ticket') AS units,
  o.status, o.effect_date, o.timespan_index, o.amount_fen, o.refunded_fen, o.refunded_units, o.mobile,
  o.created_at_ms, o.paid_at_ms, o.business_date`;

/** A page of the export: the list's statement with the export's columns. */
export function exportPageQuery(f: OrderFilter, after: OrderKey | null, limit: number): Query {
  return orderPageQuery(f, after, limit, { columns: EXPORT_COLUMNS, withCustomer: true });
}

export async function exportPage(db: D1Database, f: OrderFilter, after: OrderKey | null, limit: number): Promise<OrderExportRow[]> {
  const query = exportPageQuery(f, after, limit);
  return (await db.prepare(query.sql).bind(...query.params).all<OrderExportRow>()).results;
}
