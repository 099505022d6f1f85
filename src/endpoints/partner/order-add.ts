/**
 * POST api/WebInterface/Order/Add and api/SpecialOta/DouYin/CalendarTicket/Order/Add
 * (SPEC §7): Verify's checks, then an unpaid order holding stock. A senderid
 * this customer used before answers that order's current state, whatever
 * else the repeat carries (the rule the seed gives for annual cards).
 */
import { findOrderBySender } from "../../db/orders";
import { blankToNull } from "../../domain/order-plan";
import type { OrderAddParm } from "../../schemas/order-add";
import type { Outcome, PartnerContext } from "../partner-endpoint";
import { prepareTicketOrder, ruleRefusal } from "./order-checks";
import { existingAnswer, placeOrder } from "./order-place";

export async function addOrder(input: OrderAddParm, ctx: PartnerContext): Promise<Outcome> {
  const dwid = ctx.session!.dwid;
  const senderId = blankToNull(input.senderid);
  if (senderId !== null) {
    const existing = await findOrderBySender(ctx.env.DB, dwid, senderId);
    if (existing) return existingAnswer(existing, ctx.nowMs);
  }
  const prepared = await prepareTicketOrder(ctx.env, input, ctx.nowMs);
  if (!prepared.ok) return ruleRefusal(prepared.refusal, { sendid: senderId });
  const { plan, asks } = prepared.value;
  return placeOrder(ctx, {
    kind: "ticket",
    dwid,
    senderId,
    effectDate: input.effectdate,
    mobile: input.mobile,
    idNumber: blankToNull(input.identificationnumber)?.toUpperCase() ?? null,
    amountFen: plan.amountFen,
    lines: plan.lines,
    asks,
    requestJson: JSON.stringify(input),
  });
}
