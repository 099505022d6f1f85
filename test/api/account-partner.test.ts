/**
 * A partner reconciles its own deposit (SPEC §12): Account/Balance and
 * Account/Statement through the real Worker and the customer's AccountDO, in
 * every body format; the customer is always the session's.
 */
import { deserialize } from "bson";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate, shanghaiDayStartMs } from "../../src/domain/dates";
import { AccountStatementParm } from "../../src/schemas/account";
import { contractOf } from "../../src/wire/contract";
import { writeXml } from "../../src/wire/xml";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { anUnpaidOrder } from "../helpers/orders";
import { NS_PARM_WI, XSI } from "../helpers/wire";

const BALANCE = "/api/WebInterface/Account/Balance";
const STATEMENT = "/api/WebInterface/Account/Statement";
const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";

async function call(path: string, body: unknown, s: TestSession): Promise<{ status: number; body: any }> {
  const response = await partner(path, body, { token: s.token });
  return { status: response.status, body: await response.json() };
}

async function pay(c: TestCustomer, s: TestSession, yuan: number): Promise<string> {
  const order = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: Math.round(yuan * 100) }] });
  const response = await partner(MIN, { orderid: order.orderId, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
  expect(((await response.json()) as { resultcode: number }).resultcode).toBe(0);
  return order.orderId;
}

/** A customer with 7 entries today: 3 deposits and 4 debits. */
async function aBusyCustomer() {
  const c = await aCustomer({ depositYuan: 100 });
  const s = await loginAs(c);
  const orders = [await pay(c, s, 10), await pay(c, s, 20.5)];
  await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 50, reference: "TOPUP-1" });
  orders.push(await pay(c, s, 5), await pay(c, s, 0.25));
  await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 1, reference: "TOPUP-2" });
  return { c, s, orders };
}

const today = () => shanghaiDate(testClock.nowMs());

describe("Account/Balance", () => {
  it("answers the session's own balance, held and available; {} is the whole request", async () => {
    const { c, s } = await aBusyCustomer();
    const answer = await call(BALANCE, {}, s);
    expect(answer).toEqual({ status: 200, body: { errcode: 0, errmsg: "成功", tag: { dwid: c.dwid, balance: 115.25, held: 0, available: 115.25 } } });
  });

  it("in DataContract XML, as form and as BSON", async () => {
    const { c, s } = await aBusyCustomer();
    const xml = await partner(BALANCE, `<AccountBalanceParm xmlns="${NS_PARM_WI}" xmlns:i="${XSI}" />`, { token: s.token, contentType: "application/xml" });
    expect(xml.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const text = await xml.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfAccountBalanceResult\w{8} xmlns:i=/);
    expect(text).toContain(`<tag xmlns:d2p1="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result"><d2p1:available>115.25</d2p1:available><d2p1:balance>115.25</d2p1:balance><d2p1:dwid>${c.dwid}</d2p1:dwid><d2p1:held>0.00</d2p1:held></tag>`);
    // A form cannot spell an empty object; a member the type does not have is ignored, as Json.NET ignores it.
    const form = await partner(BALANCE, "x=1", { token: s.token, contentType: "application/x-www-form-urlencoded" });
    expect(((await form.json()) as any).errcode).toBe(0);
    const bson = await partner(BALANCE, {}, { token: s.token, format: "bson" });
    expect(deserialize(new Uint8Array(await bson.arrayBuffer()))).toMatchObject({ errcode: 0, tag: { dwid: c.dwid, available: 115.25 } });
  });
});

