/**
 * GET /admin/tickets (the console's 门票查询) through the real Worker: a
 * ticket's whole story after what partners and gates really did — paid,
 * moved to another day, admitted at a gate (by its holder's ID number);
 * paid and refunded — by its code or by the holder's ID number (newest
 * first, bounded); validation naming the field and the rule; the admin
 * token required.
 */
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { TICKETS_PER_HOLDER_MAX } from "../../src/schemas/admin-checkins";
import { aCustomer, admin, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aCalendarDay, aProduct, aResidentId, anOrderBody, d1Rows, type LineBody } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const CHANGE = "/api/WebInterface/Order/ChangeDate";
const REFUND = "/api/WebInterface/Order/Refund";

interface Buyer {
  c: TestCustomer;
  s: TestSession;
}

async function aBuyer(): Promise<Buyer> {
  const c = await aCustomer({ depositYuan: 5000 });
  return { c, s: await loginAs(c) };
}

async function aPaidOrder(b: Buyer, lines: LineBody[], day: string): Promise<{ orderId: string; tickets: string[] }> {
  const added = (await (await partner(ADD, anOrderBody(lines, { effectdate: day }), { token: b.s.token })).json()) as { resultcode: number; orderid: string };
  expect(added.resultcode).toBe(0);
  const paypassword = await encryptPayPassword(b.s.sessionKey, b.c.loginPassword, b.c.payPassword!);
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword }, { token: b.s.token })).json()) as { resultcode: number };
  expect(paid.resultcode).toBe(0);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, tickets };
}

const orderTimes = async (orderId: string) => (await admin("GET", `/admin/orders/${orderId}`)).body as { createdAt: string; paidAt: string; tickets: { ticketCode: string; issuedAt: string }[] };

