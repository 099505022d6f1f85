/**
 * What 1,000 paid orders cost at Cloudflare's list prices (Workers Paid,
 * usage beyond the included allowances), from the counted units of an order
 * add and its payment (counting.ts). Prices as published in Cloudflare's
 * documentation (cloudflare/cloudflare-docs, read 2026-12-02):
 *   Workers requests      $0.30 / million  (Workflows pricing page: "identical to Workers Standard")
 *   Durable Objects reqs  $0.15 / million  (partials/workers/durable_objects_pricing.mdx; RPC calls and alarms)
 *   DO SQL rows read      $0.001 / million, rows written $1.00 / million (partials/workers/storage_api_pricing.mdx)
 *   D1 rows read          $0.001 / million, rows written $1.00 / million (partials/workers/d1-pricing.mdx)
 *   Queues                $0.40 / million operations; a delivered message is 3 (write, read, delete) (partials/workers/queues_pricing.mdx)
 * Not counted here: CPU time (Workers, $0.02 / million CPU ms), Durable
 * Object duration (wall-clock GB-s), storage per GB-month.
 */
import type { PerOp } from "./counting.ts";

export const PRICES_USD_PER_MILLION = {
  workerRequests: 0.3,
  doRequests: 0.15,
  doRowsRead: 0.001,
  doRowsWritten: 1.0,
  d1RowsRead: 0.001,
  d1RowsWritten: 1.0,
  queueOperations: 0.4,
} as const;

export const PRICES_AS_OF = "2026-12-02";

export type CostLines = Record<keyof typeof PRICES_USD_PER_MILLION, { units: number; usd: number }>;

/** The cost of `orders` paid orders, each one `perOrder` (an add plus its pay). */
export function costOf(perOrder: PerOp, orders: number): { lines: CostLines; totalUsd: number } {
  const units: Record<keyof typeof PRICES_USD_PER_MILLION, number> = {
    workerRequests: perOrder.workerInvocations * orders,
    doRequests: perOrder.doRequests * orders,
    doRowsRead: perOrder.doRowsRead * orders,
    doRowsWritten: perOrder.doRowsWritten * orders,
    d1RowsRead: perOrder.d1RowsRead * orders,
    d1RowsWritten: perOrder.d1RowsWritten * orders,
    queueOperations: perOrder.queueSent * 3 * orders,
  };
  const lines = Object.fromEntries(
    Object.entries(units).map(([k, n]) => [k, { units: Math.round(n), usd: (n / 1e6) * PRICES_USD_PER_MILLION[k as keyof typeof PRICES_USD_PER_MILLION] }]),
  ) as CostLines;
  return { lines, totalUsd: Object.values(lines).reduce((sum, l) => sum + l.usd, 0) };
}

export function sumPerOp(a: PerOp, b: PerOp): PerOp {
  return Object.fromEntries(Object.keys(a).map((k) => [k, Math.round((a[k as keyof PerOp] + b[k as keyof PerOp]) * 100) / 100])) as unknown as PerOp;
}
