/**
 * Faults of a plan's step, applied to the real objects: fault points armed
 * through the objects' own `armFault` (src/durable/faults.ts, the one
 * injection point), alarms run through the vitest plugin
 * (`runDurableObjectAlarm`) or delivered twice by calling the handler inside
 * the object, and time moved by ageing what the stores keep (an order's hold
 * time in D1 and in its stock holds; pay-password failures), as the other
 * tests age sessions. The storage itself is never stubbed.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { FaultPoint } from "../../src/durable/faults";
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
  /** A fresh stub each time: an object reset breaks the stubs made before it. */
  stub: () => AnyStub;
  point: FaultPoint;
  times: number;
}

export interface StepFaults {
  armed: Armed[];
  /** Runs alongside the step's requests. */
  during: (() => Promise<unknown>)[];
  /** Runs once the step's requests are answered. */
  after: (() => Promise<unknown>)[];
  /** A crash was armed this step: an internal error (500) may reach a client. */
  crashArmed: boolean;
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
  const out: StepFaults = { armed: [], during: [], after: [], crashArmed: false, outageHits: 0, notes: [] };
  for (const f of faults) {
    switch (f.kind) {
      case "d1-batch-reject":
      case "d1-reply-lost":
      case "d1-reply-lost-then-outage":
      case "abort-after-hold":
      case "abort-after-batch": {
        await accountStub(world, f.c).armFault(f.kind, f.times);
        out.armed.push({ kind: f.kind, stub: () => accountStub(world, f.c), point: f.kind, times: f.times });
        if (f.kind.startsWith("abort")) out.crashArmed = true;
        out.notes.push(`arm ${f.kind}×${f.times} on c${f.c}`);
        break;
      }
      case "abort-mid-hold": {
        const stub = () => inventoryStub(world, f.p, world.date(f.day));
        await stub().armFault("abort-mid-hold", 1);
        out.armed.push({ kind: f.kind, stub, point: "abort-mid-hold", times: 1 });
        out.crashArmed = true;
        out.notes.push(`arm abort-mid-hold on ${f.p}+${f.day}`);
        break;
      }
      case "d1-outage":
        await accountStub(world, f.c).armFault("d1-outage", 1);
        await inventoryStub(world, f.p, world.date(f.day)).armFault("d1-outage", 1);
        out.notes.push(`D1 outage for c${f.c} and ${f.p}+${f.day} until step ${f.untilStep}`);
        break;
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
        const orderId = world.orders.get(`${f.owner}:${f.sender}`);
        if (!orderId) {
          out.notes.push(`expire c${f.owner}:S${f.sender}: no such order yet`);
          break;
        }
        const stubs = await ageOrder(orderId);
        if (f.alarm === "with-step") out.during.push(() => Promise.all(stubs.map((s) => runAlarm(s()))));
        out.notes.push(`order ${orderId} (c${f.owner}:S${f.sender}) past its hold time; stock alarm ${f.alarm}`);
        break;
      }
      case "lockout-window":
        await runInDurableObject(accountStub(world, f.c), (_i, state) => {
          state.storage.sql.exec("UPDATE pay_failures SET at_ms = at_ms - ?", 16 * 60_000);
        });
        out.notes.push(`16 minutes pass for c${f.c}'s pay-password failures`);
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

/** Disarms the point; returns how often it struck in this instance (and forgets the count). */
async function disarm(stub: AnyStub, point: FaultPoint): Promise<number> {
  return inside(stub, (instance) => {
    instance.faults.disarm(point);
    const struck = instance.faults.struck.get(point) ?? 0;
    instance.faults.struck.delete(point);
    return struck;
  });
}

/** The order's hold time passes: in D1 (unpaid only) and in each of its stock holds. */
export async function ageOrder(orderId: string): Promise<(() => AnyStub)[]> {
  const pastMs = Date.now() - 1_000;
  const [, items] = await env.DB.batch<{ product_id: string; effect_date: string }>([
    env.DB.prepare("UPDATE orders SET expires_at_ms = ? WHERE order_id = ? AND status = 'unpaid'").bind(pastMs, orderId),
    env.DB.prepare("SELECT DISTINCT i.product_id, o.effect_date FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE i.order_id = ?").bind(orderId),
  ]);
  const stubs = items!.results.map((r) => () => env.INVENTORY.get(env.INVENTORY.idFromName(`${r.product_id}:${r.effect_date}`)));
  for (const stub of stubs) {
    await runInDurableObject(stub(), (_i, state) => {
      state.storage.sql.exec("UPDATE holds SET expires_at_ms = ? WHERE order_id = ? AND state = 'held'", pastMs, orderId);
    });
  }
  return stubs;
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
  for (const c of world.customers) await accountStub(world, c.index).disarmFaults();
  for (const pd of world.productDays()) await inventoryStub(world, pd.p, pd.date).disarmFaults();
}
