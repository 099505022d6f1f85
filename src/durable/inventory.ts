/**
 * InventoryDO — one per product and day (name `${productId}:${yyyyMMdd}`,
 * see inventory-client.ts): the day's stock, its time slots and seats, and
 * one hold per order (SPEC §2, §6 last paragraph).
 *
 * No overselling under any concurrency: every decision reads usage and
 * writes the hold in one synchronous SQLite transaction, and the object
 * runs one such block at a time. The daily purchase limits per ID number
 * and per mobile (SPEC §5.5: per product and day, this object's scope) are
 * decided the same way, from the units each hold records.
 *
 * D1 is the arbiter of an order's fate. A hold past its time is released
 * only after D1 says the order is not paid: the settling step fences the
 * ids D1 has no order for (an insert still on its way can then never land),
 * marks the others 'expired' (guarded: unpaid and past their time) and reads
 * the statuses back, in one batch; a paid order's hold becomes sold even
 * when the payment's `confirm` call was lost. Settling runs from the alarm
 * (at the earliest expiry; safe to run twice or late), on a release, and
 * when a hold would not fit; a release that cannot reach D1 leaves its hold
 * due at once, for the alarm's next try.
 *
 * The calendar in bulk (SPEC §12) configures many of these objects in one
 * call, all or nothing, in two phases: each day first reserves the new
 * configuration (`prepareConfig`: refused below what is sold and held, and
 * from then on every hold must fit it too), D1 then records the call's
 * decision with every day's row in one batch, and only then does each day
 * apply it (`commitConfig`). A call that goes quiet leaves reservations that
 * the alarm resolves from D1's decision at their expiry.
 * What no decision needs any more goes (domain/retention.ts): each alarm
 * purges released holds some days old, and a day gone by keeps only its
 * configuration and usage totals (the daily cron's `compact`, the alarm
 * finishing a backlog).
 *
 * RPC methods answer a partner's situation with results; a throw is a
 * programmer error and rolls back the transaction it happened in.
 */
import { DurableObject } from "cloudflare:workers";
import { clockOf, type Clock } from "../clock";
import { configOf, type ConfigVars } from "../config";
import { countAlarm, meteredEnv, meteredSql } from "../counters";
import { settleCalendarBulk } from "../db/calendar-bulk";
import { expireAndReadFates, readFates, type OrderFate } from "../db/orders";
import { shanghaiDate } from "../domain/dates";
import { checkDailyLimits, hasDailyLimits } from "../domain/limits";
import { PAST_DAY_RETENTION_MS, PURGE_AGAIN_MS, PURGE_BATCH_ROWS, RELEASED_HOLD_RETENTION_MS } from "../domain/retention";
import { placeInStock, remaining, type DayStock, type StockRefusal, type Usage } from "../domain/stock";
import { assertPreload, inventorySizes, preloadInventory, type InventoryPreload } from "./bench-preload";
import { Faults, InjectedFault, type FaultPoint } from "./faults";
import type { BuyerAsk, CommitResult, ConfigureResult, ConfirmResult, HoldResult, InventoryAsk, InventorySnapshot, PrepareResult, StockBelowUsage, StockView } from "./inventory-calls";
import { inventoryName } from "./inventory-names";
import { KnownAlarm } from "./known-alarm";
import { InventoryStore, sumMaps, type BuyerUnits, type DayConfig, type HoldRow, type HoldState, type MovedFrom, type PendingConfig } from "./inventory-store";
import { retryingReset } from "./stubs";

export type { DayConfig, HoldState, MovedFrom } from "./inventory-store";
export type * from "./inventory-calls";

/** Holds settled per D1 batch (one json_each parameter, well under 100 KB). */
const SETTLE_BATCH = 200;
/** When settling fails (D1 unreachable), the alarm tries again this much later. */
const ALARM_RETRY_MS = 30_000;

/** What InventoryDO reads from its environment. */
export interface InventoryEnv extends ConfigVars {
  DB: D1Database;
  /** The same product's other days: an order moving here releases its hold there. */
  INVENTORY: DurableObjectNamespace<InventoryDO>;
}

