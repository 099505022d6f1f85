/**
 * Statements (SPEC §12, issue 17 item 1): GET /admin/customers/{dwid}/statement
 * through the Worker, from the customer's real AccountDO ledger, reconciled
 * against the real D1. Periods are Asia/Shanghai days cut by ledger seq
 * (domain/statements.ts); time moves on the isolate's test clock.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate, shanghaiDayStartMs } from "../../src/domain/dates";
import { STATEMENT_PAGE_MAX } from "../../src/domain/statements";
import { csvChunks } from "../../src/endpoints/admin/statement";
import { accountStatementSource, StatementRun, type StatementSource } from "../../src/endpoints/admin/statement-run";
import type { Env } from "../../src/env";
import { aCustomer, admin, fetchWorker, loginAs, partner, uniqueId, ADMIN_TOKEN, type TestCustomer } from "../helpers/api";
import { anUnpaidOrder } from "../helpers/orders";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const BOM = "\uFEFF";
const HEADER = "序号,时间(北京时间),类型,金额(元),余额(元),流水号,订单号,单据号,退款单号";

const account = (dwid: string) => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));

async function pay(c: TestCustomer, yuan: number): Promise<string> {
  const s = await loginAs(c);
  const order = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 2, unitPriceFen: Math.round((yuan * 100) / 2) }] });
  const response = await partner(MIN, { orderid: order.orderId, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
  expect(((await response.json()) as { resultcode: number }).resultcode).toBe(0);
  return order.orderId;
}

async function deposit(c: TestCustomer, yuan: number, reference = uniqueId("dep")): Promise<string> {
  expect((await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: yuan, reference })).status).toBe(201);
  return reference;
}

/** Moves the test clock to `hour` o'clock of the next Asia/Shanghai day. */
function nextDay(hour = 10): string {
  const day = addDays(shanghaiDate(testClock.nowMs()), 1);
  testClock.advance(shanghaiDayStartMs(day) + hour * 3_600_000 - testClock.nowMs());
  return day;
}

const statement = (dwid: string, from: string, to: string, format?: string) =>
  admin("GET", `/admin/customers/${dwid}/statement?from=${from}&to=${to}${format ? `&format=${format}` : ""}`);

