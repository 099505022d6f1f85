/**
 * D1 side of a refund (SPEC §10, §6), built like the payment (db/payments.ts):
 *
 *   1. the decision: a `refunds` row for the intent, 'commit' only while the
 *      order is this customer's and paid, every ticket asked for is still
 *      valid, and the refund number has no committed refund yet —
 *      `RETURNING outcome`;
 *   2. the tickets 'refunded', 3. the order's refunded amount and units,
 *      4. the `order_refunded` outbox row — each only under a 'commit';
 *   5. the order as it now stands, read in the same transaction.
 *
 * The decision row's primary key makes the batch run once; recovery records
 * 'void' when it finds no decision (`settleRefundDecision`), fencing out a
 * batch still on its way. A gate check that uses a ticket and a refund of it
 * race on the ticket's `status = 'valid'`: D1 runs one write at a time, so
 * exactly one of them finds it valid.
 */
import { newestFirstAfter, pageOf, parameters, type Page } from "./pages";
import type { Decision } from "./payments";
import type { RefundOrder, RefundPolicy } from "../domain/refunds";
import { ORDER_ITEM_COLUMNS, orderItemOf } from "./orders";

/** An order as a refund sees it. */
export interface RefundableOrder extends RefundOrder {
  orderId: string;
  dwid: string;
  senderId: string | null;
  paymentId: string | null;
  amountFen: number;
  refundedFen: number;
  refundedUnits: number;
  /** The key of the order's stock holds (migration 0009): a refund commits only while it is still this one. */
  holdKey: string;
  /** Each product's policy as configured (absent: the default). */
  policies: Map<string, RefundPolicy>;
}

export interface OrderLookup {
  orderId: string | null;
  senderId: string | null;
}

/** The reads that load an order for a refund (by id or senderid, this customer's only). */
export function refundLoadStatements(db: D1Database, dwid: string, find: OrderLookup): D1PreparedStatement[] {
  const orderOf = find.orderId !== null ? "(SELECT order_id FROM orders WHERE order_id = ?1 AND dwid = ?2)" : "(SELECT order_id FROM orders WHERE sender_id = ?1 AND dwid = ?2)";
  const key = find.orderId ?? find.senderId;
  return [
    db
      .prepare(
        `SELECT order_id, dwid, sender_id, kind, status, effect_date, amount_fen, payment_id, refunded_fen, refunded_units,
           coalesce(hold_key, order_id) AS hold_key FROM orders WHERE order_id = ${orderOf}`,
      )
      .bind(key, dwid),
    db.prepare(`SELECT ${ORDER_ITEM_COLUMNS} FROM order_items WHERE order_id = ${orderOf} ORDER BY line_no`).bind(key, dwid),
    db.prepare(`SELECT ticket_code, line_no, product_id, status FROM tickets WHERE order_id = ${orderOf} ORDER BY ticket_code`).bind(key, dwid),
    db
      .prepare(`SELECT product_id, refund_json FROM products WHERE product_id IN (SELECT product_id FROM order_items WHERE order_id = ${orderOf})`)
      .bind(key, dwid),
  ];
}

interface OrderRow {
  order_id: string;
  dwid: string;
  sender_id: string | null;
  kind: "ticket" | "yearcard";
  status: RefundOrder["status"];
  effect_date: string;
  amount_fen: number;
  payment_id: string | null;
  refunded_fen: number;
  refunded_units: number;
  hold_key: string;
}

export function parseRefundLoad(results: D1Result[]): RefundableOrder | null {
  const row = (results[0]!.results as OrderRow[])[0];
  if (!row) return null;
  const items = (results[1]!.results as Record<string, unknown>[]).map(orderItemOf);
  const tickets = results[2]!.results as { ticket_code: string; line_no: number; product_id: string; status: "valid" | "used" | "refunded" }[];
  const products = results[3]!.results as { product_id: string; refund_json: string | null }[];
  return {
    orderId: row.order_id,
    dwid: row.dwid,
    senderId: row.sender_id,
    kind: row.kind,
    status: row.status,
    effectDate: row.effect_date,
    amountFen: row.amount_fen,
    paymentId: row.payment_id,
    refundedFen: row.refunded_fen,
    refundedUnits: row.refunded_units,
    holdKey: row.hold_key,
    items: items.map((i) => ({ lineNo: i.lineNo, itemKind: i.itemKind ?? "ticket", productId: i.productId, quantity: i.quantity, unitPriceFen: i.unitPriceFen, amountFen: i.amountFen })),
    tickets: tickets.map((t) => ({ code: t.ticket_code, lineNo: t.line_no, productId: t.product_id, status: t.status })),
    policies: new Map(products.filter((p) => p.refund_json !== null).map((p) => [p.product_id, JSON.parse(p.refund_json!) as RefundPolicy])),
  };
}

