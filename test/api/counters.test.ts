/**
 * The bench's counters (src/counters.ts, issue 19): off by default — the
 * bindings handed to our code are the very objects the runtime gave, and
 * the bench route does not exist — and, switched on, they count what a
 * request really did: its D1 queries with the rows D1 says it read and
 * wrote, its Durable Object calls, an object's SQL rows.
 */
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { countersSnapshot, meteredEnv, meteredInvocation, meteredSql, meteredStorage, resetCounters } from "../../src/counters";
import worker from "../../src/index";
import { ADMIN_TOKEN, aCustomer, fetchWorker } from "../helpers/api";
import { inventoryStub } from "../helpers/catalogue";

const ON = { ...env, BENCH_COUNTERS: "on" };

async function workerFetch(path: string, init: RequestInit, withEnv: typeof env): Promise<Response> {
  const request = new Request(`https://eticket.test${path}`, init) as unknown as Request<unknown, IncomingRequestCfProperties>;
  return worker.fetch(request, withEnv, createExecutionContext());
}

it("is off unless BENCH_COUNTERS is on: the same binding objects, no wrapper, no bench route", async () => {
  expect(env.BENCH_COUNTERS).toBeUndefined();
  expect(meteredInvocation(env, "worker.requests")).toBe(env);
  expect(meteredEnv(env)).toBe(env);
  const { sql, storage } = await runInDurableObject(inventoryStub("P-COUNTERS-OFF", "20991231"), (_instance, state) => ({
    sql: meteredSql(state.storage.sql, env, "InventoryDO") === state.storage.sql,
    storage: meteredStorage(state.storage, env, "InventoryDO") === state.storage,
  }));
  expect(sql).toBe(true);
  expect(storage).toBe(true);
  expect((await fetchWorker("/__bench/counters")).status).toBe(404);
  expect((await fetchWorker("/__bench/counters/reset", { method: "POST" })).status).toBe(404);
});

it("the bench's bulk loading is off unless BENCH_PRELOAD is on: no route, and the objects refuse it", async () => {
  expect(env.BENCH_PRELOAD).toBeUndefined();
  expect((await fetchWorker("/__bench/sizes?dwid=x")).status).toBe(404);
  expect((await fetchWorker("/__bench/preload/account", { method: "POST", body: "{}" })).status).toBe(404);
  const account = env.ACCOUNT.get(env.ACCOUNT.idFromName("bench-preload-off"));
  await expect(account.benchPreload({ debits: 10, orders: { start: 0, step: 1 }, firstAtMs: 0 })).rejects.toThrow(/bench preload is off/);
  await expect(account.benchRetire()).rejects.toThrow(/bench preload is off/);
  await expect(inventoryStub("P-PRELOAD-OFF", "20991231").benchSizes()).rejects.toThrow(/bench preload is off/);
  expect(await account.account()).toMatchObject({ balanceFen: 0 });
});

it("counts a request's D1 queries with the rows D1 reports, and its Durable Object calls", async () => {
  const customer = await aCustomer({ depositYuan: 10 });
  const reset = await workerFetch("/__bench/counters/reset", { method: "POST" }, ON);
  expect(reset.status).toBe(200);

  const account = await workerFetch(`/admin/customers/${customer.dwid}/account`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, ON);
  expect(account.status).toBe(200);
  const list = await workerFetch(`/admin/customers/${customer.dwid}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, ON);
  expect(list.status).toBe(200);

  const snapshot = (await (await workerFetch("/__bench/counters", {}, ON)).json()) as ReturnType<typeof countersSnapshot>;
  expect(snapshot.totals["worker.requests"]).toBe(2);
  // The account's balance is the AccountDO's: one call.
  expect(snapshot.totals["do.AccountDO.requests"]).toBe(1);
  expect(snapshot.totals["do.requests"]).toBe(1);
  // The customer's row, read by its primary key: D1 says at least one row read, none written.
  expect(snapshot.totals["d1.queries"]).toBeGreaterThanOrEqual(1);
  expect(snapshot.totals["d1.rowsRead"]).toBeGreaterThanOrEqual(1);
  expect(snapshot.totals["d1.rowsWritten"] ?? 0).toBe(0);
  expect(Object.keys(snapshot.statements).some((s) => s.startsWith("d1: ") && s.includes("FROM customers"))).toBe(true);
});

it("counts D1 rows written from each result's meta, in a batch as in a single statement", async () => {
  resetCounters();
  const db = meteredEnv(ON).DB;
  const key = `counters-${Date.now()}`;
  await db.batch([
    db.prepare("INSERT INTO order_fences (order_id, fenced_at_ms) VALUES (?, 1)").bind(`${key}a`.slice(-20)),
    db.prepare("INSERT INTO order_fences (order_id, fenced_at_ms) VALUES (?, 1)").bind(`${key}b`.slice(-20)),
  ]);
  const first = await db.prepare("SELECT order_id FROM order_fences WHERE order_id = ?").bind(`${key}a`.slice(-20)).first<{ order_id: string }>();
  expect(first?.order_id).toBe(`${key}a`.slice(-20));
  const { totals } = countersSnapshot();
  expect(totals["d1.queries"]).toBe(3);
  expect(totals["d1.roundTrips"]).toBe(2);
  // Each insert writes its row and its primary key's index entry.
  expect(totals["d1.rowsWritten"]).toBe(4);
  expect(totals["d1.rowsRead"]).toBeGreaterThanOrEqual(1);
});

it("counts an object's SQL rows read and written once the synchronous section is over", async () => {
  resetCounters();
  await runInDurableObject(inventoryStub("P-COUNTERS-ON", "20991231"), async (_instance, state) => {
    state.storage.sql.exec("CREATE TABLE IF NOT EXISTS counters_probe (n INTEGER PRIMARY KEY)");
    const sql = meteredSql(state.storage.sql, ON, "InventoryDO");
    for (let n = 1; n <= 5; n++) sql.exec("INSERT INTO counters_probe (n) VALUES (?)", n);
    expect(sql.exec<{ n: number }>("SELECT n FROM counters_probe").toArray()).toHaveLength(5);
    await Promise.resolve();
  });
  const { totals, statements } = countersSnapshot();
  expect(totals["do.InventoryDO.rowsWritten"]).toBe(5);
  expect(totals["do.InventoryDO.rowsRead"]).toBeGreaterThanOrEqual(5);
  expect(statements["do.InventoryDO: INSERT INTO counters_probe (n) VALUES (?)"]).toMatchObject({ runs: 5, rowsWritten: 5 });
});
