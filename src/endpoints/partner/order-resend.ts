/**
 * POST api/WebInterface/Order/Resend (SPEC §10): one of the caller's own
 * paid orders, by orderid or senderid — its valid ticket codes texted again,
 * to the order's mobile or to `mobile`, at most RESENDS_PER_ORDER_PER_HOUR
 * times in any rolling hour. The SMS is an outbox row like every
 * notification (kind order_resent, SMS only), handed to the queue after the
 * answer; the guarded insert that writes it also decides the limit
 * (db/resends.ts). Another customer's order answers exactly as an unknown
 * one does. D1 down while the order is read: 9002, nothing queued; once the
 * insert was sent its outcome is unknown (9003, HTTP 503) — a retry may text
 * once more, within the limit.
 */
import { getOwnOrderDetail } from "../../db/orders";
import { insertResendIfAllowed } from "../../db/resends";
import { maskMobile } from "../../domain/notifications";
import { blankToNull } from "../../domain/order-plan";
import { visibleStatus } from "../../domain/orders";
import { nextResendAtMs, RESENDS_PER_ORDER_PER_HOUR, resendLimitedMessage, resendQueuedMessage, resendRefusal } from "../../domain/resends";
import { workerFaults } from "../../durable/faults";
import type { OrderResendParm } from "../../schemas/order-resend";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { isStoreUnavailable } from "../store-errors";
import { notifyPaid } from "./follow-ups";
import { orderResult } from "../../wire/envelope";

export async function resendOwnOrder(input: OrderResendParm, ctx: PartnerContext): Promise<Outcome> {
  const orderId = blankToNull(input.orderid);
  const senderId = blankToNull(input.senderid);
  if (orderId === null && senderId === null) return refuse("fieldRequired", "orderid 与 senderid 至少提供一个");
  const dwid = ctx.session!.dwid;
  let found: Awaited<ReturnType<typeof getOwnOrderDetail>>;
  try {
    found = await workerFaults.d1("read", () => getOwnOrderDetail(ctx.env.DB, dwid, { orderId, senderId }));
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    console.error(JSON.stringify({ event: "order_resend_not_done", error: String(error) }));
    return refuse("storeUnavailable");
  }
  if (!found) return refuse("orderNotFound");
  const { order, tickets } = found;
  const status = visibleStatus(order.status, order.expiresAtMs, ctx.nowMs, { units: order.refundedUnits, ticketUnits: tickets.length });
  const echo = { orderid: order.orderId, sendid: order.senderId, orderstatus: status };
  const refusal = resendRefusal(status, tickets.filter((t) => t.status === "valid").length);
  if (refusal) return refuse(refusal.key, refusal.message, echo);

  const mobile = blankToNull(input.mobile) ?? order.mobile;
  const decided = await insertResendIfAllowed(ctx.env.DB, { orderId: order.orderId, dwid, mobile, nowMs: ctx.nowMs });
  if (decided.outboxId === null) {
    // A refund of the last valid tickets committed in between: nothing left to send.
    if (decided.validTickets === 0) return refuse("nothingToResend", undefined, echo);
    if (decided.inWindowMs.length < RESENDS_PER_ORDER_PER_HOUR) throw new Error(`order ${order.orderId}: resend refused below its limit`);
    return refuse("resendLimited", resendLimitedMessage(nextResendAtMs(decided.inWindowMs), ctx.nowMs), echo);
  }
  ctx.waitUntil(notifyPaid(ctx.env, decided.outboxId));
  const remaining = RESENDS_PER_ORDER_PER_HOUR - decided.inWindowMs.length;
  return answer(orderResult(echo, resendQueuedMessage(maskMobile(mobile), decided.validTickets, remaining)));
}