export interface Refund {
  intentId: string;
  dwid: string;
  refundNo: string;
  orderId: string;
  amountFen: number;
  feeFen: number;
  /** Sorted. */
  tickets: readonly string[];
  reason: string | null;
  requestedBy: "partner" | "operator";
  /** The order's hold key when the refund was planned: a date change since voids it (its units are elsewhere). */
  holdKey: string;
}

/** The order after a refund's decision, read in the deciding transaction. */
export interface RefundedOrderState {
  status: string;
  refundedFen: number;
  refundedUnits: number;
  ticketUnits: number;
}

export interface RefundDecided {
  decision: Decision;
  /** The decision's instant as D1 recorded it: the refund's own instant (refundedAt). */
  decidedAtMs: number | null;
  order: RefundedOrderState | null;
}

/** The statements of one refund batch; `parseRefundDecided` reads its outcome. */
export function refundStatements(db: D1Database, r: Refund, outbox: { id: string; payload: string }, decidedAtMs: number): D1PreparedStatement[] {
  const committed = "EXISTS (SELECT 1 FROM refunds WHERE intent_id = ?1 AND outcome = 'commit')";
  const tickets = JSON.stringify(r.tickets);
  return [
    db.prepare(
      `INSERT INTO refunds (intent_id, dwid, refund_no, order_id, amount_fen, fee_fen, tickets_json, reason, requested_by, outcome, decided_at_ms)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
         CASE WHEN EXISTS (SELECT 1 FROM orders WHERE order_id = ?4 AND dwid = ?2 AND status = 'paid' AND coalesce(hold_key, order_id) = ?11)
               AND (SELECT count(*) FROM tickets WHERE order_id = ?4 AND status = 'valid'
                      AND ticket_code IN (SELECT value FROM json_each(?7))) = json_array_length(?7)
               AND NOT EXISTS (SELECT 1 FROM refunds WHERE dwid = ?2 AND refund_no = ?3 AND outcome = 'commit')
              THEN 'commit' ELSE 'void' END, ?10
       RETURNING outcome, decided_at_ms`,
    ).bind(r.intentId, r.dwid, r.refundNo, r.orderId, r.amountFen, r.feeFen, tickets, r.reason, r.requestedBy, decidedAtMs, r.holdKey),
    db.prepare(
      `UPDATE tickets SET status = 'refunded', refund_id = ?1, refunded_at_ms = ?3
       WHERE order_id = ?2 AND status = 'valid' AND ticket_code IN (SELECT value FROM json_each(?4)) AND ${committed}`,
    ).bind(r.intentId, r.orderId, decidedAtMs, tickets),
    db.prepare(
      `UPDATE orders SET refunded_fen = refunded_fen + ?3, refunded_units = refunded_units + ?4 WHERE order_id = ?2 AND ${committed}`,
    ).bind(r.intentId, r.orderId, r.amountFen, r.tickets.length),
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT ?2, 'order_refunded', ?3, ?4, ?5, 'pending', 0, ?6, ?6 WHERE ${committed}`,
    ).bind(r.intentId, outbox.id, r.dwid, r.orderId, outbox.payload, decidedAtMs),
    orderStateStatement(db, r.orderId),
  ];
}

function orderStateStatement(db: D1Database, orderId: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT status, refunded_fen, refunded_units,
         (SELECT count(*) FROM tickets WHERE order_id = ?1) AS ticket_units
       FROM orders WHERE order_id = ?1`,
    )
    .bind(orderId);
}

function orderStateOf(result: D1Result): RefundedOrderState | null {
  const row = (result.results as { status: string; refunded_fen: number; refunded_units: number; ticket_units: number }[])[0];
  return row ? { status: row.status, refundedFen: row.refunded_fen, refundedUnits: row.refunded_units, ticketUnits: row.ticket_units } : null;
}

export function parseRefundDecided(results: D1Result[]): RefundDecided {
  const row = (results[0]!.results as { outcome: Decision; decided_at_ms: number }[])[0];
  if (row?.outcome !== "commit" && row?.outcome !== "void") throw new Error("refund batch recorded no decision");
  return { decision: row.outcome, decidedAtMs: row.decided_at_ms, order: orderStateOf(results[results.length - 1]!) };
}

