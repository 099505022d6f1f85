/**
 * POST api/WebInterface/Order/Cancel (SPEC §10 Cancel) through the real
 * Worker, AccountDO, InventoryDOs and local D1: an unpaid order becomes
 * `cancelled` and its stock comes back at once; a repeat answers 0 with the
 * current state; a paid order is refused 4004 (refund it), an expired one
 * 4002, an unknown or another customer's one 4001. A cancel and a pay of one
 * order at once: exactly one wins. Time moves with testClock only.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { deserialize } from "bson";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { cancelUnpaidOrder, expireAndReadFates } from "../../src/db/orders";
import { orderPaymentStatements, parseDecided } from "../../src/db/payments";
import { ResultCodes } from "../../src/domain/codes";
import { workerFaults } from "../../src/durable/faults";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, LATER, QUERY, aProduct, anOrderBody, call, d1Rows, expectNoOversell, inventoryStub, liveStock } from "../helpers/catalogue";
import { accountState, expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";
import { payOrder, type PayAnswer } from "../helpers/payments";
import { NS_PARM_WI, NS_RESULT_WI, XSI } from "../helpers/wire";
import type { OrderResult } from "../helpers/wire";

const CANCEL = "/api/WebInterface/Order/Cancel";
const PAY = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const HOLD_MS = 30 * 60_000; // wrangler.toml ORDER_HOLD_MINUTES

let customer: TestCustomer;
let session: TestSession;
beforeAll(async () => {
  customer = await aCustomer({ depositYuan: 10_000 });
  session = await loginAs(customer);
});

afterEach(() => workerFaults.disarm());

async function cancel(body: unknown, s = session): Promise<OrderResult> {
  const response = await partner(CANCEL, body, { token: s.token });
  expect(response.status).toBe(200);
  return response.json();
}

async function pay(orderid: string, c = customer, s = session): Promise<PayAnswer> {
  const answer = await payOrder(c, s, orderid);
  expect(answer.status).toBe(200);
  return answer;
}

/** An unpaid order through Order/Add: `amount` units of each product on `day`. */
async function anOrder(products: string[], amount = 2, s = session) {
  const senderid = uniqueId("C");
  const added = await call(ADD, s, anOrderBody(products.map((productid) => ({ productid, amount })), { senderid }));
  expect(added).toMatchObject({ resultcode: 0, orderstatus: "unpaid" });
  return { orderid: added.orderid as string, senderid };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const statusOf = async (orderid: string) => (await d1Rows("SELECT status FROM orders WHERE order_id = ?", orderid))[0]?.status;

describe("cancelling an unpaid order", () => {
  it("by orderid: cancelled in D1, every product-day's stock back at once, and Query and the admin views say cancelled", async () => {
    const day = LATER();
    const [a, b] = [await aProduct({}, { stock: 5 }), await aProduct({}, { stock: 3 })];
    const { orderid, senderid } = await anOrder([a, b]);
    expect(await liveStock(a, day)).toMatchObject({ held: 2, available: 3 });

    expect(await cancel({ orderid })).toEqual({ orderid, sendid: senderid, orderstatus: "cancelled", resultcode: 0, returnmessgage: "取消成功" });
    expect(await statusOf(orderid)).toBe("cancelled");
    expect(await liveStock(a, day)).toMatchObject({ held: 0, sold: 0, available: 5 });
    expect(await liveStock(b, day)).toMatchObject({ held: 0, sold: 0, available: 3 });
    await expectNoOversell(a, day);

    expect((await call(QUERY, session, { orderid })).tag).toMatchObject({ orderid, senderid, status: "cancelled", tickets: [] });
    expect((await admin("GET", `/admin/orders/${orderid}`)).body).toMatchObject({ orderId: orderid, status: "cancelled" });
    const listed = await admin("GET", `/admin/orders?customer=${customer.dwid}&status=cancelled`);
    expect(listed.body.items.map((o: { orderId: string }) => o.orderId)).toContain(orderid);
  });

  it("by senderid; a repeat (by either) answers 0 with the current state and changes nothing", async () => {
    const productid = await aProduct({}, { stock: 4 });
    const { orderid, senderid } = await anOrder([productid]);
    expect(await cancel({ senderid })).toMatchObject({ orderid, sendid: senderid, orderstatus: "cancelled", resultcode: 0 });
    const stock = await liveStock(productid);
    for (const body of [{ orderid }, { senderid }, { orderid, senderid }]) {
      expect(await cancel(body)).toEqual({ orderid, sendid: senderid, orderstatus: "cancelled", resultcode: 0, returnmessgage: "订单此前已取消,返回订单当前状态" });
    }
    expect(await liveStock(productid)).toEqual(stock);
    expect(await statusOf(orderid)).toBe("cancelled");
  });

  it("a cancelled order can no longer be paid (4003), and nothing is charged", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const { orderid, senderid } = await anOrder([await aProduct({ price: 10 }, { stock: 5 })], 1, s);
    expect((await cancel({ orderid }, s)).resultcode).toBe(0);
    expect(await pay(orderid, c, s)).toMatchObject({ orderid, sendid: senderid, orderstatus: "cancelled", resultcode: ResultCodes.orderCancelled.code });
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body).toMatchObject({ balance: 100, held: 0 });
    await expectMoneyInvariants(c.dwid);
  });

  it("frees the units for the next order at once", async () => {
    const productid = await aProduct({}, { stock: 2 });
    const { orderid } = await anOrder([productid]);
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 2 }]))).resultcode).toBe(ResultCodes.stockSoldOut.code);
    expect((await cancel({ orderid })).resultcode).toBe(0);
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 2 }]))).resultcode).toBe(0);
    await expectNoOversell(productid);
  });
});