export class InventoryDO extends DurableObject<InventoryEnv> {
  protected readonly store: InventoryStore;
  /** Test configuration only (durable/faults.ts): a crash mid-hold, D1 unreachable. */
  private readonly faults: Faults;
  private readonly clock: Clock;
  /** One settling pass at a time; concurrent callers wait for it. */
  private settling: Promise<void> | null = null;
  /**
   * A configuration version this object has committed (read or written in a
   * transaction that returned): stored versions only move on, so an order
   * bringing this version or an older one has nothing to adopt, and its
   * hold skips the transaction that would ask (issue 19: a third of the
   * hold's JavaScript in a profile of order add).
   */
  private committedVersion = -1;
  /** The alarm's time as this object last set, deleted or read it (issue 19: no read per hold). */
  private readonly alarmTime: KnownAlarm;

  constructor(ctx: DurableObjectState, env: InventoryEnv) {
    // meteredEnv/meteredSql give back what they get unless BENCH_COUNTERS is "on" (counters.ts).
    super(ctx, meteredEnv(env));
    this.store = new InventoryStore(meteredSql(ctx.storage.sql, env, "InventoryDO"));
    this.faults = new Faults(configOf(env).faultInjection, ctx.id.toString());
    this.clock = clockOf(env);
    this.alarmTime = new KnownAlarm(ctx.storage, this.clock);
    void ctx.blockConcurrencyWhile(async () => ctx.storage.transactionSync(() => this.store.migrate()));
  }

  /** A storage transaction; one that fails leaves the store's cache of what it read forgotten (a rolled-back write must not stay known). */
  private transaction<T>(body: () => T): T {
    try {
      return this.ctx.storage.transactionSync(body);
    } catch (error) {
      this.store.forgetCache();
      throw error;
    }
  }

  /**
   * PUT calendar: stock and slots take effect for every later decision —
   * unless the day or a slot would then hold less than is sold and held
   * there (SPEC §6: sold + held ≤ stock), and then nothing is applied. A
   * configure is the newest word to reach the object: its version passes
   * the stored one, and the caller writes D1 with the version answered.
   */
  async configure(config: DayConfig): Promise<ConfigureResult> {
    const decided = this.transaction((): { ok: true; version: number } | StockBelowUsage => {
      // Newer than a configuration prepared in bulk, too: the later word wins in D1 and here alike.
      const version = Math.max(config.version, this.store.newestVersion() + 1);
      const below = this.belowUsage(config);
      if (below) return below;
      this.store.adopt({ ...config, version });
      return { ok: true, version };
    });
    return decided.ok ? { ...decided, snapshot: await this.snapshot() } : decided;
  }

  /**
   * D1's configuration brought by an order: adopted when newer, unless it is
   * below what is sold and held. The same version is the same configuration
   * (configure() moves the version on with every change): nothing to write.
   */
  private adoptFromOrder(config: DayConfig): void {
    if (config.version <= this.committedVersion) return;
    this.committedVersion = this.transaction((): number => {
      const stored = this.store.storedConfig();
      if (stored && stored.version >= config.version) return stored.version;
      const below = this.belowUsage(config);
      if (below) {
        console.error(JSON.stringify({ event: "inventory_config_below_usage", productId: config.productId, day: config.day, version: config.version, ...below }));
        return stored?.version ?? -1;
      }
      this.store.adopt(config);
      return config.version;
    });
  }

  /** The first place (the day, then each slot) where `config` would leave less than is sold and held. */
  private belowUsage(config: DayConfig): StockBelowUsage | null {
    const split = this.store.usageByState();
    const refusal = (slotIndex: number | null, capacity: number, sold: number, held: number): StockBelowUsage | null =>
      sold + held > capacity ? { ok: false, reason: "stockBelowUsage", slotIndex, capacity, sold, held } : null;
    const day = refusal(null, config.stock, split.sold.day, split.held.day);
    if (day) return day;
    for (const slot of config.timeslots ?? []) {
      const below = refusal(slot.index, slot.capacity, split.sold.bySlot.get(slot.index) ?? 0, split.held.bySlot.get(slot.index) ?? 0);
      if (below) return below;
    }
    return null;
  }

