/**
 * Texting one's own paid order's ticket codes again (SPEC §10 Resend). The
 * request type is named like the legacy ones, in OrderAddParm's CLR
 * namespace; the answer is Order/Add's OrderOperatorResult.
 */
import type { z } from "zod";
import { RESENDS_PER_ORDER_PER_HOUR } from "../domain/resends";
import { contract, formats, text } from "./fields";
import { NS } from "./namespaces";

export const OrderResendParm = contract(
  {
    name: "OrderResendParm",
    clrNamespace: NS.parmWebInterface,
    description: `重发门票短信时参数的数据结构。orderid与senderid至少提供一个,两者都提供时必须是同一订单;mobile不填则发到订单的手机号码。每个订单1小时内最多重发${RESENDS_PER_ORDER_PER_HOUR}次。`,
  },
  {
    orderid: text({ description: "要重发门票短信的订单编号(电子门票系统内订单唯一编号),与senderid至少提供一个。", max: 20 }),
    senderid: text({ description: "下单时接口方提交的业务单据ID(senderid),与orderid至少提供一个。", max: 50 }),
    mobile: text({ description: "接收短信的手机号码(11位);不填则发到下单时的游客手机号码。", max: 11, format: formats.mobile }),
  },
);
export type OrderResendParm = z.infer<typeof OrderResendParm>;
