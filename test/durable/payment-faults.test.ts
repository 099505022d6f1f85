/**
 * Faults at each step of the cross-store payment (SPEC §6). Each scenario
 * ends with the money invariants true once alarms have drained, and with the
 * client's answer true of the stores: told success ⇒ debit, paid order and
 * tickets exist; told failure ⇒ none of them.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import type { FaultPoint } from "../../src/durable/faults";
import { aCustomer, loginAs, type TestCustomer, type TestSession } from "../helpers/api";
import { accountState, expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";
import { payOrder, type PayAnswer } from "../helpers/payments";


const pay = (c: TestCustomer, s: TestSession, orderId: string): Promise<PayAnswer> => payOrder(c, s, orderId);

const account = (dwid: string) => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));

async function arm(dwid: string, point: FaultPoint, times = 1) {
  await account(dwid).armFault(point, times);
}

/** Runs the object's alarm until nothing is pending (bounded). */
async function drainAlarms(dwid: string) {
  for (let i = 0; i < 5; i++) {
    await runDurableObjectAlarm(account(dwid));
    const pending = (await accountState(dwid)).intents.filter((x) => x.state === "pending");
    if (pending.length === 0) return;
  }
}

async function paidState(orderId: string) {
  const order = await env.DB.prepare("SELECT status, payment_id FROM orders WHERE order_id = ?").bind(orderId).first<{ status: string; payment_id: string | null }>();
  const tickets = await env.DB.prepare("SELECT count(*) AS n FROM tickets WHERE order_id = ?").bind(orderId).first<{ n: number }>();
  return { status: order!.status, tickets: tickets!.n };
}

/** The client's answer must be true of the stores. */
async function expectAnswerTrue(answer: PayAnswer, c: TestCustomer, orderId: string, amountFen: number) {
  const state = await accountState(c.dwid);
  const debited = state.ledger.filter((e) => e.kind === "debit" && e.target === `order:${orderId}`);
  const stored = await paidState(orderId);
  if (answer.resultcode === 0) {
    expect(debited.map((d) => d.amount_fen)).toEqual([amountFen]);
    expect(stored.status).toBe("paid");
    expect(stored.tickets).toBeGreaterThan(0);
  } else {
    expect(debited).toEqual([]);
    expect(stored.status).not.toBe("paid");
    expect(stored.tickets).toBe(0);
  }
}

