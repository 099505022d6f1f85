/** D1 `pos_bills`: reading for operators, adding bills (POS Bill/Add). */
import { newestFirstAfter, pageOf, parameters, type Page } from "./pages";

export interface Bill {
  billNum: string;
  dwid: string;
  senderBillNum: string | null;
  status: "unpaid" | "paid" | "cancelled";
  amountFen: number;
  rndCode: string | null;
  paymentId: string | null;
  createdAtMs: number;
  paidAtMs: number | null;
}

export interface BillRow {
  bill_num: string;
  dwid: string;
  sender_bill_num: string | null;
  status: Bill["status"];
  amount_fen: number;
  rnd_code: string | null;
  payment_id: string | null;
  created_at_ms: number;
  paid_at_ms: number | null;
}

export const toBill = (r: BillRow): Bill => ({
  billNum: r.bill_num,
  dwid: r.dwid,
  senderBillNum: r.sender_bill_num,
  status: r.status,
  amountFen: r.amount_fen,
  rndCode: r.rnd_code,
  paymentId: r.payment_id,
  createdAtMs: r.created_at_ms,
  paidAtMs: r.paid_at_ms,
});

/** Newest first: a range of pos_bills_by_customer or pos_bills_by_created (migration 0013) from the page key. */
export async function listBills(db: D1Database, f: { dwid?: string; limit: number; cursor?: string }): Promise<Page<Bill>> {
  const [atMs, billNum] = newestFirstAfter(f.cursor);
  const p = parameters();
  const customer = f.dwid === undefined ? "" : `dwid = ${p.bind(f.dwid)} AND `;
  const { results } = await db
    .prepare(
      `SELECT * FROM pos_bills WHERE ${customer}(created_at_ms, bill_num) < (${p.bind(atMs)}, ${p.bind(billNum)})
       ORDER BY created_at_ms DESC, bill_num DESC LIMIT ${p.bind(f.limit + 1)}`,
    )
    .bind(...p.values)
    .all<BillRow>();
  return pageOf(results, f.limit, toBill, (r) => [r.created_at_ms, r.bill_num]);
}

export interface NewBill {
  billNum: string;
  dwid: string;
  senderBillNum: string | null;
  amountFen: number;
  createdAtMs: number;
  items: { productId: string; quantity: number; unitPriceFen: number }[];
}

/**
 * Inserts a bill and its items in one batch, unless the customer already has
 * a bill with this SenderBillNum: then nothing is written and that bill is
 * returned (idempotent, even when two adds race: the unique index decides).
 */
export async function insertBill(db: D1Database, bill: NewBill): Promise<{ bill: Bill; created: boolean }> {
  const billExists = "EXISTS (SELECT 1 FROM pos_bills WHERE bill_num = ?1 AND created_at_ms = ?2)";
  const results = await db.batch([
    db.prepare(
      `INSERT INTO pos_bills (bill_num, dwid, sender_bill_num, status, amount_fen, created_at_ms)
       VALUES (?, ?, ?, 'unpaid', ?, ?) ON CONFLICT (dwid, sender_bill_num) DO NOTHING`,
    ).bind(bill.billNum, bill.dwid, bill.senderBillNum, bill.amountFen, bill.createdAtMs),
    db.prepare(
      `INSERT INTO pos_bill_items (bill_num, line_no, product_id, quantity, unit_price_fen, amount_fen)
       SELECT ?1, json_extract(i.value, '$.lineNo'), json_extract(i.value, '$.productId'), json_extract(i.value, '$.quantity'),
         json_extract(i.value, '$.unitPriceFen'), json_extract(i.value, '$.quantity') * json_extract(i.value, '$.unitPriceFen')
       FROM json_each(?3) AS i WHERE ${billExists}`,
    ).bind(bill.billNum, bill.createdAtMs, JSON.stringify(bill.items.map((item, index) => ({ ...item, lineNo: index + 1 })))),
    bill.senderBillNum === null
      ? db.prepare("SELECT * FROM pos_bills WHERE bill_num = ?").bind(bill.billNum)
      : db.prepare("SELECT * FROM pos_bills WHERE dwid = ? AND sender_bill_num = ?").bind(bill.dwid, bill.senderBillNum),
  ]);
  const created = results[0]!.meta.changes === 1;
  const row = (results[2]!.results as BillRow[])[0]!;
  return { bill: toBill(row), created };
}

/**
 * The customer's bill numbered `billNum`, else the one carrying
 * `senderBillNum` (what an add whose reply was lost may have left).
 */
export async function findOwnBill(db: D1Database, dwid: string, billNum: string, senderBillNum: string | null): Promise<Bill | null> {
  const row = await db
    .prepare(
      `SELECT * FROM pos_bills WHERE dwid = ?1 AND (bill_num = ?2 OR (?3 IS NOT NULL AND sender_bill_num = ?3))
       ORDER BY bill_num = ?2 DESC LIMIT 1`,
    )
    .bind(dwid, billNum, senderBillNum)
    .first<BillRow>();
  return row ? toBill(row) : null;
}
