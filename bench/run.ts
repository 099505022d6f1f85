/**
 * `npm run bench` (SPEC §9, issues 7 and 19): the partner API under
 * `wrangler dev` (local D1 and Durable Objects), in three phases, each on
 * servers it starts in fresh persistence directories and stops by process
 * id:
 *
 *  1. counting (counting.ts): each scenario's D1 queries and rows, Durable
 *     Object requests and SQL rows, queue messages per request, on a server
 *     with BENCH_COUNTERS=on; and from them the cost of 1,000 paid orders
 *     at list prices (cost.ts);
 *  2. timing: loaded from a separate process with wrk (`-t1 -c50
 *     --latency`), each scenario between two runs of our trivial endpoint,
 *     and the floor (bench/floor: a POST whose JSON body is read, Verify's
 *     floor; the bare storage hops of an add and a payment) between two
 *     runs of its own trivial endpoint, in the same
 *     rounds; the ratio per round is scenario / mean(trivial before, after),
 *     the median over rounds is reported (PLATFORM.md: ±25% noise), and the
 *     ratio to the floor is our ratio ÷ the floor's ratio of the same round;
 *  3. growth (BENCH_GROWTH=on, growth.ts): the same operations on a store
 *     grown to a million orders, against the small store.
 *
 * It writes results.md (a section per run, newest first) and results.json
 * in BENCH_RESULTS_DIR (default bench/).
 *
 * Variables: BENCH_DURATION (s per wrk run, 5), BENCH_ROUNDS (3),
 * BENCH_COUNT_OPS (requests per counted scenario, 100), BENCH_ONLY
 * (substring: only the matching scenarios), BENCH_COUNTING / BENCH_TIMED /
 * BENCH_FLOOR (on; "off" skips), BENCH_GROWTH (off) and its sizes (growth.ts).
 */
import { mkdirSync } from "node:fs";
import { shanghaiDay } from "../scripts/demo-data.ts";
import {
  addLine, Client, floorAddLine, floorBodyLine, payLine, posPayLine, prepareBills, prepareCatalogue, prepareCustomers, prepareFloorPays, prepareOrders, verifyLine,
  type Customer,
} from "./client.ts";
import { countLines, writeStatementProfile, type Counted } from "./counting.ts";
import { runGrowth, type GrowthReport } from "./growth.ts";
import { mean, median, round2, wrk, writeRequests, type Line, type Run } from "./load.ts";
import { report, type ScenarioResult } from "./report.ts";
import { startFloor, startOurs, TMP, type Started } from "./servers.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8799);
const FLOOR_PORT = Number(process.env.BENCH_FLOOR_PORT ?? PORT - 1);
const COUNT_PORT = Number(process.env.BENCH_COUNT_PORT ?? PORT - 2);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COUNT_OPS = Number(process.env.BENCH_COUNT_OPS ?? 100);
const CUSTOMERS = 100;
const on = (name: string, fallback: "on" | "off") => (process.env[name] ?? fallback) === "on";

/** Our scenarios, and the floor each is set against (bench/floor, measured in the same rounds). */
export const SCENARIOS = [
  { name: "douyin verify", floor: "floor: body" },
  { name: "order add", floor: "floor: add" },
  { name: "pay by password, 100 customers", floor: "floor: pay" },
  { name: "pay by password, one hot customer", floor: "floor: pay, one account" },
  { name: "POS pay bill", floor: "floor: pay" },
] as const;
type ScenarioName = (typeof SCENARIOS)[number]["name"];

const only = process.env.BENCH_ONLY;
const wanted = SCENARIOS.filter((s) => !only || s.name.includes(only));

/** Started servers, stopped on the way out whatever happens. */
const running = new Set<Started>();
function stopAll(): void {
  for (const s of running) s.server.stop();
  running.clear();
}
async function started(start: Promise<Started>): Promise<Started> {
  const s = await start;
  running.add(s);
  return s;
}
function stop(s: Started): void {
  s.server.stop();
  running.delete(s);
}

// ------------------------------------------------------------------ 1. counting

