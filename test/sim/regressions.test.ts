/**
 * Bugs the reliability simulation found, each kept twice: the seed that
 * found it (docs/reliability.md, "Bugs found"), and a directed scenario that
 * reproduces it without depending on how requests in flight interleave.
 * A seed is a plan of the workload as it was when it found the bug: each
 * new kind of operation gives the seed another plan (it then runs as one
 * more seed), so the directed scenario is the one that keeps the bug away.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { aCustomer, loginAs, partner, uniqueId } from "../helpers/api";
import { BILL_PAY, aBill } from "../helpers/bills";
import { ADD, LATER, aProduct, anOrderBody, inventoryStub } from "../helpers/catalogue";
import { accountState, expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";
import { runSimulation } from "./simulation";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";

describe("seeds that found bugs, replayed", () => {
  it.each([
    [2, 300, "a bill paid by SenderBillNum, the object crashing after the D1 batch: the retry was told 'paid earlier'"],
    [11, 300, "an orphaned intent voided while another request paid the bill: two clients told 'paid now'"],
    [23, 300, "an InventoryDO crashing mid-hold during a D1 outage: stock held with no alarm to release it"],
    // The directed test is test/api/ticket-check.test.ts, "a scan id this gate already used for another ticket".
    [3104, 1250, "a gate's scan id reused for another ticket (step 169): answered 0 with the first ticket's admission"],
  ])("seed %i, %i operations (%s)", async (seed, ops) => {
    const summary = await runSimulation({ seed, ops });
    expect(summary.violations).toBe(0);
  }, 300_000);
});

describe("the same bugs, directed", () => {
  it("seed 2: a bill found by SenderBillNum alone, paid just before a crash, is answered 'paid now' (0) to the retried request, and debited once", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    await env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)).armFault("abort-after-batch");
    const PayPwd = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const response = await partner(BILL_PAY, { DWID: c.dwid, DWSX: c.dwlx, SenderBillNum: bill.senderBillNum, PayPwd }, { token: s.token });
    const answer = (await response.json()) as { errcode: number; errmsg: string; tag: { BillNum: string; RndCode: string } };
    // Before the fix: errcode 1, "单据以前已支付,本次未扣款" — to the very request whose payment it was.
    expect(answer).toMatchObject({ errcode: 0, errmsg: "支付成功", tag: { BillNum: bill.billNum } });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "debit").map((e) => e.target)).toEqual([`bill:${bill.billNum}`]);
  });

  it("seed 11: a request whose own intent was voided while another request paid the target is told 'paid earlier', not 'paid now'", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const account = () => env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
    const call = async (requestId: string) => ({
      token: s.token, requestId, claimedDwid: c.dwid, claimedDwlx: c.dwlx, billNum: bill.billNum, senderBillNum: null,
      ciphertext: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    });
    // Request rA's object crashes right after its hold: intent IA stays pending, orphaned.
    await account().armFault("abort-after-hold");
    await expect(account().payBill(await call("rA"))).rejects.toThrow();
    expect((await accountState(c.dwid)).intents.map((i) => i.state)).toEqual(["pending"]);
    // Request rB settles IA (void: its batch never reached D1) and pays the bill itself.
    expect(await account().payBill(await call("rB"))).toMatchObject({ ok: true, alreadyPaid: false });
    // rA's retry: its own intent was voided, so the bill was paid by another request.
    // Before the fix: "paid now" to rA as well — two clients told they paid one bill.
    expect(await account().payBill(await call("rA"))).toMatchObject({ ok: true, alreadyPaid: true, bill: { billNum: bill.billNum, state: "paid" } });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.intents.map((i) => i.state).sort()).toEqual(["posted", "voided"]);
    expect(state.heldFen).toBe(0);
  });

  it("seed 23: an InventoryDO crashing right after writing a hold, while D1 is down, still has the alarm that will release it", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const productid = await aProduct({}, { stock: 10 });
    await inventoryStub(productid, LATER()).armFault("d1-outage");
    await inventoryStub(productid, LATER()).armFault("abort-mid-hold");
    // The add fails (the object crashed under it) before any order was written: "not placed, retry" (9002);
    // the Worker's release cannot reach D1.
    const response = await partner(ADD, anOrderBody([{ productid, amount: 2 }], { senderid: uniqueId("S") }), { token: s.token });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { resultcode: number }).resultcode).toBe(9002);
    const stored = await runInDurableObject(inventoryStub(productid, LATER()), async (_i, state) => ({
      alarmAtMs: await state.storage.getAlarm(),
      held: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE state = 'held'").one().n,
    }));
    expect(stored.held).toBe(1);
    // Before the fix: no alarm — the 2 units stayed held until some later hold on the day set one.
    expect(stored.alarmAtMs).not.toBeNull();
    await inventoryStub(productid, LATER()).disarmFaults();
  });

  it("follow-ups of concurrent payments (stock confirmation, notification) are sent by the request that gathered them", async () => {
    // Before the fix, a request's waitUntil waited on a batch another request had opened: workerd
    // rejects that ("Cannot perform I/O on behalf of a different request"), an unhandled rejection
    // that fails the run. Found by every seed with concurrent payments.
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const orders = await Promise.all(Array.from({ length: 12 }, () => anUnpaidOrder(c.dwid)));
    const paypassword = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const answers = await Promise.all(orders.map((o) => partner(MIN, { orderid: o.orderId, paypassword }, { token: s.token }).then((r) => r.json() as Promise<{ resultcode: number }>)));
    expect(answers.map((a) => a.resultcode)).toEqual(orders.map(() => 0));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expectMoneyInvariants(c.dwid);
  });
});
