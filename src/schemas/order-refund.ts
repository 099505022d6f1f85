/**
 * Refunding one's own paid order's tickets (SPEC §10 Refund): the request
 * type named like the legacy ones, in OrderAddParm's CLR namespace; the
 * answer a CommonOperationResult whose tag is the refund.
 */
import type { z } from "zod";
import { commonResultWithTag } from "./envelopes";
import { contract, money, text, textList } from "./fields";
import { NS } from "./namespaces";

/** Ticket codes one refund may name (an order issues at most 1,000 tickets). */
export const MAX_TICKETS_PER_REFUND = 1000;

export const OrderRefundParm = contract(
  {
    name: "OrderRefundParm",
    clrNamespace: NS.parmWebInterface,
    description: "退票(退款)时参数的数据结构。orderid与senderid至少提供一个;refundid是接口方的退款单号,同一客户内唯一,重复提交返回同一笔退款。",
  },
  {
    orderid: text({ description: "要退票的订单编号(电子门票系统内订单唯一编号),与senderid至少提供一个。", max: 20 }),
    senderid: text({ description: "下单时接口方提交的业务单据ID(senderid),与orderid至少提供一个。", max: 50 }),
    refundid: text({ description: "接口方的退款单号,同一客户内唯一(幂等键):重复提交返回同一笔退款,不重复退款;同一退款单号退不同的门票会被拒绝。", required: true, max: 50 }),
    ticketcodes: textList({ description: "要退的门票码(最多1000个,每个最长30位);不填则退该订单全部未使用的门票。", minItems: 1, maxItems: MAX_TICKETS_PER_REFUND, maxLength: 30 }),
    reason: text({ description: "退票原因。", max: 200 }),
  },
);
export type OrderRefundParm = z.infer<typeof OrderRefundParm>;

export const OrderRefundResult = contract(
  { name: "OrderRefundResult", clrNamespace: NS.result },
  {
    refundid: text({ description: "接口方的退款单号" }),
    orderid: text({ description: "电子门票系统订单号" }),
    senderid: text({ description: "接口方的业务单据ID" }),
    refundamount: money({ description: "退回预订金的金额(元)" }),
    fee: money({ description: "手续费(元)" }),
    tickets: textList({ description: "本次退的门票码" }),
    orderstatus: text({ description: "退票后订单状态:partially_refunded 或 refunded" }),
    refundedat: text({ description: "退款时间(ISO 8601, UTC)" }),
  },
);
export const OrderRefundResponse = commonResultWithTag(OrderRefundResult);
