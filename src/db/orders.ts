/**
 * D1 `orders`, `order_items`, `tickets`: reading for operators and partners,
 * placing unpaid orders (orders issue), cancelling them (SPEC §10), and the
 * InventoryDO's questions about an order's fate.
 */

export type OrderStatus = "unpaid" | "paid" | "expired" | "cancelled";

export interface Order {
  orderId: string;
  dwid: string;
  senderId: string | null;
  kind: "ticket" | "yearcard";
  status: OrderStatus;
  effectDate: string;
  timespanIndex: number | null;
  amountFen: number;
  mobile: string;
  idNumber: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  paymentId: string | null;
  paidAtMs: number | null;
  /** What refunds took back (SPEC §10): the order's status stays 'paid'. */
  refundedFen: number;
  refundedUnits: number;
  /** The key of its stock holds (migration 0009): the order id, or its last date change's id. */
  holdKey: string;
  businessDate: string | null;
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
}

export interface OrderItem {
  lineNo: number;
  /**
   * 'insurance': an annual card's insurance line, which issues no ticket
   * (migration 0002). Optional so readers that predate it still type-check;
   * getOrderDetail always fills the three fields below.
   */
  itemKind?: "ticket" | "insurance";
  productId: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  fullname: string | null;
  idType: string | null;
  idNumber: string | null;
  mobile: string | null;
  timespanIndex?: number | null;
  seatIds?: string[];
}

export interface Ticket {
  ticketCode: string;
  lineNo: number;
  productId: string;
  status: "valid" | "used" | "refunded";
  issuedAtMs: number;
  /** When and at which gate it was admitted (SPEC §10); null while not used. */
  usedAtMs: number | null;
  usedGateId: string | null;
}

export interface OrderRow {
  order_id: string;
  dwid: string;
  sender_id: string | null;
  kind: "ticket" | "yearcard";
  status: OrderStatus;
  effect_date: string;
  timespan_index: number | null;
  amount_fen: number;
  mobile: string;
  id_number: string | null;
  created_at_ms: number;
  expires_at_ms: number;
  payment_id: string | null;
  paid_at_ms: number | null;
  refunded_fen: number;
  refunded_units: number;
  hold_key: string;
  business_date: string | null;
  sell_station_id: string | null;
  market_area_id: string | null;
  team_type_code: string | null;
}

export const toOrder = (r: OrderRow): Order => ({
  orderId: r.order_id,
  dwid: r.dwid,
  senderId: r.sender_id,
  kind: r.kind,
  status: r.status,
  effectDate: r.effect_date,
  timespanIndex: r.timespan_index,
  amountFen: r.amount_fen,
  mobile: r.mobile,
  idNumber: r.id_number,
  createdAtMs: r.created_at_ms,
  expiresAtMs: r.expires_at_ms,
  paymentId: r.payment_id,
  paidAtMs: r.paid_at_ms,
  refundedFen: r.refunded_fen,
  refundedUnits: r.refunded_units,
  holdKey: r.hold_key,
  businessDate: r.business_date,
  sellStationId: r.sell_station_id,
  marketAreaId: r.market_area_id,
  teamTypeCode: r.team_type_code,
});

export const ORDER_COLUMNS = `order_id, dwid, sender_id, kind, status, effect_date, timespan_index, amount_fen, mobile, id_number,
  created_at_ms, expires_at_ms, payment_id, paid_at_ms, business_date, sell_station_id, market_area_id, team_type_code,
  refunded_fen, refunded_units, coalesce(hold_key, order_id) AS hold_key`;

/** The `order_items` columns every reader of an order's lines selects. */
export const ORDER_ITEM_COLUMNS = "line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen, fullname, id_type, id_number, mobile";

/** An `order_items` row (at least ORDER_ITEM_COLUMNS) as an item. */
export function orderItemOf(r: Record<string, unknown>): OrderItem {
  return {
    lineNo: r.line_no as number,
    itemKind: r.item_kind as OrderItem["itemKind"],
    productId: r.product_id as string,
    quantity: r.quantity as number,
    unitPriceFen: r.unit_price_fen as number,
    amountFen: r.amount_fen as number,
    fullname: r.fullname as string | null,
    idType: r.id_type as string | null,
    idNumber: r.id_number as string | null,
    mobile: r.mobile as string | null,
  };
}

