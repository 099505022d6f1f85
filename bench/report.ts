/**
 * The bench's report: a section in results.md (newest first, under the
 * `<!-- runs -->` marker) and results.json (one object per scenario), in
 * BENCH_RESULTS_DIR (default bench/; point it elsewhere for trial runs).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { costOf, PRICES_AS_OF, PRICES_USD_PER_MILLION, sumPerOp } from "./cost.ts";
import type { Counted, PerOp } from "./counting.ts";
import type { GrowthReport } from "./growth.ts";
import { CONNECTIONS } from "./load.ts";

export interface TimedResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  ratio: number;
  ratiosPerRound: number[];
  trivialP99Ms: number;
}

export interface ScenarioResult {
  name: string;
  kind: "trivial" | "scenario" | "floor";
  /** The floor a scenario is set against (bench/floor). */
  floor: string | null;
  timed: TimedResult | null;
  ratioToFloor: number | null;
  counted: PerOp | null;
}

const DIR = process.env.BENCH_RESULTS_DIR ?? "bench";
const f = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "—" : x.toFixed(digits));

export function report(input: { scenarios: ScenarioResult[]; counted: Map<string, Counted>; growth: GrowthReport | null; durationS: number; rounds: number; countOps: number }): void {
  const sections = [timedTable(input.scenarios), countedTable(input.scenarios, input.countOps), costTable(input.counted), growthTable(input.growth)].filter((s) => s !== "");
  const body = sections.join("\n\n");
  console.log(`\n${body}\n`);
  const wranglerVersion = spawnSync("npx", ["wrangler", "--version"], { encoding: "utf8" }).stdout.trim().split("\n").pop();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const section = [
    `## Run of ${new Date().toISOString()}`,
    "",
    `- machine: ${machine}`,
    `- node ${process.version}, wrangler ${wranglerVersion}, wrk 4.1 (-t1 -c${CONNECTIONS} -d${input.durationS}s --timeout 10s), ${input.rounds} rounds; counts over ${input.countOps} requests per scenario, one at a time`,
    `- command: \`${commandLine()}\``,
    "",
    body,
    "",
  ].join("\n");
  const mdFile = `${DIR}/results.md`;
  const md = readFileSync(mdFile, { encoding: "utf8", flag: "a+" });
  const marker = "<!-- runs -->";
  writeFileSync(mdFile, md.includes(marker) ? md.replace(marker, `${marker}\n\n${section}`) : `${md}\n${marker}\n\n${section}`);
  writeFileSync(`${DIR}/results.json`, JSON.stringify(jsonRows(input.scenarios, input.growth), null, 2) + "\n");
}

function commandLine(): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_") && k !== "BENCH_REQUESTS")
    .map(([k, v]) => `${k}=${v}`);
  return [...vars, "npm run bench"].join(" ");
}

function timedTable(scenarios: ScenarioResult[]): string {
  const rows = scenarios.filter((s) => s.timed);
  if (rows.length === 0) return "";
  const header = "| scenario | req/s | p50 ms | p99 ms | errors | ratio to trivial (median) | ratio to its floor | ratios per round | p99 / trivial p99 |";
  const lines = rows.map((s) => {
    const t = s.timed!;
    const floor = s.kind === "scenario" ? `${f(s.ratioToFloor)} (${s.floor})` : s.kind === "floor" ? "(a floor)" : "";
    return `| ${s.name} | ${t.rps.toFixed(0)} | ${t.p50Ms.toFixed(1)} | ${t.p99Ms.toFixed(1)} | ${t.errors} | ${t.ratio.toFixed(2)} | ${floor} | ${t.ratiosPerRound.join(", ")} | ${(t.p99Ms / t.trivialP99Ms).toFixed(2)} |`;
  });
  return ["### Timed", "", "Floor rows are ratios to the floor Worker's own trivial endpoint.", "", header, "|---|---:|---:|---:|---:|---:|---|---|---:|", ...lines].join("\n");
}

