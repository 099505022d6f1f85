/**
 * How the Worker talks to InventoryDOs: one object per product and day,
 * named `${productId}:${yyyyMMdd}`; an order of several products holds in
 * each of them, all or nothing.
 */
import type { CalendarDay } from "../db/products";
/** The binding the client needs (the Worker's Env has it). */
interface Env {
  INVENTORY: DurableObjectNamespace<InventoryDO>;
}
import { placeInStock, slotsFromTimes } from "../domain/stock";
import { inventoryName } from "./inventory-names";
import { retryingReset } from "./stubs";
import type { DayConfig, HoldResult, InventoryAsk, InventoryDO, InventoryRefusal, CommitResult, PrepareResult, StockBelowUsage, StockView } from "./inventory";

export function inventoryOf(env: Env, productId: string, day: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(inventoryName(productId, day)));
}

/** D1's calendar row as the object's configuration (its version: updated_at_ms). */
export function dayConfigOf(day: CalendarDay): DayConfig {
  return { productId: day.productId, day: day.day, stock: day.stock, timeslots: day.timeslots, version: day.updatedAtMs };
}

/** One product's share of an order, as its InventoryDO is asked. */
export interface ProductAsk extends InventoryAsk {
  productId: string;
}

export type StockOutcome =
  | { ok: true; slotByProduct: Map<string, number | null> }
  | { ok: false; reason: InventoryRefusal; productId: string; detail?: string };

/** Verify's dry run: every product's answer, the first refusal in request order. */
export async function checkStock(env: Env, day: string, asks: readonly ProductAsk[]): Promise<StockOutcome> {
  const results = await Promise.all(asks.map(({ productId, ...ask }) => inventoryOf(env, productId, day).check(ask)));
  return outcomeOf(asks, results);
}

/**
 * Stock views read from the objects, per product and day, with the instant
 * each was read: each reader says how old a view it accepts (Verify,
 * Product/Calendar), and any of them refreshes it for the others.
 */
const views = new Map<string, { view: StockView; readAtMs: number }>();
const MAX_VIEWS = 2_000;

/**
 * Verify's dry run at a sale peak: an acceptance may come from the object's
 * stock view, at most `ttlMs` old (no older than the race every verify has
 * with the next add); a refusal always comes from the object itself, which
 * also settles holds past their time. Asks with seats go to the object.
 */
export async function checkStockViewed(env: Env, day: string, asks: readonly ProductAsk[], ttlMs: number, nowMs: number): Promise<StockOutcome> {
  if (ttlMs <= 0) return checkStock(env, day, asks);
  const results = await Promise.all(
    asks.map(async ({ productId, ...ask }) => {
      if (ask.seatIds.length > 0) return inventoryOf(env, productId, day).check(ask);
      const view = await viewOf(env, productId, day, ttlMs, nowMs);
      const config = ask.config && (view.version === null || ask.config.version >= view.version) ? ask.config : null;
      const stock = config ? { stock: config.stock, slots: slotsFromTimes(config.timeslots) } : view.day;
      const local = placeInStock(stock, { day: view.usage.day, bySlot: new Map(view.usage.bySlot.map((s) => [s.slotIndex, s.units])) }, ask);
      return local.ok ? local : inventoryOf(env, productId, day).check(ask);
    }),
  );
  return outcomeOf(asks, results);
}

/**
 * Each day's stock view for Product/Calendar (SPEC §10): one call per
 * product-day, all at once; a view at most `maxAgeMs` old may come from this
 * isolate (0: always the object). stockView() writes nothing.
 */
export function stockViews(env: Env, productId: string, days: readonly string[], maxAgeMs: number, nowMs: number): Promise<StockView[]> {
  return Promise.all(days.map((day) => viewOf(env, productId, day, maxAgeMs, nowMs)));
}

async function viewOf(env: Env, productId: string, day: string, maxAgeMs: number, nowMs: number): Promise<StockView> {
  const key = inventoryName(productId, day);
  const cached = views.get(key);
  if (maxAgeMs > 0 && cached && nowMs - cached.readAtMs < maxAgeMs) return cached.view;
  const view = await inventoryOf(env, productId, day).stockView();
  if (maxAgeMs > 0) {
    views.delete(key);
    if (views.size >= MAX_VIEWS) views.delete(views.keys().next().value!);
    views.set(key, { view, readAtMs: nowMs });
  }
  return view;
}

/**
 * Holds every product's share for `orderId`; when one refuses (or throws),
 * the others are released before answering. A hold whose release is lost
 * still ends: the alarm releases it at `expiresAtMs`, as D1 has no such order.
 */
