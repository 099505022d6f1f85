/**
 * Faults of a plan's step, applied to the real objects: fault points armed
 * through the objects' own `armFault` (src/durable/faults.ts, the one
 * injection point), alarms run through the vitest plugin
 * (`runDurableObjectAlarm`) or delivered twice by calling the handler inside
 * the object, and time moved on the clock the code takes as an argument
 * (src/clock.ts: the test configuration shares one per isolate). The storage
 * itself is never stubbed, and no row is edited to fake time or state.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { testClock } from "../../src/clock";
import { configOf } from "../../src/config";
import { landLateInserts, workerFaults, type FaultPoint } from "../../src/durable/faults";
import type { World } from "./driver";
import type { Fault, FaultKind, ProductKey } from "./workload";

/**
 * `runInDurableObject` with the instance untyped: the simulation reaches the
 * objects' test-only state (their `faults`, their alarm handler) the way the
 * existing fault tests do.
 */
export function inside<R>(stub: AnyStub, fn: (instance: any, state: DurableObjectState) => R | Promise<R>): Promise<R> {
  return (runInDurableObject as unknown as (s: AnyStub, f: typeof fn) => Promise<R>)(stub, fn);
}

/** Any Durable Object stub (the generic stub types instantiate too deeply to pass around). */
export type AnyStub = object;

export function accountStub(world: World, c: number) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(world.customers[c]!.dwid));
}

export function inventoryStub(world: World, p: ProductKey, date: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(`${world.productIds[p]}:${date}`));
}

/** A one-shot fault point armed for a step: after the step, did it fire? */
interface Armed {
  kind: FaultKind;
  /** A fresh stub each time: an object reset breaks the stubs made before it. null: the Worker's own point. */
  stub: (() => AnyStub) | null;
  point: FaultPoint;
  times: number;
}

export interface StepFaults {
  armed: Armed[];
  /** Runs alongside the step's requests. */
  during: (() => Promise<unknown>)[];
  /** Runs once the step's requests are answered. */
  after: (() => Promise<unknown>)[];
  /** D1 calls an outage that ended this step refused. */
  outageHits: number;
  notes: string[];
}

export interface FaultTally {
  /** Per kind: planned, and (fault points only) how many fired. */
  planned: Record<string, number>;
  fired: Record<string, number>;
}

export async function prepareFaults(world: World, faults: readonly Fault[]): Promise<StepFaults> {
  const out: StepFaults = { armed: [], during: [], after: [], outageHits: 0, notes: [] };
  for (const f of faults) {
    switch (f.kind) {
      case "d1-batch-reject":
      case "d1-reply-lost":
      case "d1-reply-lost-then-outage":
      case "d1-write-late":
      case "d1-batch-twice":
      case "ledger-copy-reject":
      case "abort-after-hold":
      case "abort-after-hold-unsynced":
      case "abort-after-batch":
      case "abort-after-post-unsynced":
      case "zombie-batch": {
        await accountStub(world, f.c).armFault(f.kind, f.times);
        out.armed.push({ kind: f.kind, stub: () => accountStub(world, f.c), point: f.kind, times: f.times });
        out.notes.push(`arm ${f.kind}×${f.times} on c${f.c}`);
        break;
      }
      case "alarm-throws": {
        // The alarm throws; the plugin then deletes it, as the platform does once its retries run out.
        const stub = () => accountStub(world, f.c);
        await stub().armFault("alarm-throws", 1);
        out.armed.push({ kind: f.kind, stub, point: "alarm-throws", times: 1 });
        out.after.push(() => runAlarm(stub()));
        out.notes.push(`c${f.c}'s alarm throws until its retries run out`);
        break;
      }
      case "order-insert-reject":
      case "order-insert-reply-lost":
      case "order-insert-reply-lost-then-outage":
      case "order-insert-late":
      case "bill-insert-reject":
      case "bill-insert-reply-lost":
      case "order-cancel-reject":
      case "order-cancel-reply-lost":
      case "date-change-reject":
      case "date-change-reply-lost":
      case "date-change-reply-lost-then-outage": {
        workerFaults.armIn(env, f.kind, f.times);
        out.armed.push({ kind: f.kind, stub: null, point: f.kind, times: f.times });
        out.notes.push(`arm ${f.kind}×${f.times} on the Worker`);
        break;
      }
      case "recover-worker":
        workerFaults.disarm("d1-outage");
        out.notes.push("the Worker's D1 is back");
        break;
      case "expiry-batch-reject":
      case "expiry-reply-lost": {
        const stub = () => inventoryStub(world, f.p, world.date(f.day));
        await stub().armFault(f.kind, f.times);
        out.armed.push({ kind: f.kind, stub, point: f.kind, times: f.times });
        out.notes.push(`arm ${f.kind}×${f.times} on ${f.p}+${f.day}`);
        break;
      }
      case "abort-mid-hold": {
        const stub = () => inventoryStub(world, f.p, world.date(f.day));
        await stub().armFault("abort-mid-hold", 1);
        out.armed.push({ kind: f.kind, stub, point: "abort-mid-hold", times: 1 });
        out.notes.push(`arm abort-mid-hold on ${f.p}+${f.day}`);
        break;
      }
      case "d1-outage": {
        const point = f.from === "all" ? "d1-outage" : "d1-outage-from-batch";
        await accountStub(world, f.c).armFault(point, 1);
        await inventoryStub(world, f.p, world.date(f.day)).armFault("d1-outage", 1);
        out.notes.push(`D1 outage (${f.from === "all" ? "reads too" : "from the batch on"}) for c${f.c} and ${f.p}+${f.day} until step ${f.untilStep}`);
        break;
      }
      case "recover": {
        // How many D1 calls the outage refused, in the objects that lived through it.
        const refused = (await disarm(accountStub(world, f.c), "d1-outage")) + (await disarm(inventoryStub(world, f.p, world.date(f.day)), "d1-outage"));
        out.outageHits += refused;
        out.notes.push(`D1 back for c${f.c} and ${f.p}+${f.day} (${refused} calls refused while down)`);
        break;
      }
      case "alarm-twice": {
        const stub = () => (f.c !== null ? accountStub(world, f.c) : inventoryStub(world, f.p!, world.date(f.day)));
        const deliver = () => inside(stub(), (instance) => instance.alarm());
        out.during.push(() => Promise.all([deliver(), deliver()]));
        out.notes.push(`alarm delivered twice to ${f.c !== null ? `c${f.c}` : `${f.p}+${f.day}`}, during the step`);
        break;
      }
      case "alarm-late":
        out.after.push(() => runEveryAlarm(world));
        out.notes.push("every scheduled alarm runs now (late)");
        break;
      case "expire": {
        // Every unpaid order's hold time passes; the hot product-day's alarm rings with the step, or later.
        testClock.advance(configOf(env).orderHoldMs + 60_000);
        const stub = () => inventoryStub(world, f.p, world.date(f.day));
        if (f.alarm === "with-step") out.during.push(() => runAlarm(stub()));
        out.notes.push(`${(configOf(env).orderHoldMs + 60_000) / 60_000} minutes pass: every unpaid order's hold ends; ${f.p}+${f.day}'s alarm ${f.alarm}`);
        break;
      }
      case "lockout-window":
        testClock.advance(configOf(env).payLockoutWindowMs + 60_000);
        out.notes.push(`${(configOf(env).payLockoutWindowMs + 60_000) / 60_000} minutes pass: pay-password lockouts end`);
        break;
    }
  }
  return out;
}

