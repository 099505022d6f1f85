/** Querying one's own order (SPEC §7). */
import { z } from "zod";
import { commonResultWithTag } from "./envelopes";
import { contract, int, money, text, textList } from "./fields";
import { NS } from "./namespaces";

export const OrderQueryParm = contract(
  { name: "OrderQueryParm", clrNamespace: NS.parmWebInterface },
  {
    orderid: text({ description: "电子门票系统订单号,与senderid至少提供一个。", max: 20 }),
    senderid: text({ description: "接口方的业务单据ID,与orderid至少提供一个。", max: 50 }),
  },
);
export type OrderQueryParm = z.infer<typeof OrderQueryParm>;

export const OrderQueryItem = contract(
  { name: "OrderQueryItem", clrNamespace: NS.result },
  {
    productid: text({ description: "产品ID" }),
    amount: int({ description: "数量", required: true }),
    price: money({ description: "单价(元)" }),
  },
);

export const OrderQueryTicket = contract(
  { name: "OrderQueryTicket", clrNamespace: NS.result },
  {
    ticketcode: text({ description: "门票码" }),
    productid: text({ description: "产品ID" }),
    status: text({ description: "门票状态:valid、used、refunded" }),
    usedat: text({ description: "入园时间(ISO 8601, UTC),未入园为空" }),
  },
);

export const OrderQueryRefund = contract(
  { name: "OrderQueryRefund", clrNamespace: NS.result },
  {
    refundid: text({ description: "退款单号(接口方的refundid,或运营方的)" }),
    refundamount: money({ description: "退回预订金的金额(元)" }),
    tickets: textList({ description: "退的门票码" }),
    refundedat: text({ description: "退款时间(ISO 8601, UTC)" }),
  },
);

export const OrderQueryResult = contract(
  { name: "OrderQueryResult", clrNamespace: NS.result },
  {
    orderid: text({ description: "电子门票系统订单号" }),
    senderid: text({ description: "接口方的业务单据ID" }),
    status: text({ description: "订单状态" }),
    amount: money({ description: "订单金额(元)" }),
    effectdate: text({ description: "生效日期yyyyMMdd" }),
    items: z.array(OrderQueryItem).nullable().optional().describe("订单明细"),
    tickets: z.array(OrderQueryTicket).nullable().optional().describe("门票,支付前为空"),
    refunds: z.array(OrderQueryRefund).nullable().optional().describe("已完成的退款,早的在前"),
  },
);
export const OrderQueryResponse = commonResultWithTag(OrderQueryResult);
