/**
 * Faults at each step of the cross-store payment (SPEC §6), as tables: one
 * fault point a line, with the answer the client gets (HTTP status,
 * resultcode), the intents' states and the money once the alarms have
 * drained, and what paying again answers. Every row ends with the money
 * invariants true and with the client's answer true of the stores: told
 * success ⇒ debit, paid order and tickets exist; told failure ⇒ none of them.
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

const DEPOSIT_FEN = 10_000;

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

/** Pays inside the object, with no Worker around it to retry after a crash. */
async function payWithoutRetry(c: TestCustomer, s: TestSession, orderId: string) {
  return account(c.dwid).payOrder({
    token: s.token,
    requestId: crypto.randomUUID(),
    claimedDwid: null,
    claimedDwlx: null,
    ciphertext: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    orderId,
    sellStationId: null,
    marketAreaId: null,
    teamTypeCode: null,
    rollOverAt: null,
  });
}

const states = (state: { intents: { state: string }[] }) => state.intents.map((i) => i.state).sort();

interface ThroughTheWorker {
  when: string;
  point: FaultPoint;
  /** The client's answer: [HTTP status, resultcode]. */
  answer: [status: number, resultcode: number];
  /** The fault lasts until disarmed: meanwhile the money stays held and alarms leave the intent pending. */
  untilDisarmed?: true;
  /** The intents' states once the alarms drained, sorted: one of these. */
  intents: string[][];
  /** The deposit once the alarms drained. */
  money: "debited once" | "untouched";
  order: "paid" | "unpaid";
  /** The decisions D1 recorded for the order, sorted (when the row asserts them). */
  decisions?: string[];
  /** What paying the order again answers. */
  retry?: "pays" | "already paid";
}

describe("a fault while a client pays through the Worker", () => {
  it.each<ThroughTheWorker>([
    { when: "D1 rejects the batch: the hold is voided, the client is told it failed, nothing is paid", point: "d1-batch-reject", answer: [200, 5004], intents: [["voided"]], money: "untouched", order: "unpaid", decisions: ["void"], retry: "pays" },
    { when: "D1 commits but the reply is lost: the decision record settles it as paid, the client is told success", point: "d1-reply-lost", answer: [200, 0], intents: [["posted"]], money: "debited once", order: "paid", decisions: ["commit"], retry: "already paid" },
    { when: "the object crashes after the hold: the Worker retries on a fresh object, which pays once", point: "abort-after-hold", answer: [200, 0], intents: [["posted"], ["posted", "voided"]], money: "debited once", order: "paid", retry: "already paid" },
    { when: "the object crashes after the D1 batch, before posting: the retry posts the committed payment once", point: "abort-after-batch", answer: [200, 0], intents: [["posted"]], money: "debited once", order: "paid", decisions: ["commit"], retry: "already paid" },
    { when: "a long D1 outage after the hold: the client is told 'pending', money stays held, and recovery voids it once D1 is back", point: "d1-outage-from-batch", answer: [503, 5002], untilDisarmed: true, intents: [["voided"]], money: "untouched", order: "unpaid", decisions: ["void"], retry: "pays" },
  ])("$when", async (row) => {
    const c = await aCustomer({ depositYuan: DEPOSIT_FEN / 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await arm(c.dwid, row.point);
    const answer = await pay(c, s, order.orderId);
    expect([answer.status, answer.resultcode], answer.returnmessgage).toEqual(row.answer);
    // A 503 claims nothing yet; any other answer must already be true of the stores.
    if (answer.status !== 503) await expectAnswerTrue(answer, c, order.orderId, order.amountFen);

    if (row.untilDisarmed) {
      expect((await accountState(c.dwid)).heldFen).toBe(order.amountFen);
      // Alarms during the fault leave it pending (and keep coming back).
      await runDurableObjectAlarm(account(c.dwid));
      await runDurableObjectAlarm(account(c.dwid));
      expect(states(await accountState(c.dwid))).toEqual(["pending"]);
      await expectMoneyInvariants(c.dwid, { allowPending: true });
      await account(c.dwid).disarmFaults();
    }

    await drainAlarms(c.dwid);
    const after = await expectMoneyInvariants(c.dwid);
    expect(row.intents).toContainEqual(states(after));
    expect(after.balanceFen).toBe(row.money === "debited once" ? DEPOSIT_FEN - order.amountFen : DEPOSIT_FEN);
    expect((await paidState(order.orderId)).status).toBe(row.order);
    if (row.decisions) {
      const { results } = await env.DB.prepare("SELECT outcome FROM payments WHERE target_id = ?").bind(order.orderId).all<{ outcome: string }>();
      expect(results.map((r) => r.outcome).sort()).toEqual(row.decisions);
    }

    if (row.retry) {
      const again = await pay(c, s, order.orderId);
      expect([again.status, again.resultcode], again.returnmessgage).toEqual([200, 0]);
      expect(again.returnmessgage).toBe(row.retry === "pays" ? "支付成功" : "订单已支付,本次未重复扣款");
      expect((await expectMoneyInvariants(c.dwid)).balanceFen).toBe(DEPOSIT_FEN - order.amountFen);
    }
  });
});

interface WithoutRetry {
  when: string;
  /** What happens to the order between the crash and the alarm. */
  meanwhile: "nothing" | "its hold time passes";
}

describe("the object crashes after the D1 batch and no Worker retries: the alarm settles it", () => {
  it.each<WithoutRetry>([
    { when: "a crash with no retry is finished by the alarm, and running the alarm twice changes nothing", meanwhile: "nothing" },
    { when: "an alarm running late, after the order expired, settles by D1's decision, not by the clock", meanwhile: "its hold time passes" },
  ])("$when", async (row) => {
    const c = await aCustomer({ depositYuan: DEPOSIT_FEN / 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    // Place a hold and commit D1 directly inside the object, then crash before posting.
    await arm(c.dwid, "abort-after-batch");
    await expect(payWithoutRetry(c, s, order.orderId)).rejects.toThrow();
    const before = await accountState(c.dwid);
    expect(states(before)).toEqual(["pending"]);
    expect(before.heldFen).toBe(order.amountFen);
    expect((await paidState(order.orderId)).status).toBe("paid");

    if (row.meanwhile === "its hold time passes") {
      await env.DB.prepare("UPDATE orders SET expires_at_ms = 0 WHERE order_id = ?").bind(order.orderId).run();
    }
    await runDurableObjectAlarm(account(c.dwid));
    const after = await expectMoneyInvariants(c.dwid);
    expect(states(after)).toEqual(["posted"]);
    expect(after.balanceFen).toBe(DEPOSIT_FEN - order.amountFen);
    await runDurableObjectAlarm(account(c.dwid));
    expect(await accountState(c.dwid)).toEqual(after);
  });
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
