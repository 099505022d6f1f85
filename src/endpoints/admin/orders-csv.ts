/**
 * GET /admin/orders?…&format=csv (SPEC §12 exports): the order list with the
 * list's filters as CSV, streamed a page at a time — each page one indexed
 * range read of D1 from the last row's key (db/order-search.ts), written out
 * before the next is read, so no more than one page is ever in memory
 * however many orders match. The first page is read before answering, so a
 * D1 that cannot answer is the router's 503, not a broken download; a
 * failure later ends the stream with an error (the download fails rather
 * than looking complete).
 */
import { exportPage, keyOf, type OrderExportRow, type OrderFilter, type OrderKey } from "../../db/order-search";
import { shanghaiDate, shanghaiDateTime } from "../../domain/dates";
import { fenToYuan } from "../../domain/money";
import { CSV_BOM, csvLine } from "../../wire/csv";

/** Rows per D1 read: small enough to hold, large enough that pages stay few. */
export const EXPORT_PAGE_ROWS = 500;
/**
 * Pages one export reads at most: a Worker invocation may send D1 1,000
 * queries; past this the file ends with a line saying so, never silently.
 */
export const EXPORT_MAX_PAGES = 900;

const HEADER = [
  "订单号", "客户ID", "客户名称", "第三方单号", "类型", "产品", "张数", "状态", "游玩日期", "入园时段",
  "金额(元)", "已退款(元)", "已退张数", "联系手机", "下单时间", "支付时间", "营业日",
];
const KINDS: Record<OrderExportRow["kind"], string> = { ticket: "门票", yearcard: "年卡" };
const STATUSES: Record<OrderExportRow["status"], string> = { unpaid: "未支付", paid: "已支付", expired: "已过期", cancelled: "已取消" };

function rowLine(r: OrderExportRow): string {
  return csvLine([
    r.order_id, r.dwid, r.customer_name, r.sender_id, KINDS[r.kind], r.product_ids, r.units, STATUSES[r.status],
    dashedDate(r.effect_date), r.timespan_index, fenToYuan(r.amount_fen), fenToYuan(r.refunded_fen), r.refunded_units,
    r.mobile, shanghaiDateTime(r.created_at_ms), r.paid_at_ms === null ? null : shanghaiDateTime(r.paid_at_ms), r.business_date ? dashedDate(r.business_date) : null,
  ]);
}

function dashedDate(day: string): string {
  return `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
}

export async function ordersCsv(db: D1Database, filter: OrderFilter, nowMs: number): Promise<Response> {
  const encoder = new TextEncoder();
  const first = await exportPage(db, filter, null, EXPORT_PAGE_ROWS);
  let page: OrderExportRow[] | null = first;
  let pages = 1;
  let after: OrderKey | null = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(CSV_BOM + csvLine(HEADER)));
    },
    async pull(controller) {
      page ??= await exportPage(db, filter, after, EXPORT_PAGE_ROWS);
      const rows = page;
      page = null;
      if (rows.length > 0) {
        controller.enqueue(encoder.encode(rows.map(rowLine).join("")));
        after = keyOf(rows[rows.length - 1]!);
      }
      if (rows.length < EXPORT_PAGE_ROWS) return controller.close();
      if (++pages > EXPORT_MAX_PAGES) {
        controller.enqueue(encoder.encode(csvLine([`（已达导出上限 ${EXPORT_PAGE_ROWS * EXPORT_MAX_PAGES} 行，其余订单未导出：请按游玩日期、客户或状态分开导出）`])));
        controller.close();
      }
    },
  }, { highWaterMark: 0 });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="orders-${shanghaiDate(nowMs)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
