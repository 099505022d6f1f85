/**
 * Refunds through the customer's AccountDO (SPEC §10, §6): real orders
 * placed and paid through the Worker, then refunded by the object's RPC —
 * the money back in the deposit and posted, the tickets refunded, the order's
 * refunded amount, the units back in their product-day, the outbox row —
 * exactly once, whatever repeats, races or fails.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import type { PartnerRefundCall, RefundResult } from "../../src/durable/account";
import type { FaultPoint } from "../../src/durable/faults";
import { aCustomer, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, LATER, aProduct, anOrderBody, d1Rows, liveStock, type ProductOptions } from "../helpers/catalogue";
import { accountState, expectMoneyInvariants } from "../helpers/invariants";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const account = (dwid: string) => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));

interface PaidOrder {
  orderId: string;
  productId: string;
  tickets: string[];
}

/** An order of `quantity` tickets at `price` yuan, placed and paid through the Worker. */
async function aPaidOrder(c: TestCustomer, s: TestSession, options: { quantity?: number; price?: number; refund?: ProductOptions["refund"] } = {}): Promise<PaidOrder> {
  const productId = await aProduct({ price: options.price ?? 50, refund: options.refund }, { stock: 20 });
  const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: options.quantity ?? 3 }]), { token: s.token })).json()) as { resultcode: number; orderid: string };
  expect(added.resultcode).toBe(0);
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token })).json()) as { resultcode: number };
  expect(paid.resultcode).toBe(0);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, productId, tickets };
}

function refundCall(s: TestSession, order: PaidOrder, refundNo: string, ticketCodes: string[] | null = null, requestId = crypto.randomUUID()): PartnerRefundCall {
  return { token: s.token, requestId, find: { orderId: order.orderId, senderId: null }, refundNo, ticketCodes, reason: "行程取消" };
}

async function refund(c: TestCustomer, call: PartnerRefundCall): Promise<RefundResult> {
  return (await account(c.dwid).refund(call)) as RefundResult;
}

/** Units of the product-day held or sold (a paid order's hold turns sold a moment after the answer). */
async function taken(productId: string): Promise<number> {
  const stock = await liveStock(productId);
  return stock.held + stock.sold;
}

async function ticketStatuses(orderId: string): Promise<Record<string, string>> {
  return Object.fromEntries((await d1Rows("SELECT ticket_code, status FROM tickets WHERE order_id = ?", orderId)).map((t) => [t.ticket_code, t.status]));
}

describe("a refund", () => {
  it("of the whole order: the price back in the deposit, posted; tickets refunded; units back in stock; one outbox row", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, { quantity: 3, price: 50 });
    expect(await taken(order.productId)).toBe(3);

    const result = await refund(c, refundCall(s, order, "R1"));
    expect(result).toMatchObject({ ok: true, refund: { refundNo: "R1", orderId: order.orderId, amountFen: 15_000, feeFen: 0, tickets: [...order.tickets].sort(), orderStatus: "refunded" } });

    const state = await expectMoneyInvariants(c.dwid);
    expect(state.balanceFen).toBe(50_000);
    expect(state.ledger.filter((e) => e.kind === "refund").map((e) => [e.amount_fen, e.target])).toEqual([[15_000, `order:${order.orderId}`]]);
    expect(Object.values(await ticketStatuses(order.orderId))).toEqual(["refunded", "refunded", "refunded"]);
    expect(await d1Rows("SELECT refunded_fen, refunded_units FROM orders WHERE order_id = ?", order.orderId)).toEqual([{ refunded_fen: 15_000, refunded_units: 3 }]);
    expect(await taken(order.productId)).toBe(0);
    expect(await d1Rows("SELECT kind, target_id FROM outbox WHERE kind = 'order_refunded' AND target_id = ?", order.orderId)).toEqual([{ kind: "order_refunded", target_id: order.orderId }]);
  });

  it("by ticket codes: only those, the order partially refunded; a repeat of the refundid answers the same and credits nothing", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, { quantity: 3, price: 50 });
    const first = await refund(c, refundCall(s, order, "R-part", [order.tickets[0]!]));
    expect(first).toMatchObject({ ok: true, refund: { amountFen: 5_000, tickets: [order.tickets[0]], orderStatus: "partially_refunded" } });
    const again = await refund(c, refundCall(s, order, "R-part", [order.tickets[0]!]));
    expect(again).toEqual(first);
    const withoutCodes = await refund(c, refundCall(s, order, "R-part"));
    expect(withoutCodes).toEqual(first);
    expect(await refund(c, refundCall(s, order, "R-part", [order.tickets[1]!]))).toMatchObject({ ok: false, reason: "refundIdConflict" });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "refund")).toHaveLength(1);
    expect(await taken(order.productId)).toBe(2);
  });

  it("takes the product's fee: price × percent, rounded half up to the fen", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    // 33.33 yuan at 15%: 499.95 fen → 500 fen fee per ticket.
    const order = await aPaidOrder(c, s, { quantity: 2, price: 33.33, refund: { allowed: true, deadline: "visit_day_end", feePercent: 15 } });
    expect(await refund(c, refundCall(s, order, "R-fee"))).toMatchObject({ ok: true, refund: { amountFen: 2 * (3333 - 500), feeFen: 1000 } });
    await expectMoneyInvariants(c.dwid);
  });

  it.each<[string, ProductOptions["refund"], number, string]>([
    ["not allowed by the product", { allowed: false, deadline: "visit_day_end", feePercent: 0 }, 0, "refundNotAllowed"],
    ["before_visit_day, on the visit day", { allowed: true, deadline: "before_visit_day", feePercent: 0 }, 30, "refundDeadlinePassed"],
    ["visit_day_end, the day after", { allowed: true, deadline: "visit_day_end", feePercent: 0 }, 31, "refundDeadlinePassed"],
  ])("is refused when %s, and nothing changes", async (_label, policy, daysLater, reason) => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, { refund: policy });
    testClock.advance(daysLater * 86_400_000);
    const after = await loginAs(c);
    expect(await refund(c, refundCall(after, order, uniqueId("R")))).toMatchObject({ ok: false, reason });
    expect(Object.values(await ticketStatuses(order.orderId))).toEqual(["valid", "valid", "valid"]);
    expect((await accountState(c.dwid)).ledger.filter((e) => e.kind === "refund")).toEqual([]);
  });

  it("of a ticket already refunded, or not of the order, is refused naming it", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    expect((await refund(c, refundCall(s, order, "R-a", [order.tickets[0]!]))).ok).toBe(true);
    expect(await refund(c, refundCall(s, order, "R-b", [order.tickets[0]!]))).toMatchObject({ ok: false, reason: "ticketRefunded", message: expect.stringContaining(order.tickets[0]!) });
    expect(await refund(c, refundCall(s, order, "R-c", ["999999999999999999"]))).toMatchObject({ ok: false, reason: "ticketNotInOrder" });
    await expectMoneyInvariants(c.dwid);
  });

  it("of another customer's order reads as not found", async () => {
    const a = await aCustomer({ depositYuan: 500 });
    const b = await aCustomer({ depositYuan: 500 });
    const order = await aPaidOrder(a, await loginAs(a));
    expect(await refund(b, refundCall(await loginAs(b), order, "R-x"))).toMatchObject({ ok: false, reason: "orderNotFound" });
    expect(Object.values(await ticketStatuses(order.orderId))).toEqual(["valid", "valid", "valid"]);
  });
});

