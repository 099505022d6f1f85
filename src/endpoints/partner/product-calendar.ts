/**
 * POST api/WebInterface/Product/Calendar (SPEC §10): what a partner may sell
 * of one calendar ticket from begindate to enddate — each day the operator
 * configured (a day without a calendar row is not on sale and is left out;
 * Verify and Add refuse it 4203), its price (the day's, else the product's)
 * and what is available now, per time slot too.
 *
 * Reads only: the product and its days in one D1 round trip, then every
 * day's InventoryDO stockView() at once (it writes nothing; an object never
 * asked before has nothing held, and the day's D1 configuration is used
 * when it is at least as new as the object's). What is shown is a moment's
 * view: Add decides in the object, so a day shown available may be gone by
 * the time an order comes.
 *
 * Caching (OTAs pull this often): the D1 rows may come from the isolate for
 * CATALOGUE_CACHE_SECONDS (an operator's change reaches other isolates that
 * much later), the stock views for CALENDAR_STOCK_VIEW_MS (a hold or sale
 * shows that much later) — see db/catalogue-cache.ts, inventory-client.ts.
 */
import { configOf } from "../../config";
import { readProductCalendar } from "../../db/catalogue-cache";
import type { CalendarDay } from "../../db/products";
import { sellableDay, timeOfDay } from "../../domain/calendar";
import { shanghaiDate } from "../../domain/dates";
import { fenToYuan } from "../../domain/money";
import { slotsFromTimes, type DayStock, type Usage } from "../../domain/stock";
import type { StockView } from "../../durable/inventory";
import { stockViews } from "../../durable/inventory-client";
import type { ProductCalendarParm } from "../../schemas/product-calendar";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { closedBeforeMinute } from "./order-checks";
import { commonResult } from "../../wire/envelope";

export const NOT_A_CALENDAR_TICKET = "该产品不是日历门票,没有可售日历(年卡请用 Order/YearCard/AddOrder 预订)";

export async function productCalendar(input: ProductCalendarParm, ctx: PartnerContext): Promise<Outcome> {
  const today = shanghaiDate(ctx.nowMs);
  // Past days are not for sale: asking for them is a mistake in the request (SPEC §3 Time: Asia/Shanghai).
  if (input.begindate < today) return refuse("fieldRange", `begindate 不能早于今天(${today},北京时间)`);
  const config = configOf(ctx.env);
  const { product, days } = await readProductCalendar(ctx.env.DB, input.productid, input.begindate, input.enddate, config.catalogueCacheMs, ctx.nowMs);
  if (!product) return refuse("orderProductNotFound");
  if (product.kind !== "ticket") return refuse("productKindMismatch", NOT_A_CALENDAR_TICKET);
  if (!product.onSale) return refuse("productNotOnSale");
  const views = await stockViews(ctx.env, product.productId, days.map((d) => d.day), config.calendarStockViewMs, ctx.nowMs);
  return answer(
    commonResult(
      {
        productid: product.productId,
        name: product.name,
        days: days.map((day, i) => {
          const view = views[i]!;
          const sellable = sellableDay(newerStock(day, view), usageOf(view), closedBeforeMinute(day.day, ctx.nowMs));
          return {
            date: day.day,
            price: fenToYuan(day.priceFen ?? product.priceFen),
            available: sellable.available,
            timeslots: sellable.slots.map((s) => ({ index: s.index, start: timeOfDay(s.startMinute), end: timeOfDay(s.endMinute), available: s.available })),
          };
        }),
      },
      "成功",
    ),
  );
}

/**
 * The day's stock and slots: D1's row when it is at least as new as what
 * the object holds (an object never configured holds nothing), else the
 * object's — an operator's PUT configures the object first, so D1 can only
 * lag behind it when that PUT's D1 write failed.
 */
function newerStock(day: CalendarDay, view: StockView): DayStock {
  if (view.version === null || day.updatedAtMs >= view.version) return { stock: day.stock, slots: slotsFromTimes(day.timeslots) };
  return view.day;
}

/** Held + sold units of the day and per slot, as the object counted them. */
function usageOf(view: StockView): Usage {
  return { day: view.usage.day, bySlot: new Map(view.usage.bySlot.map((s) => [s.slotIndex, s.units])) };
}
