/**
 * The pay password under attack (SPEC §4): guesses from several sessions at
 * once, spread over every path that checks it — ByPassword, MIN, the
 * WebForms alias by GET and by form, POS pay — stop at the lockout
 * (PAY_LOCKOUT_MAX_FAILURES in PAY_LOCKOUT_WINDOW_MINUTES) and charge
 * nothing; and a ciphertext made under one session is refused under any
 * other session, on every path, even another customer's with the same
 * passwords.
 *
 * What already existed (test/api/order-pay.test.ts): the lockout on MIN,
 * sequential and 30 concurrent guesses on one session, per customer; one
 * session's ciphertext refused in another on MIN.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";

type PayPath = "ByPassword" | "MIN" | "aspx GET" | "aspx form" | "POS";
const PATHS: PayPath[] = ["ByPassword", "MIN", "aspx GET", "aspx form", "POS"];

async function aBill(c: TestCustomer, s: TestSession): Promise<string> {
  const productId = uniqueId("R");
  expect((await admin("PUT", `/admin/products/${productId}`, { name: "零售", kind: "retail", price: 1 })).status).toBe(201);
  const r = await partner("/api/WebInterface/Pos/Sell/Bill/Add", { DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: productId, Amount: 1 }] }, { token: s.token });
  return ((await r.json()) as { tag: { BillNum: string } }).tag.BillNum;
}

/** Pays `target` (an order id, or a BillNum for POS) on `path`; answers the reason's own code. */
async function pay(path: PayPath, c: TestCustomer, s: TestSession, target: string, paypassword: string): Promise<number> {
  let response: Response;
  switch (path) {
    case "ByPassword":
      response = await partner("/api/WebInterface/Order/Pay/WithPrepayment/ByPassword", { dwid: c.dwid, dwlx: c.dwlx, payparm: { orderid: target, paypassword }, sellstationid: "01" }, { token: s.token });
      break;
    case "MIN":
      response = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: target, paypassword }, { token: s.token });
      break;
    case "aspx GET":
      response = await partner(`/Source/UseAccountToPayByPwd.aspx?${new URLSearchParams({ orderid: target, paypassword })}`, undefined, { method: "GET", token: s.token });
      break;
    case "aspx form":
      response = await partner("/Source/UseAccountToPayByPwd.aspx", { orderid: target, paypassword }, { format: "form", token: s.token });
      break;
    case "POS": {
      response = await partner("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: c.dwid, DWSX: c.dwlx, BillNum: target, PayPwd: paypassword }, { token: s.token });
      const body = (await response.json()) as { errcode: number; errmsg: string };
      return body.errcode <= 0 ? Number(/^\[(\d+)\]/.exec(body.errmsg)?.[1] ?? body.errcode) : body.errcode;
    }
  }
  expect(response.status).toBe(200);
  return ((await response.json()) as { resultcode: number }).resultcode;
}

async function failuresRecorded(dwid: string): Promise<number> {
  return runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid)), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pay_failures").one().n);
}

const cipher = (s: TestSession, c: TestCustomer, pay = c.payPassword!) => encryptPayPassword(s.sessionKey, c.loginPassword, pay);

describe("brute force of the pay password", () => {
  it("60 guesses at once, from 3 sessions, over all five pay paths, stop at the lockout and charge nothing", async () => {
    const { payLockoutMaxFailures: max } = configOf(env);
    const c = await aCustomer({ depositYuan: 100 });
    const sessions = [await loginAs(c), await loginAs(c), await loginAs(c)];
    const orders = await Promise.all(Array.from({ length: 4 }, () => anUnpaidOrder(c.dwid)));
    const bill = await aBill(c, sessions[0]!);
    const targets = (path: PayPath, i: number) => (path === "POS" ? bill : orders[i % orders.length]!.orderId);
    const guesses = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const path = PATHS[i % PATHS.length]!;
        const s = sessions[i % sessions.length]!;
        // Wrong passwords under the right scheme, and ciphertexts that do not decrypt at all.
        const guess = i % 4 === 3 ? "AAAAAAAAAAAAAAAAAAAAAA==" : await cipher(s, c, `guess-${i}`);
        return pay(path, c, s, targets(path, i), guess);
      }),
    );
    expect(guesses.every((code) => [3001, 3002, 3004].includes(code)), `codes: ${guesses}`).toBe(true);
    // Exactly `max` failures count; the one that reaches the limit already answers "locked".
    expect(guesses.filter((code) => code !== 3002)).toHaveLength(max - 1);
    expect(await failuresRecorded(c.dwid)).toBe(max);
    // Now even the right password is refused, on every path and every session.
    for (const path of PATHS) {
      for (const s of sessions) expect(await pay(path, c, s, targets(path, 0), await cipher(s, c)), `${path}`).toBe(3002);
    }
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body).toMatchObject({ balance: 100, held: 0 });
    await expectMoneyInvariants(c.dwid);
    // Once the window has passed, the right password pays.
    await runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)), (_i, state) => {
      state.storage.sql.exec("UPDATE pay_failures SET at_ms = at_ms - ?", configOf(env).payLockoutWindowMs + 1);
    });
    expect(await pay("MIN", c, sessions[0]!, orders[0]!.orderId, await cipher(sessions[0]!, c))).toBe(0);
    await expectMoneyInvariants(c.dwid);
  });
});

describe("a ciphertext belongs to its session", () => {
  it.each(PATHS)("%s: another session's ciphertext is refused and charges nothing", async (path) => {
    const c = await aCustomer({ depositYuan: 100 });
    const mine = await loginAs(c);
    const other = await loginAs(c);
    const target = path === "POS" ? await aBill(c, mine) : (await anUnpaidOrder(c.dwid)).orderId;
    expect(await pay(path, c, mine, target, await cipher(other, c))).toBeOneOf([3001, 3004]);
    expect(await failuresRecorded(c.dwid)).toBe(1);
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body).toMatchObject({ balance: 100, held: 0 });
    // The same ciphertext in its own session pays.
    expect(await pay(path, c, other, target, await cipher(other, c))).toBe(0);
  });

  it.each(PATHS)("%s: a ciphertext from another customer's session is refused, even with the same passwords", async (path) => {
    const a = await aCustomer({ depositYuan: 100, loginPassword: "shared-login", payPassword: "shared-pay" });
    const b = await aCustomer({ depositYuan: 100, loginPassword: "shared-login", payPassword: "shared-pay" });
    const sa = await loginAs(a);
    const sb = await loginAs(b);
    const target = path === "POS" ? await aBill(b, sb) : (await anUnpaidOrder(b.dwid)).orderId;
    expect(await pay(path, b, sb, target, await cipher(sa, a))).toBeOneOf([3001, 3004]);
    expect((await admin("GET", `/admin/customers/${b.dwid}/account`)).body).toMatchObject({ balance: 100, held: 0 });
    expect((await admin("GET", `/admin/customers/${a.dwid}/account`)).body).toMatchObject({ balance: 100, held: 0 });
  });
});
