/** D1 `products` and `product_days`: the catalogue and its calendar. */
import type { RefundPolicy } from "../domain/refunds";
import type { InsuranceRules } from "../domain/yearcard";
import { decodeCursor, pageOf, type Page } from "./pages";

export type ProductKind = "ticket" | "yearcard" | "retail";

/** A product's insurance configuration: what the annual-card rules check (domain/yearcard.ts). */
export type InsuranceSettings = InsuranceRules;

export interface Product {
  productId: string;
  name: string;
  kind: ProductKind;
  priceFen: number;
  realName: boolean;
  maxPerOrder: number | null;
  limitPerIdPerDay: number | null;
  limitPerMobilePerDay: number | null;
  insurance: InsuranceSettings | null;
  onSale: boolean;
  /** null: the default policy (domain/refunds.ts). */
  refund: RefundPolicy | null;
  updatedAtMs: number;
}

interface ProductRow {
  product_id: string;
  name: string;
  kind: ProductKind;
  price_fen: number;
  real_name: number;
  max_per_order: number | null;
  limit_per_id_per_day: number | null;
  limit_per_mobile_per_day: number | null;
  insurance_json: string | null;
  on_sale: number;
  refund_json: string | null;
  updated_at_ms: number;
}

const toProduct = (r: ProductRow): Product => ({
  productId: r.product_id,
  name: r.name,
  kind: r.kind,
  priceFen: r.price_fen,
  realName: r.real_name === 1,
  maxPerOrder: r.max_per_order,
  limitPerIdPerDay: r.limit_per_id_per_day,
  limitPerMobilePerDay: r.limit_per_mobile_per_day,
  insurance: r.insurance_json ? (JSON.parse(r.insurance_json) as InsuranceSettings) : null,
  onSale: r.on_sale === 1,
  refund: r.refund_json ? (JSON.parse(r.refund_json) as RefundPolicy) : null,
  updatedAtMs: r.updated_at_ms,
});

export async function upsertProduct(db: D1Database, p: Omit<Product, "updatedAtMs">, nowMs: number): Promise<void> {
  await db
    .prepare(
      `INSERT INTO products (product_id, name, kind, price_fen, real_name, max_per_order, limit_per_id_per_day,
         limit_per_mobile_per_day, insurance_json, on_sale, refund_json, created_at_ms, updated_at_ms)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?11, ?11)
       ON CONFLICT (product_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         price_fen = excluded.price_fen, real_name = excluded.real_name, max_per_order = excluded.max_per_order,
         limit_per_id_per_day = excluded.limit_per_id_per_day, limit_per_mobile_per_day = excluded.limit_per_mobile_per_day,
         insurance_json = excluded.insurance_json, on_sale = excluded.on_sale, refund_json = excluded.refund_json,
         updated_at_ms = excluded.updated_at_ms`,
    )
    .bind(
      p.productId, p.name, p.kind, p.priceFen, p.realName ? 1 : 0, p.maxPerOrder, p.limitPerIdPerDay,
      p.limitPerMobilePerDay, p.insurance ? JSON.stringify(p.insurance) : null, p.onSale ? 1 : 0, nowMs,
      p.refund ? JSON.stringify(p.refund) : null,
    )
    .run();
}

export async function getProduct(db: D1Database, productId: string): Promise<Product | null> {
  const row = await db.prepare("SELECT * FROM products WHERE product_id = ?").bind(productId).first<ProductRow>();
  return row ? toProduct(row) : null;
}