export async function getOrder(db: D1Database, orderId: string): Promise<Order | null> {
  const row = await db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId).first<OrderRow>();
  return row ? toOrder(row) : null;
}

export async function getOrderDetail(db: D1Database, orderId: string): Promise<{ order: Order; items: OrderItem[]; tickets: Ticket[] } | null> {
  const [orderRes, itemsRes, ticketsRes] = await db.batch([
    db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId),
    db.prepare("SELECT * FROM order_items WHERE order_id = ? ORDER BY line_no").bind(orderId),
    db.prepare("SELECT * FROM tickets WHERE order_id = ? ORDER BY line_no, ticket_code").bind(orderId),
  ]);
  const row = (orderRes!.results as OrderRow[])[0];
  if (!row) return null;
  return {
    order: toOrder(row),
    items: (itemsRes!.results as Record<string, unknown>[]).map((r) => ({
      ...orderItemOf(r),
      timespanIndex: r.timespan_index as number | null,
      seatIds: r.seats_json ? (JSON.parse(r.seats_json as string) as string[]) : [],
    })),
    tickets: (ticketsRes!.results as Record<string, unknown>[]).map((r) => ({
      ticketCode: r.ticket_code as string,
      lineNo: r.line_no as number,
      productId: r.product_id as string,
      status: r.status as Ticket["status"],
      issuedAtMs: r.issued_at_ms as number,
      usedAtMs: (r.used_at_ms as number | null) ?? null,
      usedGateId: (r.used_gate_id as string | null) ?? null,
    })),
  };
}

// ---------------------------------------------------------------- placing orders

export interface NewOrderItem {
  lineNo: number;
  itemKind: "ticket" | "insurance";
  productId: string;
  quantity: number;
  unitPriceFen: number;
  fullname: string | null;
  idType: string | null;
  idNumber: string | null;
  mobile: string | null;
  timespanIndex: number | null;
  seatIds: string[];
}

export interface NewOrder {
  orderId: string;
  dwid: string;
  senderId: string | null;
  kind: "ticket" | "yearcard";
  effectDate: string;
  timespanIndex: number | null;
  amountFen: number;
  mobile: string;
  idNumber: string | null;
  requestJson: string;
  createdAtMs: number;
  expiresAtMs: number;
  items: NewOrderItem[];
  /**
   * The session guard (migration 0014): the credentials version of a
   * session taken from the isolate's cache. The order lands only while D1's
   * copy of the customer's version still equals it; null: the session was
   * just confirmed by the customer's AccountDO, no guard.
   */
  sessionVersion: number | null;
}

/**
 * `senderTaken`: (dwid, sender_id) exists; `orderIdTaken`: the random id
 * collided; `fenced`: a release found no such order and fenced its id first,
 * so nothing was inserted and never will be (migration 0004);
 * `unconfirmed`: nothing was inserted and the insert carried a session
 * guard, so either D1 does not hold that version (now) or the id is fenced —
 * the caller asks the object, and an unguarded insert tells the rest.
 */
export type InsertOutcome = "inserted" | "senderTaken" | "orderIdTaken" | "fenced" | "unconfirmed";

/**
 * Guards every statement of the insert (?1 the order id; `dwid` and
 * `version`, the numbers of the parameters holding them): nothing lands once
 * the order id is fenced, nor, under a session guard, unless D1's copy of
 * the customer's credentials version is that version.
 */
const mayInsert = (dwid: number, version: number) => `NOT EXISTS (SELECT 1 FROM order_fences WHERE order_id = ?1)
  AND (?${version} IS NULL OR EXISTS (SELECT 1 FROM customers WHERE dwid = ?${dwid} AND credentials_version = ?${version}))`;