async function countingPhase(day: string): Promise<Map<string, Counted>> {
  const server = await started(startOurs(COUNT_PORT, `${TMP}/count-state`, { BENCH_COUNTERS: "on" }));
  const c = new Client(server.base);
  const out = new Map<string, Counted>();
  try {
    await prepareCatalogue(c, day);
    const customers = await prepareCustomers(c, CUSTOMERS);
    const hot = customers[0]!;
    const n = COUNT_OPS;
    const spread = (i: number) => customers[i % customers.length]!;
    const plans: Record<ScenarioName, () => Promise<{ lines: Line[]; warmUp?: Line[] }>> = {
      // Verify's steady state: the sessions are in the isolate's cache (the timed run cycles the same 100).
      "douyin verify": async () => ({ warmUp: customers.map((cu) => verifyLine(cu, day)), lines: Array.from({ length: n }, (_, i) => verifyLine(spread(i), day)) }),
      "order add": async () => ({ lines: Array.from({ length: n }, (_, i) => addLine(spread(i), day)) }),
      "pay by password, 100 customers": async () => ({ lines: (await prepareOrders(c, customers, n, day)).map((o) => payLine(o.owner, o.orderId)) }),
      "pay by password, one hot customer": async () => ({ lines: (await prepareOrders(c, [hot], n, day)).map((o) => payLine(o.owner, o.orderId)) }),
      "POS pay bill": async () => ({ lines: (await prepareBills(c, customers, n)).map((b) => posPayLine(b.owner, b.billNum)) }),
    };
    for (const s of wanted) {
      const plan = await plans[s.name]();
      const counted = await countLines(c, s.name, plan.lines, plan.warmUp);
      out.set(s.name, counted);
      console.log(`counted ${s.name}: ${counted.ops} ok, ${counted.failed} failed — ${JSON.stringify(counted.perOp)} (${writeStatementProfile(TMP, counted)})`);
    }
  } finally {
    stop(server);
  }
  return out;
}

// ------------------------------------------------------------------ 2. timing

interface Timed {
  runs: Run[];
  ratios: number[];
  trivialP99: number[];
}

