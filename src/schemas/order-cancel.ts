/**
 * Cancelling one's own unpaid order (SPEC §10 Cancel). The request type is
 * named like the legacy ones, in OrderAddParm's CLR namespace; the answer
 * is Order/Add's OrderOperatorResult.
 */
import type { z } from "zod";
import { contract, text } from "./fields";
import { NS } from "./namespaces";

export const OrderCancelParm = contract(
  {
    name: "OrderCancelParm",
    clrNamespace: NS.parmWebInterface,
    description: "取消订单时参数的数据结构。orderid与senderid至少提供一个,两者都提供时必须是同一订单。",
  },
  {
    orderid: text({ description: "要取消的订单的编号(电子门票系统内订单唯一编号),与senderid至少提供一个。", max: 20 }),
    senderid: text({ description: "下单时接口方提交的业务单据ID(senderid),与orderid至少提供一个。", max: 50 }),
  },
);
export type OrderCancelParm = z.infer<typeof OrderCancelParm>;
