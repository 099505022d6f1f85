/**
 * The session guard (issue 19, SPEC §11): Order/Add takes its session from
 * the isolate's cache without asking the customer's AccountDO, because its
 * D1 insert lands only while D1's copy of the customer's credentials
 * version is still the one the session was opened under (migration 0014).
 * A password change or a suspension served by another isolate — whose
 * forgetting never reaches this isolate's cache — still ends the session
 * for Add at once: the insert is refused, the object is asked, the client
 * told 401, the holds given back, nothing placed. Every answer other than a
 * guarded insert that landed is given only after the object confirmed the
 * session.
 *
 * "Elsewhere" below is exactly what PUT /admin/customers does in another
 * isolate (`changeProfile`, then the D1 copy) without this isolate's
 * `forgetCustomer`.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countersSnapshot, forceCountersForTests, resetCounters } from "../../src/counters";
import { upsertCustomer } from "../../src/db/customers";
import { ResultCodes } from "../../src/domain/codes";
import { workerFaults } from "../../src/durable/faults";
import { changeProfile } from "../../src/endpoints/admin/customers";
import worker from "../../src/index";
import { aCustomer, loginAs, uniqueId, upperMd5, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aProduct, anOrderBody, d1Rows, expectNoOversell, liveStock } from "../helpers/catalogue";

const CACHE_SECONDS = "30";

beforeAll(() => forceCountersForTests(true));
afterAll(() => forceCountersForTests(false));
afterEach(() => workerFaults.disarm());

/** Order/Add through this isolate's own Worker (so its cache) with the cache on. */
async function add(s: TestSession, body: unknown): Promise<{ status: number; body: any }> {
  const request = new Request(`https://eticket.test${ADD}`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const incoming = request as unknown as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(incoming, { ...env, SESSION_CACHE_SECONDS: CACHE_SECONDS }, createExecutionContext());
  return { status: response.status, body: await response.json() };
}

/** Another isolate's PUT ending the customer's sessions: the object's change; the D1 copy too unless `copyLands` is false. */
async function changePasswordElsewhere(c: TestCustomer, copyLands = true): Promise<void> {
  const loginMd5 = await upperMd5(uniqueId("new-login"));
  const profile = await changeProfile(env, { dwid: c.dwid, dwlx: c.dwlx, loginMd5 });
  if (!profile.ok || profile.ended.length === 0) throw new Error(`no session-ending change: ${JSON.stringify(profile)}`);
  if (!copyLands) return;
  await upsertCustomer(
    env.DB,
    { dwid: c.dwid, dwlx: c.dwlx, name: "另一个实例改的", callbackUrl: undefined, contactMobile: undefined, suspended: profile.suspended, lowBalanceFen: null, credentialsVersion: profile.credentialsVersion },
    Date.now(),
  );
}

const accountRequests = () => countersSnapshot().totals["do.AccountDO.requests"] ?? 0;
const ordersOf = (dwid: string, senderid: string) => d1Rows("SELECT order_id, status FROM orders WHERE dwid = ? AND sender_id = ?", dwid, senderid);

/** A customer, a session, and one add that put the session in this isolate's cache. */
async function aCachedSession(productid: string): Promise<{ c: TestCustomer; s: TestSession }> {
  const c = await aCustomer();
  const s = await loginAs(c);
  const first = await add(s, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("first") }));
  expect(first.body).toMatchObject({ resultcode: 0 });
  return { c, s };
}