/** The order and its lines in one batch (one transaction): all or nothing, and nothing once fenced. */
export async function insertOrder(db: D1Database, o: NewOrder): Promise<InsertOutcome> {
  const itemsFen = o.items.reduce((sum, i) => sum + i.unitPriceFen * i.quantity, 0);
  if (itemsFen !== o.amountFen) throw new Error(`order ${o.orderId}: items add up to ${itemsFen}, amount is ${o.amountFen}`);
  const statements = [
    db
      .prepare(
        `INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, timespan_index, amount_fen, mobile,
           id_number, request_json, created_at_ms, expires_at_ms)
         SELECT ?1, ?2, ?3, ?4, 'unpaid', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE ${mayInsert(2, 13)}`,
      )
      .bind(
        o.orderId, o.dwid, o.senderId, o.kind, o.effectDate, o.timespanIndex, o.amountFen, o.mobile, o.idNumber, o.requestJson, o.createdAtMs, o.expiresAtMs,
        o.sessionVersion,
      ),
    ...o.items.map((i) =>
      db
        .prepare(
          `INSERT INTO order_items (order_id, line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen,
             fullname, id_type, id_number, mobile, timespan_index, seats_json)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 WHERE ${mayInsert(14, 15)}`,
        )
        .bind(
          o.orderId, i.lineNo, i.itemKind, i.productId, i.quantity, i.unitPriceFen, i.unitPriceFen * i.quantity,
          i.fullname, i.idType, i.idNumber, i.mobile, i.timespanIndex, i.seatIds.length > 0 ? JSON.stringify(i.seatIds) : null,
          o.dwid, o.sessionVersion,
        ),
    ),
  ];
  try {
    const [order] = await db.batch(statements);
    return order!.meta.changes === 1 ? "inserted" : o.sessionVersion === null ? "fenced" : "unconfirmed";
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    if (/UNIQUE constraint failed: orders\.dwid, orders\.sender_id/.test(message)) return "senderTaken";
    if (/UNIQUE constraint failed: orders\.order_id/.test(message)) return "orderIdTaken";
    throw error;
  }
}

/** SPEC §5.3/§7: senderid is unique per customer. */
export async function findOrderBySender(db: D1Database, dwid: string, senderId: string): Promise<Order | null> {
  const row = await db
    .prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE dwid = ? AND sender_id = ?`)
    .bind(dwid, senderId)
    .first<OrderRow>();
  return row ? toOrder(row) : null;
}

/**
 * One of the customer's own orders, by order id and/or senderid (both must
 * match when both are given). Another customer's order is not found.
 */
export async function getOwnOrderDetail(
  db: D1Database,
  dwid: string,
  key: { orderId: string | null; senderId: string | null },
): Promise<{ order: Order; items: OrderItem[]; tickets: Ticket[] } | null> {
  // By the key given: the order id (primary key), else the senderid (unique per customer). One
  // statement for both read every order of the customer (issue 19: the customer's index, dwid only).
  const find =
    key.orderId !== null
      ? db.prepare("SELECT order_id FROM orders WHERE order_id = ?1 AND dwid = ?2 AND (?3 IS NULL OR sender_id = ?3)").bind(key.orderId, dwid, key.senderId)
      : key.senderId !== null
        ? db.prepare("SELECT order_id FROM orders WHERE dwid = ?1 AND sender_id = ?2").bind(dwid, key.senderId)
        : null;
  const row = find && (await find.first<{ order_id: string }>());
  if (!row) return null;
  const detail = await getOrderDetail(db, row.order_id);
  return detail && detail.order.dwid === dwid ? detail : null;
}

/**
 * SPEC §10 Cancel, in one batch (one transaction): the guarded UPDATE —
 * only while unpaid and not past its hold at `nowMs`, the pay batch's own
 * guard, so of a cancel and a pay the one D1 runs first wins and the other
 * changes nothing — then the order as it now stands, which decides the
 * answer. `changed`: this batch cancelled it (for the answer's words only).
 */
export async function cancelUnpaidOrder(db: D1Database, orderId: string, nowMs: number): Promise<{ changed: boolean; order: Order | null }> {
  const [update, read] = await db.batch([
    db.prepare("UPDATE orders SET status = 'cancelled' WHERE order_id = ?1 AND status = 'unpaid' AND expires_at_ms > ?2").bind(orderId, nowMs),
    db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?1`).bind(orderId),
  ]);
  const row = (read!.results as OrderRow[])[0];
  return { changed: update!.meta.changes === 1, order: row ? toOrder(row) : null };
}

/**
 * Ticket units of one product and day held by live orders (paid, or unpaid
 * and not expired at `nowMs`), per ID number and per mobile among those
 * asked for: what the daily purchase limits count (SPEC §5.5). Found from
 * the buyers (order_items_by_id_number / _by_mobile), each line's order by
 * its key; `+o.effect_date` and `+o.status` keep SQLite from walking every
 * order of the day, or of a status (orders_by_status, 0011), instead (issue 19).
 */
