import { describe, expect, it } from "vitest";
import { SESSION_CACHE_MAX_ENTRIES, SessionCache } from "../../src/endpoints/session-cache";

const session = (dwid: string) => ({ dwid, dwlx: "1", sessionKey: "k", tokenSha256: "h", credentialsVersion: 1 });

describe("the isolate's session cache", () => {
  it.each([
    ["within its ttl", 10_000, 1_000_000, 5_000, true],
    ["past its ttl", 10_000, 1_000_000, 10_000, false],
    ["past the session's own expiry, though within the ttl", 10_000, 3_000, 3_000, false],
    ["just before the session's expiry", 10_000, 3_000, 2_999, true],
    ["never, with ttl 0 (disabled)", 0, 1_000_000, 1, false],
  ])("serves an entry %s", (_name, ttlMs, expiresAtMs, atMs, served) => {
    const cache = new SessionCache();
    cache.put("t", session("A"), 0, ttlMs, expiresAtMs);
    expect(cache.get("t", atMs)).toEqual(served ? session("A") : null);
  });

  it("knows only tokens it was given", () => {
    const cache = new SessionCache();
    cache.put("t1", session("A"), 0, 10_000, 1_000_000);
    expect(cache.get("t2", 1)).toBeNull();
  });

  it("drops the oldest entry when full", () => {
    const cache = new SessionCache();
    for (let i = 0; i <= SESSION_CACHE_MAX_ENTRIES; i++) cache.put(`t${i}`, session(`D${i}`), 0, 10_000, 1_000_000);
    expect(cache.get("t0", 1)).toBeNull();
    expect(cache.get("t1", 1)).toEqual(session("D1"));
    expect(cache.get(`t${SESSION_CACHE_MAX_ENTRIES}`, 1)).toEqual(session(`D${SESSION_CACHE_MAX_ENTRIES}`));
  });
});

describe("forgetting", () => {
  it("forget drops one token; forgetCustomer drops every entry of one customer and no other", () => {
    const cache = new SessionCache();
    cache.put("a1", session("A"), 0, 10_000, 1_000_000);
    cache.put("a2", session("A"), 0, 10_000, 1_000_000);
    cache.put("b1", session("B"), 0, 10_000, 1_000_000);
    cache.forget("a1");
    expect(cache.get("a1", 1)).toBeNull();
    expect(cache.forgetCustomer("A")).toBe(1);
    expect([cache.get("a2", 1), cache.get("b1", 1)]).toEqual([null, session("B")]);
  });
});

/**
 * The cache in the Worker (SPEC §11): only Verify may use it; everything else
 * asks the AccountDO. A session ended by another isolate's admin change (here:
 * the object's setProfile called directly, which this isolate's cache never
 * hears of) may pass Verify until the entry's ttl; the isolate that serves
 * the admin PUT forgets the customer's entries at once.
 */
