/**
 * Moving one's own paid order to another day (SPEC §10 Order/ChangeDate).
 * The request type is named like the legacy ones, in OrderAddParm's CLR
 * namespace; the answer is Order/Add's OrderOperatorResult.
 */
import type { z } from "zod";
import { contract, formats, int, text } from "./fields";
import { NS } from "./namespaces";

export const OrderChangeDateParm = contract(
  {
    name: "OrderChangeDateParm",
    clrNamespace: NS.parmWebInterface,
    description: "改期时参数的数据结构。orderid与senderid至少提供一个,两者都提供时必须是同一订单。",
  },
  {
    orderid: text({ description: "要改期的订单的编号(电子门票系统内订单唯一编号),与senderid至少提供一个。", max: 20 }),
    senderid: text({ description: "下单时接口方提交的业务单据ID(senderid),与orderid至少提供一个。", max: 50 }),
    effectdate: text({ description: "新的游玩日期,格式:yyyyMMdd,今天或以后。", required: true, max: 8, format: formats.date }),
    timespanindex: int({
      min: -1,
      description:
        "新日期的时段序号,新日期分时段售票时使用:1,2,3…指定时段;-1表示自动选择有余量的最早时段;不填时沿用原时段序号(原订单没有时段时自动选择)。",
    }),
  },
);
export type OrderChangeDateParm = z.infer<typeof OrderChangeDateParm>;
