import { describe, expect, it } from "vitest";
import { SESSION_CACHE_MAX_ENTRIES, SessionCache } from "../../src/endpoints/session-cache";

const session = (dwid: string) => ({ dwid, dwlx: "1", sessionKey: "k", tokenSha256: "h" });

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

describe("through the Worker, with the cache on", async () => {
  const { env } = await import("cloudflare:workers");
  const { createExecutionContext, runInDurableObject } = await import("cloudflare:test");
  const worker = (await import("../../src/index")).default;
  const { aCustomer, loginAs, upperMd5 } = await import("../helpers/api");

  async function query(token: string, cacheSeconds: string): Promise<Response> {
    const request = new Request("https://eticket.test/api/WebInterface/Order/Query", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ orderid: "NOSUCHORDER" }),
    });
    // The Worker's own fetch with the real bindings and one configuration value changed.
    const incoming = request as unknown as Request<unknown, IncomingRequestCfProperties>;
    return worker.fetch(incoming, { ...env, SESSION_CACHE_SECONDS: cacheSeconds }, createExecutionContext());
  }

  it("serves a session it authenticated without asking the object, and asks again after the ttl", async () => {
    const c = await aCustomer();
    expect(await upperMd5(c.loginPassword)).toMatch(/^[0-9A-F]{32}$/);
    const s = await loginAs(c);
    expect((await query(s.token, "1")).status).toBe(200);
    // Expire the session in the object's storage: the cached entry still answers within its ttl…
    await runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)), (_i, state) => {
      state.storage.sql.exec("UPDATE sessions SET last_seen_at_ms = 0");
    });
    expect((await query(s.token, "1")).status).toBe(200);
    // …and with the cache off, or once the ttl has passed, the object's answer (401) comes back.
    expect((await query(s.token, "0")).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await query(s.token, "1")).status).toBe(401);
  });
});