describe("refunds racing", () => {
  it("ten refunds of the same ticket under different refundids at once: exactly one credits", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, { quantity: 2 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(c, refundCall(s, order, `R-race-${i}`, [order.tickets[0]!]))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(9).fill("ticketRefunded"));
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "refund").map((e) => e.amount_fen)).toEqual([5_000]);
    expect(await taken(order.productId)).toBe(1);
  });

  it("ten repeats of one refundid at once: one refund, ten identical answers", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    const results = await Promise.all(Array.from({ length: 10 }, () => refund(c, refundCall(s, order, "R-same"))));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toMatchObject({ ok: true, refund: { amountFen: 15_000 } });
    expect((await expectMoneyInvariants(c.dwid)).ledger.filter((e) => e.kind === "refund")).toHaveLength(1);
  });
});

describe("refunds under faults: every answer true of the stores, credited once", () => {
  const cases: [FaultPoint, "ok" | "unknown"][] = [
    ["d1-batch-reject", "ok"],
    ["d1-reply-lost", "ok"],
    ["d1-write-late", "ok"],
    ["d1-batch-twice", "ok"],
    ["abort-after-batch", "ok"],
    ["zombie-batch", "ok"],
    ["d1-reply-lost-then-outage", "unknown"],
  ];
  it.each(cases)("%s → %s", async (point, expected) => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    await account(c.dwid).armFault(point);
    const call = refundCall(s, order, uniqueId("R"));
    let result: RefundResult;
    try {
      result = await refund(c, call);
    } catch {
      // The object died under it: the Worker retries the same request on a fresh object.
      result = await refund(c, call);
    }
    if (expected === "ok") expect(result).toMatchObject({ ok: true, refund: { amountFen: 15_000 } });
    else expect(result).toMatchObject({ ok: false, reason: "outcomeUnknown" });
    await account(c.dwid).disarmFaults();
    // Once D1 is back, a retry of the same refundid learns the truth; the money and the stock end right.
    expect(await refund(c, { ...call, requestId: crypto.randomUUID() })).toMatchObject({ ok: true, refund: { amountFen: 15_000, tickets: [...order.tickets].sort() } });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "refund").map((e) => e.amount_fen)).toEqual([15_000]);
    expect(Object.values(await ticketStatuses(order.orderId))).toEqual(["refunded", "refunded", "refunded"]);
    expect(await taken(order.productId)).toBe(0);
    expect(await d1Rows("SELECT count(*) AS n FROM refunds WHERE order_id = ? AND outcome = 'commit'", order.orderId)).toEqual([{ n: 1 }]);
  });

  it("the units' return refused by the InventoryDO: not yet known (the money is posted), then the retry returns them once", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    const inventory = () => env.INVENTORY.get(env.INVENTORY.idFromName(`${order.productId}:${LATER()}`));
    await inventory().armFault("return-units-reject");
    const call = refundCall(s, order, "R-stock");
    expect(await refund(c, call)).toMatchObject({ ok: false, reason: "outcomeUnknown" });
    expect((await accountState(c.dwid)).ledger.filter((e) => e.kind === "refund").map((e) => e.amount_fen)).toEqual([15_000]);
    expect(await taken(order.productId)).toBe(3);
    expect(await refund(c, { ...call, requestId: crypto.randomUUID() })).toMatchObject({ ok: true, refund: { amountFen: 15_000 } });
    expect(await taken(order.productId)).toBe(0);
    // Returned once: a third ask changes nothing.
    expect(await refund(c, { ...call, requestId: crypto.randomUUID() })).toMatchObject({ ok: true });
    expect(await taken(order.productId)).toBe(0);
    await expectMoneyInvariants(c.dwid);
  });
});
