/** The operators' refund bodies and queries (SPEC §10): JSON, validated here. */
import { z } from "zod";
import { dayParam, PageQuery } from "./admin";

export const RefundPost = z.object({
  refundid: z.string().min(1).max(50).describe("退款单号,同一客户内唯一(幂等键)"),
  ticketcodes: z.array(z.string().min(1).max(30)).min(1).max(1000).nullable().optional().describe("要退的门票码;不填则退该订单全部有效门票"),
  reason: z.string().min(1).max(200).describe("退款原因(记为运营方的退款)"),
  waiveFee: z.boolean().optional().describe("免收手续费"),
  ignoreDeadline: z.boolean().optional().describe("不受退票期限限制"),
});

export const RefundListQuery = PageQuery.extend({
  customer: z.string().max(36).optional().describe("客户ID"),
  date: dayParam.optional().describe("退款日期 yyyyMMdd(Asia/Shanghai)"),
});