  // ------------------------------------------------------------ the calendar in bulk (SPEC §12)

  /**
   * Phase one of a bulk PUT: would `config` fit what is sold and held now?
   * If so it is reserved under `token` until the call's decision: from now
   * on a hold must fit it as well as the current configuration (`decide`),
   * so applying it later cannot be refused — the call never meets a late
   * refusal after other days were applied. Not applied yet; nothing else
   * changes. Idempotent per token. The alarm rings by `expiresAtMs`, to ask
   * D1 for the decision should the call never come back.
   */
  async prepareConfig(token: string, config: DayConfig, expiresAtMs: number): Promise<PrepareResult> {
    if (this.faults.fires("prepare-config-reject")) throw new InjectedFault("prepare-config-reject");
    await this.alarmNoLaterThan(expiresAtMs);
    const result = this.transaction((): PrepareResult => {
      const prior = this.store.pendingOf(token);
      if (prior) return { ok: true, version: prior.config.version };
      const below = this.belowUsage(config);
      if (below) return below;
      const version = Math.max(config.version, this.store.newestVersion() + 1);
      this.store.insertPending({ token, config: { ...config, version }, expiresAtMs });
      return { ok: true, version };
    });
    if (!result.ok) await this.scheduleAlarm();
    return result;
  }

  /** Phase two, once D1 recorded the call as committed: the prepared configuration takes effect (unless a newer one already did). */
  async commitConfig(token: string): Promise<CommitResult> {
    if (this.faults.fires("commit-config-reject")) throw new InjectedFault("commit-config-reject");
    const outcome = this.transaction(() => this.applyPending(token));
    await this.scheduleAlarm();
    return { outcome };
  }

  /** The call was refused elsewhere (another day below its usage): the reservation goes, nothing applied. Idempotent. */
  async abortConfig(token: string): Promise<void> {
    this.transaction(() => this.store.deletePending(token));
    await this.scheduleAlarm();
  }

  private applyPending(token: string): CommitResult["outcome"] {
    const pending = this.store.pendingOf(token);
    if (!pending) return "unknown";
    this.store.deletePending(token);
    const stored = this.store.storedConfig();
    if (stored && stored.version >= pending.config.version) return "superseded";
    // Every hold since the prepare was decided against this configuration too (decide).
    const below = this.belowUsage(pending.config);
    if (below) throw new Error(`prepared configuration ${token} below usage at commit: ${JSON.stringify(below)}`);
    this.store.adopt(pending.config);
    return "applied";
  }

  /** Reservations whose call went quiet: D1's decision (an absent one fenced as 'aborted') applies or drops each. */
  private async resolveDuePendings(): Promise<void> {
    const nowMs = this.clock.nowMs();
    for (const pending of this.store.pendingConfigs().filter((p) => p.expiresAtMs <= nowMs)) {
      const decision = await this.faults.d1("settle", () => settleCalendarBulk(this.env.DB, pending.token, pending.config.productId, nowMs));
      this.transaction(() => (decision === "committed" ? this.applyPending(pending.token) : this.store.deletePending(pending.token)));
      console.log(JSON.stringify({ event: "inventory_bulk_config_resolved", token: pending.token, day: pending.config.day, decision }));
    }
  }

  /**
   * Where a hold placed in `slotIndex` would leave a configuration prepared in
   * bulk below what is sold and held (the same rule as `belowUsage`): such a
   * hold is refused while the reservation waits.
   */
  private pendingRefusal(pendings: readonly PendingConfig[], usage: Usage, slotIndex: number | null, quantity: number): StockRefusal | null {
    for (const { config } of pendings) {
      if (usage.day + quantity > config.stock) return "stockSoldOut";
      const slot = slotIndex === null ? undefined : config.timeslots?.find((s) => s.index === slotIndex);
      if (slot && (usage.bySlot.get(slot.index) ?? 0) + quantity > slot.capacity) return "timeslotSoldOut";
    }
    return null;
  }

  // ------------------------------------------------------------ decisions

