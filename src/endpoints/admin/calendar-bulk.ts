/**
 * PUT /admin/products/{productid}/calendar?from=&to=&weekdays= (SPEC §12):
 * the single-day body ({stock, price?, timeslots?}) on every matching day,
 * all or nothing.
 *
 * Why two phases and not "check every day, then configure each": between a
 * check and the configure of day k an order can land on day k, and its
 * configure then refuses after days 1…k−1 were applied. Rolling those back is
 * no cure — orders may meanwhile have taken units the new stock allowed, so
 * the old stock can itself be refused, and a crash mid-rollback leaves the
 * call half applied. Instead:
 *
 *   1. every day's InventoryDO reserves the new configuration under the
 *      call's token (`prepareConfig`), refusing it below what is sold and
 *      held; while reserved, a hold must fit the reservation too, so a
 *      concurrent order is refused rather than making the commit fail (an
 *      order and the call race; either the order lands first and the call
 *      is refused, or the call reserves first and the order must fit both);
 *   2. one refusal (or an unreachable object): every reservation is
 *      dropped and the answer is the earliest refused day with its numbers —
 *      nothing was written anywhere;
 *   3. all reserved: ONE D1 batch records the decision 'committed' and every
 *      day's product_days row (db/calendar-bulk.ts) — the call's commit point;
 *   4. each object applies its reservation (`commitConfig`), which cannot be
 *      refused. An object not reached applies it from its alarm, which asks D1
 *      for the decision when the reservation expires (and fences an absent
 *      decision as 'aborted', so a batch still on its way lands nothing).
 */
import { clockOf } from "../../clock";
import { commitCalendarBulk } from "../../db/calendar-bulk";
import { forgetProduct } from "../../db/catalogue-cache";
import { getProductCalendar } from "../../db/products";
import { ALL_WEEKDAYS, daysOfRange } from "../../domain/calendar-range";
import { shanghaiDate } from "../../domain/dates";
import { yuanToFen } from "../../domain/money";
import { workerFaults } from "../../durable/faults";
import { abortDays, commitDays, prepareDays } from "../../durable/inventory-client";
import { CalendarDayPut, CalendarRangeQuery } from "../../schemas/admin";
import { RETRY_AFTER_SECONDS } from "../store-errors";
import { adminError, json, readJson, validate, type AdminHandler } from "./http";
import { productIdParam, slotsBelowStock, stockBelowUsage } from "./products";

/**
 * How long a day's reservation waits for the call's decision before its
 * object asks D1 (and, finding none, aborts it). Far above what a call of
 * 366 days takes; while it waits after a coordinator died, a day that was
 * being lowered sells only within the lower stock.
 */
export const BULK_RESERVATION_MS = 60_000;

export const putCalendarRange: AdminHandler = async (request, env) => {
  const productId = productIdParam(request);
  if (productId instanceof Response) return productId;
  const query = validate(CalendarRangeQuery, request.query);
  const body = await readJson(request, CalendarDayPut);
  const clock = clockOf(env);
  const weekdays = query.weekdays ? query.weekdays.split(",").map(Number) : ALL_WEEKDAYS;
  const range = daysOfRange(query.from, query.to, new Set(weekdays), shanghaiDate(clock.nowMs()));
  if (!range.ok) return adminError("adminInvalid", range.message, range.field);
  const slotsShort = slotsBelowStock(body);
  if (slotsShort) return slotsShort;
  const { product, days: existing } = await getProductCalendar(env.DB, productId, query.from, query.to);
  if (!product) return adminError("productNotFound");

  const token = crypto.randomUUID();
  const nowMs = clock.nowMs();
  const versions = new Map(existing.map((d) => [d.day, d.updatedAtMs]));
  const timeslots = body.timeslots ?? null;
  const configs = range.days.map((day) => ({ productId, day, stock: body.stock, timeslots, version: Math.max(nowMs, (versions.get(day) ?? 0) + 1) }));
  const { prepared, refused, failed } = await prepareDays(env, token, configs, nowMs + BULK_RESERVATION_MS);
  if (refused || failed) {
    await abortDays(env, productId, token, prepared.map((p) => p.day));
    if (refused) return stockBelowUsage(refused.day, refused);
    console.error(JSON.stringify({ event: "calendar_bulk_unprepared", productId, token, error: String(failed) }));
    return notApplied();
  }

  // The commit point. A store error here is the router's 503 (outcome unknown): each object's alarm settles it from D1.
  const decision = await workerFaults.write("calendar-bulk", env.DB, (db) =>
    commitCalendarBulk(db, {
      token, productId, stock: body.stock, timeslots,
      priceFen: body.price === null || body.price === undefined ? null : yuanToFen(body.price)!,
      days: prepared,
    }, clock.nowMs()),
  );
  if (decision === "aborted") {
    // An object's alarm found no decision and fenced the call: nothing of it was written.
    await abortDays(env, productId, token, range.days);
    return notApplied();
  }
  forgetProduct(productId);
  await commitDays(env, productId, token, range.days);
  return json({ productId, from: query.from, to: query.to, weekdays, days: range.days });
};

function notApplied(): Response {
  const response = adminError("calendarBulkNotApplied");
  response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  return response;
}
