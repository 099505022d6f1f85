/** D1 `pos_bills`: reading for operators. */
import { decodeCursor, pageOf, type Page } from "./pages";

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

interface BillRow {
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

export async function listBills(db: D1Database, f: { dwid?: string; limit: number; cursor?: string }): Promise<Page<Bill>> {
  const key = decodeCursor(f.cursor);
  const { results } = await db
    .prepare(
      `SELECT * FROM pos_bills WHERE (?1 IS NULL OR dwid = ?1)
         AND (?2 IS NULL OR created_at_ms < ?2 OR (created_at_ms = ?2 AND bill_num < ?3))
       ORDER BY created_at_ms DESC, bill_num DESC LIMIT ?4`,
    )
    .bind(f.dwid ?? null, key ? (key[0] as number) : null, key ? (key[1] as string) : null, f.limit + 1)
    .all<BillRow>();
  return pageOf(results, f.limit, toBill, (r) => [r.created_at_ms, r.bill_num]);
}