describe("refusals, each with its own code", () => {
  it("a paid order: 4004 — refund it; it stays paid with its tickets and its stock sold", async () => {
    const productid = await aProduct({ price: 10 }, { stock: 5 });
    const { orderid, senderid } = await anOrder([productid]);
    expect((await pay(orderid)).resultcode).toBe(0);
    expect(await cancel({ orderid })).toEqual({
      orderid, sendid: senderid, orderstatus: "paid", resultcode: 4004, returnmessgage: "已支付的订单不能取消,请申请退款",
    });
    expect(await statusOf(orderid)).toBe("paid");
    expect((await call(QUERY, session, { orderid })).tag.tickets).toHaveLength(2);
    await expect.poll(() => liveStock(productid), { timeout: 5000 }).toMatchObject({ held: 0, sold: 2 });
    await expectMoneyInvariants(customer.dwid);
  });

  it("an unknown order: 4001", async () => {
    expect(await cancel({ orderid: "20990101000000000000" })).toMatchObject({ orderid: null, resultcode: ResultCodes.orderNotFound.code });
    expect(await cancel({ senderid: uniqueId("nobody") })).toMatchObject({ orderid: null, resultcode: ResultCodes.orderNotFound.code });
  });

  it("another customer's order reads as not found, by orderid or by senderid, and stays unpaid with its stock held", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const owner = await aCustomer();
    const ownerSession = await loginAs(owner);
    const { orderid, senderid } = await anOrder([productid], 2, ownerSession);
    for (const body of [{ orderid }, { senderid }, { orderid, senderid }]) {
      expect(await cancel(body), JSON.stringify(body)).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: 4001, returnmessgage: "订单不存在" });
    }
    expect(await statusOf(orderid)).toBe("unpaid");
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
  });

  it("orderid and senderid given together must name the same order", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const first = await anOrder([productid]);
    const second = await anOrder([productid]);
    expect((await cancel({ orderid: first.orderid, senderid: second.senderid })).resultcode).toBe(ResultCodes.orderNotFound.code);
    expect([await statusOf(first.orderid), await statusOf(second.orderid)]).toEqual(["unpaid", "unpaid"]);
  });

  it("neither orderid nor senderid: 1101, the message naming both", async () => {
    for (const body of [{}, { orderid: "", senderid: "  " }]) {
      expect(await cancel(body)).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: ResultCodes.fieldRequired.code, returnmessgage: "orderid 与 senderid 至少提供一个" });
    }
  });
});

