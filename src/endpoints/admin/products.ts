/**
 * /admin/products and their calendar: the catalogue operators sell from.
 * A calendar day lives in D1 (product_days) and, for the live counts, in its
 * InventoryDO, which every PUT configures first so new stock and slots take
 * effect — or are refused, with nothing written, below what is sold and held.
 */
import { z } from "zod";
import { clockOf } from "../../clock";
import { fenToYuanNumber, yuanToFen } from "../../domain/money";
import { DEFAULT_REFUND_POLICY } from "../../domain/refunds";
import {
  getCalendarDay, getProduct, listCalendarMonth, listProducts, upsertCalendarDay, upsertProduct,
  type CalendarDay, type InsuranceSettings, type Product,
} from "../../db/products";
import { forgetProduct } from "../../db/catalogue-cache";
import { ResultCodes } from "../../domain/codes";
import { inventoryOf } from "../../durable/inventory-client";
import type { InventorySnapshot, StockBelowUsage } from "../../durable/inventory";
import type { Env } from "../../env";
import { CalendarDayPut, CalendarMonthQuery, dayParam, PRODUCT_ID_PATTERN, ProductListQuery, ProductPut } from "../../schemas/admin";
import { adminError, isoTime, json, param, readJson, validate, type AdminHandler } from "./http";

export function productJson(p: Product) {
  return {
    productId: p.productId,
    name: p.name,
    kind: p.kind,
    price: fenToYuanNumber(p.priceFen),
    realName: p.realName,
    maxPerOrder: p.maxPerOrder,
    limitPerIdPerDay: p.limitPerIdPerDay,
    limitPerMobilePerDay: p.limitPerMobilePerDay,
    insurance: p.insurance ? { ...withoutPriceFen(p.insurance), price: fenToYuanNumber(p.insurance.priceFen) } : null,
    onSale: p.onSale,
    refund: p.refund ?? DEFAULT_REFUND_POLICY,
    updatedAt: isoTime(p.updatedAtMs),
  };
}

function withoutPriceFen({ priceFen: _priceFen, ...rest }: InsuranceSettings) {
  return rest;
}

/** D1's configuration with the InventoryDO's live counts (held: unpaid orders; sold: paid). */
function calendarDayJson(d: CalendarDay, live: InventorySnapshot) {
  const used = live.held + live.sold;
  return {
    day: d.day,
    stock: d.stock,
    price: d.priceFen === null ? null : fenToYuanNumber(d.priceFen),
    timeslots: d.timeslots?.map((s) => {
      const slot = live.slots.find((l) => l.index === s.index);
      const slotUsed = (slot?.held ?? 0) + (slot?.sold ?? 0);
      return { ...s, held: slot?.held ?? 0, sold: slot?.sold ?? 0, available: Math.max(0, s.capacity - slotUsed) };
    }) ?? null,
    held: live.held,
    sold: live.sold,
    available: Math.max(0, d.stock - used),
    updatedAt: isoTime(d.updatedAtMs),
  };
}

function liveCounts(env: Env, d: CalendarDay): Promise<InventorySnapshot> {
  return inventoryOf(env, d.productId, d.day).snapshot();
}

export function productIdParam(request: Parameters<AdminHandler>[0]): string | Response {
  const productId = param(request, "productid");
  return PRODUCT_ID_PATTERN.test(productId) ? productId : adminError("adminInvalid", "productid 必须是1到36位字母、数字、_或-", "productid");
}

export const putProduct: AdminHandler = async (request, env) => {
  const productId = productIdParam(request);
  if (productId instanceof Response) return productId;
  const body = await readJson(request, ProductPut);
  const existed = (await getProduct(env.DB, productId)) !== null;
  const insurance = body.insurance
    ? {
        mode: body.insurance.mode,
        priceFen: yuanToFen(body.insurance.price)!,
        count: body.insurance.count,
        planCode: body.insurance.planCode,
        planName: body.insurance.planName,
        destZone: body.insurance.destZone ?? null,
        timeRange: body.insurance.timeRange ?? null,
        holder: body.insurance.holder ?? null,
      }
    : null;
  forgetProduct(productId);
  await upsertProduct(
    env.DB,
    {
      productId,
      name: body.name,
      kind: body.kind,
      priceFen: yuanToFen(body.price)!,
      realName: body.realName ?? false,
      maxPerOrder: body.maxPerOrder ?? null,
      limitPerIdPerDay: body.limitPerIdPerDay ?? null,
      limitPerMobilePerDay: body.limitPerMobilePerDay ?? null,
      insurance,
      onSale: body.onSale ?? true,
      refund: body.refund ?? null,
    },
    clockOf(env).nowMs(),
  );
  return json(productJson((await getProduct(env.DB, productId))!), existed ? 200 : 201);
};