  /** Verify's dry run (SPEC §5.5 "No side effects"): would `ask` be held now? Writes nothing. */
  async check(ask: InventoryAsk): Promise<HoldResult> {
    const first = this.decide(this.store.dayStock(ask.config), this.store.usage(), ask, new Set());
    if (first.ok) return first;
    const nowMs = this.clock.nowMs();
    const expired = this.store.expiredHolds(nowMs);
    if (expired.length === 0) return first;
    // Holds past their time whose orders D1 no longer counts: a real hold would settle them first.
    let fates: Map<string, OrderFate>;
    try {
      fates = await this.faults.d1("settle", () => readFates(this.env.DB, expired.map((h) => h.order_id)));
    } catch (error) {
      console.error(JSON.stringify({ event: "inventory_fates_unread", error: String(error) }));
      return first;
    }
    // Other calls ran during the read: count only what is still held now.
    const gone = expired.filter((h) => fateOf(fates.get(h.order_id), nowMs) === "released" && this.store.holdOf(h.order_id)?.state === "held");
    return this.decide(this.store.dayStock(ask.config), this.store.usage(gone), ask, new Set(gone.map((h) => h.order_id)));
  }

  /**
   * Holds `ask` for `orderId` until `expiresAtMs` (the order's own
   * expires_at_ms in D1). Idempotent per order id.
   */
  async hold(orderId: string, expiresAtMs: number, ask: InventoryAsk): Promise<HoldResult> {
    if (ask.config) this.adoptFromOrder(ask.config);
    // No hold is written without the alarm that will settle it: a crash between the hold and its
    // alarm left stock held for an order D1 never got, until some later hold happened to set the
    // alarm (reliability simulation, seed 23: a crash mid-hold during a D1 outage).
    await this.alarmNoLaterThan(expiresAtMs);
    let result = this.tryHold(orderId, expiresAtMs, ask);
    let settled = false;
    if (!result.ok && this.store.expiredHolds(this.clock.nowMs()).length > 0) {
      try {
        await this.settle();
        settled = true;
        result = this.tryHold(orderId, expiresAtMs, ask);
      } catch (error) {
        // D1 unreachable: the refusal stands (the stock stays held until D1 says otherwise); the alarm retries.
        console.error(JSON.stringify({ event: "inventory_settle_failed", error: String(error) }));
      }
    }
    if (result.ok) {
      if (this.faults.fires("abort-mid-hold")) await this.faults.crash(this.ctx, "abort-mid-hold");
      // A new hold can only make the alarm due earlier, and it already rings no later than this
      // hold's expiry (above): the schedule is asked again only after a settling pass changed the
      // holds (issue 19: three statements and an alarm read saved on every add).
      if (settled) await this.scheduleAlarm();
    }
    return result;
  }

  /**
   * One transaction. A repeat of an order id finds its first hold's answer:
   * looked up where this ask is refused, and where its insert meets the
   * first hold's row — not by a read ahead of every hold (issue 19).
   */
  private tryHold(orderId: string, expiresAtMs: number, ask: InventoryAsk): HoldResult {
    return this.transaction((): HoldResult => {
      const pendings = this.store.pendingConfigs();
      // Limits first, as Verify orders its refusals (SPEC §5.5), then stock, slots and seats.
      const overLimit = ask.buyers ? this.limitRefusal(ask.buyers) : null;
      if (overLimit) return this.priorHold(orderId) ?? overLimit;
      const day = this.store.dayStock();
      const decision = this.decide(day, this.store.usage(), ask, new Set(), pendings);
      if (!decision.ok) return this.priorHold(orderId) ?? decision;
      const limited = ask.buyers && hasDailyLimits(ask.buyers.limits) ? ask.buyers : null;
      const buyers = limited ? buyerRows(limited) : [];
      const inserted = this.store.insertHold({
        orderId,
        quantity: ask.quantity,
        slotIndex: decision.slotIndex,
        seatIds: ask.seatIds,
        buyers,
        expiresAtMs,
        nowMs: this.clock.nowMs(),
        movedFrom: ask.movedFrom ?? null,
      });
      if (!inserted) return this.priorHold(orderId)!;
      this.assertWithinStock(day, decision.slotIndex, pendings);
      if (limited) this.assertWithinLimits(limited);
      return decision;
    });
  }

