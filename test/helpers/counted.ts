/**
 * What a Durable Object call reads and writes in the object's own SQLite,
 * counted by the bench's counters (src/counters.ts) around the real
 * storage: inside the object, for the length of one call, the instance's
 * store is the same SQLite seen through the counting wrapper. Nothing is
 * stubbed — every statement still runs against the object's storage.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { countersSnapshot, meteredSql, resetCounters, type StatementCount } from "../../src/counters";
import type { InventoryDO } from "../../src/durable/inventory";
import { InventoryStore } from "../../src/durable/inventory-store";

export interface Counted<T> {
  value: T;
  rowsRead: number;
  rowsWritten: number;
  /** Statement text → runs and rows (whitespace collapsed). */
  statements: Record<string, StatementCount>;
}

const COUNTING = { ...env, BENCH_COUNTERS: "on" };

/** Runs `call` on the InventoryDO instance behind `stub` with its store counted. */
export async function countedInventory<T>(stub: DurableObjectStub<InventoryDO>, call: (instance: InventoryDO) => Promise<T>): Promise<Counted<T>> {
  return runInDurableObject(stub, async (instance, state) => {
    const holder = instance as unknown as { store: InventoryStore };
    const original = holder.store;
    holder.store = new InventoryStore(meteredSql(state.storage.sql, COUNTING, "InventoryDO"));
    resetCounters();
    let value: T;
    try {
      value = await call(instance);
    } finally {
      holder.store = original;
      // The counted call may have changed what the instance's own store had read and kept.
      original.forgetCache();
    }
    const { totals, statements } = countersSnapshot();
    const own = Object.fromEntries(Object.entries(statements).filter(([k]) => k.startsWith("do.InventoryDO: ")).map(([k, v]) => [k.slice("do.InventoryDO: ".length), v]));
    return { value, rowsRead: totals["do.InventoryDO.rowsRead"] ?? 0, rowsWritten: totals["do.InventoryDO.rowsWritten"] ?? 0, statements: own };
  });
}