describe("GET /admin/tickets", () => {
  it("pay → change date → admitted by ID number: the ticket's order, customer, holder and each step, by code and by ID number", async () => {
    const b = await aBuyer();
    const today = shanghaiDate(testClock.nowMs());
    const later = addDays(today, 5);
    const productId = await aProduct({ price: 40, realName: true }, null);
    await aCalendarDay(productId, later, { stock: 10 });
    await aCalendarDay(productId, today, { stock: 10, timeslots: [{ index: 1, start: "00:00", end: "23:59", capacity: 10 }] });
    const idnumber = aResidentId("19881212", 731);
    const order = await aPaidOrder(b, [{ productid: productId, amount: 1, fullname: "李四", identificationtype: "1", identificationnumber: idnumber }], later);
    const [code] = order.tickets;

    testClock.advance(60_000);
    const changed = (await (await partner(CHANGE, { orderid: order.orderId, effectdate: today, timespanindex: 1 }, { token: b.s.token })).json()) as { resultcode: number };
    expect(changed.resultcode).toBe(0);
    const [change] = await d1Rows("SELECT decided_at_ms FROM order_date_changes WHERE order_id = ? AND outcome = 'commit'", order.orderId);

    testClock.advance(60_000);
    const gate = await aGate();
    const admitted = (await (await partner(CHECK, { idnumber }, { token: gate.token })).json()) as { errcode: number; tag: { ticketcode: string; usedat: string } };
    expect(admitted).toMatchObject({ errcode: 0, tag: { ticketcode: code } });

    const times = await orderTimes(order.orderId);
    const expected = {
      ticketCode: code,
      status: "used",
      productId,
      productName: `测试门票 ${productId}`,
      orderId: order.orderId,
      orderStatus: "paid",
      dwid: b.c.dwid,
      customerName: `测试旅行社 ${b.c.dwid}`,
      senderId: null,
      lineNo: 1,
      effectDate: today,
      timespanIndex: 1,
      fullname: "李四",
      idType: "1",
      idNumber: idnumber,
      mobile: "13800138000",
      paidAt: times.paidAt,
      issuedAt: times.tickets[0]!.issuedAt,
      usedAt: admitted.tag.usedat,
      gateId: gate.gateId,
      gateName: `东门 ${gate.gateId}`,
      refundedAt: null,
      refundId: null,
      history: [
        { event: "ordered", at: times.createdAt },
        { event: "issued", at: times.tickets[0]!.issuedAt },
        { event: "dateChanged", at: new Date(change.decided_at_ms).toISOString(), fromDate: later, fromTimespan: null, toDate: today, toTimespan: 1 },
        { event: "used", at: admitted.tag.usedat, gateId: gate.gateId, gateName: `东门 ${gate.gateId}` },
      ],
    };
    expect(await admin("GET", `/admin/tickets?code=${code}`)).toEqual({ status: 200, body: { items: [expected], truncated: false } });
    expect(await admin("GET", `/admin/tickets?idnumber=${idnumber}`)).toEqual({ status: 200, body: { items: [expected], truncated: false } });
  });

  it("pay → refund: refunded at, with the refund number, reason and who asked; the other ticket still valid", async () => {
    const b = await aBuyer();
    const day = addDays(shanghaiDate(testClock.nowMs()), 3);
    const productId = await aProduct({ price: 25 }, { date: day, stock: 10 });
    const order = await aPaidOrder(b, [{ productid: productId, amount: 2 }], day);
    testClock.advance(30_000);
    const refund = (await (await partner(REFUND, { orderid: order.orderId, refundid: "RF-HIST-1", ticketcodes: [order.tickets[0]], reason: "行程取消" }, { token: b.s.token })).json()) as { errcode: number; tag: { refundedat: string } };
    expect(refund.errcode).toBe(0);

    const times = await orderTimes(order.orderId);
    const refunded = await admin("GET", `/admin/tickets?code=${order.tickets[0]}`);
    expect(refunded.body.items).toHaveLength(1);
    expect(refunded.body.items[0]).toMatchObject({
      status: "refunded", effectDate: day, timespanIndex: null, fullname: null, idNumber: null, usedAt: null, gateId: null,
      refundedAt: refund.tag.refundedat, refundId: "RF-HIST-1",
    });
    expect(refunded.body.items[0].history).toEqual([
      { event: "ordered", at: times.createdAt },
      { event: "issued", at: times.paidAt },
      { event: "refunded", at: refund.tag.refundedat, refundId: "RF-HIST-1", reason: "行程取消", requestedBy: "partner" },
    ]);
    const other = await admin("GET", `/admin/tickets?code=${order.tickets[1]}`);
    expect(other.body.items[0]).toMatchObject({ status: "valid", refundedAt: null, refundId: null });
    expect(other.body.items[0].history.map((e: { event: string }) => e.event)).toEqual(["ordered", "issued"]);

    // An operator's refund says so.
    const byOperator = await admin("POST", `/admin/orders/${order.orderId}/refunds`, { refundid: "OPS-HIST-2", reason: "景区闭园" });
    expect(byOperator.status).toBe(200);
    const after = await admin("GET", `/admin/tickets?code=${order.tickets[1]}`);
    expect(after.body.items[0].history.at(-1)).toMatchObject({ event: "refunded", refundId: "OPS-HIST-2", reason: "景区闭园", requestedBy: "operator" });
  });

  it("an ID number's tickets, newest first, at most TICKETS_PER_HOLDER_MAX; nothing for an unknown code or ID", async () => {
    const b = await aBuyer();
    const day = addDays(shanghaiDate(testClock.nowMs()), 2);
    const productId = await aProduct({ price: 1 }, { date: day, stock: 200 });
    const idnumber = aResidentId("19700101", 555);
    const holder = { fullname: "王五", identificationtype: "1", identificationnumber: idnumber };
    const oldest = await aPaidOrder(b, [{ productid: productId, amount: 1, ...holder }], day);
    testClock.advance(1_000);
    const middle = await aPaidOrder(b, [{ productid: productId, amount: 2, ...holder }], day);
    testClock.advance(1_000);
    const newest = await aPaidOrder(b, [{ productid: productId, amount: 1, ...holder }], day);
    // Someone else's ticket of the same product is not theirs.
    await aPaidOrder(b, [{ productid: productId, amount: 1, ...holder, identificationnumber: aResidentId("19700101", 556) }], day);

    const few = await admin("GET", `/admin/tickets?idnumber=${idnumber}`);
    expect(few.body.truncated).toBe(false);
    expect(few.body.items.map((t: { orderId: string }) => t.orderId)).toEqual([newest.orderId, middle.orderId, middle.orderId, oldest.orderId]);
    expect(few.body.items.every((t: { idNumber: string; fullname: string }) => t.idNumber === idnumber && t.fullname === "王五")).toBe(true);

    testClock.advance(1_000);
    const many = await aPaidOrder(b, [{ productid: productId, amount: TICKETS_PER_HOLDER_MAX, ...holder }], day);
    const bounded = await admin("GET", `/admin/tickets?idnumber=${idnumber}`);
    expect(bounded.body.truncated).toBe(true);
    expect(bounded.body.items).toHaveLength(TICKETS_PER_HOLDER_MAX);
    expect(new Set(bounded.body.items.map((t: { orderId: string }) => t.orderId))).toEqual(new Set([many.orderId]));

    expect(await admin("GET", "/admin/tickets?code=000000000000000000")).toEqual({ status: 200, body: { items: [], truncated: false } });
    expect(await admin("GET", `/admin/tickets?idnumber=${aResidentId("19700101", 999)}`)).toEqual({ status: 200, body: { items: [], truncated: false } });
  });

  it.each<[string, string, number, string]>([
    ["", "code", 6006, "code 与 idnumber 须提供其一"],
    ["code=1&idnumber=2", "code", 6006, "code 与 idnumber 只能提供其一"],
    [`code=${"1".repeat(31)}`, "code", 6006, "code 长度不能超过30"],
    [`idnumber=${"1".repeat(31)}`, "idnumber", 6006, "idnumber 长度不能超过30"],
    ["code=", "code", 6006, "code 长度不能少于1"],
    ["code=1&code=2", "code", 6006, "code 类型错误,应为string"],
  ])("refuses ?%s: 400 naming %s", async (query, field, code, message) => {
    const answer = await admin("GET", `/admin/tickets?${query}`);
    expect(answer).toEqual({ status: 400, body: { error: { code, message, field } } });
  });

  it("needs the admin token", async () => {
    const gate = await aGate();
    for (const token of ["", "wrong-token", gate.token]) {
      expect(await admin("GET", "/admin/tickets?code=1", undefined, token)).toEqual({ status: 401, body: { error: { code: 6001, message: "缺少或错误的管理令牌" } } });
    }
  });
});
