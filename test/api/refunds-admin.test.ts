/**
 * Operators' refunds (SPEC §10): POST /admin/orders/{orderid}/refunds with
 * the fee waived or the deadline ignored, recorded as the operator's, the
 * order's refund history, GET /admin/refunds — through the real Worker.
 */
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { shanghaiDate } from "../../src/domain/dates";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aProduct, anOrderBody, d1Rows } from "../helpers/catalogue";
import { expectMoneyInvariants } from "../helpers/invariants";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";

async function aPaidOrder(c: TestCustomer, s: TestSession, refund = { allowed: true, deadline: "visit_day_end" as const, feePercent: 10 }) {
  const productId = await aProduct({ price: 80, refund }, { stock: 10 });
  const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: 2 }]), { token: s.token })).json()) as { orderid: string };
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token })).json()) as { resultcode: number };
  expect(paid.resultcode).toBe(0);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, productId, tickets };
}

describe("POST /admin/orders/{orderid}/refunds", () => {
  it("refunds with the fee waived, recorded as the operator's; the order shows its history; a repeat answers the same", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    const body = { refundid: "OP-1", ticketcodes: [order.tickets[1]], reason: "景区临时闭园", waiveFee: true };
    const done = await admin("POST", `/admin/orders/${order.orderId}/refunds`, body);
    expect(done).toMatchObject({ status: 200, body: { refundId: "OP-1", orderId: order.orderId, amount: 80, fee: 0, tickets: [order.tickets[1]], orderStatus: "partially_refunded" } });
    expect(await admin("POST", `/admin/orders/${order.orderId}/refunds`, body)).toEqual(done);
    const detail = await admin("GET", `/admin/orders/${order.orderId}`);
    expect(detail.body).toMatchObject({ refunded: 80, refundedUnits: 1, refunds: [{ refundId: "OP-1", amount: 80, fee: 0, reason: "景区临时闭园", requestedBy: "operator" }] });
    expect(detail.body.tickets.map((t: { status: string }) => t.status).sort()).toEqual(["refunded", "valid"]);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.balanceFen).toBe(50_000 - 16_000 + 8_000);
  });

  it("takes the product's fee unless waived, and ignores the deadline only when asked", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    testClock.advance(40 * 86_400_000);
    const late = await admin("POST", `/admin/orders/${order.orderId}/refunds`, { refundid: "OP-late", reason: "补退" });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 4702 } } });
    const overridden = await admin("POST", `/admin/orders/${order.orderId}/refunds`, { refundid: "OP-late", reason: "补退", ignoreDeadline: true });
    expect(overridden).toMatchObject({ status: 200, body: { amount: 2 * 72, fee: 2 * 8, orderStatus: "refunded" } });
  });

  it.each([
    ["an unknown order", () => "T999999999999999999", { refundid: "X", reason: "r" }, 404, 4001],
    ["no refundid", null, { reason: "r" }, 400, 6006],
    ["no reason", null, { refundid: "X" }, 400, 6006],
    ["an empty ticket list", null, { refundid: "X", reason: "r", ticketcodes: [] }, 400, 6006],
  ] as const)("refuses %s (%i)", async (_label, orderIdOf, body, status, code) => {
    const c = await aCustomer({ depositYuan: 500 });
    const order = await aPaidOrder(c, await loginAs(c));
    const response = await admin("POST", `/admin/orders/${orderIdOf ? orderIdOf() : order.orderId}/refunds`, body);
    expect(response).toMatchObject({ status, body: { error: { code } } });
    expect(await d1Rows("SELECT count(*) AS n FROM refunds WHERE order_id = ?", order.orderId)).toEqual([{ n: 0 }]);
  });
});

describe("GET /admin/refunds", () => {
  it("lists committed refunds newest first, by customer and by the day they were made (Asia/Shanghai), paged", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const orders = [await aPaidOrder(c, s), await aPaidOrder(c, s), await aPaidOrder(c, s)];
    for (const [i, o] of orders.entries()) {
      expect((await admin("POST", `/admin/orders/${o.orderId}/refunds`, { refundid: `L-${i}`, reason: "r" })).status).toBe(200);
    }
    const today = shanghaiDate(testClock.nowMs());
    const first = await admin("GET", `/admin/refunds?customer=${c.dwid}&date=${today}&limit=2`);
    expect(first.body.items.map((r: { refundId: string }) => r.refundId)).toEqual(["L-2", "L-1"]);
    const second = await admin("GET", `/admin/refunds?customer=${c.dwid}&date=${today}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ refundId: "L-0", dwid: c.dwid, requestedBy: "operator" }], nextCursor: null });
    expect((await admin("GET", `/admin/refunds?customer=${c.dwid}&date=20200101`)).body.items).toEqual([]);
    expect((await admin("GET", `/admin/refunds?customer=${uniqueId("nobody")}`)).body.items).toEqual([]);
  });
});