describe("cancel and the order's expiry (testClock)", () => {
  it("at the instant the hold ends the order is expired: refused 4002 before the alarm ran and after, and it ends expired", async () => {
    const day = LATER();
    const productid = await aProduct({}, { stock: 5 });
    const { orderid, senderid } = await anOrder([productid]);
    testClock.advance(HOLD_MS);
    const expired = { orderid, sendid: senderid, orderstatus: "expired", resultcode: ResultCodes.orderExpired.code, returnmessgage: "订单已过期" };
    // D1 still says unpaid (no alarm yet): the cancel's guard is the pay batch's, and refuses alike.
    expect(await statusOf(orderid)).toBe("unpaid");
    expect(await cancel({ orderid })).toEqual(expired);
    expect(await statusOf(orderid)).toBe("unpaid");
    await runDurableObjectAlarm(inventoryStub(productid, day));
    expect(await statusOf(orderid)).toBe("expired");
    expect(await cancel({ senderid })).toEqual(expired);
    expect(await liveStock(productid, day)).toMatchObject({ held: 0, available: 5 });
  });

  it("the guards at the exact instant, in D1: at expires_at_ms the UPDATE changes nothing and the expiry marks it expired; a millisecond earlier the cancel holds", async () => {
    const c = await aCustomer();
    const [atEnd, justBefore] = [await anUnpaidOrder(c.dwid), await anUnpaidOrder(c.dwid)];
    const expiresAt = async (orderId: string) => (await d1Rows("SELECT expires_at_ms FROM orders WHERE order_id = ?", orderId))[0].expires_at_ms as number;

    const end = await expiresAt(atEnd.orderId);
    expect(await cancelUnpaidOrder(env.DB, atEnd.orderId, end)).toMatchObject({ changed: false, order: { status: "unpaid" } });
    expect((await expireAndReadFates(env.DB, [atEnd.orderId], end)).get(atEnd.orderId)?.status).toBe("expired");

    const before = (await expiresAt(justBefore.orderId)) - 1;
    expect(await cancelUnpaidOrder(env.DB, justBefore.orderId, before)).toMatchObject({ changed: true, order: { status: "cancelled" } });
    expect((await expireAndReadFates(env.DB, [justBefore.orderId], before + 1)).get(justBefore.orderId)?.status).toBe("cancelled");
  });

  it("a cancel a moment before the hold ends wins; the alarm at the expiry then changes nothing", async () => {
    const day = LATER();
    const productid = await aProduct({}, { stock: 5 });
    const { orderid } = await anOrder([productid]);
    testClock.advance(HOLD_MS - 60_000);
    expect(await cancel({ orderid })).toMatchObject({ orderstatus: "cancelled", resultcode: 0 });
    testClock.advance(60_000);
    await runDurableObjectAlarm(inventoryStub(productid, day));
    expect(await statusOf(orderid)).toBe("cancelled");
    expect(await cancel({ orderid })).toMatchObject({ orderstatus: "cancelled", resultcode: 0 });
    expect(await liveStock(productid, day)).toMatchObject({ held: 0, available: 5 });
  });
});

