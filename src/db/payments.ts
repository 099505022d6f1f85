/**
 * D1 side of the cross-store payment (SPEC §6).
 *
 * The pay batch is one D1 transaction, in this order:
 *   1. the decision: a `payments` row for the intent, 'commit' when the
 *      target is payable by this customer at this instant and for this
 *      amount, 'void' otherwise — `RETURNING outcome`, so the caller decides
 *      from the recorded decision, never from a `changes` count;
 *   2. the target marked paid, 3. its tickets (orders), 4. its outbox row —
 *      each only when this intent's decision is 'commit';
 *   5. the target as it now stands, read in the same transaction: the answer
 *      (why a void, the pickup code of a commit) needs no second read.
 *
 * The decision row's primary key makes the batch run once: a batch replayed
 * by any layer, or landing after recovery recorded 'void' for its intent
 * (the fence), fails on that key and rolls back whole. Its caller then asks
 * `settleDecision`, which records 'void' when no decision exists (fencing out
 * a batch still in flight: D1 runs writes one at a time) and returns the
 * decision with the target as it stands.
 */
import type { BillRow } from "./bills";
import { ORDER_ITEM_COLUMNS, orderItemOf, type OrderItem } from "./orders";

export type Decision = "commit" | "void";
export type TargetKind = "order" | "bill";

/** A target as the payment sees it: enough to decide, to pay and to answer. */
export interface PayableOrder {
  orderId: string;
  dwid: string;
  senderId: string | null;
  status: "unpaid" | "paid" | "expired" | "cancelled";
  amountFen: number;
  effectDate: string;
  expiresAtMs: number;
  paymentId: string | null;
  items: OrderItem[];
}

export interface PayableBill {
  billNum: string;
  dwid: string;
  senderBillNum: string | null;
  status: "unpaid" | "paid" | "cancelled";
  amountFen: number;
  paymentId: string | null;
  rndCode: string | null;
}

/** A target's state after a decision: what the answer reports. */
export interface TargetState {
  status: string;
  paymentId: string | null;
  expiresAtMs: number | null;
  rndCode: string | null;
}

/** The outcome of a pay batch or a settlement: the decision recorded in D1 and the target after it. */
export interface Decided {
  decision: Decision;
  /** null when the target no longer exists (never, today: orders and bills are not deleted). */
  target: TargetState | null;
}

// ---------------------------------------------------------------- orders

const PAYABLE_ORDER_COLUMNS = "order_id, dwid, sender_id, status, amount_fen, effect_date, expires_at_ms, payment_id";

interface PayableOrderRow {
  order_id: string;
  dwid: string;
  sender_id: string | null;
  status: PayableOrder["status"];
  amount_fen: number;
  effect_date: string;
  expires_at_ms: number;
  payment_id: string | null;
}

/** The reads that load an order for payment; `parseOrderLoad` turns their results into it. */
export function orderLoadStatements(db: D1Database, orderId: string): D1PreparedStatement[] {
  return [
    db.prepare(`SELECT ${PAYABLE_ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId),
    db.prepare(`SELECT ${ORDER_ITEM_COLUMNS} FROM order_items WHERE order_id = ? ORDER BY line_no`).bind(orderId),
  ];
}

export function parseOrderLoad(results: D1Result[]): PayableOrder | null {
  const row = (results[0]!.results as PayableOrderRow[])[0];
  if (!row) return null;
  return {
    orderId: row.order_id,
    dwid: row.dwid,
    senderId: row.sender_id,
    status: row.status,
    amountFen: row.amount_fen,
    effectDate: row.effect_date,
    expiresAtMs: row.expires_at_ms,
    paymentId: row.payment_id,
    items: (results[1]!.results as Record<string, unknown>[]).map(orderItemOf),
  };
}

export interface OrderPayment {
  intentId: string;
  dwid: string;
  orderId: string;
  amountFen: number;
  paidAtMs: number;
  businessDate: string;
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
  tickets: { code: string; lineNo: number; productId: string }[];
  outboxId: string;
  outboxPayload: string;
}

/** The statements of one order's pay batch; `parseDecided` reads its outcome. */
export function orderPaymentStatements(db: D1Database, p: OrderPayment): D1PreparedStatement[] {
  const committed = "EXISTS (SELECT 1 FROM payments WHERE intent_id = ?1 AND outcome = 'commit')";
  return [
    db.prepare(
      `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       SELECT ?1, ?2, 'order', ?3, ?4,
         CASE WHEN EXISTS (SELECT 1 FROM orders WHERE order_id = ?3 AND dwid = ?2 AND status = 'unpaid'
                             AND expires_at_ms > ?5 AND amount_fen = ?4) THEN 'commit' ELSE 'void' END, ?5
       RETURNING outcome`,
    ).bind(p.intentId, p.dwid, p.orderId, p.amountFen, p.paidAtMs),
    db.prepare(
      `UPDATE orders SET status = 'paid', payment_id = ?1, paid_at_ms = ?3, business_date = ?4,
         sell_station_id = ?5, market_area_id = ?6, team_type_code = ?7
       WHERE order_id = ?2 AND status = 'unpaid' AND ${committed}`,
    ).bind(p.intentId, p.orderId, p.paidAtMs, p.businessDate, p.sellStationId, p.marketAreaId, p.teamTypeCode),
    db.prepare(
      `INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms)
       SELECT json_extract(t.value, '$.code'), ?2, json_extract(t.value, '$.lineNo'), json_extract(t.value, '$.productId'), 'valid', ?3
       FROM json_each(?4) AS t WHERE ${committed}`,
    ).bind(p.intentId, p.orderId, p.paidAtMs, JSON.stringify(p.tickets)),
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT ?3, 'order_paid', ?4, ?2, ?5, 'pending', 0, ?6, ?6 WHERE ${committed}`,
    ).bind(p.intentId, p.orderId, p.outboxId, p.dwid, p.outboxPayload, p.paidAtMs),
    targetStateStatement(db, "order", p.orderId),
  ];
}