/**
 * The decision for a refund whose batch outcome is unknown: 'void' recorded
 * when D1 has none (the fence), then read back with the order's state.
 */
export async function settleRefundDecision(db: D1Database, r: Refund, decidedAtMs: number): Promise<RefundDecided> {
  const [, decided, order] = await db.batch([
    db.prepare(
      `INSERT OR IGNORE INTO refunds (intent_id, dwid, refund_no, order_id, amount_fen, fee_fen, tickets_json, reason, requested_by, outcome, decided_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'void', ?)`,
    ).bind(r.intentId, r.dwid, r.refundNo, r.orderId, r.amountFen, r.feeFen, JSON.stringify(r.tickets), r.reason, r.requestedBy, decidedAtMs),
    db.prepare("SELECT outcome, decided_at_ms FROM refunds WHERE intent_id = ?").bind(r.intentId),
    orderStateStatement(db, r.orderId),
  ]);
  const row = (decided!.results as { outcome: Decision; decided_at_ms: number }[])[0];
  if (row?.outcome !== "commit" && row?.outcome !== "void") throw new Error(`no decision recorded for refund ${r.intentId}`);
  return { decision: row.outcome, decidedAtMs: row.decided_at_ms, order: orderStateOf(order!) };
}

// ---------------------------------------------------------------- reading (operators, partners)

/** A committed refund, as the admin API and Order/Query show it. */
export interface RefundRecord {
  intentId: string;
  dwid: string;
  refundNo: string;
  orderId: string;
  amountFen: number;
  feeFen: number;
  tickets: string[];
  reason: string | null;
  requestedBy: "partner" | "operator";
  refundedAtMs: number;
}

interface RefundRow {
  intent_id: string;
  dwid: string;
  refund_no: string;
  order_id: string;
  amount_fen: number;
  fee_fen: number;
  tickets_json: string;
  reason: string | null;
  requested_by: "partner" | "operator";
  decided_at_ms: number;
}

const REFUND_COLUMNS = "intent_id, dwid, refund_no, order_id, amount_fen, fee_fen, tickets_json, reason, requested_by, decided_at_ms";

const toRefund = (r: RefundRow): RefundRecord => ({
  intentId: r.intent_id,
  dwid: r.dwid,
  refundNo: r.refund_no,
  orderId: r.order_id,
  amountFen: r.amount_fen,
  feeFen: r.fee_fen,
  tickets: JSON.parse(r.tickets_json) as string[],
  reason: r.reason,
  requestedBy: r.requested_by,
  refundedAtMs: r.decided_at_ms,
});

/** An order's committed refunds, oldest first. */
export async function refundsOfOrder(db: D1Database, orderId: string): Promise<RefundRecord[]> {
  const { results } = await db
    .prepare(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE order_id = ? AND outcome = 'commit' ORDER BY decided_at_ms, intent_id`)
    .bind(orderId)
    .all<RefundRow>();
  return results.map(toRefund);
}

/**
 * Committed refunds, newest first, by customer and within [fromMs, toMs)
 * when given: a range of refunds_by_customer or refunds_by_time (migration
 * 0013) from the page key, `toMs` folded into it ((t, id) < (toMs, "") is
 * t < toMs). `+outcome`: voids are skipped as met, not looked up by the
 * partial index of commits per refund number.
 */
export async function listRefunds(db: D1Database, f: { dwid?: string; fromMs?: number; toMs?: number; limit: number; cursor?: string }): Promise<Page<RefundRecord>> {
  const after = newestFirstAfter(f.cursor);
  const [atMs, intentId] = f.toMs !== undefined && f.toMs <= after[0] ? [f.toMs, ""] : after;
  const p = parameters();
  const customer = f.dwid === undefined ? "" : `dwid = ${p.bind(f.dwid)} AND `;
  const from = f.fromMs === undefined ? "" : ` AND decided_at_ms >= ${p.bind(f.fromMs)}`;
  const { results } = await db
    .prepare(
      `SELECT ${REFUND_COLUMNS} FROM refunds
       WHERE ${customer}(decided_at_ms, intent_id) < (${p.bind(atMs)}, ${p.bind(intentId)})${from} AND +outcome = 'commit'
       ORDER BY decided_at_ms DESC, intent_id DESC LIMIT ${p.bind(f.limit + 1)}`,
    )
    .bind(...p.values)
    .all<RefundRow>();
  return pageOf(results, f.limit, toRefund, (r) => [r.decided_at_ms, r.intent_id]);
}