describe("through the Worker, with the cache on", async () => {
  const { env } = await import("cloudflare:workers");
  const { createExecutionContext } = await import("cloudflare:test");
  const { testClock } = await import("../../src/clock");
  const { encryptPayPassword } = await import("../../src/crypto/paypassword");
  const worker = (await import("../../src/index")).default;
  const { aCustomer, loginAs, ADMIN_TOKEN } = await import("../helpers/api");
  const { accountOf } = await import("../helpers/durable");

  const TTL_SECONDS = 30;

  /** The Worker's own fetch (this module instance, so this isolate's cache) with the cache on. */
  async function call(path: string, token: string, body: unknown, cacheSeconds = String(TTL_SECONDS)): Promise<number> {
    const request = new Request(`https://eticket.test${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const incoming = request as unknown as Request<unknown, IncomingRequestCfProperties>;
    return (await worker.fetch(incoming, { ...env, SESSION_CACHE_SECONDS: cacheSeconds }, createExecutionContext())).status;
  }

  const orderBody = { orderdetails: [{ productid: "NOSUCHPRODUCT", amount: 1 }], mobile: "13800138000", effectdate: "20991231" };
  const verify = (token: string, cacheSeconds?: string) => call("/api/SpecialOta/DouYin/CalendarTicket/Order/Verify", token, orderBody, cacheSeconds);

  /** What another isolate's PUT /admin/customers/{dwid} {suspended: true} does to the object. */
  async function suspendElsewhere(c: { dwid: string; dwlx: string }) {
    expect(await accountOf(c.dwid).setProfile({ dwid: c.dwid, dwlx: c.dwlx, suspended: true })).toMatchObject({ ok: true, sessionsEnded: 1 });
  }

  it("Verify serves a session it authenticated from the cache until the ttl; every other endpoint asks the object at once", async () => {
    const c = await aCustomer({ depositYuan: 10 });
    const s = await loginAs(c);
    expect(await verify(s.token)).toBe(200);
    await suspendElsewhere(c);
    // The trade-off: Verify, which changes nothing and shows nothing of the customer's, still passes here…
    expect(await verify(s.token)).toBe(200);
    // …while every endpoint that acts or shows the customer's own data is refused at once.
    const paypassword = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const others: [string, unknown][] = [
      ["/api/WebInterface/Order/Add", { ...orderBody, senderid: "S1" }],
      ["/api/WebInterface/Order/Query", { orderid: "NOSUCH" }],
      ["/api/WebInterface/Pos/Sell/Bill/Add", { DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: "R1", Amount: 1 }] }],
      ["/api/Order/YearCard/AddOrder", { productid: "Y1", amount: 1, mobile: "13800138000", effectdate: "20991231", BuyInsurance: "0" }],
      ["/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: "NOSUCH", paypassword }],
      ["/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: c.dwid, DWSX: c.dwlx, BillNum: "B1" }],
      ["/api/WebInterface/Order/Resend", { orderid: "NOSUCH" }],
    ];
    for (const [path, body] of others) expect(await call(path, s.token, body), path).toBe(401);
    // With the cache off, Verify asks too; and once the ttl has passed, so does the cached one.
    expect(await verify(s.token, "0")).toBe(401);
  });

  it("Product/Calendar, which shows only the catalogue and stock, is served from the cache like Verify", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    const calendar = (cacheSeconds?: string) =>
      call("/api/WebInterface/Product/Calendar", s.token, { productid: "NOSUCHPRODUCT", begindate: "20991201", enddate: "20991207" }, cacheSeconds);
    expect(await calendar()).toBe(200);
    await suspendElsewhere(c);
    expect(await calendar()).toBe(200);
    expect(await calendar("0")).toBe(401);
  });

  it("an entry lives at most the ttl", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    expect(await verify(s.token)).toBe(200);
    await suspendElsewhere(c);
    testClock.advance(TTL_SECONDS * 1000 - 1_000);
    expect(await verify(s.token)).toBe(200);
    testClock.advance(1_000);
    expect(await verify(s.token)).toBe(401);
  });

  it("a token the object refused is never served from the cache again", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    expect(await verify(s.token)).toBe(200);
    await suspendElsewhere(c);
    expect(await call("/api/WebInterface/Order/Query", s.token, { orderid: "NOSUCH" })).toBe(401);
    expect(await verify(s.token)).toBe(401);
  });

  it("the isolate that serves the admin change forgets that customer's entries at once, and only that customer's", async () => {
    const changed = await aCustomer();
    const untouched = await aCustomer();
    const [s1, s2] = [await loginAs(changed), await loginAs(untouched)];
    expect([await verify(s1.token), await verify(s2.token)]).toEqual([200, 200]);
    const put = new Request(`https://eticket.test/admin/customers/${changed.dwid}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ dwlx: changed.dwlx, name: "改了密码的客户", loginPassword: "a-new-one" }),
    });
    const answer = await worker.fetch(put as unknown as Request<unknown, IncomingRequestCfProperties>, { ...env, SESSION_CACHE_SECONDS: String(TTL_SECONDS) }, createExecutionContext());
    expect(answer.status).toBe(200);
    expect(await verify(s1.token)).toBe(401);
    // The other customer's entry is still served: its session, ended behind this isolate's back, still passes Verify.
    await suspendElsewhere(untouched);
    expect(await verify(s2.token)).toBe(200);
  });
});