export const getProductHandler: AdminHandler = async (request, env) => {
  const productId = productIdParam(request);
  if (productId instanceof Response) return productId;
  const product = await getProduct(env.DB, productId);
  return product ? json(productJson(product)) : adminError("productNotFound");
};

export const listProductsHandler: AdminHandler = async (request, env) => {
  const query = validate(ProductListQuery, request.query);
  const page = await listProducts(env.DB, query);
  return json({ items: page.items.map(productJson), nextCursor: page.nextCursor });
};

/** PUT /admin/products/{productid}/calendar/{yyyyMMdd}: the day's stock, price and time slots. */
export const putCalendarDay: AdminHandler = async (request, env) => {
  const productId = productIdParam(request);
  if (productId instanceof Response) return productId;
  const { day } = validate(z.object({ day: dayParam }), { day: param(request, "day") });
  const body = await readJson(request, CalendarDayPut);
  const product = await getProduct(env.DB, productId);
  if (!product) return adminError("productNotFound");
  const slotsShort = slotsBelowStock(body);
  if (slotsShort) return slotsShort;
  const timeslots = body.timeslots ?? null;
  // The object first: it refuses stock below what is sold and held (SPEC §6), and then
  // nothing is written anywhere. D1 follows with the version the object adopted; should
  // that write fail, the object keeps the newer configuration and the next PUT passes it.
  const existing = await getCalendarDay(env.DB, productId, day);
  const requestedVersion = Math.max(clockOf(env).nowMs(), (existing?.updatedAtMs ?? 0) + 1);
  const configured = await inventoryOf(env, productId, day).configure({ productId, day, stock: body.stock, timeslots, version: requestedVersion });
  if (!configured.ok) return stockBelowUsage(day, configured);
  forgetProduct(productId);
  const priceFen = body.price === null || body.price === undefined ? null : yuanToFen(body.price)!;
  const saved = await upsertCalendarDay(env.DB, { productId, day, stock: body.stock, priceFen, timeslots, updatedAtMs: configured.version });
  return json(calendarDayJson(saved, configured.snapshot));
};

/** The one rule between the body's fields the schema cannot say: slots, when given, hold at least the day's stock. */
export function slotsBelowStock(body: z.infer<typeof CalendarDayPut>): Response | null {
  const slotTotal = (body.timeslots ?? []).reduce((sum, s) => sum + s.capacity, 0);
  return body.timeslots && body.timeslots.length > 0 && slotTotal < body.stock
    ? adminError("adminInvalid", "timeslots 各时段容量之和不能小于当日库存 stock", "timeslots")
    : null;
}

/** 409 naming the day (and slot) and its numbers, in words and in `detail`. */
export function stockBelowUsage(day: string, below: StockBelowUsage): Response {
  const { slotIndex, capacity, sold, held } = below;
  const detail = { day, slotIndex, capacity, sold, held };
  return slotIndex === null
    ? adminError("stockBelowUsage", `${day}${ResultCodes.stockBelowUsage.message}：库存${capacity}，已售${sold}，占用${held}`, "stock", detail)
    : adminError("stockBelowUsage", `${day}时段${slotIndex}容量不能低于已售与占用之和：容量${capacity}，已售${sold}，占用${held}`, "timeslots", detail);
}

export const getCalendarMonth: AdminHandler = async (request, env) => {
  const productId = productIdParam(request);
  if (productId instanceof Response) return productId;
  const { month } = validate(CalendarMonthQuery, request.query);
  const product = await getProduct(env.DB, productId);
  if (!product) return adminError("productNotFound");
  const days = await listCalendarMonth(env.DB, productId, month);
  const live = await Promise.all(days.map((d) => liveCounts(env, d)));
  return json({ productId, month, days: days.map((d, i) => calendarDayJson(d, live[i]!)) });
};
