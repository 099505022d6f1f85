/**
 * The catalogue as the order paths read it (products and one day's calendar
 * rows), cached in the Worker isolate for a few seconds: at a sale peak every
 * verify and add of the same products and day would otherwise read the same
 * rows from D1 (issue 7, "keeping reads off the hot path").
 *
 * What a stale entry can do: an operator's change (price, stock, slots,
 * on-sale) reaches other isolates up to CATALOGUE_CACHE_SECONDS later; the
 * isolate that made the change forgets its entries at once. Stock itself is
 * never cached — it lives in the InventoryDO, which also takes the newest
 * calendar version it is shown (product_days.updated_at_ms).
 */
import { getCatalogue, type CalendarDay, type Product } from "./products";

/** Entries kept per isolate; the oldest go first. */
const MAX_ENTRIES = 5_000;

interface Entry<T> {
  value: T | null;
  validUntilMs: number;
}

const products = new Map<string, Entry<Product>>();
const days = new Map<string, Entry<CalendarDay>>();

export async function readCatalogue(
  db: D1Database,
  productIds: readonly string[],
  day: string,
  ttlMs: number,
  nowMs: number,
): Promise<{ products: Map<string, Product>; days: Map<string, CalendarDay> }> {
  const unique = [...new Set(productIds)];
  const hit = (id: string) => fresh(products.get(id), nowMs) && fresh(days.get(dayKey(id, day)), nowMs);
  if (ttlMs > 0 && unique.every(hit)) {
    return {
      products: collect(unique, (id) => products.get(id)!.value),
      days: collect(unique, (id) => days.get(dayKey(id, day))!.value),
    };
  }
  const read = await getCatalogue(db, unique, day);
  if (ttlMs > 0) {
    for (const id of unique) {
      remember(products, id, read.products.get(id) ?? null, nowMs + ttlMs);
      remember(days, dayKey(id, day), read.days.get(id) ?? null, nowMs + ttlMs);
    }
  }
  return read;
}

/** An operator changed the product or its calendar here: forget it in this isolate. */
export function forgetProduct(productId: string): void {
  products.delete(productId);
  for (const key of days.keys()) if (key.startsWith(`${productId}\u0000`)) days.delete(key);
}

function dayKey(productId: string, day: string): string {
  return `${productId}\u0000${day}`;
}

function fresh<T>(entry: Entry<T> | undefined, nowMs: number): entry is Entry<T> {
  return entry !== undefined && entry.validUntilMs > nowMs;
}

function remember<T>(map: Map<string, Entry<T>>, key: string, value: T | null, validUntilMs: number): void {
  if (map.size >= MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.delete(key);
  map.set(key, { value, validUntilMs });
}

function collect<T>(ids: readonly string[], valueOf: (id: string) => T | null): Map<string, T> {
  const out = new Map<string, T>();
  for (const id of ids) {
    const value = valueOf(id);
    if (value !== null) out.set(id, value);
  }
  return out;
}
