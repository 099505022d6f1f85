/**
 * POST api/SpecialOta/DouYin/CalendarTicket/Order/Verify (SPEC §5.5; seed
 * douyin-calendarticket-order-verify.txt): errcode 0 when an order with
 * these parameters would be accepted now, else the first refusal's own code.
 * No side effects: D1 is only read, and InventoryDO.check/stockView write nothing.
 */
import type { OrderAddParm } from "../../schemas/order-add";
import { answer, type Outcome, type PartnerContext } from "../partner-endpoint";
import { configOf } from "../../config";
import { checkStockViewed } from "../../durable/inventory-client";
import { prepareTicketOrder, ruleRefusal, stockRefusal } from "./order-checks";
import { commonResult } from "../../wire/envelope";

export async function verifyOrder(input: OrderAddParm, ctx: PartnerContext): Promise<Outcome> {
  const prepared = await prepareTicketOrder(ctx.env, input, ctx.nowMs);
  if (!prepared.ok) return ruleRefusal(prepared.refusal);
  const stock = await checkStockViewed(ctx.env, input.effectdate, prepared.value.asks, configOf(ctx.env).verifyStockViewMs, ctx.nowMs);
  if (!stock.ok) return stockRefusal(stock.reason, stock.productId, undefined, stock.detail);
  return answer(commonResult(null, "校验通过，可以下单"));
}
