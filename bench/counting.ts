/**
 * The counting pass (issue 19): each scenario's requests sent one at a time
 * to a server with BENCH_COUNTERS=on (src/counters.ts), the counters reset
 * before and read after its background work settled (follow-ups, the queue
 * consumer, the AccountDO's ledger copy 2 s later), divided by the requests
 * that succeeded. Counting, not timing: the numbers are the same on a quiet
 * machine and a busy one (up to the isolate caches' time windows: a 5 s
 * catalogue cache, a 1 s stock view, which a slower run refreshes more often).
 * One request at a time shows each request's own cost: under load, group
 * commit and the follow-up gathering share some of it between requests.
 */
import { writeFileSync } from "node:fs";
import type { CountersSnapshot } from "../src/counters.ts";
import type { Client } from "./client.ts";
import { sleep, type Line } from "./load.ts";

/** Background work of a request (follow-ups, queue consumer, the ledger copy alarm at +2 s) is over by then. */
export const SETTLE_MS = 3_500;

export interface PerOp {
  workerInvocations: number;
  d1Queries: number;
  d1RoundTrips: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  doRequests: number;
  doRowsRead: number;
  doRowsWritten: number;
  queueSent: number;
  queueDelivered: number;
}

export interface Counted {
  name: string;
  ops: number;
  failed: number;
  perOp: PerOp;
  snapshot: CountersSnapshot;
}

export async function resetCounters(c: Client): Promise<void> {
  await c.call("POST", "/__bench/counters/reset", {});
}

export async function readCounters(c: Client): Promise<CountersSnapshot> {
  return c.call("GET", "/__bench/counters");
}

/**
 * `warmUp` lines are sent first and not counted (what a steady stream has
 * already paid for: a session in the isolate's cache); then `lines`, one at a time.
 */
export async function countLines(c: Client, name: string, lines: readonly Line[], warmUp: readonly Line[] = []): Promise<Counted> {
  for (const line of warmUp) await c.send(line);
  await sleep(SETTLE_MS);
  await resetCounters(c);
  let failed = 0;
  for (const line of lines) if (!(await c.send(line)).ok) failed += 1;
  await sleep(SETTLE_MS);
  const snapshot = await readCounters(c);
  const ops = lines.length - failed;
  return { name, ops, failed, perOp: perOpOf(snapshot, ops), snapshot };
}

export function perOpOf(snapshot: CountersSnapshot, ops: number): PerOp {
  const t = (key: string) => (snapshot.totals[key] ?? 0) / Math.max(ops, 1);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    workerInvocations: r(t("worker.requests") + t("worker.queueBatches") + t("worker.crons")),
    d1Queries: r(t("d1.queries")),
    d1RoundTrips: r(t("d1.roundTrips")),
    d1RowsRead: r(t("d1.rowsRead")),
    d1RowsWritten: r(t("d1.rowsWritten")),
    doRequests: r(t("do.requests")),
    doRowsRead: r(t("do.rowsRead")),
    doRowsWritten: r(t("do.rowsWritten")),
    queueSent: r(t("queue.sent")),
    queueDelivered: r(t("queue.delivered")),
  };
}

/** Every statement's runs and rows per op, most rows first: where a scenario's rows go (bench/tmp/counts-*.json). */
export function writeStatementProfile(dir: string, counted: Counted): string {
  const file = `${dir}/counts-${counted.name.replace(/\W+/g, "-")}.json`;
  const per = (x: number) => Math.round((x / Math.max(counted.ops, 1)) * 100) / 100;
  const rows = Object.entries(counted.snapshot.statements)
    .map(([statement, s]) => ({ statement, runsPerOp: per(s.runs), rowsReadPerOp: per(s.rowsRead), rowsWrittenPerOp: per(s.rowsWritten) }))
    .sort((a, b) => b.rowsReadPerOp + b.rowsWrittenPerOp - (a.rowsReadPerOp + a.rowsWrittenPerOp) || b.runsPerOp - a.runsPerOp);
  writeFileSync(file, JSON.stringify({ name: counted.name, ops: counted.ops, perOp: counted.perOp, totals: counted.snapshot.totals, statements: rows }, null, 2) + "\n");
  return file;
}
