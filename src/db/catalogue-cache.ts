/**
 * The catalogue as the order paths read it (products and one day's calendar
 * rows), and as Product/Calendar reads it (a product and its days of one
 * range), cached in the Worker isolate for a few seconds: at a sale peak every
 * verify and add of the same products and day would otherwise read the same
 * rows from D1 (issue 7, "keeping reads off the hot path"), and OTAs pull
 * the same calendar ranges over and over.
 *
 * What a stale entry can do: an operator's change (price, stock, slots,
 * on-sale) reaches other isolates up to CATALOGUE_CACHE_SECONDS later; the
 * isolate that made the change forgets its entries at once. Stock itself is
 * never cached — it lives in the InventoryDO, which also takes the newest
 * calendar version it is shown (product_days.updated_at_ms).
 */
import { getCatalogue, getProductCalendar, type CalendarDay, type Product } from "./products";

/** Entries kept per isolate; the oldest go first. */
const MAX_ENTRIES = 5_000;

interface Entry<T> {
  value: T | null;
  validUntilMs: number;
}

const products = new Map<string, Entry<Product>>();
const days = new Map<string, Entry<CalendarDay>>();
/** Product/Calendar's reads: a product and its days of one range, keyed by product, begin and end. */
const ranges = new Map<string, Entry<ProductCalendar>>();

export interface ProductCalendar {
  product: Product | null;
  days: CalendarDay[];
}

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

/**
 * A product and its calendar days of one range (Product/Calendar, SPEC
 * §10), from this isolate within `ttlMs` — OTAs pull the same ranges over
 * and over — else from D1 in one round trip. The same trade-off as above:
 * an operator's change reaches other isolates up to `ttlMs` later.
 */
export async function readProductCalendar(db: D1Database, productId: string, begin: string, end: string, ttlMs: number, nowMs: number): Promise<ProductCalendar> {
  const key = `${productId}\u0000${begin}\u0000${end}`;
  const entry = ranges.get(key);
  if (ttlMs > 0 && fresh(entry, nowMs) && entry.value) return entry.value;
  const read = await getProductCalendar(db, productId, begin, end);
  if (ttlMs > 0) remember(ranges, key, read, nowMs + ttlMs);
  return read;
}

/** An operator changed the product or its calendar here: forget it in this isolate. */
export function forgetProduct(productId: string): void {
  products.delete(productId);
  for (const key of days.keys()) if (key.startsWith(`${productId}\u0000`)) days.delete(key);
  for (const key of ranges.keys()) if (key.startsWith(`${productId}\u0000`)) ranges.delete(key);
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
