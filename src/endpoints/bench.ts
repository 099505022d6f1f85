/**
 * Bench-only routes (issue 19), absent unless their variable is "on" (only
 * `npm run bench` sets them; without it these paths answer 404 like any
 * unknown path):
 *  - BENCH_COUNTERS: GET /__bench/counters (counters.ts snapshot),
 *    POST /__bench/counters/reset.
 * They carry no partner or operator data and change no business state.
 */
import { countersOn, countersSnapshot, resetCounters } from "../counters";
import type { Env } from "../env";
import { json } from "./admin/http";

export const BENCH_PREFIX = "/__bench/";

/**
 * The bench route's answer, or null when `request` is not one. With the
 * bench variables off this is two comparisons: the URL is not even parsed.
 */
export function serveBench(request: Request, env: Env): Promise<Response> | null {
  if (!countersOn(env)) return null;
  const path = new URL(request.url).pathname;
  if (!path.startsWith(BENCH_PREFIX)) return null;
  if (request.method === "GET" && path === "/__bench/counters") return Promise.resolve(json(countersSnapshot()));
  if (request.method === "POST" && path === "/__bench/counters/reset") {
    resetCounters();
    return Promise.resolve(json({ ok: true }));
  }
  return null;
}
