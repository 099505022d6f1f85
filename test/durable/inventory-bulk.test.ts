/**
 * InventoryDO's share of the calendar in bulk (SPEC §12): a configuration
 * reserved by `prepareConfig` can always be applied, because every hold
 * while it waits must fit it too; `commitConfig` applies it, `abortConfig`
 * drops it, and the alarm resolves one whose call went quiet from D1's
 * decision (fencing an absent one). Real objects, real D1; reservations are
 * aged by writing their expiry in the object's storage.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { commitCalendarBulk } from "../../src/db/calendar-bulk";
import type { DayConfig, InventoryAsk } from "../../src/durable/inventory";
import { admin, uniqueId } from "../helpers/api";

const DAY = "20991230";
const HOUR_MS = 3_600_000;
const SLOTS = [
  { index: 1, start: "09:00", end: "12:00", capacity: 5 },
  { index: 2, start: "12:00", end: "17:00", capacity: 5 },
];

function anInventory(stock = 10, timeslots: DayConfig["timeslots"] = null) {
  const productId = uniqueId("bulk");
  const stub = env.INVENTORY.get(env.INVENTORY.idFromName(`${productId}:${DAY}`));
  const config: DayConfig = { productId, day: DAY, stock, timeslots, version: 1 };
  return { productId, stub, config };
}
type Stub = ReturnType<typeof anInventory>["stub"];

const ask = (quantity: number, timespanIndex: number | null = null): InventoryAsk => ({ quantity, timespanIndex, seatIds: [], closedBeforeMinute: null, config: null });
const anOrderId = () => uniqueId("O").slice(0, 20);
const aToken = () => crypto.randomUUID();
const later = () => Date.now() + HOUR_MS;

async function pendingTokens(stub: Stub): Promise<string[]> {
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ token: string }>("SELECT token FROM pending_configs ORDER BY token").toArray().map((r) => r.token));
}

async function ageReservation(stub: Stub, token: string): Promise<void> {
  await runInDurableObject(stub, (_i, state) => {
    state.storage.sql.exec("UPDATE pending_configs SET expires_at_ms = ? WHERE token = ?", Date.now() - 1000, token);
  });
}

async function decisionOf(token: string): Promise<string | undefined> {
  return (await env.DB.prepare("SELECT decision FROM calendar_bulk_decisions WHERE token = ?").bind(token).first<{ decision: string }>())?.decision;
}

describe("prepareConfig", () => {
  it("refuses a configuration below what is sold and held, reserving nothing", async () => {
    const { stub, config } = anInventory(10);
    await stub.configure(config);
    const sold = anOrderId();
    await stub.hold(sold, later(), ask(3));
    await stub.confirm(sold);
    await stub.hold(anOrderId(), later(), ask(2));
    expect(await stub.prepareConfig(aToken(), { ...config, stock: 4, version: 2 }, later())).toEqual({
      ok: false, reason: "stockBelowUsage", slotIndex: null, capacity: 4, sold: 3, held: 2,
    });
    expect(await pendingTokens(stub)).toEqual([]);
    expect(await stub.snapshot()).toMatchObject({ stock: 10, version: 1 });
  });

  it("refuses a slot below its usage, naming the slot", async () => {
    const { stub, config } = anInventory(10, SLOTS);
    await stub.configure(config);
    await stub.hold(anOrderId(), later(), ask(3, 2));
    const lower = SLOTS.map((s) => (s.index === 2 ? { ...s, capacity: 2 } : s));
    expect(await stub.prepareConfig(aToken(), { ...config, stock: 7, timeslots: lower, version: 2 }, later())).toEqual({
      ok: false, reason: "stockBelowUsage", slotIndex: 2, capacity: 2, sold: 0, held: 3,
    });
  });

  it("reserves without applying; is idempotent per token; its version passes the stored one and a configure passes it", async () => {
    const { stub, config } = anInventory(10);
    await stub.configure({ ...config, version: 50 });
    const token = aToken();
    expect(await stub.prepareConfig(token, { ...config, stock: 6, version: 7 }, later())).toEqual({ ok: true, version: 51 });
    expect(await stub.prepareConfig(token, { ...config, stock: 6, version: 7 }, later())).toEqual({ ok: true, version: 51 });
    expect(await pendingTokens(stub)).toEqual([token]);
    expect(await stub.snapshot()).toMatchObject({ stock: 10, version: 50 });
    // A later single-day PUT is the later word: newer than the reservation.
    expect(await stub.configure({ ...config, stock: 9, version: 3 })).toMatchObject({ ok: true, version: 52 });
  });
});

describe("while a configuration is reserved", () => {
  it("a hold must fit it as well as the current stock: the concurrent order is refused, never the commit", async () => {
    const { stub, config } = anInventory(10);
    await stub.configure(config);
    await stub.hold(anOrderId(), later(), ask(3));
    const token = aToken();
    expect(await stub.prepareConfig(token, { ...config, stock: 4, version: 2 }, later())).toMatchObject({ ok: true });
    // Fits today's 10, not the reserved 4.
    expect(await stub.hold(anOrderId(), later(), ask(2))).toEqual({ ok: false, reason: "stockSoldOut" });
    expect(await stub.check(ask(2))).toEqual({ ok: false, reason: "stockSoldOut" });
    expect(await stub.hold(anOrderId(), later(), ask(1))).toEqual({ ok: true, slotIndex: null });
    expect(await stub.commitConfig(token)).toEqual({ outcome: "applied" });
    expect(await stub.snapshot()).toMatchObject({ stock: 4, held: 4, available: 0, version: 2 });
    expect(await pendingTokens(stub)).toEqual([]);
  });

  it("a slot's reserved capacity binds holds in that slot", async () => {
    const { stub, config } = anInventory(10, SLOTS);
    await stub.configure(config);
    const token = aToken();
    const tighter = SLOTS.map((s) => (s.index === 1 ? { ...s, capacity: 2 } : { ...s, capacity: 8 }));
    expect(await stub.prepareConfig(token, { ...config, timeslots: tighter, version: 2 }, later())).toMatchObject({ ok: true });
    expect(await stub.hold(anOrderId(), later(), ask(3, 1))).toEqual({ ok: false, reason: "timeslotSoldOut" });
    expect(await stub.hold(anOrderId(), later(), ask(2, 1))).toMatchObject({ ok: true, slotIndex: 1 });
    expect(await stub.hold(anOrderId(), later(), ask(5, 2))).toMatchObject({ ok: true, slotIndex: 2 });
    expect(await stub.commitConfig(token)).toEqual({ outcome: "applied" });
    expect((await stub.snapshot()).slots.map((s) => [s.index, s.capacity, s.held])).toEqual([[1, 2, 2], [2, 8, 5]]);
  });

  it("a raise binds nothing more than today's stock; abort drops the reservation and applies nothing", async () => {
    const { stub, config } = anInventory(3);
    await stub.configure(config);
    const token = aToken();
    expect(await stub.prepareConfig(token, { ...config, stock: 1, version: 2 }, later())).toMatchObject({ ok: true });
    expect(await stub.hold(anOrderId(), later(), ask(2))).toEqual({ ok: false, reason: "stockSoldOut" });
    await stub.abortConfig(token);
    await stub.abortConfig(token);
    expect(await pendingTokens(stub)).toEqual([]);
    expect(await stub.hold(anOrderId(), later(), ask(2))).toMatchObject({ ok: true });
    expect(await stub.commitConfig(token)).toEqual({ outcome: "unknown" });
    expect(await stub.snapshot()).toMatchObject({ stock: 3, held: 2, version: 1 });
  });

  it("30 concurrent holds against a reservation lowering 20 to 8: never more than 8 taken, and the commit applies", async () => {
    const { stub, config } = anInventory(20);
    await stub.configure(config);
    const token = aToken();
    expect(await stub.prepareConfig(token, { ...config, stock: 8, version: 2 }, later())).toMatchObject({ ok: true });
    const holds = await Promise.all(Array.from({ length: 30 }, () => stub.hold(anOrderId(), later(), ask(1))));
    expect(holds.filter((h) => h.ok)).toHaveLength(8);
    expect(await stub.commitConfig(token)).toEqual({ outcome: "applied" });
    expect(await stub.snapshot()).toMatchObject({ stock: 8, held: 8, available: 0 });
  });

  it("a configure after the reservation supersedes it: the commit keeps the newer configuration", async () => {
    const { stub, config } = anInventory(10);
    await stub.configure(config);
    const token = aToken();
    await stub.prepareConfig(token, { ...config, stock: 6, version: 2 }, later());
    await stub.configure({ ...config, stock: 12, version: 2 });
    expect(await stub.commitConfig(token)).toEqual({ outcome: "superseded" });
    expect(await stub.snapshot()).toMatchObject({ stock: 12, version: 3 });
  });
});

describe("a reservation whose call went quiet", () => {
  it("is aborted at its expiry when D1 has no decision, and D1 then fences the call's batch", async () => {
    const { productId, stub, config } = anInventory(10);
    expect((await admin("PUT", `/admin/products/${productId}`, { name: "批量测试", kind: "ticket", price: 10 })).status).toBe(201);
    await stub.configure(config);
    const token = aToken();
    const prepared = await stub.prepareConfig(token, { ...config, stock: 2, version: 2 }, later());
    expect(prepared).toMatchObject({ ok: true });
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeLessThanOrEqual(later());
    await ageReservation(stub, token);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await pendingTokens(stub)).toEqual([]);
    expect(await stub.snapshot()).toMatchObject({ stock: 10, version: 1 });
    expect(await decisionOf(token)).toBe("aborted");
    // The call's batch, arriving late, writes nothing.
    const late = await commitCalendarBulk(env.DB, { token, productId, stock: 2, priceFen: null, timeslots: null, days: [{ day: DAY, version: 2 }] }, Date.now());
    expect(late).toBe("aborted");
    expect(await env.DB.prepare("SELECT * FROM product_days WHERE product_id = ?").bind(productId).first()).toBeNull();
  });

  it("is applied at its expiry when D1 recorded the call as committed (its commit call was lost)", async () => {
    const { productId, stub, config } = anInventory(10);
    expect((await admin("PUT", `/admin/products/${productId}`, { name: "批量测试", kind: "ticket", price: 10 })).status).toBe(201);
    await stub.configure(config);
    const token = aToken();
    const prepared = await stub.prepareConfig(token, { ...config, stock: 7, version: 2 }, later());
    if (!prepared.ok) throw new Error("not prepared");
    expect(await commitCalendarBulk(env.DB, { token, productId, stock: 7, priceFen: 1200, timeslots: null, days: [{ day: DAY, version: prepared.version }] }, Date.now())).toBe("committed");
    await ageReservation(stub, token);
    await runDurableObjectAlarm(stub);
    expect(await stub.snapshot()).toMatchObject({ stock: 7, version: prepared.version });
    expect(await env.DB.prepare("SELECT stock, price_fen, updated_at_ms FROM product_days WHERE product_id = ?").bind(productId).first()).toEqual({
      stock: 7, price_fen: 1200, updated_at_ms: prepared.version,
    });
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });
});