export async function getProducts(db: D1Database, productIds: readonly string[]): Promise<Map<string, Product>> {
  const unique = [...new Set(productIds)];
  if (unique.length === 0) return new Map();
  const { results } = await db
    .prepare("SELECT * FROM products WHERE product_id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(unique))
    .all<ProductRow>();
  return new Map(results.map((r) => [r.product_id, toProduct(r)]));
}

export async function listProducts(db: D1Database, q: { kind?: ProductKind; limit: number; cursor?: string }): Promise<Page<Product>> {
  const after = (decodeCursor(q.cursor)?.[0] as string | undefined) ?? "";
  const { results } = await db
    .prepare("SELECT * FROM products WHERE product_id > ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY product_id LIMIT ?3")
    .bind(after, q.kind ?? null, q.limit + 1)
    .all<ProductRow>();
  return pageOf(results, q.limit, toProduct, (r) => [r.product_id]);
}

// ---------------------------------------------------------------- calendar

export interface Timeslot {
  index: number;
  start: string;
  end: string;
  capacity: number;
}

export interface CalendarDay {
  productId: string;
  day: string;
  stock: number;
  priceFen: number | null;
  timeslots: Timeslot[] | null;
  updatedAtMs: number;
}

interface DayRow {
  product_id: string;
  day: string;
  stock: number;
  price_fen: number | null;
  timeslots_json: string | null;
  updated_at_ms: number;
}

const toDay = (r: DayRow): CalendarDay => ({
  productId: r.product_id,
  day: r.day,
  stock: r.stock,
  priceFen: r.price_fen,
  timeslots: r.timeslots_json ? (JSON.parse(r.timeslots_json) as Timeslot[]) : null,
  updatedAtMs: r.updated_at_ms,
});

/**
 * Writes the day as `d.updatedAtMs`, the version its InventoryDO adopted
 * (endpoints/admin/products.ts: the object first, then D1). `updated_at_ms`
 * only increases: a write older than the stored row changes nothing, and
 * the stored row is returned.
 */
export async function upsertCalendarDay(db: D1Database, d: CalendarDay): Promise<CalendarDay> {
  const [, current] = await db.batch<DayRow>([
    db
      .prepare(
        `INSERT INTO product_days (product_id, day, stock, price_fen, timeslots_json, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (product_id, day) DO UPDATE SET stock = excluded.stock, price_fen = excluded.price_fen,
           timeslots_json = excluded.timeslots_json, updated_at_ms = excluded.updated_at_ms
         WHERE excluded.updated_at_ms > product_days.updated_at_ms`,
      )
      .bind(d.productId, d.day, d.stock, d.priceFen, d.timeslots ? JSON.stringify(d.timeslots) : null, d.updatedAtMs),
    db.prepare("SELECT * FROM product_days WHERE product_id = ? AND day = ?").bind(d.productId, d.day),
  ]);
  return toDay(current!.results[0]!);
}

export async function getCalendarDay(db: D1Database, productId: string, day: string): Promise<CalendarDay | null> {
  const row = await db
    .prepare("SELECT * FROM product_days WHERE product_id = ? AND day = ?")
    .bind(productId, day)
    .first<DayRow>();
  return row ? toDay(row) : null;
}

/** Days of one month (yyyyMM), in date order. */
export async function listCalendarMonth(db: D1Database, productId: string, month: string): Promise<CalendarDay[]> {
  const { results } = await db
    .prepare("SELECT * FROM product_days WHERE product_id = ? AND day BETWEEN ? AND ? ORDER BY day")
    .bind(productId, `${month}01`, `${month}31`)
    .all<DayRow>();
  return results.map(toDay);
}

/** The product-days from `fromDay` to `toDay` (yyyyMMdd, both included), at most `limit`: days gone by, to compact (queue/retention.ts). */
export async function productDaysBetween(db: D1Database, fromDay: string, toDay: string, limit: number): Promise<{ productId: string; day: string }[]> {
  const { results } = await db
    .prepare("SELECT product_id, day FROM product_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day, product_id LIMIT ?3")
    .bind(fromDay, toDay, limit)
    .all<{ product_id: string; day: string }>();
  return results.map((r) => ({ productId: r.product_id, day: r.day }));
}

/**
 * Products and their calendar rows for one day, in ONE D1 round trip (the
 * order paths' catalogue read).
 */
export async function getCatalogue(db: D1Database, productIds: readonly string[], day: string): Promise<{ products: Map<string, Product>; days: Map<string, CalendarDay> }> {
  const unique = JSON.stringify([...new Set(productIds)]);
  const [products, days] = await db.batch([
    db.prepare("SELECT * FROM products WHERE product_id IN (SELECT value FROM json_each(?))").bind(unique),
    db.prepare("SELECT * FROM product_days WHERE day = ?2 AND product_id IN (SELECT value FROM json_each(?1))").bind(unique, day),
  ]);
  return {
    products: new Map((products!.results as ProductRow[]).map((r) => [r.product_id, toProduct(r)])),
    days: new Map((days!.results as DayRow[]).map((r) => [r.product_id, toDay(r)])),
  };
}

/**
 * A product and its calendar rows from `begin` to `end` (yyyyMMdd, both
 * included) in date order: one D1 round trip, the days in one query
 * (Product/Calendar, SPEC §10).
 */
export async function getProductCalendar(db: D1Database, productId: string, begin: string, end: string): Promise<{ product: Product | null; days: CalendarDay[] }> {
  const [product, days] = await db.batch([
    db.prepare("SELECT * FROM products WHERE product_id = ?").bind(productId),
    db.prepare("SELECT * FROM product_days WHERE product_id = ? AND day BETWEEN ? AND ? ORDER BY day").bind(productId, begin, end),
  ]);
  const row = (product!.results as ProductRow[])[0];
  return { product: row ? toProduct(row) : null, days: (days!.results as DayRow[]).map(toDay) };
}
