/**
 * `npm run sim -- --seed N --ops K`: one seed of the reliability simulation
 * (test/sim/, docs/reliability.md) inside workerd, against the real Worker,
 * Durable Objects and local D1.
 *
 *   --seed N        the seed (default 1)
 *   --seeds A-B     many seeds in one run ("1-50", "3,5,8"); overrides --seed
 *   --ops K         operations per seed (default 300)
 *   --table         after the run, print the table docs/reliability.md shows
 *   --from LOG      no run: the table of the seeds earlier runs printed to LOG
 *                   (repeatable: runs split over processes or stopped midway)
 *
 * Runs `vitest run --project workers test/sim/sim.test.ts` with SIM_SEED /
 * SIM_SEEDS / SIM_OPS, which vitest.config.ts passes into the workerd
 * bindings. Exits with vitest's status: non-zero when any seed broke a rule
 * (its message names the seed, the step and the trace).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { SimSummary } from "../test/sim/simulation.ts";

function parseArgs(argv: string[]): { seeds: string; ops: string; table: boolean; from: string[] } {
  const from: string[] = [];
  let seed = "1";
  let seeds = "";
  let ops = "300";
  let table = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--seed") seed = value();
    else if (arg === "--seeds") seeds = value();
    else if (arg === "--ops") ops = value();
    else if (arg === "--table") table = true;
    else if (arg === "--from") from.push(value());
    else throw new Error(`unknown argument ${arg} (use --seed N, --seeds A-B, --ops K, --table)`);
  }
  if (!/^\d+$/.test(seed) || !/^\d+$/.test(ops) || (seeds && !/^[\d,\- ]+$/.test(seeds))) throw new Error("seeds and ops are whole numbers");
  return { seeds: seeds || seed, ops, table, from };
}

function seedCount(seeds: string): number {
  return seeds.split(",").reduce((n, part) => {
    const range = /^\s*(\d+)-(\d+)\s*$/.exec(part);
    return n + (range ? Number(range[2]) - Number(range[1]) + 1 : 1);
  }, 0);
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function table(summaries: readonly SimSummary[], requested: number, failed: number): string {
  const planned: Record<string, number> = {};
  const fired: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const codes: Record<string, number> = {};
  for (const s of summaries) {
    add(planned, s.faultsPlanned);
    add(fired, s.faultsFired);
    add(outcomes, s.outcomes);
    add(codes, s.codes);
  }
  // The gate's answers (SPEC §10): 0 admitted, 48xx refusals, 9003 (HTTP 503) not yet known.
  const scans = Object.entries(codes)
    .filter(([k]) => k.startsWith("check "))
    .map(([k, v]) => [Number(k.slice("check ".length)), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const sum = (f: (s: SimSummary) => number) => summaries.reduce((n, s) => n + f(s), 0);
  const lines = [
    "| | |",
    "|---|---:|",
    `| seeds run | ${requested} (${summaries.map((s) => s.seed).sort((a, b) => a - b).join(", ").replace(/^(.{60}).+$/, "$1…")}) |`,
    `| operations | ${sum((s) => s.ops)} in ${sum((s) => s.steps)} steps |`,
    `| paid orders / paid bills at the end | ${sum((s) => s.paidOrders)} / ${sum((s) => s.paidBills)} |`,
    `| answers, by how the client could read them | ${Object.entries(outcomes).sort().map(([k, v]) => `${k} ${v}`).join(", ")} |`,
    `| gate scans, by errcode (0: admitted) | ${scans.map(([code, n]) => `${code} ${n}`).join(", ") || "none"} |`,
    `| internal errors (500) seen by clients, all in steps with an injected crash | ${sum((s) => s.internalErrors)} |`,
    `| wall time | ${(sum((s) => s.ms) / 1000).toFixed(0)} s |`,
    `| **invariant violations** | **${failed}** |`,
    "",
    "| fault | planned | struck |",
    "|---|---:|---:|",
    ...Object.keys({ ...planned, ...fired })
      .sort()
      .map((k) => `| ${k} | ${planned[k] ?? 0} | ${k === "d1-outage" ? `${fired[k] ?? 0} D1 calls refused` : (fired[k] ?? "—")} |`),
  ];
  return lines.join("\n");
}

const SUMMARY = "SIM-SUMMARY ";

/** The seeds' summaries in earlier runs' output, and how many seeds those runs reported broken. */
function fromLogs(files: readonly string[]): { summaries: SimSummary[]; failed: number } {
  const text = files.map((f) => readFileSync(f, "utf8")).join("\n");
  const summaries = text.split("\n").flatMap((line) => {
    const at = line.indexOf(SUMMARY);
    return at >= 0 ? [JSON.parse(line.slice(at + SUMMARY.length)) as SimSummary] : [];
  });
  const failed = new Set(text.match(/simulation seed \d+ \(--ops \d+\) failed at/g) ?? []).size;
  return { summaries, failed };
}

async function main(): Promise<number> {
  const { seeds, ops, table: wantTable, from } = parseArgs(process.argv.slice(2));
  if (from.length > 0) {
    const { summaries, failed } = fromLogs(from);
    console.log(table(summaries, summaries.length + failed, failed));
    return failed === 0 ? 0 : 1;
  }
  const env = { ...process.env, SIM_SEED: seeds.split(/[,-]/)[0]!, SIM_SEEDS: seeds, SIM_OPS: ops };
  console.log(`simulation: seeds ${seeds}, ${ops} operations each`);
  const child = spawn("npx", ["vitest", "run", "--project", "workers", "test/sim/sim.test.ts"], { env, stdio: ["ignore", "pipe", "inherit"] });
  const summaries: SimSummary[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    const at = line.indexOf(SUMMARY);
    if (at >= 0) summaries.push(JSON.parse(line.slice(at + SUMMARY.length)) as SimSummary);
    process.stdout.write(`${line}\n`);
  });
  const status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const requested = seedCount(seeds);
  const failed = requested - summaries.length;
  if (wantTable || requested > 1) console.log(`\n${table(summaries, requested, failed)}\n`);
  console.log(status === 0 ? `all ${requested} seed(s) kept every rule` : `${failed} seed(s) broke a rule (see the messages above); vitest exited ${status}`);
  return status;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(String(error));
    process.exit(2);
  },
);
