/**
 * The operators' queries about admissions (SPEC §10 核销, §12): a day's
 * check-ins and a ticket's history by its code or its holder's ID number.
 * Validated by their handlers (src/endpoints/admin/checkins.ts, tickets.ts)
 * and documented by src/openapi/admin.ts from these same objects.
 */
import { z } from "zod";
import { dayParam, GATE_ID_PATTERN, PRODUCT_ID_PATTERN } from "./admin";
import { rule } from "./fields";

/** At most this many tickets of one ID number are answered, newest first. */
export const TICKETS_PER_HOLDER_MAX = 50;

const matching = (pattern: RegExp, text: string) => z.string().refine((v) => pattern.test(v), { params: rule("format", text) });

export const CheckinsQuery = z.object({
  date: dayParam.describe("入园日期 yyyyMMdd(Asia/Shanghai,按入园时间)"),
  productid: matching(PRODUCT_ID_PATTERN, "必须是1到36位字母、数字、_或-").optional().describe("只统计该产品"),
  gateid: matching(GATE_ID_PATTERN, "必须是1到36位字母、数字、_或-").optional().describe("只统计该闸机"),
});

/** Exactly one of code and idnumber (both as the gate takes them: at most 30 characters). */
export const TicketSearchQuery = z
  .object({
    code: z.string().min(1).max(30).optional().describe("门票码"),
    idnumber: z.string().min(1).max(30).optional().describe(`实名制门票的证件号码:该证件的门票,新的在前,最多${TICKETS_PER_HOLDER_MAX}张`),
  })
  .refine((q) => q.code !== undefined || q.idnumber !== undefined, { params: rule("required", "与 idnumber 须提供其一"), path: ["code"] })
  .refine((q) => q.code === undefined || q.idnumber === undefined, { params: rule("conflict", "与 idnumber 只能提供其一"), path: ["code"] });
