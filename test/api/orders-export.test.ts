/**
 * GET /admin/orders?…&format=csv (SPEC §12): the list's filters, as CSV that
 * Excel opens — UTF-8 with a BOM, a Chinese header, RFC 4180 quoting, no
 * formula run from a partner's text, long ids kept as text — streamed a D1
 * page at a time, every matching order exactly once and in the list's order.
 * Read back with an independent parser (test/helpers/csv.ts).
 */
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { EXPORT_PAGE_ROWS } from "../../src/endpoints/admin/orders-csv";
import { aCustomer, admin, ADMIN_TOKEN, fetchWorker, uniqueId } from "../helpers/api";
import { parseCsv } from "../helpers/csv";
import { seedOrderRows } from "../helpers/order-rows";

const HEADER = [
  "订单号", "客户ID", "客户名称", "第三方单号", "类型", "产品", "张数", "状态", "游玩日期", "入园时段",
  "金额(元)", "已退款(元)", "已退张数", "联系手机", "下单时间", "支付时间", "营业日",
];

async function exportCsv(query: string): Promise<{ response: Response; text: string; chunks: number }> {
  const response = await fetchWorker(`/admin/orders?${query}&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const reader = response.body!.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { response, text: new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(bytes), chunks: parts.length };
}

/** Every order the JSON list shows for `query`, across its pages. */
async function listed(query: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: any } = await admin("GET", `/admin/orders?${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

/** The order id as the CSV writes it: all digits and 12 or more of them, with Excel's text tab. */
const asWritten = (id: string) => (/^\d{12,}$/.test(id) ? `\t${id}` : id);

describe("the CSV", () => {
  it("starts with a BOM and the Chinese header, and writes each order's fields — quoted, formula-guarded, long ids as text", async () => {
    const c = await aCustomer();
    await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: "1", name: '湘江,旅行社 "甲"' });
    const t = testClock.nowMs();
    const tricky = [
      "a,b", 'say "hi"', "line1\nline2", '=HYPERLINK("http://evil.example","点我")', "+8613800138000", "-5", "@SUM(A1)", "\tTAB", "plain-1",
    ];
    const ids = await seedOrderRows(tricky.map((senderId, i) => ({
      dwid: c.dwid, senderId, createdAtMs: t - i * 1000, effectDate: "20270315",
      status: i % 3 === 0 ? "unpaid" : "paid",
      items: [{ productId: "P-A", quantity: 2, unitPriceFen: 3050 }, { productId: "P-B", quantity: 1, unitPriceFen: 999 }],
      refundedFen: i === 1 ? 3050 : 0, refundedUnits: i === 1 ? 1 : 0,
    })));
    const digits = (await seedOrderRows([{ dwid: c.dwid, orderId: "20270315123456789012", senderId: "987654321098765", createdAtMs: t - 60_000, status: "cancelled" }]))[0]!;

    const { response, text } = await exportCsv(`customer=${c.dwid}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="orders-\d{8}\.csv"$/);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example"",""点我"")"');

    const [header, ...rows] = parseCsv(text.slice(1));
    expect(header).toEqual(HEADER);
    const list = await listed(`customer=${c.dwid}`);
    expect(rows.map((r) => r[0])).toEqual(list.map((o) => asWritten(o.orderId)));
    expect(list.map((o) => o.orderId)).toEqual([...ids, digits]);

    const guarded = (s: string) => (/^[=+\-@\t]/.test(s) ? `'${s}` : s);
    rows.slice(0, tricky.length).forEach((row, i) => {
      const o = list[i];
      expect(row).toEqual([
        o.orderId, c.dwid, '湘江,旅行社 "甲"', guarded(tricky[i]!), "门票", "P-A P-B", "3", i % 3 === 0 ? "未支付" : "已支付", "2027-03-15", "",
        "70.99", i === 1 ? "30.50" : "0.00", i === 1 ? "1" : "0", "13800138000",
        shanghai(o.createdAt), o.paidAt ? shanghai(o.paidAt) : "", o.paidAt ? "2027-01-01" : "",
      ]);
    });
    expect(rows.at(-1)!.slice(0, 8)).toEqual(["\t20270315123456789012", c.dwid, '湘江,旅行社 "甲"', "\t987654321098765", "门票", "P-SEED", "1", "已取消"]);
  });

  it("has the list's filters — customer, date, status, q — and the same orders in the same order", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const t = testClock.nowMs();
    const prefix = uniqueId("Q").slice(-6);
    await seedOrderRows([
      ...Array.from({ length: 6 }, (_, i) => ({ dwid: c.dwid, senderId: `${prefix}-${i}`, createdAtMs: t - (i % 2) * 10, effectDate: i < 3 ? "20270401" : "20270402", status: (["paid", "unpaid", "cancelled"] as const)[i % 3] })),
      { dwid: other.dwid, senderId: `${prefix}-other`, createdAtMs: t, effectDate: "20270401" },
    ]);
    for (const query of [
      `customer=${c.dwid}`, `customer=${c.dwid}&date=20270401`, `customer=${c.dwid}&status=paid`, `q=${prefix}`, `q=${prefix}-1`,
      `customer=${c.dwid}&q=${prefix}`, `date=20270402&customer=${c.dwid}&status=cancelled`,
    ]) {
      const rows = parseCsv((await exportCsv(query)).text.slice(1)).slice(1);
      expect(rows.map((r) => r[3]), query).toEqual((await listed(query)).map((o) => o.senderId));
    }
    expect(parseCsv((await exportCsv(`q=${prefix}`)).text.slice(1))).toHaveLength(1 + 7);
    expect(parseCsv((await exportCsv(`customer=${c.dwid}&status=expired`)).text.slice(1))).toEqual([HEADER]);
  });

  it(`streams ${EXPORT_PAGE_ROWS * 2 + 203} orders a D1 page at a time: each exactly once, newest first, ties across page boundaries included`, async () => {
    const c = await aCustomer();
    const t = testClock.nowMs();
    const count = EXPORT_PAGE_ROWS * 2 + 203;
    // Seven orders share each instant, so page boundaries fall inside ties.
    const ids = await seedOrderRows(Array.from({ length: count }, (_, i) => ({ dwid: c.dwid, createdAtMs: t - Math.floor(i / 7), orderId: `S${c.dwid.slice(-6)}${String(i).padStart(5, "0")}` })));
    const expected = ids
      .map((id, i) => ({ id, at: t - Math.floor(i / 7) }))
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
      .map((o) => o.id);
    const { text, chunks } = await exportCsv(`customer=${c.dwid}`);
    const rows = parseCsv(text.slice(1)).slice(1);
    expect(rows.map((r) => r[0])).toEqual(expected);
    // The header, then one chunk per page read: the file was never built whole.
    expect(chunks).toBeGreaterThanOrEqual(4);
  });

  it("refuses what the list refuses, and an unknown format (400)", async () => {
    for (const [query, field] of [["format=xlsx", "format"], ["format=csv&status=lost", "status"], ["format=csv&date=20270230", "date"]] as const) {
      const r = await admin("GET", `/admin/orders?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect((await fetchWorker("/admin/orders?format=csv")).status).toBe(401);
  });
});

/** An instant as the export writes it: Asia/Shanghai, yyyy-MM-dd HH:mm:ss. */
function shanghai(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}