describe("a cancel and a pay of the same order at once: exactly one wins", () => {
  it("12 pairs: each order ends paid (the cancel refused 4004) or cancelled (the pay refused 4003), never both, never neither", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const day = LATER();
    const productid = await aProduct({ price: 10 }, { stock: 100 });
    const orders = await Promise.all(Array.from({ length: 12 }, () => anOrder([productid], 2, s)));
    // Each pair's cancel leaves up to 2 ms before or up to 5 ms after its pay: both orders of arrival are raced.
    const OFFSETS_MS = [-2, -1, 0, 1, 2, 5];
    const answers = await Promise.all(
      orders.map(async ({ orderid }, i) => {
        const offset = OFFSETS_MS[i % OFFSETS_MS.length]!;
        const [paid, cancelled] = await Promise.all([
          later(Math.max(0, -offset)).then(() => pay(orderid, c, s)),
          later(Math.max(0, offset)).then(() => cancel({ orderid }, s)),
        ]);
        return { orderid, cancelled, paid, status: await statusOf(orderid) };
      }),
    );
    for (const a of answers) {
      const pair = [a.status, a.cancelled.resultcode, a.cancelled.orderstatus, a.paid.resultcode, a.paid.orderstatus];
      if (a.status === "paid") expect(pair, a.orderid).toEqual(["paid", 4004, "paid", 0, "paid"]);
      else expect(pair, a.orderid).toEqual(["cancelled", 0, "cancelled", ResultCodes.orderCancelled.code, "cancelled"]);
    }
    const paid = answers.filter((a) => a.status === "paid").length;
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.balanceFen).toBe(100_000 - paid * 2_000);
    expect(state.heldFen).toBe(0);
    await expect.poll(() => liveStock(productid, day), { timeout: 5000 }).toMatchObject({ held: 0, sold: 2 * paid, available: 100 - 2 * paid });
    await expectNoOversell(productid, day);
    const voided = state.intents.filter((i) => i.state === "voided").length;
    console.log(JSON.stringify({ event: "cancel_pay_race", pairs: answers.length, paid, cancelled: answers.length - paid, paysVoidedByTheGuard: voided }));
  });

  it("the guards, in the order D1 runs them: a pay batch after a committed cancel records 'void' and pays nothing; a cancel after a committed pay changes nothing", async () => {
    const c = await aCustomer();
    const nowMs = testClock.nowMs();
    const ticketCode = () => String(crypto.getRandomValues(new Uint32Array(1))[0]).padStart(10, "0") + "00000000";
    const payBatch = (o: { orderId: string; amountFen: number }) =>
      orderPaymentStatements(env.DB, {
        intentId: crypto.randomUUID(), dwid: c.dwid, orderId: o.orderId, amountFen: o.amountFen, paidAtMs: nowMs, businessDate: "20990101",
        sellStationId: null, marketAreaId: null, teamTypeCode: null, tickets: [{ code: ticketCode(), lineNo: 1, productId: "P-TICKET" }],
        outboxId: `order-paid:${o.orderId}`, outboxPayload: "{}",
      });

    const cancelledFirst = await anUnpaidOrder(c.dwid);
    expect(await cancelUnpaidOrder(env.DB, cancelledFirst.orderId, nowMs)).toMatchObject({ changed: true, order: { status: "cancelled" } });
    expect(parseDecided(await env.DB.batch(payBatch(cancelledFirst)))).toMatchObject({ decision: "void", target: { status: "cancelled", paymentId: null } });
    expect(await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ?", cancelledFirst.orderId)).toEqual([]);
    expect(await d1Rows("SELECT id FROM outbox WHERE target_id = ?", cancelledFirst.orderId)).toEqual([]);

    const paidFirst = await anUnpaidOrder(c.dwid);
    expect(parseDecided(await env.DB.batch(payBatch(paidFirst))).decision).toBe("commit");
    expect(await cancelUnpaidOrder(env.DB, paidFirst.orderId, nowMs)).toMatchObject({ changed: false, order: { status: "paid" } });
  });

  it("a pay whose outcome is not yet known (503) and a cancel: the cancel wins; the pay, once D1 answers, is voided and its retry answers 4003; nothing charged", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const productid = await aProduct({ price: 10 }, { stock: 5 });
    const { orderid } = await anOrder([productid], 2, s);
    const account = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
    await account.armFault("d1-outage-from-batch");
    try {
      const paying = await partner(PAY, { orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
      expect([paying.status, ((await paying.json()) as OrderResult).resultcode]).toEqual([503, ResultCodes.paymentPending.code]);
      expect((await accountState(c.dwid)).heldFen).toBe(2000);
      expect(await cancel({ orderid }, s)).toMatchObject({ orderstatus: "cancelled", resultcode: 0 });
    } finally {
      await account.disarmFaults();
    }
    expect(await pay(orderid, c, s)).toMatchObject({ orderstatus: "cancelled", resultcode: ResultCodes.orderCancelled.code });
    const state = await expectMoneyInvariants(c.dwid);
    expect([state.balanceFen, state.heldFen, state.intents.map((i) => i.state)]).toEqual([10_000, 0, ["voided"]]);
    expect(await statusOf(orderid)).toBe("cancelled");
    expect(await liveStock(productid)).toMatchObject({ held: 0, sold: 0, available: 5 });
  });

  it("concurrent cancels of one order: all answer 0 cancelled, the stock comes back once", async () => {
    const productid = await aProduct({}, { stock: 6 });
    const { orderid } = await anOrder([productid], 3);
    const answers = await Promise.all(Array.from({ length: 6 }, () => cancel({ orderid })));
    expect(answers.map((a) => [a.resultcode, a.orderstatus])).toEqual(answers.map(() => [0, "cancelled"]));
    expect(answers.filter((a) => a.returnmessgage === "取消成功").length).toBeGreaterThanOrEqual(1);
    expect(await liveStock(productid)).toMatchObject({ held: 0, sold: 0, available: 6 });
  });
});