  /** The answer a hold of this order id already got; null when there is none. */
  private priorHold(orderId: string): HoldResult | null {
    const prior = this.store.holdOf(orderId);
    if (!prior) return null;
    if (prior.state === "released") throw new Error(`hold of ${orderId} was released; order ids are never reused`);
    return { ok: true, slotIndex: prior.slot_index };
  }

  /**
   * SPEC §5.5: the units live holds (held or sold; a held one past its time
   * until D1 says otherwise) take per ID number and per mobile, plus this
   * order's, within the product's daily limits.
   */
  private limitRefusal(buyers: BuyerAsk): HoldResult | null {
    if (!hasDailyLimits(buyers.limits)) return null;
    const adding = { byId: new Map(buyers.byId), byMobile: new Map(buyers.byMobile) };
    const existing = { byId: this.store.buyerUnits("id", [...adding.byId.keys()]), byMobile: this.store.buyerUnits("mobile", [...adding.byMobile.keys()]) };
    const refusal = checkDailyLimits(buyers.limits, adding, existing);
    return refusal ? { ok: false, reason: refusal.key, detail: refusal.detail } : null;
  }

  /** Placement in the day and slot, then the seats; `ignoring`: orders whose seats count as free. */
  private decide(day: DayStock, usage: Usage, ask: InventoryAsk, ignoring: ReadonlySet<string>, pendings = this.store.pendingConfigs()): HoldResult {
    const placement = placeInStock(day, usage, ask);
    if (!placement.ok) return placement;
    const reserved = this.pendingRefusal(pendings, usage, placement.slotIndex, ask.quantity);
    if (reserved) return { ok: false, reason: reserved };
    for (const seat of ask.seatIds) {
      const owner = this.store.seatOwner(placement.slotIndex, seat);
      if (owner !== null && !ignoring.has(owner)) return { ok: false, reason: "seatTaken" };
    }
    return placement;
  }

  /** Read back after a hold: its buyers are within the limits the hold was decided by. */
  private assertWithinLimits(buyers: BuyerAsk): void {
    // The messages leave the ID number and the mobile out: they reach the logs.
    const { limitPerIdPerDay: perId, limitPerMobilePerDay: perMobile } = buyers.limits;
    for (const units of this.store.buyerUnits("id", buyers.byId.map(([id]) => id)).values()) {
      if (perId !== null && units > perId) throw new Error(`an ID number over its daily limit: ${units} > ${perId}`);
    }
    for (const units of this.store.buyerUnits("mobile", buyers.byMobile.map(([mobile]) => mobile)).values()) {
      if (perMobile !== null && units > perMobile) throw new Error(`a mobile over its daily limit: ${units} > ${perMobile}`);
    }
  }

  /** Read back after a hold: the day and its slot are within what is configured. */
  private assertWithinStock(day: DayStock, slotIndex: number | null, pendings: readonly PendingConfig[]): void {
    const usage = this.store.usage();
    if (usage.day > day.stock) throw new Error(`oversold: ${usage.day} > ${day.stock}`);
    const slot = day.slots.find((s) => s.index === slotIndex);
    if (slot && (usage.bySlot.get(slot.index) ?? 0) > slot.capacity) throw new Error(`slot ${slot.index} oversold`);
    for (const pending of pendings) {
      if (this.belowUsage(pending.config)) throw new Error(`a hold left the configuration prepared under ${pending.token} below usage`);
    }
  }

  // ------------------------------------------------------------ an order's fate

  /** After a payment committed: the hold becomes sold. Idempotent. */
  async confirm(orderId: string): Promise<ConfirmResult> {
    return (await this.confirmMany([orderId]))[0]!;
  }

  /** confirm() for the paid orders of a moment, in one transaction (endpoints/partner/follow-ups.ts). */
  async confirmMany(orderIds: readonly string[]): Promise<ConfirmResult[]> {
    return this.transaction(() =>
      orderIds.map((orderId): ConfirmResult => {
        const hold = this.store.holdOf(orderId);
        if (!hold) return { ok: false, reason: "unknownOrder" };
        if (hold.state === "released") return { ok: false, reason: "released" };
        if (hold.state === "held") this.store.decideHold(orderId, "sold", hold.expires_at_ms, this.clock.nowMs());
        return { ok: true };
      }),
    );
  }

