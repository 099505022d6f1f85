/**
 * The operators' console and the gate screen are static assets
 * (wrangler.toml [assets], issues 11 and 16): /console, /gate and every
 * module they load exist, and no asset sits at a path the
 * Worker answers — a request that misses the assets falls through to the
 * Worker, so the legacy partner paths in any case, /health and the help
 * pages keep reaching it. (test/node/console.test.ts checks the same through
 * `wrangler dev`, with run_worker_first, in a real browser.)
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "https://eticket.test";
/** The [assets] binding; not part of the Worker's own Env, which never uses it. */
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;

describe("the console's assets", () => {
  it("serve /console in Chinese, and every module it imports", async () => {
    const page = await assets.fetch(`${BASE}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/console/console.css">');
    expect((await assets.fetch(`${BASE}/console/console.css`)).status).toBe(200);

    // Walk the module graph from app.js: a missing or misnamed file fails here, not in an operator's browser.
    const seen = new Set<string>();
    const queue = ["app.js"];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const module = await assets.fetch(`${BASE}/console/${name}`);
      expect(module.status, name).toBe(200);
      expect(module.headers.get("content-type"), name).toMatch(/javascript/);
      for (const [, imported] of (await module.text()).matchAll(/from "\.\/([\w-]+\.js)"/g)) queue.push(imported!);
    }
    expect([...seen]).toEqual(expect.arrayContaining([
      "api.js", "format.js", "forms.js", "customers.js", "account.js", "products.js", "calendar.js", "orders.js", "bills.js", "notifications.js",
      "order-refund.js", "refunds.js", "checkins.js", "tickets.js", "gates.js", "dashboard.js", "charts.js", "calendar-bulk.js", "slot-editor.js",
    ]));
  });

  it("serve the gate screen at /gate, and every module it imports (its own and the console's helpers)", async () => {
    const page = await assets.fetch(`${BASE}/gate`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<script type="module" src="/gate/gate.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/gate/gate.css">');
    expect((await assets.fetch(`${BASE}/gate/gate.css`)).status).toBe(200);

    const seen = new Set<string>();
    const queue = ["/gate/gate.js"];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const module = await assets.fetch(`${BASE}${path}`);
      expect(module.status, path).toBe(200);
      expect(module.headers.get("content-type"), path).toMatch(/javascript/);
      for (const [, imported] of (await module.text()).matchAll(/from "(\.\.?\/[\w/-]+\.js)"/g)) queue.push(new URL(imported!, `${BASE}${path}`).pathname);
    }
    expect([...seen].sort()).toEqual(["/console/dom.js", "/console/format.js", "/gate/check.js", "/gate/gate.js", "/gate/idcard.js"]);
  });

  it("hold nothing at the Worker's paths, which therefore reach the Worker", async () => {
    const workerPaths = [
      "/api/WebInterface/Session/Login",
      "/API/WEBINTERFACE/SESSION/LOGIN",
      "/Source/UseAccountToPayByPwd.aspx",
      "/source/useaccounttopaybypwd.aspx",
      "/admin/customers",
      "/health",
      "/Help",
      "/openapi.json",
      "/docs",
    ];
    for (const path of workerPaths) expect((await assets.fetch(`${BASE}${path}`)).status, path).toBe(404);

    const health = await exports.default.fetch(new Request(`${BASE}/health`));
    expect(await health.json()).toEqual({ ok: true });
    const login = await exports.default.fetch(
      new Request(`${BASE}/API/WebInterface/Session/Login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    expect((await login.json()) as object).toMatchObject({ errcode: 1101 });
  });
});
