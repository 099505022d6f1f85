/**
 * POST api/Order/YearCard/AddOrder (SPEC §5.3; seed yearcard-add-order.txt):
 * an unpaid annual-card order, insurance per the product's configuration,
 * idempotent on senderid per customer. A card holds stock only when the
 * operator configured a calendar day for it.
 */
import { configOf } from "../../config";
import { readCatalogue } from "../../db/catalogue-cache";
import type { CalendarDay, Product } from "../../db/products";
import { shanghaiDate } from "../../domain/dates";
import { blankToNull } from "../../domain/order-plan";
import { planYearCard, type YearCardPlan } from "../../domain/yearcard";
import type { YearCardOrderAddParm } from "../../schemas/yearcard";
import type { Outcome, PartnerContext } from "../partner-endpoint";
import { calendarAsk, checkLimits, ruleRefusal } from "./order-checks";
import { notPlaced, orExisting, placeOrder } from "./order-place";

export async function addYearCardOrder(input: YearCardOrderAddParm, ctx: PartnerContext): Promise<Outcome> {
  const { env, nowMs } = ctx;
  const dwid = ctx.session!.dwid;
  const senderId = blankToNull(input.senderid);
  const echo = { sendid: senderId };
  let checked: { plan: YearCardPlan; product: Product; day: CalendarDay | null };
  try {
    const catalogue = await readCatalogue(env.DB, [input.productid], input.effectdate, configOf(env).catalogueCacheMs, nowMs);
    const product = catalogue.products.get(input.productid);
    const day = catalogue.days.get(input.productid) ?? null;
    const planned = planYearCard(input, product, day ?? undefined, shanghaiDate(nowMs));
    if (!planned.ok) return await orExisting(ctx, dwid, senderId, ruleRefusal(planned.refusal, echo));
    const limit = await checkLimits(env, planned.plan.lines.filter((l) => l.kind === "ticket"), new Map([[product!.productId, product!]]), input.effectdate, nowMs);
    if (limit) return await orExisting(ctx, dwid, senderId, ruleRefusal(limit, echo));
    checked = { plan: planned.plan, product: product!, day };
  } catch (error) {
    return notPlaced(error, senderId);
  }
  const { plan, product, day } = checked;
  return placeOrder(ctx, {
    kind: "yearcard",
    dwid,
    senderId,
    effectDate: input.effectdate,
    mobile: input.mobile,
    idNumber: plan.lines[0]!.idNumber,
    amountFen: plan.amountFen,
    lines: plan.lines,
    asks: day ? [calendarAsk(day, product, plan.lines.filter((l) => l.kind === "ticket"), 1, input.effectdate, nowMs)] : [],
    // What the server filled (insurance plan, holder, XB/Birthday) is kept with the order.
    requestJson: JSON.stringify(plan.filled),
  });
}