  /** A refund's units back in this day's stock (SPEC §10); idempotent per refund. */
  async returnUnits(input: { orderId: string; refundId: string; units: number }): Promise<{ outcome: "returned" | "already" | "unknownOrder" | "released" }> {
    if (this.faults.fires("return-units-reject")) throw new InjectedFault("return-units-reject");
    const nowMs = this.clock.nowMs();
    return { outcome: this.transaction(() => this.store.returnUnits(input.orderId, input.refundId, input.units, nowMs)) };
  }

  // ------------------------------------------------------------ an order moving between days

  /**
   * After a date change committed in D1 (Order/ChangeDate): the hold kept
   * under the change's id becomes sold, and the day the order left releases
   * its hold. A failed release stays due; the alarm retries it. Idempotent.
   */
  async confirmMove(changeId: string): Promise<{ state: HoldState | "unknown" }> {
    await this.confirm(changeId);
    await this.drainMoveOuts();
    await this.scheduleAlarm();
    return { state: this.store.holdOf(changeId)?.state ?? "unknown" };
  }

  /**
   * The order this day's hold `holdKey` belongs to moved to another day (D1
   * committed the change; the new day's object calls, once it sold the new
   * hold): the units leave this day. Idempotent.
   */
  async moveOut(holdKey: string): Promise<{ outcome: "movedOut" | "already" | "unknownOrder" }> {
    if (this.faults.fires("move-out-reject")) throw new InjectedFault("move-out-reject");
    const nowMs = this.clock.nowMs();
    const outcome = this.transaction(() => this.store.moveOutHold(holdKey, nowMs));
    if (outcome === "unknownOrder") console.error(JSON.stringify({ event: "inventory_move_out_unknown_hold", holdKey }));
    await this.scheduleAlarm();
    return { outcome };
  }

  /** Each sold hold whose old day still owes its release: asks that day's object; what fails stays due. */
  private async drainMoveOuts(): Promise<void> {
    const due = this.store.dueMoveOuts();
    if (due.length === 0) return;
    const productId = this.store.storedConfig()?.productId;
    if (!productId) throw new Error("a hold moved here on a day with no configuration");
    for (const hold of due) {
      try {
        await retryingReset(() => this.env.INVENTORY.get(this.env.INVENTORY.idFromName(inventoryName(productId, hold.moved_from_day))), (old) => old.moveOut(hold.moved_from_key));
        this.transaction(() => this.store.markMovedOut(hold.order_id));
      } catch (error) {
        console.error(JSON.stringify({ event: "inventory_move_out_failed", holdKey: hold.order_id, from: hold.moved_from_day, error: String(error) }));
      }
    }
  }

  /**
   * Gives the stock back when D1 says the order will never be paid (no such
   * order — it lost the senderid race, or its insert failed — and its id now
   * fenced so it never will be; expired or cancelled); a paid order's hold
   * becomes sold instead, a live unpaid one stays. Idempotent.
   */
  async release(orderId: string): Promise<{ state: HoldState | "unknown" }> {
    const hold = this.store.holdOf(orderId);
    if (!hold || hold.state !== "held") return { state: hold?.state ?? "unknown" };
    const nowMs = this.clock.nowMs();
    let fates: Map<string, OrderFate>;
    try {
      fates = await this.expiryBatch([orderId], nowMs);
    } catch (error) {
      await this.settleSoon(orderId, nowMs);
      throw error;
    }
    this.applyFates([hold], fates, nowMs);
    await this.scheduleAlarm();
    return { state: this.store.holdOf(orderId)!.state };
  }

