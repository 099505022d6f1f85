/**
 * POST api/WebInterface/Order/Query (SPEC §7): one of the caller's own
 * orders by orderid or senderid, with its lines and, once paid, its tickets.
 * Another customer's order answers exactly as an unknown one does.
 */
import { getOwnOrderDetail } from "../../db/orders";
import { refundsOfOrder } from "../../db/refunds";
import { fenToYuan } from "../../domain/money";
import { blankToNull } from "../../domain/order-plan";
import { visibleStatus } from "../../domain/orders";
import type { OrderQueryParm } from "../../schemas/order-query";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { commonResult } from "../../wire/envelope";

export async function queryOrder(input: OrderQueryParm, ctx: PartnerContext): Promise<Outcome> {
  const orderId = blankToNull(input.orderid);
  const senderId = blankToNull(input.senderid);
  if (orderId === null && senderId === null) return refuse("fieldRequired", "orderid 与 senderid 至少提供一个");
  const detail = await getOwnOrderDetail(ctx.env.DB, ctx.session!.dwid, { orderId, senderId });
  if (!detail) return refuse("orderNotFound");
  const { order, items, tickets } = detail;
  const refunds = order.refundedUnits > 0 ? await refundsOfOrder(ctx.env.DB, order.orderId) : [];
  return answer(
    commonResult(
      {
        orderid: order.orderId,
        senderid: order.senderId,
        status: visibleStatus(order.status, order.expiresAtMs, ctx.nowMs, { units: order.refundedUnits, ticketUnits: tickets.length }),
        amount: fenToYuan(order.amountFen),
        effectdate: order.effectDate,
        // An annual card's insurance is its own line (same productid): Σ amount × price = the order's amount.
        items: items.map((i) => ({ productid: i.productId, amount: i.quantity, price: fenToYuan(i.unitPriceFen) })),
        tickets: tickets.map((t) => ({ ticketcode: t.ticketCode, productid: t.productId, status: t.status, usedat: t.usedAtMs === null ? null : new Date(t.usedAtMs).toISOString() })),
        refunds: refunds.map((r) => ({ refundid: r.refundNo, refundamount: fenToYuan(r.amountFen), tickets: r.tickets, refundedat: new Date(r.refundedAtMs).toISOString() })),
      },
      "成功",
    ),
  );
}
