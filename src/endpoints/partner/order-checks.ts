/**
 * The checks Verify and Add share (SPEC §5.5, §7): the pure rules of
 * `domain/order-plan.ts` over D1's catalogue, then the daily limits over D1's
 * live orders. Stock, and Add's exact decision on the daily limits, are the
 * InventoryDOs' part (`durable/inventory-client.ts`).
 */
import { countLiveUnits } from "../../db/orders";
import { configOf } from "../../config";
import { readCatalogue } from "../../db/catalogue-cache";
import type { CalendarDay, Product } from "../../db/products";
import { ResultCodes, type ResultKey } from "../../domain/codes";
import { shanghaiDate, shanghaiMinuteOfDay } from "../../domain/dates";
import { checkDailyLimits, hasDailyLimits, orderUnits, type DailyLimits } from "../../domain/limits";
import { planTicketOrder, refusalMessage, type OrderPlan, type PlannedLine, type RuleRefusal } from "../../domain/order-plan";
import { dayConfigOf, type ProductAsk } from "../../durable/inventory-client";
import type { BuyerAsk, InventoryRefusal } from "../../durable/inventory";
import type { Env } from "../../env";
import type { OrderAddParm } from "../../schemas/order-add";
import { refuse, type Refusal } from "../partner-endpoint";

export interface PreparedTicketOrder {
  plan: OrderPlan;
  /** One ask per product, in request order. */
  asks: ProductAsk[];
}

export type Prepared<T> = { ok: true; value: T } | { ok: false; refusal: RuleRefusal };

export async function prepareTicketOrder(env: Env, input: OrderAddParm, nowMs: number): Promise<Prepared<PreparedTicketOrder>> {
  const today = shanghaiDate(nowMs);
  const productIds = input.orderdetails.map((l) => l.productid);
  const { products, days } = await readCatalogue(env.DB, productIds, input.effectdate, configOf(env).catalogueCacheMs, nowMs);
  const planned = planTicketOrder(input, products, days, today);
  if (!planned.ok) return planned;
  const limit = await checkLimits(env, planned.plan.lines, products, input.effectdate, nowMs);
  if (limit) return { ok: false, refusal: limit };
  const asks = planned.plan.stock.map((request): ProductAsk => ({
    productId: request.productId,
    quantity: request.quantity,
    seatIds: request.seatIds,
    timespanIndex: input.timespanindex ?? null,
    closedBeforeMinute: closedBeforeMinute(input.effectdate, nowMs),
    config: dayConfigOf(days.get(request.productId)!),
    buyers: buyerAsk(products.get(request.productId)!, planned.plan.lines),
  }));
  return { ok: true, value: { plan: planned.plan, asks } };
}

/**
 * Per ID number and per mobile per day, for each product that sets a limit
 * (SPEC §5.5), over D1's live orders: Verify's answer, and Add's first
 * filter (Add's exact decision is the InventoryDO's, `buyerAsk`).
 */
export async function checkLimits(
  env: Env,
  lines: readonly PlannedLine[],
  products: ReadonlyMap<string, Product>,
  effectDate: string,
  nowMs: number,
): Promise<RuleRefusal | null> {
  for (const product of products.values()) {
    if (!hasDailyLimits(product)) continue;
    const adding = orderUnits(lines, product.productId);
    if (adding.byMobile.size === 0) continue;
    const existing = await countLiveUnits(env.DB, {
      productId: product.productId,
      effectDate,
      nowMs,
      idNumbers: [...adding.byId.keys()],
      mobiles: [...adding.byMobile.keys()],
    });
    const refusal = checkDailyLimits(product, adding, existing);
    if (refusal) return refusal;
  }
  return null;
}

/** The product's limits and this order's units per ID number and mobile, for the hold in its InventoryDO. */
export function buyerAsk(product: DailyLimits, lines: readonly PlannedLine[]): BuyerAsk {
  const units = orderUnits(lines, product.productId);
  return {
    limits: { productId: product.productId, limitPerIdPerDay: product.limitPerIdPerDay, limitPerMobilePerDay: product.limitPerMobilePerDay },
    byId: [...units.byId],
    byMobile: [...units.byMobile],
  };
}

/** Slots of today that have ended cannot be booked; a later day has none ended. */
export function closedBeforeMinute(effectDate: string, nowMs: number): number | null {
  return effectDate === shanghaiDate(nowMs) ? shanghaiMinuteOfDay(nowMs) : null;
}

export function calendarAsk(day: CalendarDay, product: DailyLimits, lines: readonly PlannedLine[], quantity: number, effectDate: string, nowMs: number): ProductAsk {
  // An annual card books no particular slot: the earliest open one, when the day has slots.
  return {
    productId: product.productId,
    quantity,
    seatIds: [],
    timespanIndex: -1,
    closedBeforeMinute: closedBeforeMinute(effectDate, nowMs),
    config: dayConfigOf(day),
    buyers: buyerAsk(product, lines),
  };
}

/** A rule's refusal with its guest-facing message. */
export function ruleRefusal(refusal: RuleRefusal, echo?: { sendid?: string | null }): Refusal {
  return refuse(refusal.key, refusalMessage(refusal, ResultCodes[refusal.key].message), echo);
}

/** An InventoryDO's refusal, naming the product, or the rule it broke (a daily limit's number and product). */
export function stockRefusal(reason: InventoryRefusal, productId: string, echo?: { sendid?: string | null }, detail?: string): Refusal {
  const key: ResultKey = reason;
  return refuse(key, `${ResultCodes[key].message}（${detail ?? productId}）`, echo);
}