async function timedPhase(day: string): Promise<{ results: Map<string, Timed>; trivial: Run[]; floorTrivial: Run[] }> {
  const ours = await started(startOurs(PORT, `${TMP}/state`));
  const floor = on("BENCH_FLOOR", "on") ? await started(startFloor(FLOOR_PORT, `${TMP}/floor-state`)) : null;
  const c = new Client(ours.base);
  try {
    await prepareCatalogue(c, day);
    const customers = await prepareCustomers(c, CUSTOMERS);
    const hot = customers[0]!;

    const trivialFile = writeRequests(TMP, "trivial", [["GET", "/health", "", ""]]);
    const pilot = wrk(ours.base, trivialFile, DURATION_S);
    // Enough fresh orders/bills for every round at the trivial rate, with room.
    const perScenario = Math.ceil(pilot.rps * DURATION_S * ROUNDS * 1.2);
    console.log(`trivial pilot: ${pilot.rps.toFixed(0)} req/s → preparing ${perScenario} items per consuming scenario`);
    const t0 = Date.now();
    const needs = (name: ScenarioName) => wanted.some((s) => s.name === name);
    const spread = needs("pay by password, 100 customers") ? await prepareOrders(c, customers, perScenario, day) : [];
    const hotOrders = needs("pay by password, one hot customer") ? await prepareOrders(c, [hot], perScenario, day) : [];
    const bills = needs("POS pay bill") ? await prepareBills(c, customers, perScenario) : [];
    const floorLines = new Map<string, { lines: Line[]; perRound: boolean }>();
    if (floor) {
      const f = new Client(floor.base);
      const floorsWanted = new Set(wanted.map((s) => s.floor));
      if (floorsWanted.has("floor: body")) floorLines.set("floor: body", { perRound: false, lines: customers.map((cu) => floorBodyLine(cu, day)) });
      if (floorsWanted.has("floor: add")) floorLines.set("floor: add", { perRound: true, lines: Array.from({ length: perScenario }, (_, i) => floorAddLine(`FLOOR${String(i % CUSTOMERS).padStart(3, "0")}`, day, i)) });
      if (floorsWanted.has("floor: pay")) floorLines.set("floor: pay", { perRound: true, lines: await prepareFloorPays(f, CUSTOMERS, perScenario, day) });
      if (floorsWanted.has("floor: pay, one account")) floorLines.set("floor: pay, one account", { perRound: true, lines: await prepareFloorPays(f, 1, perScenario, day) });
    }
    console.log(`prepared in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    const lines: Record<ScenarioName, { lines: Line[]; perRound: boolean }> = {
      "douyin verify": { perRound: false, lines: customers.map((cu) => verifyLine(cu, day)) },
      "order add": { perRound: true, lines: Array.from({ length: perScenario }, (_, i) => addLine(customers[i % CUSTOMERS]!, day)) },
      "pay by password, 100 customers": { perRound: true, lines: spread.map(({ owner, orderId }) => payLine(owner, orderId)) },
      "pay by password, one hot customer": { perRound: true, lines: hotOrders.map(({ orderId }) => payLine(hot, orderId)) },
      "POS pay bill": { perRound: true, lines: bills.map(({ owner, billNum }) => posPayLine(owner, billNum)) },
    };

    const results = new Map<string, Timed>();
    const trivial: Run[] = [];
    const floorTrivial: Run[] = [];
    const measure = (name: string, base: string, spec: { lines: Line[]; perRound: boolean }, round: number, trivialFileFor: string, trivials: Run[], before: Run): Run => {
      const slice = spec.perRound ? spec.lines.filter((_, i) => i % ROUNDS === round) : spec.lines;
      const run = wrk(base, writeRequests(TMP, name, slice), DURATION_S);
      const after = wrk(base, trivialFileFor, DURATION_S);
      trivials.push(after);
      const ratio = run.rps / mean([before.rps, after.rps]);
      const entry = results.get(name) ?? { runs: [], ratios: [], trivialP99: [] };
      entry.runs.push(run);
      entry.ratios.push(ratio);
      entry.trivialP99.push(mean([before.p99Ms, after.p99Ms]));
      results.set(name, entry);
      console.log(`round ${round + 1} ${name}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99Ms.toFixed(1)} ms, errors ${run.errors}${run.wrapped ? `, REUSED ${run.wrapped}×` : ""}, ratio ${ratio.toFixed(2)}`);
      return after;
    };
    // Each round: ours T S1 T S2 T …, then the floor's Tf F1 Tf F2 Tf …; a ratio uses the trivial runs just around it.
    for (let round = 0; round < ROUNDS; round++) {
      let before = wrk(ours.base, trivialFile, DURATION_S);
      trivial.push(before);
      for (const s of wanted) before = measure(s.name, ours.base, lines[s.name], round, trivialFile, trivial, before);
      if (floor && floorLines.size > 0) {
        const floorTrivialFile = writeRequests(TMP, "floor-trivial", [["GET", "/health", "", ""]]);
        let fBefore = wrk(floor.base, floorTrivialFile, DURATION_S);
        floorTrivial.push(fBefore);
        for (const [name, spec] of floorLines) fBefore = measure(name, floor.base, spec, round, floorTrivialFile, floorTrivial, fBefore);
      }
    }
    return { results, trivial, floorTrivial };
  } finally {
    if (floor) stop(floor);
    stop(ours);
  }
}

// ------------------------------------------------------------------ results

function scenarioResults(timed: Awaited<ReturnType<typeof timedPhase>> | null, counted: Map<string, Counted>): ScenarioResult[] {
  const out: ScenarioResult[] = [];
  const consuming = new Set(["order add", "pay by password, 100 customers", "pay by password, one hot customer", "POS pay bill", "floor: add", "floor: pay", "floor: pay, one account"]);
  const timedOf = (name: string) => {
    const t = timed?.results.get(name);
    if (!t) return null;
    return {
      rps: round2(median(t.runs.map((r) => r.rps))),
      p50Ms: round2(median(t.runs.map((r) => r.p50Ms))),
      p99Ms: round2(median(t.runs.map((r) => r.p99Ms))),
      // Replaying prepared items is an error only where each must be fresh (pays, adds); verify and its floor repeat by design.
      errors: t.runs.reduce((n, r) => n + r.errors, 0) + (consuming.has(name) ? t.runs.filter((r) => r.wrapped).length : 0),
      ratio: round2(median(t.ratios)),
      ratiosPerRound: t.ratios.map(round2),
      trivialP99Ms: round2(median(t.trivialP99)),
    };
  };
  if (timed) {
    const runs = timed.trivial;
    out.push({
      name: "trivial (GET /health)", kind: "trivial", floor: null,
      timed: { rps: round2(median(runs.map((r) => r.rps))), p50Ms: round2(median(runs.map((r) => r.p50Ms))), p99Ms: round2(median(runs.map((r) => r.p99Ms))), errors: runs.reduce((n, r) => n + r.errors, 0), ratio: 1, ratiosPerRound: [], trivialP99Ms: round2(median(runs.map((r) => r.p99Ms))) },
      ratioToFloor: null, counted: null,
    });
  }
  for (const s of wanted) {
    const t = timedOf(s.name);
    const floorRatios = timed?.results.get(s.floor)?.ratios ?? null;
    const ours = timed?.results.get(s.name)?.ratios ?? null;
    // A round whose floor run measured nothing (a run too short for a busy machine) has no ratio to it.
    const perRound = floorRatios && ours ? ours.map((r, i) => r / floorRatios[i]!).filter(Number.isFinite) : [];
    const ratioToFloor = ours && perRound.length > 0 ? round2(median(perRound)) : null;
    out.push({ name: s.name, kind: "scenario", floor: s.floor, timed: t, ratioToFloor, counted: counted.get(s.name)?.perOp ?? null });
  }
  for (const name of ["floor: body", "floor: add", "floor: pay", "floor: pay, one account"]) {
    const t = timedOf(name);
    if (t) out.push({ name, kind: "floor", floor: null, timed: t, ratioToFloor: null, counted: null });
  }
  return out;
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  process.on("SIGINT", () => {
    stopAll();
    process.exit(130);
  });
  const day = shanghaiDay(1);
  try {
    const counted = on("BENCH_COUNTING", "on") ? await countingPhase(day) : new Map<string, Counted>();
    const timed = on("BENCH_TIMED", "on") ? await timedPhase(day) : null;
    const growth: GrowthReport | null = on("BENCH_GROWTH", "off") ? await runGrowth({ port: COUNT_PORT, started, stop }) : null;
    report({ scenarios: scenarioResults(timed, counted), counted, growth, durationS: DURATION_S, rounds: ROUNDS, countOps: COUNT_OPS });
  } finally {
    stopAll();
  }
}

await main();
