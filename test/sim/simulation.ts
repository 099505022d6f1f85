/**
 * One simulation run: a seed's plan (workload.ts) executed step by step
 * against the real Worker, Durable Objects and local D1, faults armed around
 * each step (fault-actions.ts), the auditor after every step and again once
 * everything has drained. A violation throws `SimulationFailure`, whose
 * message names the seed, the step, the broken rules and the trace of the
 * last steps — enough to rerun it with `npm run sim -- --seed N --ops K`.
 */
import { env } from "cloudflare:workers";
import { configOf } from "../../src/config";
import { auditStores } from "./auditor";
import { auditAnswers, auditAnswersFinal, History } from "./answers";
import { describeAnswer, runOp, setUpWorld, World, type Answer } from "./driver";
import { testClock } from "../../src/clock";
import { shanghaiMinuteOfDay } from "../../src/domain/dates";
import { accountStub, disarmEverything, prepareFaults, runEveryAlarm, settleArmed, type FaultTally } from "./fault-actions";
import { takeSnapshot, type Snapshot } from "./snapshot";
import { generatePlan, planCounts, type Plan } from "./workload";

export interface SimSummary {
  seed: number;
  ops: number;
  steps: number;
  planDigest: string;
  opsByKind: Record<string, number>;
  faultsPlanned: Record<string, number>;
  faultsFired: Record<string, number>;
  outcomes: Record<string, number>;
  /** Answers by operation and code ("pay 5001"), to see what the workload reached. */
  codes: Record<string, number>;
  /** Answers no client may get (HTTP 500, no answer): each is also a violation. */
  internalErrors: number;
  /** Answers whose outcome was not yet known (HTTP 503): the client retries to learn. */
  notYetKnown: number;
  paidOrders: number;
  paidBills: number;
  /**
   * Paid orders whose stock holds were still "held" before the drain: the
   * payment's follow-up confirmation never arrived, and the expiry alarm
   * (which asks D1) turned them sold instead. Not a violation; a measure.
   */
  unconfirmedPaid: number;
  violations: number;
  ms: number;
}

export class SimulationFailure extends Error {}

/** How long one step's requests may take before the run counts as stuck. */
const STEP_TIMEOUT_MS = 45_000;
/** Trace lines shown with a violation. */
const TRACE_LINES = 60;
/** Rounds of "run every alarm" while draining. */
const DRAIN_ROUNDS = 12;

let runs = 0;

export async function runSimulation(options: { seed: number; ops: number }): Promise<SimSummary> {
  const started = Date.now();
  const plan = generatePlan(options.seed, options.ops);
  runs += 1;
  startRunDay();
  const world = new World(plan, `s${options.seed}r${runs}`);
  const config = configOf(env);
  const lockout = { windowMs: config.payLockoutWindowMs, max: config.payLockoutMaxFailures };
  const trace: string[] = [`seed ${options.seed}, ${options.ops} operations in ${plan.steps.length} steps, world ${world.tag}`];
  const fail = (where: string, broken: string[]): never => {
    throw new SimulationFailure(
      [
        `simulation seed ${options.seed} (--ops ${options.ops}) failed at ${where}:`,
        ...broken.slice(0, 20).map((b) => `  ✗ ${b}`),
        ...(broken.length > 20 ? [`  … and ${broken.length - 20} more`] : []),
        `rerun: npm run sim -- --seed ${options.seed} --ops ${options.ops}`,
        ...related(trace, broken),
        "trace (latest last):",
        ...trace.slice(-TRACE_LINES),
      ].join("\n"),
    );
  };

  await setUpWorld(world);
  const history = new History();
  const tally: FaultTally = { planned: planCounts(plan).faults, fired: {} };
  let internalErrors = 0;
  let seq = 0;
  let prev: Snapshot = await takeSnapshot(world, lockout.windowMs);
  const initial = auditStores(world, prev, "step", lockout.max);
  if (initial.length > 0) fail("setup", initial);

  for (const [s, step] of plan.steps.entries()) {
    const faults = await prepareFaults(world, step.faults);
    trace.push(`step ${s}: ${step.ops.length} requests at once${faults.notes.length ? `; ${faults.notes.join("; ")}` : ""}`);
    const first = seq;
    seq += step.ops.length;
    const during = faults.during.map((run) => run().catch((error: unknown) => trace.push(`  (fault action ended: ${String(error).slice(0, 80)})`)));
    const running: Promise<Answer>[] = [];
    for (const [i, op] of step.ops.entries()) {
      const after = "after" in op && op.after !== undefined ? running[op.after] : undefined;
      running.push(after ? after.then((prior) => runOp(world, op, s, first + i, prior)) : runOp(world, op, s, first + i));
    }
    const answers = await withTimeout(Promise.all(running), () => fail(`step ${s}`, ["requests still unanswered after 45 s"]));
    await Promise.all(during);
    for (const run of faults.after) await run().catch((error: unknown) => trace.push(`  (fault action ended: ${String(error).slice(0, 80)})`));
    const fired = await settleArmed(faults, tally);
    if (faults.outageHits > 0) tally.fired["d1-outage"] = (tally.fired["d1-outage"] ?? 0) + faults.outageHits;
    for (const a of answers) trace.push(describeAnswer(a));
    if (fired.length) trace.push(`  fired: ${fired.join(", ")}`);
    internalErrors += answers.filter((a) => a.outcome === "internal").length;

    const snap = await takeSnapshot(world, lockout.windowMs);
    const broken = [...auditStores(world, snap, "step", lockout.max), ...auditAnswers(world, snap, prev, answers, history)];
    history.record(answers);
    if (broken.length > 0) fail(`step ${s}`, broken);
    prev = snap;
  }

  trace.push("drain: every fault disarmed, every order's hold time passes, every alarm runs until nothing is left");
  const unconfirmedPaid = await drain(world, lockout.windowMs, (line) => trace.push(line));
  const final = await takeSnapshot(world, lockout.windowMs);
  const broken = [...auditStores(world, final, "final", lockout.max), ...auditAnswersFinal(world, final, history)];
  if (broken.length > 0) fail("the end, after draining", broken);

  return {
    seed: options.seed,
    ops: options.ops,
    steps: plan.steps.length,
    planDigest: await planDigest(plan),
    opsByKind: planCounts(plan).ops,
    faultsPlanned: tally.planned,
    faultsFired: tally.fired,
    outcomes: countBy(history.answers, (a) => a.outcome),
    codes: countBy(history.answers, (a) => `${a.op.kind} ${a.code}`),
    internalErrors,
    notYetKnown: history.answers.filter((a) => a.outcome === "unknown").length,
    paidOrders: [...final.d1After.orders.values()].filter((o) => o.status === "paid").length,
    paidBills: [...final.d1After.bills.values()].filter((b) => b.status === "paid").length,
    unconfirmedPaid,
    violations: 0,
    ms: Date.now() - started,
  };
}

