/**
 * D1 side of the cross-store payment (SPEC §6).
 *
 * The pay batch is one D1 transaction: it marks the target paid only if it
 * is still payable and no decision exists for this intent, records the
 * decision 'commit', and writes tickets (orders) and the outbox row — each
 * guarded by "the target now carries this intent's payment_id", so a batch
 * whose first statement changed nothing writes nothing.
 *
 * Recovery asks D1 for the decision; when there is none it records 'void'
 * first, which fences out a batch still in flight (D1 runs writes one at a
 * time: either the batch ran before the fence and left 'commit', or after it
 * and finds the intent decided).
 */
import type { BillRow } from "./bills";
import { ORDER_COLUMNS, ORDER_ITEM_COLUMNS, orderItemOf, type OrderItem, type OrderRow } from "./orders";

export type Decision = "commit" | "void";

export interface OrderForPayment {
  order: OrderRow;
  items: OrderItem[];
}

/** The reads that load an order for payment; `parseOrderLoad` turns their results into it. */
export function orderLoadStatements(db: D1Database, orderId: string): D1PreparedStatement[] {
  return [
    db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId),
    db.prepare(`SELECT ${ORDER_ITEM_COLUMNS} FROM order_items WHERE order_id = ? ORDER BY line_no`).bind(orderId),
  ];
}

export function parseOrderLoad(results: D1Result[]): OrderForPayment | null {
  const order = (results[0]!.results as OrderRow[])[0];
  if (!order) return null;
  const items = (results[1]!.results as Record<string, unknown>[]).map(orderItemOf);
  return { order, items };
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

/** The statements of one order's pay batch; the first one's `changes` says whether it committed. */
export function orderPaymentStatements(db: D1Database, p: OrderPayment): D1PreparedStatement[] {
  const carriesIntent = "EXISTS (SELECT 1 FROM orders WHERE order_id = ?2 AND payment_id = ?1)";
  return [
    db.prepare(
      `UPDATE orders SET status = 'paid', payment_id = ?1, paid_at_ms = ?3, business_date = ?4,
         sell_station_id = ?5, market_area_id = ?6, team_type_code = ?7
       WHERE order_id = ?2 AND dwid = ?8 AND status = 'unpaid' AND expires_at_ms > ?3 AND amount_fen = ?9
         AND NOT EXISTS (SELECT 1 FROM payments WHERE intent_id = ?1)`,
    ).bind(p.intentId, p.orderId, p.paidAtMs, p.businessDate, p.sellStationId, p.marketAreaId, p.teamTypeCode, p.dwid, p.amountFen),
    db.prepare(
      `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       SELECT ?1, ?3, 'order', ?2, ?4, 'commit', ?5 WHERE ${carriesIntent}`,
    ).bind(p.intentId, p.orderId, p.dwid, p.amountFen, p.paidAtMs),
    db.prepare(
      `INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms)
       SELECT json_extract(t.value, '$.code'), ?2, json_extract(t.value, '$.lineNo'), json_extract(t.value, '$.productId'), 'valid', ?3
       FROM json_each(?4) AS t WHERE ${carriesIntent}`,
    ).bind(p.intentId, p.orderId, p.paidAtMs, JSON.stringify(p.tickets)),
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT ?3, 'order_paid', ?4, ?2, ?5, 'pending', 0, ?6, ?6 WHERE ${carriesIntent}`,
    ).bind(p.intentId, p.orderId, p.outboxId, p.dwid, p.outboxPayload, p.paidAtMs),
  ];
}

/**
 * The decision for an intent whose batch outcome is unknown. Records 'void'
 * when D1 has none, so the answer is final either way.
 */
export async function settleDecision(
  db: D1Database,
  intent: { intentId: string; dwid: string; targetKind: "order" | "bill"; targetId: string; amountFen: number },
  nowMs: number,
): Promise<Decision> {
  const [, decided] = await db.batch([
    db.prepare(
      `INSERT OR IGNORE INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       VALUES (?, ?, ?, ?, ?, 'void', ?)`,
    ).bind(intent.intentId, intent.dwid, intent.targetKind, intent.targetId, intent.amountFen, nowMs),
    db.prepare("SELECT outcome FROM payments WHERE intent_id = ?").bind(intent.intentId),
  ]);
  const outcome = (decided!.results as { outcome: Decision }[])[0]?.outcome;
  if (outcome !== "commit" && outcome !== "void") throw new Error(`no decision recorded for ${intent.intentId}`);
  return outcome;
}

// ---------------------------------------------------------------- POS bills

export interface BillForPayment {
  bill: BillRow;
}

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

export function parseBillLoad(results: D1Result[], find: BillLookup): BillForPayment | null {
  const bill = (results[0]!.results as BillRow[])[0];
  if (!bill) return null;
  // Both numbers given: they must name the same bill.
  if (find.billNum && find.senderBillNum && bill.sender_bill_num !== find.senderBillNum) return null;
  return { bill };
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
  const carriesIntent = "EXISTS (SELECT 1 FROM pos_bills WHERE bill_num = ?2 AND payment_id = ?1)";
  return [
    db.prepare(
      `UPDATE pos_bills SET status = 'paid', payment_id = ?1, paid_at_ms = ?3, rnd_code = ?4
       WHERE bill_num = ?2 AND dwid = ?5 AND status = 'unpaid' AND amount_fen = ?6
         AND NOT EXISTS (SELECT 1 FROM payments WHERE intent_id = ?1)`,
    ).bind(p.intentId, p.billNum, p.paidAtMs, p.rndCode, p.dwid, p.amountFen),
    db.prepare(
      `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
       SELECT ?1, ?3, 'bill', ?2, ?4, 'commit', ?5 WHERE ${carriesIntent}`,
    ).bind(p.intentId, p.billNum, p.dwid, p.amountFen, p.paidAtMs),
    db.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       SELECT ?3, 'bill_paid', ?4, ?2, ?5, 'pending', 0, ?6, ?6 WHERE ${carriesIntent}`,
    ).bind(p.intentId, p.billNum, p.outboxId, p.dwid, p.outboxPayload, p.paidAtMs),
  ];
}
