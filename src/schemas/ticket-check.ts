/**
 * The gate's check (SPEC §10 核销): a ticket code or the holder's ID number,
 * and the device's scan id; the answer a CommonOperationResult whose tag is
 * the ticket as it now stands.
 */
import type { z } from "zod";
import { commonResultWithTag } from "./envelopes";
import { contract, int, text } from "./fields";
import { NS } from "./namespaces";

export const TicketCheckParm = contract(
  {
    name: "TicketCheckParm",
    clrNamespace: NS.parmWebInterface,
    description: "闸机核销时参数的数据结构。ticketcode与idnumber提供其一;checkid是闸机的扫描流水号,同一次扫描重试时带相同的checkid。",
  },
  {
    ticketcode: text({ description: "门票码(扫码或输入),与idnumber提供其一。", max: 30 }),
    idnumber: text({ description: "实名制门票的证件号码(刷身份证入园),与ticketcode提供其一。", max: 30 }),
    checkid: text({ description: "闸机本次扫描的流水号(同一闸机内唯一):重试同一次扫描时带相同的值,返回同一结果。", max: 50 }),
  },
);
export type TicketCheckParm = z.infer<typeof TicketCheckParm>;

export const TicketCheckResult = contract(
  { name: "TicketCheckResult", clrNamespace: NS.result },
  {
    ticketcode: text({ description: "门票码" }),
    orderid: text({ description: "订单号" }),
    productid: text({ description: "产品ID" }),
    effectdate: text({ description: "游玩日期yyyyMMdd" }),
    timespanindex: int({ description: "入园时段序号(不分时段时为空)" }),
    status: text({ description: "门票状态:valid、used、refunded" }),
    usedat: text({ description: "核销时间(ISO 8601, UTC),未使用时为空" }),
    gateid: text({ description: "核销的闸机,未使用时为空" }),
  },
);
export const TicketCheckResponse = commonResultWithTag(TicketCheckResult);