// ---------------------------------------------------------------- POS bills

export interface BillLookup {
  billNum: string | null;
  senderBillNum: string | null;
}

/** By BillNum or SenderBillNum (SPEC §5.4); SenderBillNum is unique per customer. */
export function billLoadStatements(db: D1Database, find: BillLookup, dwid: string): D1PreparedStatement[] {
  return [
    find.billNum
      ? db.prepare("SELECT * FROM pos_bills WHERE bill_num = ?").bind(find.billNum)
      : db.prepare("SELECT * FROM pos_bills WHERE dwid = ? AND sender_bill_num = ?").bind(dwid, find.senderBillNum),
  ];
}

export function parseBillLoad(results: D1Result[], find: BillLookup): PayableBill | null {
  const row = (results[0]!.results as BillRow[])[0];
  if (!row) return null;
  // Both numbers given: they must name the same bill.
  if (find.billNum && find.senderBillNum && row.sender_bill_num !== find.senderBillNum) return null;
  return {
    billNum: row.bill_num,
    dwid: row.dwid,
    senderBillNum: row.sender_bill_num,
    status: row.status,
    amountFen: row.amount_fen,
    paymentId: row.payment_id,
    rndCode: row.rnd_code,
  };
}

export interface BillPayment {
  intentId: string;
  dwid: string;
  billNum: string;
  amountFen: number;
  paidAtMs: number;
  rndCode: string;
  outboxId: string;
  outboxPayload: string;
}

export function billPaymentStatements(db: D1Database, p: BillPayment): D1PreparedStatement[] {
  const committed = "EXISTS (SELECT 1 FROM payments WHERE intent_id = ?1 AND outcome = 'commit')";
  return [
    db.prepare(
      `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       SELECT ?1, ?2, 'bill', ?3, ?4,
         CASE WHEN EXISTS (SELECT 1 FROM pos_bills WHERE bill_num = ?3 AND dwid = ?2 AND status = 'unpaid' AND amount_fen = ?4)
              THEN 'commit' ELSE 'void' END, ?5
       RETURNING outcome`,
    ).bind(p.intentId, p.dwid, p.billNum, p.amountFen, p.paidAtMs),
    db.prepare(
      `UPDATE pos_bills SET status = 'paid', payment_id = ?1, paid_at_ms = ?3, rnd_code = ?4
       WHERE bill_num = ?2 AND status = 'unpaid' AND ${committed}`,
    ).bind(p.intentId, p.billNum, p.paidAtMs, p.rndCode),
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT ?3, 'bill_paid', ?4, ?2, ?5, 'pending', 0, ?6, ?6 WHERE ${committed}`,
    ).bind(p.intentId, p.billNum, p.outboxId, p.dwid, p.outboxPayload, p.paidAtMs),
    targetStateStatement(db, "bill", p.billNum),
  ];
}

// ---------------------------------------------------------------- deciding

function targetStateStatement(db: D1Database, kind: TargetKind, targetId: string): D1PreparedStatement {
  return kind === "order"
    ? db.prepare("SELECT status, payment_id, expires_at_ms, NULL AS rnd_code FROM orders WHERE order_id = ?").bind(targetId)
    : db.prepare("SELECT status, payment_id, NULL AS expires_at_ms, rnd_code FROM pos_bills WHERE bill_num = ?").bind(targetId);
}

interface TargetStateRow {
  status: string;
  payment_id: string | null;
  expires_at_ms: number | null;
  rnd_code: string | null;
}

/** A pay batch's results (orderPaymentStatements, billPaymentStatements) as its recorded decision and the target after it. */
export function parseDecided(results: D1Result[]): Decided {
  const decision = (results[0]!.results as { outcome: Decision }[])[0]?.outcome;
  if (decision !== "commit" && decision !== "void") throw new Error("pay batch recorded no decision");
  return { decision, target: targetStateOf(results[results.length - 1]!) };
}

function targetStateOf(result: D1Result): TargetState | null {
  const row = (result.results as TargetStateRow[])[0];
  return row ? { status: row.status, paymentId: row.payment_id, expiresAtMs: row.expires_at_ms, rndCode: row.rnd_code } : null;
}

/**
 * The decision for an intent whose batch outcome is unknown. Records 'void'
 * when D1 has none, so the answer is final either way; reads the target in
 * the same transaction.
 */
export async function settleDecision(
  db: D1Database,
  intent: { intentId: string; dwid: string; targetKind: TargetKind; targetId: string; amountFen: number },
  nowMs: number,
): Promise<Decided> {
  const [, decided, target] = await db.batch([
    db.prepare(
      `INSERT OR IGNORE INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       VALUES (?, ?, ?, ?, ?, 'void', ?)`,
    ).bind(intent.intentId, intent.dwid, intent.targetKind, intent.targetId, intent.amountFen, nowMs),
    db.prepare("SELECT outcome FROM payments WHERE intent_id = ?").bind(intent.intentId),
    targetStateStatement(db, intent.targetKind, intent.targetId),
  ]);
  const decision = (decided!.results as { outcome: Decision }[])[0]?.outcome;
  if (decision !== "commit" && decision !== "void") throw new Error(`no decision recorded for ${intent.intentId}`);
  return { decision, target: targetStateOf(target!) };
}