function countedTable(scenarios: ScenarioResult[], ops: number): string {
  const rows = scenarios.filter((s) => s.counted);
  if (rows.length === 0) return "";
  const header = "| scenario | Worker invocations | D1 queries | D1 round trips | D1 rows read | D1 rows written | DO requests | DO rows read | DO rows written | queue messages |";
  const lines = rows.map((s) => {
    const c = s.counted!;
    return `| ${s.name} | ${f(c.workerInvocations)} | ${f(c.d1Queries)} | ${f(c.d1RoundTrips)} | ${f(c.d1RowsRead)} | ${f(c.d1RowsWritten)} | ${f(c.doRequests)} | ${f(c.doRowsRead)} | ${f(c.doRowsWritten)} | ${f(c.queueSent)} |`;
  });
  return [`### Counted per request (${ops} requests per scenario, one at a time, background work included)`, "", header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|", ...lines].join("\n");
}

function costTable(counted: Map<string, Counted>): string {
  const add = counted.get("order add")?.perOp;
  const pay = counted.get("pay by password, 100 customers")?.perOp;
  if (!add || !pay) return "";
  const { lines, totalUsd } = costOf(sumPerOp(add, pay), 1_000);
  const rows = Object.entries(lines).map(([k, l]) => `| ${k} | ${l.units.toLocaleString("en-US")} | $${PRICES_USD_PER_MILLION[k as keyof typeof PRICES_USD_PER_MILLION]} / million | $${l.usd.toFixed(6)} |`);
  return [
    `### 1,000 paid orders at list prices (an order add + its pay over 100 customers; prices of ${PRICES_AS_OF}, bench/cost.ts)`,
    "",
    "| unit | count | price | cost |",
    "|---|---:|---:|---:|",
    ...rows,
    `| **total** | | | **$${totalUsd.toFixed(6)}** |`,
  ].join("\n");
}

function growthTable(growth: GrowthReport | null): string {
  if (!growth) return "";
  const header = "| op | p50 ms small | p50 ms large | growth (large ÷ small) | rows read small | rows read large | within 1.5 × |";
  const lines = growth.rows.map((r) => `| ${r.op} | ${f(r.p50MsSmall)} | ${f(r.p50MsLarge)} | ${f(r.growth)} | ${f(r.rowsReadSmall)} | ${f(r.rowsReadLarge)} | ${r.withinBound ? "yes" : "**no**"} |`);
  return [`### Growth (${growth.sizes})`, "", header, "|---|---:|---:|---:|---:|---:|---|", ...lines, "", ...growth.notes.map((n) => `- ${n}`)].join("\n");
}

function jsonRows(scenarios: ScenarioResult[], growth: GrowthReport | null): unknown[] {
  const rows: unknown[] = scenarios.map((s) => ({
    name: s.name,
    rps: s.timed?.rps ?? null,
    p50Ms: s.timed?.p50Ms ?? null,
    p99Ms: s.timed?.p99Ms ?? null,
    errors: s.timed?.errors ?? null,
    ratio: s.timed?.ratio ?? null,
    ratioToFloor: s.ratioToFloor,
    floor: s.floor,
    d1RowsReadPerOp: s.counted?.d1RowsRead ?? null,
    d1RowsWrittenPerOp: s.counted?.d1RowsWritten ?? null,
    doRequestsPerOp: s.counted?.doRequests ?? null,
    doRowsWrittenPerOp: s.counted?.doRowsWritten ?? null,
    doRowsReadPerOp: s.counted?.doRowsRead ?? null,
    d1QueriesPerOp: s.counted?.d1Queries ?? null,
    queueMessagesPerOp: s.counted?.queueSent ?? null,
    workerInvocationsPerOp: s.counted?.workerInvocations ?? null,
    ratiosPerRound: s.timed?.ratiosPerRound ?? null,
  }));
  for (const r of growth?.rows ?? []) {
    rows.push({ name: `growth: ${r.op}`, growth: r.growth, rowsReadLarge: r.rowsReadLarge, rowsReadSmall: r.rowsReadSmall, p50MsSmall: r.p50MsSmall, p50MsLarge: r.p50MsLarge, withinBound: r.withinBound });
  }
  return rows;
}
