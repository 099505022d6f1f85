/**
 * The isolate's read caches (catalogue: src/db/catalogue-cache.ts; Verify's
 * and Product/Calendar's stock views: src/durable/inventory-client.ts), through the
 * Worker's own fetch with the real bindings and the cache switched on (the
 * test configuration keeps it off for every other test).
 */
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { testClock } from "../../src/clock";
import worker from "../../src/index";
import { aCustomer, loginAs } from "../helpers/api";
import { LATER, VERIFY, aProduct, anOrderBody } from "../helpers/catalogue";

async function verify(token: string, productId: string, cacheSeconds: string): Promise<number> {
  const request = new Request(`https://eticket.test${VERIFY}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(anOrderBody([{ productid: productId, amount: 1 }])),
  }) as unknown as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, { ...env, CATALOGUE_CACHE_SECONDS: cacheSeconds }, createExecutionContext());
  return ((await response.json()) as { errcode: number }).errcode;
}

it("serves the catalogue from the isolate within its ttl, and forgets a product the operator changes here", async () => {
  const s = await loginAs(await aCustomer());
  const product = await aProduct({}, { date: LATER() });
  expect(await verify(s.token, product, "30")).toBe(0);

  // A change made elsewhere (another isolate, straight into D1): this isolate keeps its copy for the ttl…
  await env.DB.prepare("UPDATE products SET on_sale = 0 WHERE product_id = ?").bind(product).run();
  expect(await verify(s.token, product, "30")).toBe(0);
  // …while a read without the cache sees it at once.
  expect(await verify(s.token, product, "0")).toBe(4202);

  // The operator's change through this isolate's admin API drops the entry immediately.
  await env.DB.prepare("UPDATE products SET on_sale = 1 WHERE product_id = ?").bind(product).run();
  expect(await verify(s.token, product, "30")).toBe(0);
  const put = await worker.fetch(
    new Request(`https://eticket.test/admin/products/${product}`, {
      method: "PUT",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "停售", kind: "ticket", price: 100, onSale: false }),
    }) as unknown as Request<unknown, IncomingRequestCfProperties>,
    env,
    createExecutionContext(),
  );
  expect(put.status).toBe(200);
  expect(await verify(s.token, product, "30")).toBe(4202);
});

it("Verify may accept from a stock view at most VERIFY_STOCK_VIEW_MS old; a refusal always comes from the object", async () => {
  const s = await loginAs(await aCustomer());
  const product = await aProduct({}, { date: LATER(), stock: 5 });
  async function verifyAmount(amount: number, viewMs: string): Promise<number> {
    const request = new Request(`https://eticket.test${VERIFY}`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify(anOrderBody([{ productid: product, amount }])),
    }) as unknown as Request<unknown, IncomingRequestCfProperties>;
    const response = await worker.fetch(request, { ...env, VERIFY_STOCK_VIEW_MS: viewMs }, createExecutionContext());
    return ((await response.json()) as { errcode: number }).errcode;
  }
  expect(await verifyAmount(5, "300")).toBe(0); // the view is read: 0 of 5 used
  const added = await exports.default.fetch(
    new Request(`https://eticket.test/api/WebInterface/Order/Add`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify(anOrderBody([{ productid: product, amount: 3 }])),
    }),
  );
  expect(((await added.json()) as { resultcode: number }).resultcode).toBe(0);
  expect(await verifyAmount(5, "300")).toBe(0); // accepted from the view, within its age (the race any verify has with the next add)
  expect(await verifyAmount(5, "0")).toBe(4301); // the object knows 3 are held
  expect(await verifyAmount(6, "300")).toBe(4301); // a refusal is never taken from the view
  await new Promise((r) => setTimeout(r, 350));
  expect(await verifyAmount(5, "300")).toBe(4301); // a fresh view: 3 held
  expect(await verifyAmount(2, "300")).toBe(0);
});

it("Product/Calendar: its D1 rows within CATALOGUE_CACHE_SECONDS, its stock views within CALENDAR_STOCK_VIEW_MS; this isolate's operator change is seen at once", async () => {
  const s = await loginAs(await aCustomer());
  const date = LATER();
  const product = await aProduct({ price: 100 }, { date, stock: 5 });
  async function calendar(cacheSeconds: string, viewMs: string): Promise<{ price: number; available: number } | undefined> {
    const request = new Request("https://eticket.test/api/WebInterface/Product/Calendar", {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify({ productid: product, begindate: date, enddate: date }),
    }) as unknown as Request<unknown, IncomingRequestCfProperties>;
    const response = await worker.fetch(request, { ...env, CATALOGUE_CACHE_SECONDS: cacheSeconds, CALENDAR_STOCK_VIEW_MS: viewMs }, createExecutionContext());
    const body = (await response.json()) as { errcode: number; tag: { days: { price: number; available: number }[] } };
    expect(body.errcode).toBe(0);
    return body.tag.days[0];
  }
  expect(await calendar("30", "10000")).toMatchObject({ price: 100, available: 5 });

  // A price changed elsewhere (straight into D1) and a hold placed: both show only once their caches age out.
  await env.DB.prepare("UPDATE product_days SET price_fen = 8000 WHERE product_id = ? AND day = ?").bind(product, date).run();
  const added = await exports.default.fetch(
    new Request("https://eticket.test/api/WebInterface/Order/Add", {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify(anOrderBody([{ productid: product, amount: 3 }])),
    }),
  );
  expect(((await added.json()) as { resultcode: number }).resultcode).toBe(0);
  expect(await calendar("30", "10000")).toMatchObject({ price: 100, available: 5 });
  expect(await calendar("0", "0")).toMatchObject({ price: 80, available: 2 });
  testClock.advance(10_000);
  // The view aged out (10 s), the rows not yet (30 s): a fresh view, the cached price.
  expect(await calendar("30", "10000")).toMatchObject({ price: 100, available: 2 });
  testClock.advance(20_000);
  expect(await calendar("30", "10000")).toMatchObject({ price: 80, available: 2 });

  // The operator's change through this isolate's admin API drops the cached range immediately.
  const put = await worker.fetch(
    new Request(`https://eticket.test/admin/products/${product}/calendar/${date}`, {
      method: "PUT",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ stock: 5, price: 70 }),
    }) as unknown as Request<unknown, IncomingRequestCfProperties>,
    env,
    createExecutionContext(),
  );
  expect(put.status).toBe(200);
  expect(await calendar("30", "10000")).toMatchObject({ price: 70 });
});