describe("every body format, answered in the negotiated one", () => {
  it("DataContract XML in (OrderCancelParm), OrderOperatorResult out", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const { orderid, senderid } = await anOrder([productid]);
    const xml = `<OrderCancelParm xmlns="${NS_PARM_WI}" xmlns:i="${XSI}"><orderid>${orderid}</orderid><senderid i:nil="true" /></OrderCancelParm>`;
    const response = await partner(CANCEL, xml, { token: session.token, contentType: "application/xml" });
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await response.text()).toBe(
      `<OrderOperatorResult xmlns:i="${XSI}" xmlns="${NS_RESULT_WI}">` +
        `<orderid>${orderid}</orderid><orderstatus>cancelled</orderstatus><resultcode>0</resultcode><returnmessgage>取消成功</returnmessgage><sendid>${senderid}</sendid></OrderOperatorResult>`,
    );
  });

  it("a form body, and a BSON body answered in BSON", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const byForm = await anOrder([productid], 1);
    const form = await partner(CANCEL, { senderid: byForm.senderid }, { token: session.token, format: "form" });
    expect(await form.json()).toMatchObject({ orderid: byForm.orderid, orderstatus: "cancelled", resultcode: 0 });
    const byBson = await anOrder([productid], 1);
    const bson = await partner(CANCEL, { ORDERID: byBson.orderid }, { token: session.token, format: "bson" });
    expect(bson.headers.get("content-type")).toMatch(/^application\/bson/);
    expect(deserialize(new Uint8Array(await bson.arrayBuffer()))).toEqual({
      orderid: byBson.orderid, sendid: byBson.senderid, orderstatus: "cancelled", resultcode: 0, returnmessgage: "取消成功",
    });
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 5 });
  });
});