/**
 * Moves the clock to just after midnight, Asia/Shanghai (at most a day on):
 * the plan's day 0 is "today", when the gate admits its tickets (SPEC §10),
 * for as long as the run's clock moves (expiries, lockout windows: about 20
 * hours in 3,000 operations) — whatever the hour the run is started at.
 */
function startRunDay(): void {
  const minute = shanghaiMinuteOfDay(testClock.nowMs());
  testClock.advance(((RUN_STARTS_AT_MINUTE - minute + MINUTES_PER_DAY) % MINUTES_PER_DAY) * 60_000);
}

const RUN_STARTS_AT_MINUTE = 10;
const MINUTES_PER_DAY = 1440;

/**
 * The quiet end: D1 is back for everyone, every held-back batch has landed,
 * every unpaid order's hold time passes (the clock moves on), each customer's
 * object is called once (a customer's next request: an alarm whose retries
 * ran out is set again), and alarms run until no payment is pending and no
 * stock is held.
 */
async function drain(world: World, lockoutWindowMs: number, log: (line: string) => void): Promise<number> {
  await disarmEverything(world);
  // Let waitUntil follow-ups (stock confirmations, notifications) leave their gathering window.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = await takeSnapshot(world, lockoutWindowMs);
  const heldOrders = new Set(before.inventories.flatMap((inv) => inv.holds.filter((h) => h.state === "held").map((h) => h.order_id)));
  const unconfirmedPaid = [...before.d1After.orders.values()].filter((o) => o.status === "paid" && heldOrders.has(o.order_id)).length;
  testClock.advance(configOf(env).orderHoldMs + 60_000);
  for (const c of world.customers) await accountStub(world, c.index).account();
  for (let round = 1; round <= DRAIN_ROUNDS; round++) {
    const ran = await runEveryAlarm(world);
    const snap = await takeSnapshot(world, lockoutWindowMs);
    const pending = snap.accounts.reduce((n, a) => n + a.intents.filter((i) => i.state === "pending").length, 0);
    const uncopied = snap.accounts.reduce((n, a) => n + a.ledger.filter((e) => e.copied === 0).length, 0);
    const held = snap.inventories.reduce((n, inv) => n + inv.holds.filter((h) => h.state === "held").length, 0);
    log(`  drain round ${round}: ${ran} alarms ran; ${pending} pending payments, ${uncopied} uncopied ledger rows, ${held} holds held`);
    if ((pending === 0 && uncopied === 0 && held === 0) || ran === 0) break;
  }
  return unconfirmedPaid;
}

/** Every trace line about an order or bill a broken rule names (with its step), oldest first. */
function related(trace: readonly string[], broken: readonly string[]): string[] {
  // Order ids, bill numbers and ticket codes.
  const ids = new Set(broken.flatMap((b) => b.match(/\b(?:\d{20}|\d{18}|P\d{17})\b/g) ?? []));
  if (ids.size === 0) return [];
  const out: string[] = [];
  let step = "";
  for (const line of trace) {
    if (line.startsWith("step ")) step = line;
    else if ([...ids].some((id) => line.includes(id))) {
      if (out[out.length - 1] !== step) out.push(step);
      out.push(line);
    }
  }
  return [`trace of ${[...ids].join(", ")}:`, ...out.slice(-40)];
}

async function withTimeout<T>(work: Promise<T>, onTimeout: () => never): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        onTimeout();
      } catch (error) {
        reject(error);
      }
    }, STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SHA-256 of the plan: the same seed and size give the same digest on every machine. */
export async function planDigest(plan: Plan): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(plan))));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export type { Answer };
