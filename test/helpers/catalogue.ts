/**
 * Builders for order tests, in domain words: products with a calendar day,
 * annual cards with insurance, valid resident IDs, order bodies, and the
 * partner calls of the orders issue. Everything goes through the real
 * Worker (admin API, partner API) or reads the real stores.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { testClock } from "../../src/clock";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { admin, partner, uniqueId, type TestSession } from "./api";

export const TODAY = () => shanghaiDate(testClock.nowMs());
/** A day safely in the future, so "today's slots have ended" never interferes. */
export const LATER = () => addDays(shanghaiDate(testClock.nowMs()), 30);

export interface ProductOptions {
  price?: number;
  realName?: boolean;
  maxPerOrder?: number | null;
  limitPerIdPerDay?: number | null;
  limitPerMobilePerDay?: number | null;
  onSale?: boolean;
  kind?: "ticket" | "yearcard" | "retail";
  insurance?: unknown;
  refund?: { allowed: boolean; deadline: "before_visit_day" | "visit_day_end"; feePercent: number };
}

export interface DayOptions {
  stock?: number;
  price?: number | null;
  timeslots?: { index: number; start: string; end: string; capacity: number }[] | null;
}

/** A product (PUT /admin/products) and, unless `day` is null, its calendar day. */
export async function aProduct(options: ProductOptions = {}, day: (DayOptions & { date?: string }) | null = {}): Promise<string> {
  const productId = uniqueId("P");
  const put = await admin("PUT", `/admin/products/${productId}`, {
    name: `测试门票 ${productId}`,
    kind: options.kind ?? "ticket",
    price: options.price ?? 100,
    realName: options.realName ?? false,
    maxPerOrder: options.maxPerOrder ?? null,
    limitPerIdPerDay: options.limitPerIdPerDay ?? null,
    limitPerMobilePerDay: options.limitPerMobilePerDay ?? null,
    onSale: options.onSale ?? true,
    ...(options.insurance === undefined ? {} : { insurance: options.insurance }),
    ...(options.refund === undefined ? {} : { refund: options.refund }),
  });
  if (put.status !== 201) throw new Error(`product not created: ${put.status} ${JSON.stringify(put.body)}`);
  if (day) await aCalendarDay(productId, day.date ?? LATER(), day);
  return productId;
}

export async function aCalendarDay(productId: string, date: string, day: DayOptions = {}): Promise<any> {
  const put = await admin("PUT", `/admin/products/${productId}/calendar/${date}`, {
    stock: day.stock ?? 100,
    ...(day.price === undefined ? {} : { price: day.price }),
    ...(day.timeslots === undefined ? {} : { timeslots: day.timeslots }),
  });
  if (put.status !== 200) throw new Error(`calendar not set: ${put.status} ${JSON.stringify(put.body)}`);
  return put.body;
}

// ------------------------------------------------------------------ resident IDs

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** An 18-digit resident ID with a correct GB 11643 check character (computed here, independently). */
export function aResidentId(birthDate = "19900307", sequence = 447): string {
  const first17 = `110101${birthDate}${String(sequence).padStart(3, "0")}`;
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * WEIGHTS[i]!, 0);
  return first17 + "10X98765432"[sum % 11]!;
}

let idCounter = 0;
/** A different valid resident ID on each call (male when the sequence is odd). */
export function anotherResidentId(): string {
  idCounter += 1;
  return aResidentId("19850101", 100 + (idCounter % 900));
}

/** The same ID with a wrong check character. */
export function withWrongCheck(id: string): string {
  const last = id[17] === "0" ? "1" : "0";
  return id.slice(0, 17) + last;
}

// ------------------------------------------------------------------ partner calls

export const VERIFY = "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify";
export const ADD = "/api/WebInterface/Order/Add";
export const DOUYIN_ADD = "/api/SpecialOta/DouYin/CalendarTicket/Order/Add";
export const QUERY = "/api/WebInterface/Order/Query";
export const YEARCARD = "/api/Order/YearCard/AddOrder";

export interface LineBody {
  productid: string;
  amount: number;
  identificationnumber?: string;
  fullname?: string;
  identificationtype?: string;
  mobile?: string;
  seatitems?: { seatid: string }[];
}

export function anOrderBody(lines: LineBody[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { orderdetails: lines, mobile: "13800138000", effectdate: LATER(), ...extra };
}

export async function call(path: string, session: TestSession, body: unknown): Promise<any> {
  const response = await partner(path, body, { token: session.token });
  expect(response.status).toBe(200);
  return response.json();
}

// ------------------------------------------------------------------ stores

export function inventoryStub(productId: string, date: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(`${productId}:${date}`));
}

export async function liveStock(productId: string, date = LATER()) {
  return inventoryStub(productId, date).snapshot();
}

/** Every row of the object's own tables, for "nothing changed" comparisons. */
export async function inventoryRows(productId: string, date = LATER()) {
  return runInDurableObject(inventoryStub(productId, date), (_instance, state) => ({
    config: state.storage.sql.exec("SELECT * FROM day_config").toArray(),
    slots: state.storage.sql.exec("SELECT * FROM slots ORDER BY slot_index").toArray(),
    holds: state.storage.sql.exec("SELECT * FROM holds ORDER BY order_id").toArray(),
    seats: state.storage.sql.exec("SELECT * FROM seats ORDER BY slot_key, seat_id").toArray(),
    pending: state.storage.sql.exec("SELECT * FROM pending_configs ORDER BY token").toArray(),
  }));
}

export async function d1Rows(sql: string, ...params: unknown[]): Promise<any[]> {
  const { results } = await env.DB.prepare(sql).bind(...params).all();
  return results;
}

/**
 * SPEC §6 "per product and day: sold + held ≤ stock, whatever faults", read
 * from the stores: the InventoryDO's usage is within its stock, and every
 * order D1 could still sell (paid, or unpaid and not past its time) holds
 * its units there — an order without its hold is stock sold twice.
 */
export async function expectNoOversell(productId: string, date = LATER()): Promise<void> {
  const live = await liveStock(productId, date);
  expect(live.held + live.sold, `sold + held ≤ stock for ${productId}:${date}`).toBeLessThanOrEqual(live.stock);
  const sellable = await d1Rows(
    `SELECT coalesce(o.hold_key, o.order_id) AS hold_key, o.status, SUM(i.quantity) AS units FROM orders o JOIN order_items i ON i.order_id = o.order_id
     WHERE i.product_id = ?1 AND o.effect_date = ?2 AND i.item_kind = 'ticket'
       AND (o.status = 'paid' OR (o.status = 'unpaid' AND o.expires_at_ms > ?3))
     GROUP BY o.order_id`,
    productId, date, testClock.nowMs(),
  );
  const holds = (await inventoryRows(productId, date)).holds as { order_id: string; quantity: number; state: string }[];
  for (const order of sellable) {
    // Its hold is kept under the order id, or its last date change's (Order/ChangeDate).
    const hold = holds.find((h) => h.order_id === order.hold_key);
    expect(hold && hold.state !== "released" ? hold.quantity : 0, `${order.status} order ${order.hold_key} holds its ${order.units} units`).toBe(order.units);
  }
  const units = sellable.reduce((sum, o) => sum + o.units, 0);
  expect(units, `units of sellable orders in D1 ≤ stock for ${productId}:${date}`).toBeLessThanOrEqual(live.stock);
}