describe("Order/Add from the isolate's session cache", () => {
  it("asks no AccountDO: the guarded insert lands, and the order is there", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const { c, s } = await aCachedSession(productid);
    const senderid = uniqueId("cached");
    resetCounters();
    const r = await add(s, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(accountRequests()).toBe(0);
    expect(r).toMatchObject({ status: 200, body: { resultcode: 0, orderstatus: "unpaid", sendid: senderid } });
    expect(await ordersOf(c.dwid, senderid)).toEqual([{ order_id: r.body.orderid, status: "unpaid" }]);
    expect(await liveStock(productid)).toMatchObject({ held: 3 });
  });

  it.each([
    ["the whole change", true],
    ["only the object's change (the D1 copy of the new version never landed)", false],
  ])("after a password change elsewhere (%s): 401 at once, nothing placed, the stock back", async (_label, copyLands) => {
    const productid = await aProduct({}, { stock: 10 });
    const { c, s } = await aCachedSession(productid);
    await changePasswordElsewhere(c, copyLands);
    const senderid = uniqueId("ended");
    resetCounters();
    const r = await add(s, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(r).toMatchObject({ status: 401, body: { resultcode: ResultCodes.sessionInvalid.code } });
    // The refused insert asked the object once; its answer is the answer.
    expect(accountRequests()).toBe(1);
    expect(await ordersOf(c.dwid, senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 1 });
    await expectNoOversell(productid);
  });

  it("after a suspension elsewhere, a repeated senderid is refused, not answered with the customer's order", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const c = await aCustomer();
    const s = await loginAs(c);
    const senderid = uniqueId("repeat");
    expect((await add(s, anOrderBody([{ productid, amount: 1 }], { senderid }))).body).toMatchObject({ resultcode: 0 });
    const profile = await changeProfile(env, { dwid: c.dwid, dwlx: c.dwlx, suspended: true });
    expect(profile).toMatchObject({ ok: true, ended: ["suspended"] });
    const r = await add(s, anOrderBody([{ productid, amount: 1 }], { senderid }));
    expect(r.status).toBe(401);
    expect(r.body.orderid ?? null).toBeNull();
  });

  it("a refusal from a cached session is given only after the object confirmed it (a live one: the refusal itself)", async () => {
    const productid = await aProduct({}, { stock: 1 });
    const { c, s } = await aCachedSession(productid);
    resetCounters();
    const soldOut = await add(s, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("none-left") }));
    expect(soldOut).toMatchObject({ status: 200, body: { resultcode: ResultCodes.stockSoldOut.code } });
    expect(accountRequests()).toBe(1);
    await changePasswordElsewhere(c);
    expect((await add(s, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("none-left") }))).status).toBe(401);
  });

  it("a customer whose version D1 does not know (before migration 0014) adds with a live cached session: the object confirms, the order lands", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const { c, s } = await aCachedSession(productid);
    await env.DB.prepare("UPDATE customers SET credentials_version = NULL WHERE dwid = ?").bind(c.dwid).run();
    const senderid = uniqueId("unknown-version");
    resetCounters();
    const r = await add(s, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(r).toMatchObject({ status: 200, body: { resultcode: 0, sendid: senderid } });
    expect(accountRequests()).toBe(1);
    expect(await ordersOf(c.dwid, senderid)).toEqual([{ order_id: r.body.orderid, status: "unpaid" }]);
    expect(await liveStock(productid)).toMatchObject({ held: 3 });
  });

  it("a guarded insert whose reply was lost is settled by the fence as before: placed, and found", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const { c, s } = await aCachedSession(productid);
    const senderid = uniqueId("lost");
    workerFaults.armIn(env, "order-insert-reply-lost");
    const r = await add(s, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(r).toMatchObject({ status: 200, body: { resultcode: 0, sendid: senderid } });
    expect(await ordersOf(c.dwid, senderid)).toEqual([{ order_id: r.body.orderid, status: "unpaid" }]);
    await expectNoOversell(productid);
  });

  it("adds racing a password change elsewhere: each told placed is in D1, each told 401 placed nothing; after the change, every add is 401", async () => {
    const productid = await aProduct({}, { stock: 100 });
    const { c, s } = await aCachedSession(productid);
    const senderids = Array.from({ length: 12 }, (_, i) => uniqueId(`race${i}`));
    const [answers] = await Promise.all([
      Promise.all(senderids.map((senderid) => add(s, anOrderBody([{ productid, amount: 1 }], { senderid })))),
      changePasswordElsewhere(c),
    ]);
    for (const [i, r] of answers.entries()) {
      const found = await ordersOf(c.dwid, senderids[i]!);
      if (r.status === 200 && r.body.resultcode === 0) expect(found).toEqual([{ order_id: r.body.orderid, status: "unpaid" }]);
      else expect([r.status, found]).toEqual([401, []]);
    }
    const after = await Promise.all([1, 2, 3].map(() => add(s, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("after") }))));
    expect(after.map((r) => r.status)).toEqual([401, 401, 401]);
    await expectNoOversell(productid);
  });
});