describe("under store faults: an answer true of the stores, never a 500", () => {
  it("D1 unreachable before the UPDATE (the order's read): 9002, nothing done; the retry cancels", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const { orderid, senderid } = await anOrder([productid]);
    workerFaults.armIn(env, "d1-outage");
    const response = await partner(CANCEL, { orderid }, { token: session.token });
    expect([response.status, response.headers.get("retry-after")]).toEqual([200, null]);
    expect(await response.json()).toMatchObject({ resultcode: ResultCodes.storeUnavailable.code, orderstatus: null });
    workerFaults.disarm();
    expect(await statusOf(orderid)).toBe("unpaid");
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
    expect(await cancel({ senderid })).toMatchObject({ orderid, orderstatus: "cancelled", resultcode: 0 });
  });

  it.each([
    ["order-cancel-reject", "unpaid"],
    ["order-cancel-reply-lost", "cancelled"],
  ] as const)("%s (the UPDATE was sent, its outcome unknown): 9003, HTTP 503, Retry-After; D1 says %s; the retry answers 0", async (point, inD1) => {
    const productid = await aProduct({}, { stock: 5 });
    const { orderid } = await anOrder([productid]);
    workerFaults.armIn(env, point);
    const response = await partner(CANCEL, { orderid }, { token: session.token });
    expect([response.status, response.headers.get("retry-after")]).toEqual([503, "2"]);
    expect(await response.json()).toMatchObject({ resultcode: ResultCodes.outcomeUnknown.code });
    expect(await statusOf(orderid)).toBe(inD1);
    await expectNoOversell(productid);
    expect(await cancel({ orderid })).toMatchObject({ orderid, orderstatus: "cancelled", resultcode: 0 });
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 5 });
  });

  it("the InventoryDO cannot reach D1 when releasing: the cancel still answers 0; sold + held ≤ stock; the alarm gives the units back once D1 answers", async () => {
    const day = LATER();
    const productid = await aProduct({}, { stock: 5 });
    const { orderid } = await anOrder([productid]);
    const inventory = inventoryStub(productid, day);
    await inventory.armFault("d1-outage");
    try {
      expect(await cancel({ orderid })).toMatchObject({ orderid, orderstatus: "cancelled", resultcode: 0 });
      expect(await statusOf(orderid)).toBe("cancelled");
      expect(await liveStock(productid, day)).toMatchObject({ held: 2, available: 3 });
      await expectNoOversell(productid, day);
      // Still down: the alarm fails and keeps the units held.
      await runDurableObjectAlarm(inventory);
      expect(await liveStock(productid, day)).toMatchObject({ held: 2 });
    } finally {
      await inventory.disarmFaults();
    }
    // D1 reachable again; the order's own hold time (30 min) has not passed.
    expect(await runDurableObjectAlarm(inventory)).toBe(true);
    expect(await liveStock(productid, day)).toMatchObject({ held: 0, sold: 0, available: 5 });
    await expectNoOversell(productid, day);
  });
});

describe("POST /admin/orders/{orderid}/cancel (operators)", () => {
  const cancelAsOperator = (orderid: string, token?: string) => admin("POST", `/admin/orders/${orderid}/cancel`, undefined, token);

  it("cancels an unpaid order: 200 with the order as GET shows it, now cancelled; its stock back; a repeat answers the same", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const { orderid, senderid } = await anOrder([productid]);
    const before = (await admin("GET", `/admin/orders/${orderid}`)).body;
    const first = await cancelAsOperator(orderid);
    expect(first).toEqual({ status: 200, body: { ...before, status: "cancelled" } });
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 5 });
    expect(await cancelAsOperator(orderid)).toEqual(first);
    // The partner sees it too.
    expect((await call(QUERY, session, { senderid })).tag.status).toBe("cancelled");
    expect((await cancel({ orderid })).returnmessgage).toBe("订单此前已取消,返回订单当前状态");
  });

  it("refuses a paid order with 409 orderPaidUseRefund (4004) and an expired one with 409 orderExpired (4002)", async () => {
    const productid = await aProduct({ price: 10 }, { stock: 5 });
    const paid = await anOrder([productid], 1);
    expect((await pay(paid.orderid)).resultcode).toBe(0);
    expect(await cancelAsOperator(paid.orderid)).toEqual({ status: 409, body: { error: { code: 4004, message: "已支付的订单不能取消,请申请退款" } } });
    expect(await statusOf(paid.orderid)).toBe("paid");

    const lapsing = await anOrder([productid], 1);
    testClock.advance(HOLD_MS);
    expect(await cancelAsOperator(lapsing.orderid)).toEqual({ status: 409, body: { error: { code: 4002, message: "订单已过期" } } });
    expect(await statusOf(lapsing.orderid)).toBe("unpaid");
  });

  it("404 for an unknown order, 400 for an order id over 20 characters, 401 without the admin token", async () => {
    expect(await cancelAsOperator("20990101000000000000")).toEqual({ status: 404, body: { error: { code: 4001, message: "订单不存在" } } });
    expect((await cancelAsOperator("1".repeat(21))).status).toBe(400);
    const productid = await aProduct({}, { stock: 5 });
    const { orderid } = await anOrder([productid], 1);
    expect((await cancelAsOperator(orderid, "wrong-token")).status).toBe(401);
    expect(await statusOf(orderid)).toBe("unpaid");
  });
});