async function csv(dwid: string, from: string, to: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetchWorker(`/admin/customers/${dwid}/statement?from=${from}&to=${to}&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  // Keep the BOM: response.text() would drop it, as every UTF-8 decoder does by default.
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get("content-type"), text };
}

describe("a customer's statement over three days", () => {
  let c: TestCustomer;
  const days: string[] = [];
  let refunded: { orderId: string; refundNo: string };

  beforeAll(async () => {
    c = await aCustomer({ payPassword: "123456" });
    days.push(nextDay(9));
    await deposit(c, 500, "DEP-A"); // 500
    await pay(c, 120); // 380
    days.push(nextDay(0)); // just after midnight
    const orderId = await pay(c, 80); // 300
    const refundNo = uniqueId("RF");
    const refund = await admin("POST", `/admin/orders/${orderId}/refunds`, { refundid: refundNo, ticketcodes: [await firstTicket(orderId)], reason: "少来一人" });
    expect(refund.status).toBe(200); // 340
    refunded = { orderId, refundNo };
    await deposit(c, 100, "DEP-B"); // 440
    days.push(nextDay(23));
    await pay(c, 30); // 410
  });

  it("one day: the balance before it, its entries in seq order with their order and refund number, totals, the balance after; D1 agrees", async () => {
    const { status, body } = await statement(c.dwid, days[1]!, days[1]!);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["dwid", "from", "to", "opening", "closing", "totals", "entries", "reconciliation"]);
    expect(body).toMatchObject({ dwid: c.dwid, from: days[1], to: days[1], opening: 380, closing: 440 });
    expect(body.totals).toEqual({ deposits: { count: 1, amount: 100 }, debits: { count: 1, amount: 80 }, refunds: { count: 1, amount: 40 } });
    expect(body.entries.map((e: any) => [e.kind, e.amount, e.balanceAfter])).toEqual([["debit", 80, 300], ["refund", 40, 340], ["deposit", 100, 440]]);
    const [debit, refund, dep] = body.entries;
    expect(debit).toMatchObject({ orderId: refunded.orderId, billNum: null, refundId: null });
    expect(refund).toMatchObject({ orderId: refunded.orderId, refundId: refunded.refundNo });
    expect(dep).toMatchObject({ reference: "DEP-B", orderId: null, refundId: null });
    expect(body.entries.map((e: any) => e.seq)).toEqual([debit.seq, debit.seq + 1, debit.seq + 2]);
    expect(body.reconciliation).toMatchObject({ balanced: true, differences: [] });
  });

  it("periods are contiguous: each day opens where the one before closed, and together they are the whole", async () => {
    const each = await Promise.all(days.map((d) => statement(c.dwid, d, d)));
    expect(each.map((r) => [r.body.opening, r.body.closing])).toEqual([[0, 380], [380, 440], [440, 410]]);
    const whole = (await statement(c.dwid, days[0]!, days[2]!)).body;
    expect(whole).toMatchObject({ opening: 0, closing: 410 });
    expect(whole.entries.map((e: any) => e.seq)).toEqual(each.flatMap((r) => r.body.entries.map((e: any) => e.seq)));
    expect(whole.totals.debits).toEqual({ count: 3, amount: 230 });
    // A day before any entry, and a day after the last: empty, the balance carried.
    expect((await statement(c.dwid, addDays(days[0]!, -3), addDays(days[0]!, -1))).body).toMatchObject({ opening: 0, closing: 0, entries: [] });
    expect((await statement(c.dwid, addDays(days[2]!, 1), addDays(days[2]!, 1))).body).toMatchObject({ opening: 410, closing: 410, entries: [] });
  });

  it("CSV: UTF-8 with a BOM, Chinese headers, one entry a line, then the summary", async () => {
    const answer = await csv(c.dwid, days[1]!, days[1]!);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/csv; charset=utf-8");
    expect(answer.text.startsWith(BOM)).toBe(true);
    const lines = answer.text.slice(1).split("\r\n");
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toMatch(new RegExp(`^\\d+,${days[1]!.slice(0, 4)}-${days[1]!.slice(4, 6)}-${days[1]!.slice(6)} 00:\\d\\d:\\d\\d,扣款,80\\.00,300\\.00,[0-9a-f-]{36},${refunded.orderId},,$`));
    expect(lines[2]).toMatch(new RegExp(`,退款,40\\.00,340\\.00,[0-9a-f-]{36},${refunded.orderId},,${refunded.refundNo}$`));
    expect(lines[3]).toMatch(/,充值,100\.00,440\.00,DEP-B,,,$/);
    expect(lines.slice(4)).toEqual([
      "",
      `汇总,${days[1]}至${days[1]}`,
      "期初余额(元),380.00",
      "充值合计(元),100.00,1笔",
      "扣款合计(元),80.00,1笔",
      "退款合计(元),40.00,1笔",
      "期末余额(元),440.00",
      "对账结果,平衡",
      ...(lines.includes("说明,1笔充值尚未复制到 D1 的 ledger_copy（稍后自动补齐，不计为差异）") ? ["说明,1笔充值尚未复制到 D1 的 ledger_copy（稍后自动补齐，不计为差异）"] : []),
      "",
    ]);
  });

  it("refuses a bad period: 400 naming the field", async () => {
    const cases: [string, string, string][] = [
      ["from=2027013&to=20270131", "from", "from 必须是yyyyMMdd格式的有效日期"],
      ["from=20270230&to=20270301", "from", "from 必须是yyyyMMdd格式的有效日期"],
      ["from=20270201&to=20270131", "to", "to 不能早于 from"],
      ["from=20260101&to=20270102", "to", "to 与 from 之间不能超过366天(含首尾两天)"],
      ["to=20270101", "from", "from 为必填项"],
      ["from=20270101&to=20270101&format=xlsx", "format", "format"],
    ];
    for (const [query, field, message] of cases) {
      const r = await admin("GET", `/admin/customers/${c.dwid}/statement?${query}`);
      expect({ query, status: r.status, field: r.body.error.field }).toEqual({ query, status: 400, field });
      expect(r.body.error.message).toContain(message);
    }
    // A leap year's 366 days are one statement.
    expect((await statement(c.dwid, "20280101", "20281231")).status).toBe(200);
    expect((await statement(uniqueId("nobody"), "20270101", "20270101")).status).toBe(404);
  });
});

describe("the period is cut by seq", () => {
  it("an entry stamped before midnight but posted after the next day's first entry belongs to the next day: each day still adds up", async () => {
    const c = await aCustomer();
    const day = addDays(shanghaiDate(testClock.nowMs()), -20);
    const midnight = shanghaiDayStartMs(addDays(day, 1));
    // As a refund is stamped with D1's decision instant and may be posted later by the alarm (test-only seeding).
    await runInDurableObject(account(c.dwid), (_instance, state) => {
      const sql = state.storage.sql;
      const add = (amountFen: number, balanceAfterFen: number, reference: string, atMs: number) =>
        sql.exec("INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, created_at_ms) VALUES ('deposit', ?, ?, ?, ?)", amountFen, balanceAfterFen, reference, atMs);
      add(1000, 1000, "D-10H", midnight - 14 * 3_600_000);
      add(200, 1200, "D+1-00H", midnight + 1000);
      add(30, 1230, "LATE-STAMPED-D", midnight - 1000);
      add(4, 1234, "D+1-08H", midnight + 8 * 3_600_000);
      sql.exec("UPDATE totals SET balance_fen = 1234");
    });
    const first = (await statement(c.dwid, day, day)).body;
    const second = (await statement(c.dwid, addDays(day, 1), addDays(day, 1))).body;
    expect(first.entries.map((e: any) => e.reference)).toEqual(["D-10H"]);
    expect(first).toMatchObject({ opening: 0, closing: 10 });
    expect(second.entries.map((e: any) => e.reference)).toEqual(["D+1-00H", "LATE-STAMPED-D", "D+1-08H"]);
    expect(second).toMatchObject({ opening: 10, closing: 12.34, totals: { deposits: { count: 3, amount: 2.34 } } });
    for (const body of [first, second]) expect(body.reconciliation.differences).toEqual([]);
  });
});

async function firstTicket(orderId: string): Promise<string> {
  return (await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code LIMIT 1").bind(orderId).first<{ ticket_code: string }>())!.ticket_code;
}

describe("reconciliation against D1: differences are listed, never hidden", () => {
  it("a debit D1 has with another amount, a refund D1 voided, a deposit copied with another amount, a commit the ledger lacks; an uncopied deposit is only said", async () => {
    const c = await aCustomer({ payPassword: "123456" });
    const day = shanghaiDate(testClock.nowMs());
    await deposit(c, 300, "DEP-1");
    const paidOrder = await pay(c, 100);
    const refundNo = uniqueId("RF");
    expect((await admin("POST", `/admin/orders/${paidOrder}/refunds`, { refundid: refundNo, reason: "x" })).status).toBe(200);
    await deposit(c, 50, "DEP-2");
    // The ledger copy runs from the object's alarm: wait for it, so the deposits' copies are there to differ.
    await vi.waitFor(async () => {
      const n = await env.DB.prepare("SELECT count(*) AS n FROM ledger_copy WHERE dwid = ?").bind(c.dwid).first<{ n: number }>();
      expect(n!.n).toBe(4);
    }, { timeout: 30_000, interval: 100 });
    const balanced = (await statement(c.dwid, day, day)).body.reconciliation;
    expect(balanced).toEqual({ balanced: true, differences: [], uncopiedDeposits: 0 });

    const ledger = (await statement(c.dwid, day, day)).body.entries as { seq: number; kind: string; reference: string }[];
    const debit = ledger.find((e) => e.kind === "debit")!;
    const refund = ledger.find((e) => e.kind === "refund")!;
    const dep1 = ledger.find((e) => e.reference === "DEP-1")!;
    const dep2 = ledger.find((e) => e.reference === "DEP-2")!;
    const nowMs = testClock.nowMs();
    const lacking = crypto.randomUUID();
    await env.DB.batch([
      env.DB.prepare("UPDATE payments SET amount_fen = amount_fen + 1 WHERE intent_id = ?").bind(debit.reference),
      env.DB.prepare("UPDATE refunds SET outcome = 'void' WHERE intent_id = ?").bind(refund.reference),
      env.DB.prepare("UPDATE ledger_copy SET amount_fen = 4999 WHERE dwid = ? AND seq = ?").bind(c.dwid, dep2.seq),
      env.DB.prepare("DELETE FROM ledger_copy WHERE dwid = ? AND seq = ?").bind(c.dwid, dep1.seq),
      env.DB.prepare(
        `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms) VALUES (?, ?, 'order', 'T-GHOST', 777, 'commit', ?)`,
      ).bind(lacking, c.dwid, nowMs),
      // Decided the day before: not this period's, not listed.
      env.DB.prepare(
        `INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms) VALUES (?, ?, 'order', 'T-OLD', 888, 'commit', ?)`,
      ).bind(crypto.randomUUID(), c.dwid, shanghaiDayStartMs(day) - 1),
    ]);

    const { body } = await statement(c.dwid, day, day);
    expect(body.reconciliation.balanced).toBe(false);
    expect(body.reconciliation.uncopiedDeposits).toBe(1);
    const differences = body.reconciliation.differences as { kind: string; reference: string; ledgerAmount: number | null; d1Amount: number | null; note: string }[];
    expect(differences.map(({ note: _note, ...d }) => d)).toEqual([
      { kind: "debit", reference: debit.reference, ledgerAmount: 100, d1Amount: 100.01 },
      { kind: "refund", reference: refund.reference, ledgerAmount: 100, d1Amount: 100 },
      { kind: "deposit", reference: "DEP-2", ledgerAmount: 50, d1Amount: 49.99 },
      { kind: "debit", reference: lacking, ledgerAmount: null, d1Amount: 7.77 },
    ]);
    expect(differences.map((d) => d.note)).toEqual([
      expect.stringContaining("D1 记录的金额不同"),
      expect.stringContaining("D1 记录的决定是 void"),
      expect.stringContaining("ledger_copy 中的金额不同"),
      expect.stringContaining("order:T-GHOST"),
    ]);
    expect(differences[3]!.note).toContain("对象中没有这笔扣款");

    // The CSV says the same, each difference on its own line.
    const text = (await csv(c.dwid, day, day)).text;
    expect(text).toContain("对账结果,不平衡，差异4项\r\n");
    expect(text).toContain("说明,1笔充值尚未复制到 D1 的 ledger_copy（稍后自动补齐，不计为差异）\r\n");
    expect(text).toContain("差异,类型,流水号,账本金额(元),D1金额(元),说明\r\n");
    expect(text).toContain(`,扣款,${lacking},,7.77,`);
    expect(text).toContain(",充值,DEP-2,50.00,49.99,");
  });

  it("a reference a partner chose cannot become a spreadsheet formula", async () => {
    const c = await aCustomer();
    await deposit(c, 1, "=HYPERLINK(\"http://x\",\"y\")");
    const day = shanghaiDate(testClock.nowMs());
    const text = (await csv(c.dwid, day, day)).text;
    expect(text).toContain(`,充值,1.00,1.00,"'=HYPERLINK(""http://x"",""y"")",,,\r\n`);
  });
});

describe("a statement of 100,000 entries streams", () => {
  const N = 100_000;
  let c: TestCustomer;
  let day: string;

  beforeAll(async () => {
    c = await aCustomer();
    day = addDays(shanghaiDate(testClock.nowMs()), -10);
    const startMs = shanghaiDayStartMs(day) + 3_600_000;
    // Test-only seeding, inside the object: N deposits of 1 yuan, one a millisecond; the statement reads them
    // through its production path. The copy cursor is moved past them, so the alarm does not copy 100,000 rows to D1
    // during the test (the statement then says they are not copied: true).
    await runInDurableObject(account(c.dwid), (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms)
         SELECT 'deposit', 100, i * 100, 'SEED-' || i, NULL, ?2 + i FROM n`,
        N, startMs,
      );
      sql.exec("UPDATE totals SET balance_fen = ?", N * 100);
      sql.exec("UPDATE ledger_copy_cursor SET copied_through = (SELECT max(seq) FROM ledger)");
    });
  });

  it("over HTTP: the first chunk comes before the rest is built, and the CSV has every entry once", async () => {
    const response = await fetchWorker(`/admin/customers/${c.dwid}/statement?from=${day}&to=${day}&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const first = await reader.read();
    expect(first.done).toBe(false);
    const firstText = decoder.decode(first.value, { stream: true });
    expect(firstText.startsWith(`${BOM}${HEADER}\r\n`)).toBe(true);
    // One page, not the statement.
    expect(firstText.split("\r\n").length - 2).toBeLessThanOrEqual(STATEMENT_PAGE_MAX);

    let text = firstText;
    let chunks = 1;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks += 1;
      text += decoder.decode(next.value, { stream: true });
    }
    text += decoder.decode();
    expect(chunks).toBeGreaterThanOrEqual(N / STATEMENT_PAGE_MAX);
    const lines = text.slice(1).split("\r\n");
    const rows = lines.filter((line) => /^\d+,/.test(line));
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(N);
    expect(rows[N - 1]).toMatch(/,充值,1\.00,100000\.00,SEED-100000,,,$/);
    expect(lines).toContain("期末余额(元),100000.00");
    expect(lines).toContain("充值合计(元),100000.00,100000笔");
    expect(lines).toContain("对账结果,平衡");
    expect(lines).toContain(`说明,${N}笔充值尚未复制到 D1 的 ledger_copy（稍后自动补齐，不计为差异）`);
  });

  it("pulled page by page from the object: one call per chunk read, never ahead of the reader", async () => {
    const real = accountStatementSource(env as unknown as Env, c.dwid);
    const calls = { entries: 0 };
    const counting: StatementSource = { ...real, entries: (q) => ((calls.entries += 1), real.entries(q)) };
    const start = (await counting.start({ from: day, to: day, limit: STATEMENT_PAGE_MAX }))!;
    expect(start.window.totals.deposit.count).toBe(N);
    const chunks = csvChunks(new StatementRun(counting, env.DB, start.window, start.entries));
    const firstChunk = await chunks.next();
    expect((firstChunk.value as string).split("\r\n").filter((l: string) => /^\d+,/.test(l))).toHaveLength(STATEMENT_PAGE_MAX);
    expect(calls.entries).toBe(0); // the first page came with the period
    await chunks.next();
    expect(calls.entries).toBe(1);
    await chunks.next();
    expect(calls.entries).toBe(2);
    let read = 3;
    while (!(await chunks.next()).done) read += 1;
    // N / 500 pages, the summary, and one call for each page after the first.
    expect(read).toBe(N / STATEMENT_PAGE_MAX + 1);
    expect(calls.entries).toBe(N / STATEMENT_PAGE_MAX - 1);
  });
});