  /**
   * A release that could not learn the order's fate (D1 unreachable): the
   * hold becomes due now, and the alarm asks D1 within ALARM_RETRY_MS rather
   * than at the order's own expiry — a cancelled order's units come back
   * once D1 answers (SPEC §10 Cancel: "released at once"). D1 still decides:
   * a live order's hold goes back to the order's time (`applyFates`).
   */
  private async settleSoon(orderId: string, nowMs: number): Promise<void> {
    this.transaction(() => {
      const hold = this.store.holdOf(orderId);
      if (hold?.state === "held" && hold.expires_at_ms > nowMs) this.store.decideHold(orderId, "held", nowMs, nowMs);
    });
    await this.alarmNoLaterThan(nowMs + ALARM_RETRY_MS);
  }

  override async alarm(): Promise<void> {
    countAlarm(this.env, "InventoryDO");
    this.alarmTime.rang();
    try {
      await this.settle();
      await this.resolveDuePendings();
    } catch (error) {
      console.error(JSON.stringify({ event: "inventory_settle_failed", error: String(error) }));
      await this.alarmTime.set(this.clock.nowMs() + ALARM_RETRY_MS);
      return;
    }
    await this.drainMoveOuts();
    await this.scheduleAlarm(this.retire(this.clock.nowMs()));
  }

  /**
   * Retention (domain/retention.ts), a bounded pass of each: released holds
   * past their window, and the holds of a day gone by. True when a pass
   * filled its batch (more is left: the alarm comes back soon).
   */
  private retire(nowMs: number): boolean {
    return this.transaction(() => {
      const released = this.store.purgeReleased(nowMs - RELEASED_HOLD_RETENTION_MS, PURGE_BATCH_ROWS);
      const day = this.store.storedConfig()?.day;
      const compacted = day !== undefined && day < shanghaiDate(nowMs - PAST_DAY_RETENTION_MS) ? this.store.compactHolds(PURGE_BATCH_ROWS) : 0;
      return released === PURGE_BATCH_ROWS || compacted === PURGE_BATCH_ROWS;
    });
  }

  /**
   * The daily cron's call on a day gone by (queue/retention.ts): what is
   * due goes now, a backlog with the alarm soon after. Nothing on a day
   * still within its window.
   */
  async compact(): Promise<{ backlog: boolean }> {
    const backlog = this.retire(this.clock.nowMs());
    if (backlog) await this.alarmNoLaterThan(this.clock.nowMs() + PURGE_AGAIN_MS);
    return { backlog };
  }

  /** Settles every hold past its time against D1; concurrent callers share one pass. */
  private settle(): Promise<void> {
    this.settling ??= this.settlePass().finally(() => {
      this.settling = null;
    });
    return this.settling;
  }

  private async settlePass(): Promise<void> {
    for (;;) {
      const nowMs = this.clock.nowMs();
      const expired = this.store.expiredHolds(nowMs, SETTLE_BATCH);
      if (expired.length === 0) return;
      const fates = await this.expiryBatch(expired.map((h) => h.order_id), nowMs);
      this.applyFates(expired, fates, nowMs);
    }
  }

  /** D1's word on these orders (db/orders.ts `expireAndReadFates`), through this object's fault points. */
  private async expiryBatch(orderIds: readonly string[], nowMs: number): Promise<Map<string, OrderFate>> {
    const fates = await this.faults.d1("expiry", () => expireAndReadFates(this.env.DB, orderIds, nowMs));
    await this.faults.landLateInserts(this.env.DB);
    return fates;
  }

  private applyFates(holds: readonly HoldRow[], fates: ReadonlyMap<string, OrderFate>, nowMs: number): void {
    this.transaction(() => {
      for (const hold of holds) {
        const fate = fates.get(hold.order_id);
        const next = fateOf(fate, nowMs);
        // A live order's hold moves to D1's own time, so this pass cannot meet it again.
        this.store.decideHold(hold.order_id, next, next === "held" ? Math.max(fate!.expiresAtMs, nowMs + 1) : hold.expires_at_ms, nowMs);
      }
    });
  }

  /** The alarm rings no later than `atMs` (set before a hold expiring then is written). */
  private async alarmNoLaterThan(atMs: number): Promise<void> {
    const current = await this.alarmTime.at();
    if (current === null || current > atMs) await this.alarmTime.set(atMs);
  }

