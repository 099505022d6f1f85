/**
 * Bench-only routes (issue 19), absent unless their variable is "on" (only
 * `npm run bench` sets them; without them these paths answer 404 like any
 * unknown path, and the URL is not even parsed):
 *  - BENCH_COUNTERS: GET /__bench/counters (counters.ts snapshot),
 *    POST /__bench/counters/reset;
 *  - BENCH_PRELOAD (the growth scenario, durable/bench-preload.ts):
 *    POST /__bench/preload/account {dwid, …AccountPreload},
 *    POST /__bench/preload/inventory {productId, day, …InventoryPreload},
 *    GET /__bench/sizes?dwid&productId&day (the objects' and D1's row counts),
 *    POST /__bench/retire?dwid&productId&day (the objects' retention passes
 *    until no backlog is left, as their alarms would run them).
 * They change no business state but the bench's own bulk rows.
 */
import { countersOn, countersSnapshot, resetCounters } from "../counters";
import { preloadOn, type AccountPreload, type InventoryPreload } from "../durable/bench-preload";
import { inventoryOf } from "../durable/inventory-client";
import { withAccount } from "../durable/stubs";
import type { Env } from "../env";
import { json } from "./admin/http";

export const BENCH_PREFIX = "/__bench/";

/** Tables of D1 whose sizes the growth scenario reports. */
const D1_TABLES = ["orders", "order_items", "tickets", "payments", "outbox", "outbox_deliveries", "order_fences", "pos_bills", "refunds", "ledger_copy"];

/** The bench route's answer, or null when `request` is not one (nor are bench routes on: two comparisons). */
export function serveBench(request: Request, env: Env): Promise<Response> | null {
  const counters = countersOn(env);
  const preload = preloadOn(env);
  if (!counters && !preload) return null;
  const url = new URL(request.url);
  if (!url.pathname.startsWith(BENCH_PREFIX)) return null;
  const route = `${request.method} ${url.pathname}`;
  if (counters && route === "GET /__bench/counters") return Promise.resolve(json(countersSnapshot()));
  if (counters && route === "POST /__bench/counters/reset") {
    resetCounters();
    return Promise.resolve(json({ ok: true }));
  }
  if (!preload) return null;
  const q = (name: string) => url.searchParams.get(name);
  switch (route) {
    case "POST /__bench/preload/account":
      return request.json<AccountPreload & { dwid: string }>().then(async ({ dwid, ...p }) => json(await withAccount(env, dwid, (a) => a.benchPreload(p))));
    case "POST /__bench/preload/inventory":
      return request.json<InventoryPreload & { productId: string; day: string }>().then(async ({ productId, day, ...p }) => json(await inventoryOf(env, productId, day).benchPreload(p)));
    case "GET /__bench/sizes":
      return sizes(env, q("dwid"), q("productId"), q("day")).then(json);
    case "POST /__bench/retire":
      return retire(env, q("dwid"), q("productId"), q("day")).then(json);
  }
  return null;
}

async function sizes(env: Env, dwid: string | null, productId: string | null, day: string | null): Promise<unknown> {
  const counted = await env.DB.batch(D1_TABLES.map((t) => env.DB.prepare(`SELECT count(*) AS n FROM ${t}`)));
  return {
    d1: Object.fromEntries(D1_TABLES.map((t, i) => [t, (counted[i]!.results[0] as { n: number }).n])),
    account: dwid ? await withAccount(env, dwid, (a) => a.benchSizes()) : null,
    inventory: productId && day ? await inventoryOf(env, productId, day).benchSizes() : null,
  };
}

async function retire(env: Env, dwid: string | null, productId: string | null, day: string | null): Promise<unknown> {
  return {
    account: dwid ? await withAccount(env, dwid, (a) => a.benchRetire()) : null,
    inventory: productId && day ? await inventoryOf(env, productId, day).benchRetire() : null,
  };
}
