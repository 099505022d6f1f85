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

export function accountStub(world: World, c: number) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(world.customers[c]!.dwid));
}

export function inventoryStub(world: World, p: ProductKey, date: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(`${world.productIds[p]}:${date}`));
}

/** A one-shot fault point armed for a step: after the step, did it fire? */
interface Armed {
  kind: FaultKind;
  stub: DurableObjectStub;
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
  notes: string[];
}

export interface FaultTally {
  /** Per kind: planned, and (fault points only) how many fired. */
  planned: Record<string, number>;
  fired: Record<string, number>;
}

export async function prepareFaults(world: World, faults: readonly Fault[]): Promise<StepFaults> {
  const out: StepFaults = { armed: [], during: [], after: [], crashArmed: false, notes: [] };
  for (const f of faults) {
    switch (f.kind) {
      case "d1-batch-reject":
      case "d1-reply-lost":
      case "abort-after-hold":
      case "abort-after-batch": {
        const stub = accountStub(world, f.c);
        await stub.armFault(f.kind, f.times);
        out.armed.push({ kind: f.kind, stub, point: f.kind, times: f.times });
        if (f.kind.startsWith("abort")) out.crashArmed = true;
        out.notes.push(`arm ${f.kind}×${f.times} on c${f.c}`);
        break;
      }
      case "abort-mid-hold": {
        const stub = inventoryStub(world, f.p, world.date(f.day));
        await stub.armFault("abort-mid-hold", 1);
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
      case "recover":
        await disarm(accountStub(world, f.c), "d1-outage");
        await disarm(inventoryStub(world, f.p, world.date(f.day)), "d1-outage");
        out.notes.push(`D1 back for c${f.c} and ${f.p}+${f.day}`);
        break;
      case "alarm-twice": {
        const stub = f.c !== null ? accountStub(world, f.c) : inventoryStub(world, f.p!, world.date(f.day));
        const deliver = () => runInDurableObject(stub, (instance: { alarm(): Promise<void> }) => instance.alarm());
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
        if (f.alarm === "with-step") out.during.push(() => Promise.all(stubs.map((s) => runDurableObjectAlarm(s))));
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
    const left = await runInDurableObject(a.stub, (instance: any) => {
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

async function disarm(stub: DurableObjectStub, point: FaultPoint): Promise<void> {
  await runInDurableObject(stub, (instance: any) => instance.faults.disarm(point));
}

/** The order's hold time passes: in D1 (unpaid only) and in each of its stock holds. */
export async function ageOrder(orderId: string): Promise<DurableObjectStub[]> {
  const pastMs = Date.now() - 1_000;
  const [, items] = await env.DB.batch<{ product_id: string; effect_date: string }>([
    env.DB.prepare("UPDATE orders SET expires_at_ms = ? WHERE order_id = ? AND status = 'unpaid'").bind(pastMs, orderId),
    env.DB.prepare("SELECT DISTINCT i.product_id, o.effect_date FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE i.order_id = ?").bind(orderId),
  ]);
  const stubs = items!.results.map((r) => env.INVENTORY.get(env.INVENTORY.idFromName(`${r.product_id}:${r.effect_date}`)));
  for (const stub of stubs) {
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE holds SET expires_at_ms = ? WHERE order_id = ? AND state = 'held'", pastMs, orderId);
    });
  }
  return stubs;
}

/** Every scheduled alarm of the world's objects, run once now. */
export async function runEveryAlarm(world: World): Promise<number> {
  let ran = 0;
  for (const c of world.customers) if (await runDurableObjectAlarm(accountStub(world, c.index))) ran += 1;
  for (const pd of world.productDays()) if (await runDurableObjectAlarm(inventoryStub(world, pd.p, pd.date))) ran += 1;
  return ran;
}

/** Disarms every fault point of the world's objects (the end of every outage). */
export async function disarmEverything(world: World): Promise<void> {
  for (const c of world.customers) await accountStub(world, c.index).disarmFaults();
  for (const pd of world.productDays()) await inventoryStub(world, pd.p, pd.date).disarmFaults();
}
