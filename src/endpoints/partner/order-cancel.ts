/**
 * POST api/WebInterface/Order/Cancel (SPEC §10 Cancel): one of the caller's
 * own orders, by orderid or senderid, cancelled while unpaid; the steps are
 * in ../order-cancel.ts. Another customer's order answers exactly as an
 * unknown one does. A store down while the order is read answers "not done,
 * retry" (9002); once the UPDATE was sent, its outcome is unknown (9003).
 */
import { getOwnOrderDetail } from "../../db/orders";
import { blankToNull } from "../../domain/order-plan";
import { visibleStatus } from "../../domain/orders";
import { workerFaults } from "../../durable/faults";
import type { OrderCancelParm } from "../../schemas/order-cancel";
import { cancelOrder } from "../order-cancel";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { isStoreUnavailable } from "../store-errors";
import { orderResult } from "../../wire/envelope";

export async function cancelOwnOrder(input: OrderCancelParm, ctx: PartnerContext): Promise<Outcome> {
  const orderId = blankToNull(input.orderid);
  const senderId = blankToNull(input.senderid);
  if (orderId === null && senderId === null) return refuse("fieldRequired", "orderid 与 senderid 至少提供一个");
  let found: Awaited<ReturnType<typeof getOwnOrderDetail>>;
  try {
    found = await workerFaults.d1("read", () => getOwnOrderDetail(ctx.env.DB, ctx.session!.dwid, { orderId, senderId }));
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    console.error(JSON.stringify({ event: "order_cancel_not_done", error: String(error) }));
    return refuse("storeUnavailable");
  }
  if (!found) return refuse("orderNotFound");

  const outcome = await cancelOrder(ctx.env, found, ctx.clock);
  const { order } = outcome;
  const echo = { orderid: order.orderId, sendid: order.senderId, orderstatus: visibleStatus(order.status, order.expiresAtMs, ctx.clock.nowMs()) };
  if (!outcome.ok) return refuse(outcome.reason, undefined, echo);
  return answer(orderResult(echo, outcome.cancelledNow ? "取消成功" : "订单此前已取消,返回订单当前状态"));
}