describe("faults in the payment protocol", () => {
  it("D1 rejects the batch: the hold is voided, the client is told it failed, nothing is paid", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-batch-reject");
    const answer = await pay(c, s, order.orderId);
    expect(answer.resultcode).toBe(5004);
    await expectAnswerTrue(answer, c, order.orderId, order.amountFen);
    await drainAlarms(c.dwid);
    await expectMoneyInvariants(c.dwid);
    // The failure fenced the intent: its decision in D1 is 'void'.
    const { results } = await env.DB.prepare("SELECT outcome FROM payments WHERE target_id = ?").bind(order.orderId).all();
    expect(results).toEqual([{ outcome: "void" }]);
    // And a retry pays normally.
    expect((await pay(c, s, order.orderId)).resultcode).toBe(0);
    await expectMoneyInvariants(c.dwid);
  });

  it("D1 commits but the reply is lost: the decision record settles it as paid, the client is told success", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-reply-lost");
    const answer = await pay(c, s, order.orderId);
    expect(answer.resultcode).toBe(0);
    await expectAnswerTrue(answer, c, order.orderId, order.amountFen);
    await drainAlarms(c.dwid);
    await expectMoneyInvariants(c.dwid);
  });

  it("the object crashes after the hold: the Worker retries on a fresh object, which pays once", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "abort-after-hold");
    const answer = await pay(c, s, order.orderId);
    expect(answer.resultcode).toBe(0);
    await expectAnswerTrue(answer, c, order.orderId, order.amountFen);
    await drainAlarms(c.dwid);
    const state = await expectMoneyInvariants(c.dwid);
    // The crash may come before the hold was durable (then it never happened)
    // or after (then the retry found it orphaned and voided it): one posted either way.
    expect(state.intents.filter((i) => i.state === "posted")).toHaveLength(1);
    expect(state.intents.filter((i) => i.state !== "posted").map((i) => i.state)).toEqual(
      state.intents.length === 2 ? ["voided"] : [],
    );
  });

  it("the object crashes after the D1 batch, before posting: the retry posts the committed payment once", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "abort-after-batch");
    const answer = await pay(c, s, order.orderId);
    expect(answer.resultcode).toBe(0);
    await expectAnswerTrue(answer, c, order.orderId, order.amountFen);
    await drainAlarms(c.dwid);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state)).toEqual(["posted"]);
    expect(state.balanceFen).toBe(10_000 - order.amountFen);
  });

  it("a crash with no retry is finished by the alarm, and running the alarm twice changes nothing", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    // Place a hold and commit D1 directly inside the object, then crash before posting.
    await arm(c.dwid, "abort-after-batch");
    const stub = account(c.dwid);
    await expect(
      stub.payOrder({
        token: s.token,
        requestId: crypto.randomUUID(),
        claimedDwid: null,
        claimedDwlx: null,
        ciphertext: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
        orderId: order.orderId,
        sellStationId: null,
        marketAreaId: null,
        teamTypeCode: null,
        rollOverAt: null,
      }),
    ).rejects.toThrow();
    const before = await accountState(c.dwid);
    expect(before.intents.map((i) => i.state)).toEqual(["pending"]);
    expect(before.heldFen).toBe(order.amountFen);
    expect((await paidState(order.orderId)).status).toBe("paid");

    await runDurableObjectAlarm(account(c.dwid));
    const after = await expectMoneyInvariants(c.dwid);
    await runDurableObjectAlarm(account(c.dwid));
    expect(await accountState(c.dwid)).toEqual(after);
    expect(after.balanceFen).toBe(10_000 - order.amountFen);
  });

  it("a long D1 outage after the hold: the client is told 'pending', money stays held, and recovery voids it once D1 is back", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "d1-outage-from-batch");
    const answer = await pay(c, s, order.orderId);
    expect(answer.resultcode).toBe(5002);
    const during = await accountState(c.dwid);
    expect(during.heldFen).toBe(order.amountFen);
    // Alarms during the outage leave it pending (and keep coming back).
    await runDurableObjectAlarm(account(c.dwid));
    await runDurableObjectAlarm(account(c.dwid));
    expect((await accountState(c.dwid)).intents.map((i) => i.state)).toEqual(["pending"]);
    await expectMoneyInvariants(c.dwid, { allowPending: true });

    await account(c.dwid).disarmFaults();
    await drainAlarms(c.dwid);
    const after = await expectMoneyInvariants(c.dwid);
    expect(after.balanceFen).toBe(10_000);
    expect((await paidState(order.orderId)).status).toBe("unpaid");
    // Paying again now works.
    expect((await pay(c, s, order.orderId)).resultcode).toBe(0);
    await expectMoneyInvariants(c.dwid);
  });

  it("an alarm running late, after the order expired, settles by D1's decision, not by the clock", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, "abort-after-batch");
    await expect(
      account(c.dwid).payOrder({
        token: s.token, requestId: crypto.randomUUID(), claimedDwid: null, claimedDwlx: null, orderId: order.orderId,
        ciphertext: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
        sellStationId: null, marketAreaId: null, teamTypeCode: null, rollOverAt: null,
      }),
    ).rejects.toThrow();
    // The order's hold time passes before recovery runs.
    await env.DB.prepare("UPDATE orders SET expires_at_ms = 0 WHERE order_id = ?").bind(order.orderId).run();
    await drainAlarms(c.dwid);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state)).toEqual(["posted"]);
  });

  it("faults cannot be armed where FAULT_INJECTION is off", async () => {
    // The test configuration turns it on; prove the switch is what allows it.
    const c = await aCustomer();
    await runInDurableObject(account(c.dwid), (instance) => {
      const faults = (instance as unknown as { faults: { arm(p: string): void; enabled: boolean } }).faults;
      expect(faults.enabled).toBe(true);
    });
    const { Faults } = await import("../../src/durable/faults");
    expect(() => new Faults(false).arm("d1-outage")).toThrow(/disabled/);
    expect(new Faults(false).fires("d1-outage")).toBe(false);
  });
});
