/**
 * A ticket's story for the operators (the console's 门票查询): the ticket
 * with its order, customer, product, holder, gate and refund, found by its
 * code or by its holder's ID number (`order_items.id_number`, index
 * order_items_by_id_number), and the committed date changes of those
 * orders. Reads only.
 */

export interface TicketRecord {
  ticketCode: string;
  status: "valid" | "used" | "refunded";
  lineNo: number;
  productId: string;
  productName: string | null;
  productKind: string | null;
  orderId: string;
  orderStatus: string;
  dwid: string;
  customerName: string | null;
  senderId: string | null;
  /** The order's visit day and this line's slot, as they stand (after any date change). */
  effectDate: string;
  timespanIndex: number | null;
  fullname: string | null;
  idType: string | null;
  idNumber: string | null;
  mobile: string;
  orderedAtMs: number;
  paidAtMs: number | null;
  issuedAtMs: number;
  usedAtMs: number | null;
  gateId: string | null;
  gateName: string | null;
  refundedAtMs: number | null;
  refundNo: string | null;
  refundReason: string | null;
  refundRequestedBy: "partner" | "operator" | null;
}

export interface DateChangeRecord {
  orderId: string;
  fromDate: string;
  fromTimespan: number | null;
  toDate: string;
  toTimespan: number | null;
  changedAtMs: number;
}

const TICKET_RECORD = `SELECT t.ticket_code, t.status, t.line_no, t.product_id, p.name AS product_name, p.kind AS product_kind,
    t.order_id, o.status AS order_status, o.dwid, c.name AS customer_name, o.sender_id, o.effect_date, i.timespan_index,
    i.fullname, i.id_type, i.id_number, coalesce(i.mobile, o.mobile) AS mobile,
    o.created_at_ms, o.paid_at_ms, t.issued_at_ms, t.used_at_ms, t.used_gate_id, g.name AS gate_name,
    t.refunded_at_ms, r.refund_no, r.reason AS refund_reason, r.requested_by
  FROM tickets t
  JOIN orders o ON o.order_id = t.order_id
  JOIN order_items i ON i.order_id = t.order_id AND i.line_no = t.line_no
  LEFT JOIN products p ON p.product_id = t.product_id
  LEFT JOIN customers c ON c.dwid = o.dwid
  LEFT JOIN gates g ON g.gate_id = t.used_gate_id
  LEFT JOIN refunds r ON r.intent_id = t.refund_id AND r.outcome = 'commit'`;

interface TicketRecordRow {
  ticket_code: string;
  status: TicketRecord["status"];
  line_no: number;
  product_id: string;
  product_name: string | null;
  product_kind: string | null;
  order_id: string;
  order_status: string;
  dwid: string;
  customer_name: string | null;
  sender_id: string | null;
  effect_date: string;
  timespan_index: number | null;
  fullname: string | null;
  id_type: string | null;
  id_number: string | null;
  mobile: string;
  created_at_ms: number;
  paid_at_ms: number | null;
  issued_at_ms: number;
  used_at_ms: number | null;
  used_gate_id: string | null;
  gate_name: string | null;
  refunded_at_ms: number | null;
  refund_no: string | null;
  refund_reason: string | null;
  requested_by: TicketRecord["refundRequestedBy"];
}

const toRecord = (r: TicketRecordRow): TicketRecord => ({
  ticketCode: r.ticket_code,
  status: r.status,
  lineNo: r.line_no,
  productId: r.product_id,
  productName: r.product_name,
  productKind: r.product_kind,
  orderId: r.order_id,
  orderStatus: r.order_status,
  dwid: r.dwid,
  customerName: r.customer_name,
  senderId: r.sender_id,
  effectDate: r.effect_date,
  timespanIndex: r.timespan_index,
  fullname: r.fullname,
  idType: r.id_type,
  idNumber: r.id_number,
  mobile: r.mobile,
  orderedAtMs: r.created_at_ms,
  paidAtMs: r.paid_at_ms,
  issuedAtMs: r.issued_at_ms,
  usedAtMs: r.used_at_ms,
  gateId: r.used_gate_id,
  gateName: r.gate_name,
  refundedAtMs: r.refunded_at_ms,
  refundNo: r.refund_no,
  refundReason: r.refund_reason,
  refundRequestedBy: r.requested_by,
});

export async function ticketRecordByCode(db: D1Database, code: string): Promise<TicketRecord | null> {
  const row = await db.prepare(`${TICKET_RECORD} WHERE t.ticket_code = ?`).bind(code).first<TicketRecordRow>();
  return row ? toRecord(row) : null;
}

/** The tickets of the real-name lines of an ID number, newest first, at most `limit`. */
export async function ticketRecordsOfHolder(db: D1Database, idNumber: string, limit: number): Promise<TicketRecord[]> {
  const { results } = await db
    .prepare(`${TICKET_RECORD} WHERE i.id_number = ? ORDER BY t.issued_at_ms DESC, t.ticket_code DESC LIMIT ?`)
    .bind(idNumber, limit)
    .all<TicketRecordRow>();
  return results.map(toRecord);
}

/** The committed date changes of these orders, oldest first. */
export async function dateChangesOfOrders(db: D1Database, orderIds: readonly string[]): Promise<DateChangeRecord[]> {
  if (orderIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT order_id, from_date, from_timespan, to_date, to_timespan, decided_at_ms FROM order_date_changes
       WHERE outcome = 'commit' AND order_id IN (SELECT value FROM json_each(?))
       ORDER BY decided_at_ms, change_id`,
    )
    .bind(JSON.stringify([...new Set(orderIds)]))
    .all<{ order_id: string; from_date: string; from_timespan: number | null; to_date: string; to_timespan: number | null; decided_at_ms: number }>();
  return results.map((r) => ({
    orderId: r.order_id,
    fromDate: r.from_date,
    fromTimespan: r.from_timespan,
    toDate: r.to_date,
    toTimespan: r.to_timespan,
    changedAtMs: r.decided_at_ms,
  }));
}