export async function holdStock(env: Env, orderId: string, day: string, expiresAtMs: number, asks: readonly ProductAsk[]): Promise<StockOutcome> {
  const settled = await Promise.allSettled(asks.map(({ productId, ...ask }) => inventoryOf(env, productId, day).hold(orderId, expiresAtMs, ask)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const outcome = failed ? null : outcomeOf(asks, settled.map((s) => (s as PromiseFulfilledResult<HoldResult>).value));
  if (outcome?.ok) return outcome;
  await releaseStock(env, orderId, day, asks.map((a) => a.productId));
  if (failed) throw failed.reason;
  return outcome!;
}

/** Best effort: each object checks D1 before giving stock back. */
export async function releaseStock(env: Env, orderId: string, day: string, productIds: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(productIds.map((productId) => inventoryOf(env, productId, day).release(orderId)));
  for (const r of results) {
    if (r.status === "rejected") console.error(JSON.stringify({ event: "inventory_release_failed", orderId, error: String(r.reason) }));
  }
}

function outcomeOf(asks: readonly ProductAsk[], results: readonly HoldResult[]): StockOutcome {
  const slotByProduct = new Map<string, number | null>();
  for (const [i, result] of results.entries()) {
    if (!result.ok) return { ok: false, reason: result.reason, productId: asks[i]!.productId, detail: result.detail };
    slotByProduct.set(asks[i]!.productId, result.slotIndex);
  }
  return { ok: true, slotByProduct };
}

/** A refund's units back to their product-day (SPEC §10), for the AccountDO's RefundDesk; a reset object is asked once more. */
export function returnUnitsThrough(env: Env): (r: { orderId: string; effectDate: string; productId: string; units: number; refundId: string }) => Promise<void> {
  return async ({ orderId, effectDate, productId, units, refundId }) => {
    await retryingReset(() => inventoryOf(env, productId, effectDate), (inventory) => inventory.returnUnits({ orderId, refundId, units }));
  };
}

/**
 * After a date change committed (Order/ChangeDate): each new day's hold is
 * sold and the old day's released. Best effort: a hold not confirmed here
 * is settled by its object's alarm (D1 says committed), a release not done
 * is retried by the new day's alarm.
 */
export async function confirmMove(env: Env, changeId: string, day: string, productIds: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(
    productIds.map((productId) => retryingReset(() => inventoryOf(env, productId, day), (inventory) => inventory.confirmMove(changeId))),
  );
  for (const r of results) {
    if (r.status === "rejected") console.error(JSON.stringify({ event: "inventory_move_unconfirmed", changeId, error: String(r.reason) }));
  }
}

// ------------------------------------------------------------ the calendar in bulk (SPEC §12)

/**
 * Calls in flight at once from one request into InventoryDOs: Workers allow
 * 6 simultaneous outgoing connections per request, and a bulk call of 366
 * days must not open 366 at once.
 */
export const BULK_PARALLEL_CALLS = 6;

/** One day's answer to a bulk PUT's phase one. */
export type PreparedDay = { day: string; result: PrepareResult };

/**
 * Phase one in every day's object, BULK_PARALLEL_CALLS at a time; no new
 * day is asked once one refuses or fails. `prepared`: the days holding a
 * reservation under `token` now (to abort or commit); `refused`: the
 * earliest refused day; `failed`: an object could not be reached.
 */
export async function prepareDays(
  env: Env,
  token: string,
  configs: readonly DayConfig[],
  expiresAtMs: number,
): Promise<{ prepared: { day: string; version: number }[]; refused: (StockBelowUsage & { day: string }) | null; failed: unknown }> {
  const prepare = async (config: DayConfig): Promise<PrepareResult> =>
    retryingReset(() => inventoryOf(env, config.productId, config.day), async (inventory): Promise<PrepareResult> => inventory.prepareConfig(token, config, expiresAtMs));
  const answers = await mapBounded(configs, BULK_PARALLEL_CALLS, prepare, (result) => !result.ok);
  const prepared: { day: string; version: number }[] = [];
  let refused: (StockBelowUsage & { day: string }) | null = null;
  let failed: unknown = null;
  answers.forEach((answer, i) => {
    const day = configs[i]!.day;
    if (!answer) return;
    if (answer.status === "rejected") failed ??= answer.reason;
    else if (answer.value.ok) prepared.push({ day, version: answer.value.version });
    else refused ??= { ...answer.value, day };
  });
  return { prepared, refused, failed };
}

/** Phase two after D1 committed the call: every day applies; a day not reached applies from its alarm (D1 says committed). */
export async function commitDays(env: Env, productId: string, token: string, days: readonly string[]): Promise<number> {
  const answers = await mapBounded(days, BULK_PARALLEL_CALLS, async (day): Promise<CommitResult> =>
    retryingReset(() => inventoryOf(env, productId, day), async (inventory): Promise<CommitResult> => inventory.commitConfig(token)),
  );
  const unreached = answers.flatMap((a, i) => (a?.status === "rejected" ? [{ day: days[i], error: String(a.reason) }] : []));
  for (const u of unreached) console.error(JSON.stringify({ event: "inventory_bulk_commit_unreached", token, ...u }));
  return unreached.length;
}

/** The call was refused: each reservation goes at once (one not reached goes at its expiry: D1 has no decision, the alarm aborts it). */
export async function abortDays(env: Env, productId: string, token: string, days: readonly string[]): Promise<void> {
  const answers = await mapBounded(days, BULK_PARALLEL_CALLS, (day) =>
    retryingReset(() => inventoryOf(env, productId, day), (inventory) => inventory.abortConfig(token)),
  );
  for (const [i, a] of answers.entries()) {
    if (a?.status === "rejected") console.error(JSON.stringify({ event: "inventory_bulk_abort_unreached", token, day: days[i], error: String(a.reason) }));
  }
}

/**
 * `work` on every item, at most `limit` at a time, in order of the items;
 * once `stop` says so of an answer (or a call rejects, when `stop` is
 * given) no further item starts. An item never started answers undefined.
 */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  stop?: (result: R) => boolean,
): Promise<(PromiseSettledResult<R> | undefined)[]> {
  const settled: (PromiseSettledResult<R> | undefined)[] = Array.from({ length: items.length }, () => undefined);
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < items.length) {
      const i = next++;
      try {
        const value = await work(items[i]!);
        settled[i] = { status: "fulfilled", value };
        if (stop?.(value)) stopped = true;
      } catch (reason) {
        settled[i] = { status: "rejected", reason };
        if (stop) stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return settled;
}