  /**
   * The alarm rings at the earliest expiry of a held hold or of a
   * configuration prepared in bulk, to retry a move-out still due, or to go
   * on with a retention backlog; none of them, no alarm.
   */
  private async scheduleAlarm(retentionBacklog = false): Promise<void> {
    const nowMs = this.clock.nowMs();
    const candidates = [
      this.store.nextExpiry(),
      this.store.nextPendingExpiry(),
      this.store.dueMoveOuts().length > 0 ? nowMs + ALARM_RETRY_MS : null,
      retentionBacklog ? nowMs + PURGE_AGAIN_MS : null,
    ].filter((at): at is number => at !== null);
    const next = candidates.length === 0 ? null : Math.min(...candidates);
    if (next === null) {
      await this.alarmTime.delete();
      return;
    }
    if ((await this.alarmTime.at()) !== next) await this.alarmTime.set(next);
  }

  // ------------------------------------------------------------ reading

  /**
   * The day's stock and usage as they stand, for Verify's short-lived view in
   * the Worker (inventory-client.ts `checkStockViewed`). Held holds past their
   * time still count, as in a hold decision before settling.
   */
  async stockView(): Promise<StockView> {
    const usage = this.store.usage();
    const bySlot = [...usage.bySlot].map(([slotIndex, units]) => ({ slotIndex, units }));
    return { version: this.store.storedConfig()?.version ?? null, day: this.store.dayStock(), usage: { day: usage.day, bySlot } };
  }

  /** Stock, held (unpaid orders), sold (paid) and what is left, for the day and each slot. */
  async snapshot(): Promise<InventorySnapshot> {
    const config = this.store.storedConfig();
    const day = this.store.dayStock();
    const split = this.store.usageByState();
    const left = remaining(day, { day: split.held.day + split.sold.day, bySlot: sumMaps(split.held.bySlot, split.sold.bySlot) });
    return {
      productId: config?.productId ?? null,
      day: config?.day ?? null,
      version: config?.version ?? null,
      stock: day.stock,
      held: split.held.day,
      sold: split.sold.day,
      available: left.day,
      slots: day.slots.map((s) => ({
        ...s,
        held: split.held.bySlot.get(s.index) ?? 0,
        sold: split.sold.bySlot.get(s.index) ?? 0,
        available: left.bySlot.get(s.index) ?? 0,
      })),
    };
  }

  // ------------------------------------------------------------ test support

  /** Arms a fault point (durable/faults.ts); refused unless FAULT_INJECTION is "on". */
  async armFault(point: FaultPoint, times = 1): Promise<void> {
    this.faults.arm(point, times);
  }

  async disarmFaults(): Promise<void> {
    this.faults.disarm();
  }

  // ------------------------------------------------------------ bench only (BENCH_PRELOAD: durable/bench-preload.ts)

  async benchPreload(p: InventoryPreload): Promise<Record<string, number>> {
    assertPreload(this.env);
    preloadInventory(this.ctx.storage, this.ctx.storage.sql, p, this.clock.nowMs());
    await this.scheduleAlarm();
    return inventorySizes(this.ctx.storage.sql);
  }

  async benchSizes(): Promise<Record<string, number>> {
    assertPreload(this.env);
    return inventorySizes(this.ctx.storage.sql);
  }

  /** The alarm's retention passes, run until no backlog is left (what the alarm does a pass per ring). */
  async benchRetire(): Promise<{ passes: number }> {
    assertPreload(this.env);
    let passes = 1;
    while (this.retire(this.clock.nowMs()) && passes < 10_000) passes += 1;
    return { passes };
  }
}

function buyerRows(buyers: BuyerAsk): BuyerUnits[] {
  return [
    ...buyers.byId.map(([buyer, units]): BuyerUnits => ({ kind: "id", buyer, units })),
    ...buyers.byMobile.map(([buyer, units]): BuyerUnits => ({ kind: "mobile", buyer, units })),
  ];
}

/** What a held hold becomes, given D1's word on its order (absent: no such order). */
function fateOf(fate: OrderFate | undefined, nowMs: number): HoldState {
  if (fate?.status === "paid") return "sold";
  if (fate?.status === "unpaid" && fate.expiresAtMs > nowMs) return "held";
  return "released";
}