export async function countLiveUnits(
  db: D1Database,
  q: { productId: string; effectDate: string; nowMs: number; idNumbers: string[]; mobiles: string[] },
): Promise<{ byId: Map<string, number>; byMobile: Map<string, number> }> {
  const select = (column: "id_number" | "mobile", keys: string[]) =>
    db
      .prepare(
        `SELECT oi.${column} AS key, SUM(oi.quantity) AS units
         FROM order_items oi JOIN orders o ON o.order_id = oi.order_id
         WHERE oi.${column} IN (SELECT value FROM json_each(?1)) AND oi.product_id = ?2 AND oi.item_kind = 'ticket'
           AND +o.effect_date = ?3 AND (+o.status = 'paid' OR (+o.status = 'unpaid' AND o.expires_at_ms > ?4))
         GROUP BY oi.${column}`,
      )
      .bind(JSON.stringify(keys), q.productId, q.effectDate, q.nowMs);
  const [ids, mobiles] = await db.batch<{ key: string; units: number }>([select("id_number", q.idNumbers), select("mobile", q.mobiles)]);
  return {
    byId: new Map(ids!.results.map((r) => [r.key, r.units])),
    byMobile: new Map(mobiles!.results.map((r) => [r.key, r.units])),
  };
}

// ---------------------------------------------------------------- InventoryDO's questions

/** What D1 says of an order a hold belongs to; absent when no such order exists. */
export interface OrderFate {
  status: OrderStatus;
  expiresAtMs: number;
}

/**
 * Settles holds (a release, or holds past their time). A hold's key is an
 * order id, or a date change's id (the hold on the day an order moves to,
 * migration 0009). Fences every key D1 has neither for, so that an insert
 * or a change still on its way can never land (both are guarded;
 * migrations 0004, 0009); marks the orders expired — only while unpaid and
 * past `expires_at_ms`, so a payment that committed first wins (its batch
 * is guarded by status 'unpaid' and `expires_at_ms > now`) —; then reads
 * every fate. One transaction: an absent fate is final.
 */
export async function expireAndReadFates(db: D1Database, holdKeys: readonly string[], nowMs: number): Promise<Map<string, OrderFate>> {
  const ids = JSON.stringify(holdKeys);
  const [, , read] = await db.batch([
    db
      .prepare(
        `INSERT OR IGNORE INTO order_fences (order_id, fenced_at_ms)
         SELECT ids.value, ?2 FROM json_each(?1) AS ids
         WHERE NOT EXISTS (SELECT 1 FROM orders WHERE order_id = ids.value)
           AND NOT EXISTS (SELECT 1 FROM order_date_changes WHERE change_id = ids.value)`,
      )
      .bind(ids, nowMs),
    db
      .prepare(
        `UPDATE orders SET status = 'expired'
         WHERE order_id IN (SELECT value FROM json_each(?1)) AND +status = 'unpaid' AND expires_at_ms <= ?2`,
      )
      .bind(ids, nowMs),
    fatesStatement(db, ids),
  ]);
  return fatesOf(read!.results as FateRow[]);
}

/** Read-only fates (Verify's dry run must change nothing). */
export async function readFates(db: D1Database, holdKeys: readonly string[]): Promise<Map<string, OrderFate>> {
  const { results } = await fatesStatement(db, JSON.stringify(holdKeys)).all<FateRow>();
  return fatesOf(results);
}

interface FateRow {
  order_id: string;
  status: OrderStatus;
  expires_at_ms: number;
}

/** An order's own fate; a date change's hold is as paid as its order when the change committed, never otherwise. */
function fatesStatement(db: D1Database, idsJson: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT order_id, status, expires_at_ms FROM orders WHERE order_id IN (SELECT value FROM json_each(?1))
       UNION ALL
       SELECT c.change_id, CASE WHEN c.outcome = 'commit' THEN 'paid' ELSE 'cancelled' END, 0
       FROM order_date_changes c WHERE c.change_id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(idsJson);
}

function fatesOf(rows: readonly FateRow[]): Map<string, OrderFate> {
  return new Map(rows.map((r) => [r.order_id, { status: r.status, expiresAtMs: r.expires_at_ms }]));
}