/**
 * After the step: which armed points fired, and the rest disarmed, so an
 * unfired fault never leaks into a later step unannounced.
 */
export async function settleArmed(step: StepFaults, tally: FaultTally): Promise<string[]> {
  const fired: string[] = [];
  for (const a of step.armed) {
    if (a.stub === null) {
      const left = workerArmed(a.point);
      workerFaults.disarm(a.point);
      // An insert held up ("order-insert-late") lands by the end of its step at the latest.
      const landed = await landLateInserts(env.DB);
      if (landed > 0) fired.push(`${a.kind}: ${landed} late insert(s) landed at the end of the step`);
      if (left < a.times) {
        tally.fired[a.kind] = (tally.fired[a.kind] ?? 0) + (a.times - left);
        fired.push(a.kind);
      }
      continue;
    }
    // A batch held back ("d1-write-late", "zombie-batch") lands by the end of its step at the latest.
    const landed = await inside(a.stub(), (instance) => instance.faults.landLateWrites());
    if (landed > 0) fired.push(`${a.kind}: ${landed} late batch(es) landed at the end of the step`);
    const left = await inside(a.stub(), (instance) => {
      const armed = instance.faults.armed as Map<string, number>;
      const n = armed.get(a.point) ?? 0;
      instance.faults.disarm(a.point);
      return n;
    });
    if (left < a.times) {
      tally.fired[a.kind] = (tally.fired[a.kind] ?? 0) + (a.times - left);
      fired.push(a.kind);
    }
  }
  return fired;
}

/** How many more times the Worker's point would fire. */
function workerArmed(point: FaultPoint): number {
  return ((workerFaults as unknown as { armed: Map<FaultPoint, number> }).armed.get(point)) ?? 0;
}

/** Disarms the point; returns how often it struck in this instance (and forgets the count). */
async function disarm(stub: AnyStub, point: FaultPoint): Promise<number> {
  return inside(stub, (instance) => {
    instance.faults.disarm(point);
    const struck = instance.faults.struck.get(point) ?? 0;
    instance.faults.struck.delete(point);
    return struck;
  });
}

export function runAlarm(stub: AnyStub): Promise<boolean> {
  return runDurableObjectAlarm(stub as DurableObjectStub);
}

/** Every scheduled alarm of the world's objects, run once now. */
export async function runEveryAlarm(world: World): Promise<number> {
  let ran = 0;
  for (const c of world.customers) if (await runAlarm(accountStub(world, c.index))) ran += 1;
  for (const pd of world.productDays()) if (await runAlarm(inventoryStub(world, pd.p, pd.date))) ran += 1;
  return ran;
}

/** Disarms every fault point of the world's objects (the end of every outage). */
export async function disarmEverything(world: World): Promise<void> {
  workerFaults.disarm();
  await landLateInserts(env.DB);
  for (const c of world.customers) {
    await accountStub(world, c.index).disarmFaults();
    await inside(accountStub(world, c.index), (instance) => instance.faults.landLateWrites());
  }
  for (const pd of world.productDays()) await inventoryStub(world, pd.p, pd.date).disarmFaults();
}
