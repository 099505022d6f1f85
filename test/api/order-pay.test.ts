/**
 * Paying orders from the deposit with the encrypted pay password, through the
 * real Worker, AccountDO and D1 (SPEC §4, §5.1, §5.2, §6).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate, shanghaiMinuteOfDay } from "../../src/domain/dates";
import { aCustomer, admin, fetchWorker, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";
import type { OrderResult } from "../helpers/wire";

const BY_PASSWORD = "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword";
const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const ASPX = "/Source/UseAccountToPayByPwd.aspx";

async function cipher(session: TestSession, customer: TestCustomer, payPassword = customer.payPassword!): Promise<string> {
  return encryptPayPassword(session.sessionKey, customer.loginPassword, payPassword);
}

async function payByPassword(customer: TestCustomer, session: TestSession, orderId: string, extra: Record<string, unknown> = {}, payPassword?: string): Promise<OrderResult> {
  const response = await partner(
    BY_PASSWORD,
    {
      dwid: customer.dwid,
      dwlx: customer.dwlx,
      payparm: { orderid: orderId, paypassword: await cipher(session, customer, payPassword) },
      sellstationid: "01",
      marketareaid: "MA01",
      teamtypecode: "T1",
      ...extra,
    },
    { token: session.token },
  );
  expect(response.status).toBe(200);
  return response.json();
}

async function payMin(customer: TestCustomer, session: TestSession, orderId: string, payPassword?: string): Promise<OrderResult> {
  const response = await partner(MIN, { orderid: orderId, paypassword: await cipher(session, customer, payPassword) }, { token: session.token });
  return response.json();
}

async function balanceOf(dwid: string) {
  return (await admin("GET", `/admin/customers/${dwid}/account`)).body as { balance: number; held: number; available: number };
}

async function orderRow(orderId: string) {
  return env.DB.prepare("SELECT * FROM orders WHERE order_id = ?").bind(orderId).first<Record<string, unknown>>();
}

async function ticketsOf(orderId: string) {
  const { results } = await env.DB.prepare("SELECT ticket_code, line_no, product_id, status FROM tickets WHERE order_id = ? ORDER BY ticket_code")
    .bind(orderId)
    .all<{ ticket_code: string; line_no: number; product_id: string; status: string }>();
  return results;
}

describe("a successful payment", () => {
  it("debits the amount, marks the order paid, issues one unique ticket per unit and writes the outbox", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid, { lines: [{ productId: "P-A", quantity: 2, unitPriceFen: 1250 }, { productId: "P-B", quantity: 1, unitPriceFen: 500 }] });

    const result = await payByPassword(c, s, order.orderId, { settotommrowtime: null });

    expect(result).toEqual({ orderid: order.orderId, sendid: order.senderId, orderstatus: "paid", resultcode: 0, returnmessgage: "支付成功" });
    expect(await balanceOf(c.dwid)).toEqual({ dwid: c.dwid, balance: 70, held: 0, available: 70 });
    const row = await orderRow(order.orderId);
    expect(row).toMatchObject({ status: "paid", sell_station_id: "01", market_area_id: "MA01", team_type_code: "T1" });
    expect(row!.business_date).toBe(shanghaiDate(testClock.nowMs()));
    const tickets = await ticketsOf(order.orderId);
    expect(tickets).toHaveLength(3);
    expect(new Set(tickets.map((t) => t.ticket_code)).size).toBe(3);
    for (const t of tickets) expect(t.ticket_code).toMatch(/^\d{18}$/);
    expect(tickets.map((t) => `${t.line_no}:${t.product_id}`).sort()).toEqual(["1:P-A", "1:P-A", "2:P-B"]);
    const ledger = (await admin("GET", `/admin/customers/${c.dwid}/ledger`)).body;
    expect(ledger.items[0]).toMatchObject({ kind: "debit", amount: 30, balanceAfter: 70, target: `order:${order.orderId}` });
    await expectMoneyInvariants(c.dwid);
  });

  // SPEC §5.1 settotommrowtime: a payment at or after that time of day belongs to the next day (Asia/Shanghai).
  // Times are relative to the clock's minute of the day, moved a little when that is too close to midnight.
  const rollOverCases: [label: string, rollOver: (minuteOfDay: number) => string | null, nextDay: boolean][] = [
    ["absent", () => null, false],
    ["00:00 (midnight already begins the day: no roll-over)", () => "00:00", false],
    ["a minute ago", (m) => hhmm(m - 1), true],
    ["now, to the minute", (m) => hhmm(m), true],
    ["in two minutes", (m) => hhmm(m + 2), false],
  ];
  it.each(rollOverCases)("business date with settotommrowtime %s", async (_label, rollOver, nextDay) => {
    const minute = shanghaiMinuteOfDay(testClock.nowMs());
    if (minute < 2 || minute > 23 * 60 + 50) testClock.advance(15 * 60_000);
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const nowMs = testClock.nowMs();
    expect((await payByPassword(c, s, order.orderId, { settotommrowtime: rollOver(shanghaiMinuteOfDay(nowMs)) })).resultcode).toBe(0);
    const today = shanghaiDate(nowMs);
    expect((await orderRow(order.orderId))!.business_date).toBe(nextDay ? addDays(today, 1) : today);
  });

  it.each([
    ["MIN endpoint", "min"],
    ["WebForms alias, GET with query", "aspx-get"],
    ["WebForms alias, POST form", "aspx-post"],
  ])("pays through the %s", async (_name, route) => {
    const c = await aCustomer({ depositYuan: 50 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const ciphertext = await cipher(s, c);
    let response: Response;
    if (route === "min") {
      response = await partner(MIN, { orderid: order.orderId, paypassword: ciphertext }, { token: s.token });
    } else if (route === "aspx-get") {
      const query = new URLSearchParams({ orderid: order.orderId, paypassword: ciphertext });
      response = await fetchWorker(`${ASPX}?${query}`, { headers: { authorization: `Bearer ${s.token}` } });
    } else {
      response = await partner(ASPX, { orderid: order.orderId, paypassword: ciphertext }, { token: s.token, format: "form" });
    }
    expect(await response.json()).toMatchObject({ orderid: order.orderId, orderstatus: "paid", resultcode: 0 });
    expect((await balanceOf(c.dwid)).balance).toBe(30);
    await expectMoneyInvariants(c.dwid);
  });

  it("answers XML in the seed's OrderOperatorResult shape", async () => {
    const c = await aCustomer({ depositYuan: 50 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const xml =
      `<PayOrderUsePayPasswordParm xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm.WebInterface">` +
      `<orderid>${order.orderId}</orderid><paypassword>${await cipher(s, c)}</paypassword></PayOrderUsePayPasswordParm>`;
    const response = await partner(MIN, xml, { token: s.token, contentType: "application/xml" });
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await response.text()).toBe(
      `<OrderOperatorResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result.WebInterface">` +
        `<orderid>${order.orderId}</orderid><orderstatus>paid</orderstatus><resultcode>0</resultcode><returnmessgage>支付成功</returnmessgage><sendid>${order.senderId}</sendid></OrderOperatorResult>`,
    );
  });
});

describe("paying twice", () => {
  it("returns the paid state without a second debit", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    expect((await payByPassword(c, s, order.orderId)).returnmessgage).toBe("支付成功");
    const again = await payMin(c, s, order.orderId);
    expect(again).toMatchObject({ resultcode: 0, orderstatus: "paid", returnmessgage: "订单已支付,本次未重复扣款" });
    expect((await balanceOf(c.dwid)).balance).toBe(80);
    expect(await ticketsOf(order.orderId)).toHaveLength(2);
    await expectMoneyInvariants(c.dwid);
  });

  it("20 concurrent pays of one order debit once", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 3, unitPriceFen: 1000 }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => payMin(c, s, order.orderId)));
    expect(results.map((r) => r.resultcode)).toEqual(Array(20).fill(0));
    expect(results.filter((r) => r.returnmessgage === "支付成功")).toHaveLength(1);
    expect((await balanceOf(c.dwid)).balance).toBe(70);
    expect(await ticketsOf(order.orderId)).toHaveLength(3);
    await expectMoneyInvariants(c.dwid);
  });
});

describe("concurrent pays on many orders of one customer", () => {
  it("200 pays on distinct orders, balance for exactly 73 of them: 73 succeed, the rest are refused, balance exact", async () => {
    const c = await aCustomer({ depositYuan: 73 * 7 });
    const s = await loginAs(c);
    const orders = [];
    for (let i = 0; i < 200; i++) orders.push(await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: 700 }] }));
    const ciphertext = await cipher(s, c);
    const results = await Promise.all(
      orders.map(async (o) => (await partner(MIN, { orderid: o.orderId, paypassword: ciphertext }, { token: s.token })).json() as Promise<OrderResult>),
    );
    const codes = results.map((r) => r.resultcode);
    expect(codes.filter((code) => code === 0)).toHaveLength(73);
    expect(codes.filter((code) => code === 5001)).toHaveLength(127);
    expect(await balanceOf(c.dwid)).toEqual({ dwid: c.dwid, balance: 0, held: 0, available: 0 });
    await expectMoneyInvariants(c.dwid);
    // Group commit: concurrent pays shared D1 round trips (reads and pay batches).
    const counters = await runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)), (instance) => {
      const desk = (instance as unknown as { desk: Record<"reads" | "writes", { batches: number; submissions: number }> }).desk;
      return { reads: { ...desk.reads }, writes: { ...desk.writes } };
    });
    expect(counters.writes.submissions).toBe(73);
    expect(counters.reads.batches).toBeLessThan(counters.reads.submissions);
    expect(counters.writes.batches).toBeLessThan(counters.writes.submissions);
  });
});

describe("refusals change nothing", () => {
  it.each([
    ["insufficient balance", 5001, async (c: TestCustomer) => (await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: 10_001 }] })).orderId],
    ["unknown order", 4001, async () => "NOSUCHORDER000000001"],
    ["another customer's order", 4001, async () => (await anUnpaidOrder((await aCustomer()).dwid)).orderId],
    ["expired order", 4002, async (c: TestCustomer) => (await anUnpaidOrder(c.dwid, { expiresInMs: -1000 })).orderId],
    ["order marked expired", 4002, async (c: TestCustomer) => (await anUnpaidOrder(c.dwid, { status: "expired" })).orderId],
    ["cancelled order", 4003, async (c: TestCustomer) => (await anUnpaidOrder(c.dwid, { status: "cancelled" })).orderId],
  ])("%s → %i", async (_name, code, orderFor) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const orderId = await orderFor(c);
    const result = await payByPassword(c, s, orderId);
    expect(result.resultcode).toBe(code);
    expect(await balanceOf(c.dwid)).toEqual({ dwid: c.dwid, balance: 100, held: 0, available: 100 });
    expect(await ticketsOf(orderId)).toEqual([]);
    const row = await orderRow(orderId);
    if (row) expect(row.payment_id).toBeNull();
    await expectMoneyInvariants(c.dwid);
  });

  it("refuses dwid/dwlx that are not the session's customer (2004)", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const other = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    expect((await payByPassword(c, s, order.orderId, { dwid: other.dwid })).resultcode).toBe(2004);
    expect((await payByPassword(c, s, order.orderId, { dwlx: "2" })).resultcode).toBe(2004);
    expect((await balanceOf(c.dwid)).balance).toBe(100);
    expect((await balanceOf(other.dwid)).balance).toBe(100);
  });

  it("refuses a customer without a pay password (3003)", async () => {
    const c = await aCustomer({ depositYuan: 100, payPassword: null });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    expect((await payByPassword(c, s, order.orderId, {}, "anything")).resultcode).toBe(3003);
  });

  it("refuses a ciphertext made with another session's key", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s1 = await loginAs(c);
    const s2 = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const response = await partner(MIN, { orderid: order.orderId, paypassword: await cipher(s1, c) }, { token: s2.token });
    expect(((await response.json()) as OrderResult).resultcode).toBeOneOf([3001, 3004]);
    expect((await balanceOf(c.dwid)).balance).toBe(100);
  });
});

describe("the pay-password lockout", () => {
  it("locks after 5 wrong ciphertexts, then refuses even the right one", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await payMin(c, s, order.orderId, "wrong-password"));
    expect(messages.map((m) => m.resultcode)).toEqual([3001, 3001, 3001, 3001, 3002]);
    expect(messages[0]!.returnmessgage).toBe("支付密码错误,还可尝试4次");
    expect(messages[4]!.returnmessgage).toMatch(/已锁定,请\d+分钟后再试/);
    const right = await payMin(c, s, order.orderId);
    expect(right.resultcode).toBe(3002);
    expect((await balanceOf(c.dwid)).balance).toBe(100);
  });

  it("30 concurrent wrong guesses count exactly 5 failures and none gets past", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const results = await Promise.all(Array.from({ length: 30 }, () => payMin(c, s, order.orderId, "guess")));
    const codes = results.map((r) => r.resultcode);
    expect(codes.filter((code) => code === 3001)).toHaveLength(4);
    expect(codes.filter((code) => code === 3002)).toHaveLength(26);
    const failures = await import("cloudflare:test").then(({ runInDurableObject }) =>
      runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)), (_i, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pay_failures").one().n,
      ),
    );
    expect(failures).toBe(5);
    expect((await payMin(c, s, order.orderId)).resultcode).toBe(3002);
  });

  it("the lockout is per customer", async () => {
    const a = await aCustomer({ depositYuan: 100 });
    const b = await aCustomer({ depositYuan: 100 });
    const sa = await loginAs(a);
    const sb = await loginAs(b);
    const oa = await anUnpaidOrder(a.dwid);
    const ob = await anUnpaidOrder(b.dwid);
    for (let i = 0; i < 5; i++) await payMin(a, sa, oa.orderId, "wrong");
    expect((await payMin(b, sb, ob.orderId)).resultcode).toBe(0);
  });
});

describe("BOLA: a customer can never pay or see another's order", () => {
  it("another customer's order reads as not found and stays unpaid", async () => {
    const owner = await aCustomer({ depositYuan: 100 });
    const thief = await aCustomer({ depositYuan: 100 });
    const st = await loginAs(thief);
    const order = await anUnpaidOrder(owner.dwid);
    const viaByPassword = await payByPassword(thief, st, order.orderId);
    const viaMin = await payMin(thief, st, order.orderId);
    for (const r of [viaByPassword, viaMin]) {
      expect(r).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: 4001, returnmessgage: "订单不存在" });
    }
    expect((await orderRow(order.orderId))!.status).toBe("unpaid");
    expect((await balanceOf(thief.dwid)).balance).toBe(100);
  });

  it("the body's dwid cannot redirect a payment to another customer's deposit", async () => {
    const victim = await aCustomer({ depositYuan: 100 });
    const thief = await aCustomer({ depositYuan: 1 });
    const st = await loginAs(thief);
    const order = await anUnpaidOrder(thief.dwid);
    const result = await payByPassword(thief, st, order.orderId, { dwid: victim.dwid, dwlx: victim.dwlx });
    expect(result.resultcode).toBe(2004);
    expect((await balanceOf(victim.dwid)).balance).toBe(100);
  });
});

function hhmm(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;
}