describe("Account/Statement", () => {
  it("a page of one's own statement: opening, closing, the count of all pages' entries, each entry with its order and balance after", async () => {
    const { c, s, orders } = await aBusyCustomer();
    const day = today();
    const first = await call(STATEMENT, { begindate: day, enddate: day, pagesize: 3 }, s);
    expect(first.status).toBe(200);
    expect(first.body.errcode).toBe(0);
    const tag = first.body.tag;
    expect(Object.keys(tag)).toEqual(["dwid", "begindate", "enddate", "openingbalance", "closingbalance", "totalcount", "pagecount", "pageindex", "pagesize", "entries"]);
    expect(tag).toMatchObject({ dwid: c.dwid, begindate: day, enddate: day, openingbalance: 0, closingbalance: 115.25, totalcount: 7, pagecount: 3, pageindex: 1, pagesize: 3 });
    expect(tag.entries.map((e: any) => [e.kind, e.amount, e.balance, e.orderid])).toEqual([
      ["deposit", 100, 100, null],
      ["debit", 10, 90, orders[0]],
      ["debit", 20.5, 69.5, orders[1]],
    ]);
    expect(Object.keys(tag.entries[1])).toEqual(["seq", "kind", "amount", "balance", "reference", "orderid", "billnum", "refundid", "time"]);
    expect(tag.entries[1]).toMatchObject({ billnum: null, refundid: null, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });

    const third = (await call(STATEMENT, { begindate: day, enddate: day, pageindex: 3, pagesize: 3 }, s)).body.tag;
    expect(third.entries.map((e: any) => [e.kind, e.reference])).toEqual([["deposit", "TOPUP-2"]]);
    const beyond = (await call(STATEMENT, { begindate: day, enddate: day, pageindex: 9, pagesize: 3 }, s)).body.tag;
    expect(beyond).toMatchObject({ totalcount: 7, pageindex: 9, entries: [] });
    // Without pagesize: 100 a page, all of them.
    const all = (await call(STATEMENT, { begindate: day, enddate: day }, s)).body.tag;
    expect(all).toMatchObject({ pageindex: 1, pagesize: 100 });
    expect(all.entries.map((e: any) => e.seq)).toEqual([...first.body.tag.entries, ...(await call(STATEMENT, { begindate: day, enddate: day, pageindex: 2, pagesize: 3 }, s)).body.tag.entries, ...third.entries].map((e: any) => e.seq));
    // The days before: nothing yet; the balance carried to after.
    const before = (await call(STATEMENT, { begindate: addDays(day, -30), enddate: addDays(day, -1) }, s)).body.tag;
    expect(before).toMatchObject({ openingbalance: 0, closingbalance: 0, totalcount: 0, pagecount: 0, entries: [] });
  });

  it("a refund shows its refund number and order", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const orderId = await pay(c, s, 30);
    const refundId = uniqueId("RF");
    expect((await partner("/api/WebInterface/Order/Refund", { orderid: orderId, refundid: refundId }, { token: s.token })).status).toBe(200);
    const { entries } = (await call(STATEMENT, { begindate: today(), enddate: today() }, s)).body.tag;
    expect(entries[2]).toMatchObject({ kind: "refund", amount: 30, balance: 100, orderid: orderId, refundid: refundId });
  });

  it("in DataContract XML: the entries under the result's namespace, members in DataContract order", async () => {
    const { s } = await aBusyCustomer();
    const day = today();
    const xml = writeXml(contractOf(AccountStatementParm), { begindate: day, enddate: day, pageindex: 2, pagesize: 3 });
    const response = await partner(STATEMENT, xml, { token: s.token, contentType: "text/xml" });
    const text = await response.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfAccountStatementResult\w{8} xmlns:i=/);
    expect(text).toMatch(/<d2p1:AccountStatementEntry><d2p1:amount>5.00<\/d2p1:amount><d2p1:balance>114.50<\/d2p1:balance><d2p1:billnum i:nil="true" \/><d2p1:kind>debit<\/d2p1:kind><d2p1:orderid>\w+<\/d2p1:orderid><d2p1:reference>[0-9a-f-]{36}<\/d2p1:reference><d2p1:refundid i:nil="true" \/><d2p1:seq>\d+<\/d2p1:seq><d2p1:time>[^<]+<\/d2p1:time><\/d2p1:AccountStatementEntry>/);
    expect(text).toContain("<d2p1:totalcount>7</d2p1:totalcount>");
    // Form and BSON bodies read the same.
    const form = await partner(STATEMENT, { begindate: day, enddate: day, pagesize: "2" }, { token: s.token, format: "form" });
    expect(((await form.json()) as any).tag.entries).toHaveLength(2);
    const bson = await partner(STATEMENT, { BeginDate: day, EndDate: day, PageSize: 1 }, { token: s.token, format: "bson" });
    expect(deserialize(new Uint8Array(await bson.arrayBuffer()))).toMatchObject({ errcode: 0, tag: { totalcount: 7, pagesize: 1 } });
  });

  it("its day is Asia/Shanghai's: an entry at 23:59 Beijing time belongs to that day", async () => {
    const c = await aCustomer();
    const day = addDays(today(), 1);
    testClock.advance(shanghaiDayStartMs(addDays(day, 1)) - 60_000 - testClock.nowMs());
    await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 3, reference: "LATE" });
    const fresh = await loginAs(c);
    const tag = (await call(STATEMENT, { begindate: day, enddate: day }, fresh)).body.tag;
    expect(tag.entries.map((e: any) => e.reference)).toEqual(["LATE"]);
    expect((await call(STATEMENT, { begindate: addDays(day, 1), enddate: addDays(day, 1) }, fresh)).body.tag.totalcount).toBe(0);
  });

  it.each([
    ["begindate missing", { enddate: "20270101" }, 1101, "begindate 为必填项"],
    ["begindate 30 February", { begindate: "20270230", enddate: "20270301" }, 1104, "begindate 必须是yyyyMMdd格式的有效日期"],
    ["enddate 9 digits", { begindate: "20270101", enddate: "202701011" }, 1102, "enddate 长度不能超过8"],
    ["enddate before begindate", { begindate: "20270102", enddate: "20270101" }, 1105, "enddate 不能早于 begindate"],
    ["367 days", { begindate: "20270101", enddate: "20280102" }, 1105, "enddate 与 begindate 之间不能超过366天(含首尾两天)"],
    ["pageindex 0", { begindate: "20270101", enddate: "20270101", pageindex: 0 }, 1105, "pageindex 不能小于1"],
    ["pagesize 501", { begindate: "20270101", enddate: "20270101", pagesize: 501 }, 1105, "pagesize 不能大于500"],
    ["pagesize a word", { begindate: "20270101", enddate: "20270101", pagesize: "ten" }, 1106, "pagesize 类型错误"],
  ])("refuses %s", async (_label, body, code, message) => {
    const c = await aCustomer();
    const answer = await call(STATEMENT, body, await loginAs(c));
    expect(answer.status).toBe(200);
    expect(answer.body.errcode).toBe(code);
    expect(answer.body.errmsg).toContain(message);
    expect(answer.body.tag).toBeNull();
  });

  it("366 days (a leap year) is one statement", async () => {
    const c = await aCustomer();
    expect((await call(STATEMENT, { begindate: "20280101", enddate: "20281231" }, await loginAs(c))).body.errcode).toBe(0);
  });
});
