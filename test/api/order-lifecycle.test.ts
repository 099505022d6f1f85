/**
 * An order's whole life through the real endpoints: verify → add (stock
 * held) → pay (debit, tickets) → query (tickets shown) → stock sold; and an
 * insured annual card, whose insurance line is paid for but issues no ticket.
 */
import { describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { aCustomer, loginAs, partner, uniqueId } from "../helpers/api";
import { ADD, LATER, QUERY, VERIFY, YEARCARD, aProduct, aResidentId, anOrderBody, call, liveStock } from "../helpers/catalogue";
import { expectMoneyInvariants } from "../helpers/invariants";

const PAY = "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword";

describe("an order from verify to tickets", () => {
  it("holds stock when added, sells it when paid, and shows the tickets", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const product = await aProduct({ price: 88 }, { stock: 10 });
    const body = anOrderBody([{ productid: product, amount: 3 }], { senderid: uniqueId("OTA") });

    expect((await call(VERIFY, s, body)).errcode).toBe(0);
    const added = await call(ADD, s, body);
    expect(added).toMatchObject({ resultcode: 0, orderstatus: "unpaid", sendid: body.senderid });
    expect(await liveStock(product)).toMatchObject({ held: 3, sold: 0 });

    const paid = await partner(PAY, {
      dwid: c.dwid, dwlx: c.dwlx, sellstationid: "01",
      payparm: { orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) },
    }, { token: s.token });
    expect(await paid.json()).toMatchObject({ orderid: added.orderid, orderstatus: "paid", resultcode: 0 });

    const query = await call(QUERY, s, { orderid: added.orderid });
    expect(query.tag).toMatchObject({ orderid: added.orderid, status: "paid", amount: 264 });
    expect(query.tag.tickets).toHaveLength(3);
    for (const t of query.tag.tickets) expect(t).toMatchObject({ productid: product, status: "valid" });

    // The confirmation to the InventoryDO runs after the answer (waitUntil): wait for it.
    await expect.poll(async () => liveStock(product), { timeout: 5000 }).toMatchObject({ held: 0, sold: 3 });
    await expectMoneyInvariants(c.dwid);
  });

  it("an insured annual card: card + insurance are debited, one ticket is issued", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const card = await aProduct({
      kind: "yearcard", price: 199,
      insurance: { mode: "optional", price: 5.5, count: 2, planCode: "P1", planName: "年卡意外险" },
    }, null);
    const added = await call(YEARCARD, s, {
      productid: card, amount: 1, mobile: "13800138000", fullname: "孙七", identificationtype: "1",
      identificationnumber: aResidentId("19920815", 124), effectdate: LATER(), senderid: uniqueId("Y"),
      BuyInsurance: "1", InsurancePrice: 5.5, InsuranceCount: 2,
    });
    expect(added.resultcode).toBe(0);
    const paid = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", {
      orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    }, { token: s.token });
    expect(((await paid.json()) as { resultcode: number }).resultcode).toBe(0);
    const query = await call(QUERY, s, { orderid: added.orderid });
    expect(query.tag.amount).toBe(210);
    expect(query.tag.tickets).toHaveLength(1);
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.balanceFen).toBe(100_000 - 21_000);
  });
});

describe("follow-ups of many payments at once", () => {
  it("every paid order's stock turns sold and every outbox row is handed to the queue", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const product = await aProduct({ price: 10 }, { stock: 100 });
    const added = await Promise.all(Array.from({ length: 12 }, () => call(ADD, s, anOrderBody([{ productid: product, amount: 2 }], { senderid: uniqueId("OTA") }))));
    const ciphertext = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const paid = await Promise.all(
      added.map(async (a) => (await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: a.orderid, paypassword: ciphertext }, { token: s.token })).json() as Promise<{ resultcode: number }>),
    );
    expect(paid.map((p) => p.resultcode)).toEqual(Array(12).fill(0));
    await expect.poll(async () => liveStock(product), { timeout: 5000 }).toMatchObject({ held: 0, sold: 24 });
    await expectMoneyInvariants(c.dwid);
  });
});
