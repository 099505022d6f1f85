/**
 * Every pay answer is true of the stores (SPEC §6; the reliability issue,
 * item 1 a–e, g, i): told success ⇒ a posted debit; told refused ⇒ nothing
 * was or will be charged; an outcome not yet known is HTTP 503 with
 * Retry-After — never a refusal (POS −1 least of all), never a 500. Each
 * scenario reproduces one hole a review or a long simulation found.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock, type Clock } from "../../src/clock";
import { configOf } from "../../src/config";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { shanghaiDate } from "../../src/domain/dates";
import type { PayOrderCall } from "../../src/durable/account";
import { BalanceWatch } from "../../src/durable/balance-watch";
import { Faults, type FaultPoint } from "../../src/durable/faults";
import { PaymentDesk } from "../../src/durable/payment-desk";
import { orderTarget } from "../../src/durable/payment-targets";
import { systemRandom } from "../../src/random";
import { aCustomer, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { BILL_PAY, aBill } from "../helpers/bills";
import { accountState, expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";
import { payOrder } from "../helpers/payments";


const account = (dwid: string) => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));
const arm = (dwid: string, point: FaultPoint, times = 1) => account(dwid).armFault(point, times);

async function cipher(c: TestCustomer, s: TestSession, password = c.payPassword!): Promise<string> {
  return encryptPayPassword(s.sessionKey, c.loginPassword, password);
}

async function orderCall(c: TestCustomer, s: TestSession, orderId: string, requestId: string, password?: string): Promise<PayOrderCall> {
  return {
    token: s.token, requestId, claimedDwid: null, claimedDwlx: null, orderId, ciphertext: await cipher(c, s, password),
    sellStationId: null, marketAreaId: null, teamTypeCode: null, rollOverAt: null,
  };
}

async function payBill(c: TestCustomer, s: TestSession, find: { BillNum?: string; SenderBillNum?: string }) {
  const response = await partner(BILL_PAY, { DWID: c.dwid, DWSX: c.dwlx, ...find, PayPwd: await cipher(c, s) }, { token: s.token });
  const body = (await response.json()) as { errcode: number; errmsg: string; tag: { BillNum: string; BillState: string; RndCode: string | null } | null };
  return { status: response.status, retryAfter: response.headers.get("retry-after"), ...body };
}



async function billRow(billNum: string) {
  return env.DB.prepare("SELECT status, rnd_code, payment_id FROM pos_bills WHERE bill_num = ?").bind(billNum).first<{ status: string; rnd_code: string | null; payment_id: string | null }>();
}

async function drainAlarms(dwid: string) {
  for (let i = 0; i < 5 && (await accountState(dwid)).intents.some((x) => x.state === "pending"); i++) await runDurableObjectAlarm(account(dwid));
}

describe("a request's own earlier payment is answered before any gate (a)", () => {
  it("a pay retried after a reset is paid, not refused by a pay-password lockout that other guesses brought meanwhile", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    // The first attempt commits in D1 and the object dies before posting.
    await arm(c.dwid, "abort-after-batch");
    await expect(account(c.dwid).payOrder(await orderCall(c, s, order.orderId, "r1"))).rejects.toThrow();
    // Meanwhile five wrong passwords lock paying for this customer.
    const other = await anUnpaidOrder(c.dwid);
    for (let i = 0; i < 5; i++) {
      const wrong = await account(c.dwid).payOrder(await orderCall(c, s, other.orderId, `w${i}`, "wrong#pw"));
      expect(wrong.ok).toBe(false);
    }
    // The retry of r1 (what the Worker sends after a reset) is its own payment: paid, not 3002.
    const retried = await account(c.dwid).payOrder(await orderCall(c, s, order.orderId, "r1"));
    expect(retried).toMatchObject({ ok: true, alreadyPaid: false, order: { orderId: order.orderId, status: "paid" } });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "debit").map((e) => e.target)).toEqual([`order:${order.orderId}`]);
  });
});

describe("an outcome not yet known is HTTP 503, never a refusal (b, c)", () => {
  it("POS: the batch commits, its reply is lost and D1 stays out: 503 with Retry-After and errcode 5002, not −1; the retry learns 1", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    await arm(c.dwid, "d1-reply-lost-then-outage");
    const first = await payBill(c, s, { BillNum: bill.billNum });
    expect(first).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), errcode: 5002 });
    expect((await billRow(bill.billNum))!.status).toBe("paid");
    // Still out: the retry cannot learn either, and says so the same way.
    expect(await payBill(c, s, { BillNum: bill.billNum })).toMatchObject({ status: 503, errcode: 5002 });
    await account(c.dwid).disarmFaults();
    const learned = await payBill(c, s, { BillNum: bill.billNum });
    expect(learned).toMatchObject({ status: 200, errcode: 1, tag: { BillNum: bill.billNum, BillState: "paid", RndCode: (await billRow(bill.billNum))!.rnd_code } });
    await expectMoneyInvariants(c.dwid);
  });

  it("an order pay whose outcome is unknown is 503 with resultcode 5002; once D1 is back the order is paid once", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-reply-lost-then-outage");
    expect(await payOrder(c, s, order.orderId)).toMatchObject({ status: 503, resultcode: 5002 });
    await account(c.dwid).disarmFaults();
    expect(await payOrder(c, s, order.orderId)).toMatchObject({ status: 200, resultcode: 0, orderstatus: "paid" });
    await expectMoneyInvariants(c.dwid);
  });

  it.each([
    ["by BillNum", (b: { billNum: string }) => ({ BillNum: b.billNum })],
    ["by SenderBillNum alone", (b: { senderBillNum: string }) => ({ SenderBillNum: b.senderBillNum })],
  ])("POS %s: D1 shows the bill paid while its debit is still pending: 503, not 'paid' (c)", async (_label, find) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    await arm(c.dwid, "d1-reply-lost-then-outage");
    expect((await payBill(c, s, { BillNum: bill.billNum })).status).toBe(503);
    // Reads come back but settling still fails: the bill reads paid, its intent is pending.
    await account(c.dwid).disarmFaults();
    await arm(c.dwid, "d1-outage-from-batch");
    const second = await payBill(c, s, find(bill));
    expect(second).toMatchObject({ status: 503, errcode: 5002 });
    expect((await accountState(c.dwid)).intents.map((i) => i.state)).toEqual(["pending"]);
    await account(c.dwid).disarmFaults();
    expect(await payBill(c, s, find(bill))).toMatchObject({ status: 200, errcode: 1 });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state)).toEqual(["posted"]);
  });
});

describe("answers come from the deciding transaction, not a second read (d, e)", () => {
  it.each<[FaultPoint, number]>([
    ["d1-reply-lost", 0],
    ["d1-batch-twice", 0],
    ["abort-after-batch", 0],
    ["abort-after-post-unsynced", 0],
  ])("POS by SenderBillNum under %s: errcode %i with the pickup code D1 has, to the request that paid", async (point, errcode) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    await arm(c.dwid, point);
    const answer = await payBill(c, s, { SenderBillNum: bill.senderBillNum });
    const row = await billRow(bill.billNum);
    expect(answer).toMatchObject({ status: 200, errcode, tag: { BillNum: bill.billNum, BillState: "paid", RndCode: row!.rnd_code } });
    expect(row!.rnd_code).toMatch(/^\d{6}$/);
    await drainAlarms(c.dwid);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "debit")).toHaveLength(1);
  });

  it.each<[FaultPoint, number, string]>([
    ["d1-batch-reject", 5004, "unpaid"],
    ["d1-write-late", 5004, "unpaid"],
    ["d1-outage", 5004, "unpaid"],
  ])("a pay under %s is refused %i — never 'order not found' — and the order stays %s", async (point, code, status) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, point);
    expect(await payOrder(c, s, order.orderId)).toMatchObject({ status: 200, resultcode: code });
    await account(c.dwid).disarmFaults();
    await drainAlarms(c.dwid);
    const row = await env.DB.prepare("SELECT status FROM orders WHERE order_id = ?").bind(order.orderId).first<{ status: string }>();
    expect(row!.status).toBe(status);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.balanceFen).toBe(10_000);
  });

  it("a batch landing after the fence writes nothing: the late write fails on the decision the fence recorded", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-write-late");
    expect((await payOrder(c, s, order.orderId)).resultcode).toBe(5004);
    const { results } = await env.DB.prepare("SELECT outcome FROM payments WHERE target_id = ?").bind(order.orderId).all();
    expect(results).toEqual([{ outcome: "void" }]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM tickets WHERE order_id = ?").bind(order.orderId).first<{ n: number }>())!.n).toBe(0);
    expect((await payOrder(c, s, order.orderId)).resultcode).toBe(0);
    await expectMoneyInvariants(c.dwid);
  });
});

describe("commit or void is the recorded decision (g)", () => {
  it("a pay batch executed twice posts once and answers success", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-batch-twice");
    expect(await payOrder(c, s, order.orderId)).toMatchObject({ status: 200, resultcode: 0 });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state)).toEqual(["posted"]);
    const { results } = await env.DB.prepare("SELECT outcome FROM payments WHERE target_id = ?").bind(order.orderId).all();
    expect(results).toEqual([{ outcome: "commit" }]);
  });

  it("two live instances: the old one's batch lands after the new one fenced it, and nothing is paid twice", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "zombie-batch");
    // Through the Worker: its retry reaches the new instance, which fences the old batch and pays afresh.
    expect(await payOrder(c, s, order.orderId)).toMatchObject({ status: 200, resultcode: 0 });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state).sort()).toEqual(["posted", "voided"]);
    const { results } = await env.DB.prepare("SELECT outcome FROM payments WHERE target_id = ? ORDER BY outcome").bind(order.orderId).all();
    expect(results).toEqual([{ outcome: "commit" }, { outcome: "void" }]);
  });
});

describe("the payment's instant (i)", () => {
  it("is when its batch is built, not when the request arrived", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const order = await anUnpaidOrder(c.dwid, { expiresInMs: 2 * 86_400_000 });
    // Time moves on while the payment waits (each look at the clock is ten minutes later).
    const startMs = testClock.nowMs();
    let ticks = 0;
    const moving: Clock = { nowMs: () => startMs + 10 * 60_000 * ticks++ };
    const seen: number[] = [];
    const paid = await runInDurableObject(account(c.dwid), async (_instance, state) => {
      const clock: Clock = { nowMs: () => { const t = moving.nowMs(); seen.push(t); return t; } };
      const watch = new BalanceWatch(state.storage.sql, () => {});
      const desk = new PaymentDesk(state, state.storage.sql, env.DB, configOf(env), new Faults(false), clock, systemRandom, () => {}, watch);
      const answer = await desk.pay(c.dwid, orderTarget(order.orderId, { sellStationId: null, marketAreaId: null, teamTypeCode: null, rollOverAt: null }), "r-late");
      expect(answer.kind).toBe("paid");
      return (await env.DB.prepare("SELECT paid_at_ms, business_date FROM orders WHERE order_id = ?").bind(order.orderId).first<{ paid_at_ms: number; business_date: string }>())!;
    });
    // Not the request's first instant: a later reading, the one the batch was built with.
    expect(paid.paid_at_ms).toBeGreaterThan(seen[0]!);
    expect(seen).toContain(paid.paid_at_ms);
    expect(paid.business_date).toBe(shanghaiDate(paid.paid_at_ms));
  });
});

describe("an alarm whose retries run out", () => {
  it("is set again by the next call into the object, and the pending payment settles", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "abort-after-batch");
    await expect(account(c.dwid).payOrder(await orderCall(c, s, order.orderId, "r1"))).rejects.toThrow();
    // The alarm throws until the platform gives up (the plugin deletes an alarm that throws).
    await arm(c.dwid, "alarm-throws");
    await expect(runDurableObjectAlarm(account(c.dwid))).rejects.toThrow(/alarm-throws/);
    expect(await runInDurableObject(account(c.dwid), (_i, state) => state.storage.getAlarm())).toBeNull();
    // Any call brings it back (here: a balance read by an operator, then a pay of another order).
    await account(c.dwid).payOrder(await orderCall(c, s, (await anUnpaidOrder(c.dwid)).orderId, "r2"));
    expect(await runInDurableObject(account(c.dwid), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    await drainAlarms(c.dwid);
    await expectMoneyInvariants(c.dwid);
  });
});
