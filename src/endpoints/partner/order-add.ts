/**
 * POST api/WebInterface/Order/Add and api/SpecialOta/DouYin/CalendarTicket/Order/Add
 * (SPEC §7): Verify's checks, then an unpaid order holding stock. A senderid
 * this customer used before answers that order's current state, whatever
 * else the repeat carries (the rule the seed gives for annual cards): a
 * repeat is found when the insert meets the (dwid, senderid) it took, or
 * before any refusal is answered — not by a read ahead of every add. A store
 * down before the insert is "nothing placed" (9002); after it, the fence
 * decides (order-place.ts).
 */
import { blankToNull } from "../../domain/order-plan";
import type { OrderAddParm } from "../../schemas/order-add";
import type { Outcome, PartnerContext } from "../partner-endpoint";
import { prepareTicketOrder, ruleRefusal, type Prepared, type PreparedTicketOrder } from "./order-checks";
import { notPlaced, orExisting, placeOrder } from "./order-place";

export async function addOrder(input: OrderAddParm, ctx: PartnerContext): Promise<Outcome> {
  const dwid = ctx.session!.dwid;
  const senderId = blankToNull(input.senderid);
  let prepared: Prepared<PreparedTicketOrder>;
  try {
    prepared = await prepareTicketOrder(ctx.env, input, ctx.nowMs);
    if (!prepared.ok) return await orExisting(ctx, dwid, senderId, ruleRefusal(prepared.refusal, { sendid: senderId }));
  } catch (error) {
    return notPlaced(error, senderId);
  }
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
