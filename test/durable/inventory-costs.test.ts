/**
 * What an order's hold costs in the InventoryDO's SQLite (issue 19), counted
 * around the real storage (test/helpers/counted.ts): a hold reads as many
 * rows on a busy day as on a quiet one, writes nothing it does not need,
 * and a product without daily limits records no buyers.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BuyerAsk, DayConfig, InventoryAsk } from "../../src/durable/inventory";
import { uniqueId } from "../helpers/api";
import { countedInventory } from "../helpers/counted";

const DAY = "20991231";
const HOUR_MS = 3_600_000;
const MOBILE = "13800138000";

function anInventory(stock = 10_000) {
  const productId = uniqueId("cost");
  const stub = env.INVENTORY.get(env.INVENTORY.idFromName(`${productId}:${DAY}`));
  const config: DayConfig = { productId, day: DAY, stock, timeslots: null, version: 1 };
  return { productId, stub, config };
}

const noLimits = (productId: string): BuyerAsk => ({
  limits: { productId, limitPerIdPerDay: null, limitPerMobilePerDay: null },
  byId: [],
  byMobile: [[MOBILE, 1]],
});

const withLimit = (productId: string): BuyerAsk => ({ ...noLimits(productId), limits: { productId, limitPerIdPerDay: null, limitPerMobilePerDay: 1_000_000 } });

function ask(config: DayConfig, buyers: BuyerAsk): InventoryAsk {
  return { quantity: 1, timespanIndex: null, seatIds: [], closedBeforeMinute: null, config, buyers };
}

const anOrderId = () => uniqueId("O").slice(0, 20);

async function holds(stub: ReturnType<typeof anInventory>["stub"], n: number, a: InventoryAsk) {
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => stub.hold(anOrderId(), Date.now() + HOUR_MS + i, a)));
  }
}

describe("an order's hold", () => {
  it("reads as many rows on a day with 400 holds of one mobile as on a day with 4", async () => {
    for (const buyersOf of [noLimits, withLimit]) {
      const { productId, stub, config } = anInventory();
      const a = ask(config, buyersOf(productId));
      await holds(stub, 4, a);
      const quiet = await countedInventory(stub, (inventory) => inventory.hold(anOrderId(), Date.now() + 2 * HOUR_MS, a));
      await holds(stub, 400, a);
      const busy = await countedInventory(stub, (inventory) => inventory.hold(anOrderId(), Date.now() + 2 * HOUR_MS, a));
      expect(quiet.value.ok && busy.value.ok).toBe(true);
      // With a limit, the buyer's own units are read (bounded by the limit, not by the day).
      const buyerRows = (c: typeof busy) => Object.entries(c.statements).filter(([sql]) => sql.includes("FROM hold_buyers")).reduce((n, [, s]) => n + s.rowsRead, 0);
      expect(busy.rowsRead - buyerRows(busy), `${JSON.stringify(busy.statements, null, 1)}`).toBe(quiet.rowsRead - buyerRows(quiet));
      if (buyersOf === noLimits) expect(busy.rowsRead).toBe(quiet.rowsRead);
    }
  });

  it("of a product without daily limits records no buyers; with a limit it records them", async () => {
    const free = anInventory();
    const freeOrder = anOrderId();
    await free.stub.hold(freeOrder, Date.now() + HOUR_MS, ask(free.config, noLimits(free.productId)));
    const limited = anInventory();
    const limitedOrder = anOrderId();
    await limited.stub.hold(limitedOrder, Date.now() + HOUR_MS, ask(limited.config, withLimit(limited.productId)));
    const buyersOf = (stub: typeof free.stub) => runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT kind, buyer, order_id, units FROM hold_buyers").toArray());
    expect(await buyersOf(free.stub)).toEqual([]);
    expect(await buyersOf(limited.stub)).toEqual([{ kind: "mobile", buyer: MOBILE, order_id: limitedOrder, units: 1 }]);
  });

  it("brings the day's configuration it already has: nothing is adopted again", async () => {
    const { productId, stub, config } = anInventory();
    const a = ask(config, noLimits(productId));
    await stub.hold(anOrderId(), Date.now() + HOUR_MS, a);
    const again = await countedInventory(stub, (inventory) => inventory.hold(anOrderId(), Date.now() + HOUR_MS, a));
    const writes = Object.entries(again.statements).filter(([, s]) => s.rowsWritten > 0).map(([sql]) => sql.split(" (")[0]);
    expect(writes.sort()).toEqual(["INSERT INTO holds", "INSERT INTO usage_totals"]);
    // A newer version is adopted.
    const newer = await countedInventory(stub, (inventory) => inventory.hold(anOrderId(), Date.now() + HOUR_MS, { ...a, config: { ...config, stock: 20_000, version: 2 } }));
    expect(Object.keys(newer.statements).some((sql) => sql.startsWith("INSERT INTO day_config"))).toBe(true);
    expect((await stub.snapshot()).stock).toBe(20_000);
  });
});
