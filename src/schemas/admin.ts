/**
 * Operators' /admin API bodies and queries (SPEC §7). JSON only; amounts are
 * decimal yuan numbers on the wire, converted to fen by the endpoints.
 */
import { z } from "zod";
import { isRealDate } from "../domain/dates";
import { statementRangeProblem, STATEMENT_MAX_DAYS } from "../domain/statements";
import { yuanToFen } from "../domain/money";
import { OUTBOX_STATUSES } from "../domain/notifications";
import { rule } from "./fields";

const yuan = (description: string) =>
  z
    .union([z.number(), z.string()])
    .refine((v) => { const fen = yuanToFen(v); return fen !== null && fen >= 0; }, {
      params: rule("format", "必须是不小于0且最多两位小数的金额(元)"),
    })
    .describe(description);

const positiveYuan = (description: string) =>
  z
    .union([z.number(), z.string()])
    .refine((v) => { const fen = yuanToFen(v); return fen !== null && fen > 0; }, {
      params: rule("format", "必须是大于0且最多两位小数的金额(元)"),
    })
    .describe(description);

/** A string matching `pattern`, refused with the rule's Chinese text. */
const matching = (pattern: RegExp, text: string) => z.string().refine((v) => pattern.test(v), { params: rule("format", text) });

const hhmm = matching(/^([01]\d|2[0-3]):[0-5]\d$/, "必须是HH:mm格式的时间").describe("HH:mm");

export const DWID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export const CustomerPut = z.object({
  dwlx: matching(/^[1-7]$/, "取值必须是1到7").describe("客户类型 1–7"),
  name: z.string().min(1).max(100).describe("客户名称"),
  loginPassword: z.string().min(1).max(64).optional().describe("登录密码(明文,只保存其加密的UPPER_MD5值);新客户必填"),
  payPassword: z.string().min(1).max(64).nullable().optional().describe("支付密码(明文,只保存其加密的UPPER_MD5值);null 删除支付密码"),
  suspended: z
    .boolean()
    .optional()
    .describe("停用:true 停用客户(立即结束其所有会话,不能登录和支付),false 恢复;不填则不变。改登录密码或支付密码同样结束所有会话"),
  callbackUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullable()
    .optional()
    .describe("订单状态回调地址"),
  lowBalanceAlert: yuan("余额提醒额度(元):可用余额在扣款后低于它时,通知合作方回调并短信提醒 contactMobile 一次,充值、退款等使可用余额回到额度以上后再次提醒;null 取消提醒;不填则不变")
    .nullable()
    .optional(),
  contactMobile: matching(/^1\d{10}$/, "必须是11位手机号码")
    .nullable()
    .optional()
    .describe("客户(旅行社)自己的联系手机,接收余额提醒短信;null 删除;不填则不变"),
});

export const DepositPost = z.object({
  amount: positiveYuan("充值金额(元)"),
  reference: z.string().min(1).max(64).describe("充值流水号,同一客户内唯一(幂等键)"),
});

export const InsuranceConfig = z.object({
  mode: z.enum(["forced", "optional", "none"]).describe("forced 强制购买(BuyInsurance 视为\"1\"),optional 可选,none 不提供"),
  price: yuan("保险单价(元)"),
  count: z.number().int().min(1).max(10).describe("每张门票的保险份数"),
  planCode: z.string().max(30).describe("保险产品计划代码"),
  planName: z.string().max(30).describe("保险产品计划名称"),
  destZone: z.string().max(50).nullable().optional().describe("目的地"),
  timeRange: z.number().int().min(1).max(3650).nullable().optional().describe("保险天数"),
  holder: z
    .object({
      type: z.enum(["1", "2"]),
      companyName: z.string().max(60),
      companyCode: z.string().max(20),
      address: z.string().max(60),
      contactName: z.string().max(40),
      contactPhone: z.string().max(20),
      email: z.string().max(60),
    })
    .nullable()
    .optional()
    .describe("投保人(type 1 个人,2 企业)"),
});

export const ProductPut = z.object({
  name: z.string().min(1).max(100).describe("产品名称"),
  kind: z.enum(["ticket", "yearcard", "retail"]).describe("ticket 日历门票,yearcard 互联网年卡,retail 自营零售"),
  price: yuan("产品价格(元)"),
  realName: z.boolean().optional().describe("实名制:每张门票一个证件号"),
  maxPerOrder: z.number().int().min(1).nullable().optional().describe("单笔订单限购张数"),
  limitPerIdPerDay: z.number().int().min(1).nullable().optional().describe("同一证件号每天限购张数"),
  limitPerMobilePerDay: z.number().int().min(1).nullable().optional().describe("同一手机号每天限购张数"),
  insurance: InsuranceConfig.nullable().optional().describe("年卡保险配置"),
  onSale: z.boolean().optional().describe("在售,默认 true"),
  refund: z
    .object({
      allowed: z.boolean().describe("是否允许退票"),
      deadline: z.enum(["before_visit_day", "visit_day_end"]).describe("before_visit_day 游玩日前一天结束前,visit_day_end 游玩日结束前(年卡:生效日前)"),
      feePercent: z.number().int().min(0).max(100).describe("每张门票的手续费(票价的百分比,四舍五入到分)"),
    })
    .nullable()
    .optional()
    .describe("退票规则;不填为默认 {allowed: true, deadline: visit_day_end, feePercent: 0}"),
});

export const Timeslot = z
  .object({
    index: z.number().int().min(1).max(99).describe("时段序号(timespanindex)"),
    start: hhmm,
    end: hhmm,
    capacity: z.number().int().min(0).describe("该时段的容量"),
  })
  .refine((s) => s.start < s.end, { params: rule("format", "start必须早于end"), path: ["end"] });

export const CalendarDayPut = z
  .object({
    stock: z.number().int().min(0).max(1_000_000).describe("当日库存"),
    price: yuan("当日价格(元),不填则用产品价格").nullable().optional(),
    timeslots: z.array(Timeslot).max(48).nullable().optional().describe("分时段入园;容量之和不能小于库存"),
  })
  .refine((d) => !d.timeslots || new Set(d.timeslots.map((s) => s.index)).size === d.timeslots.length, {
    params: rule("conflict", "时段序号不能重复"),
    path: ["timeslots"],
  });

export const GATE_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export const GatePut = z.object({
  name: z.string().min(1).max(100).describe("闸机名称(如 东门1号闸机)"),
  products: z.array(z.string().regex(PRODUCT_ID_PATTERN)).max(200).nullable().optional().describe("只接待这些产品的门票;不填则接待所有产品"),
});

export const dayParam = z.string().refine(isRealDate, { params: rule("format", "必须是yyyyMMdd格式的有效日期") });
export const monthParam = matching(/^\d{4}(0[1-9]|1[0-2])$/, "必须是yyyyMM格式的月份");

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("每页条数"),
  cursor: z.string().max(200).optional().describe("上一页答复的 nextCursor"),
});

// The list queries: validated by their handlers (src/endpoints/admin/*.ts) and documented
// by src/openapi/admin.ts from these same objects.
export const CustomerListQuery = PageQuery.extend({ q: z.string().max(100).optional().describe("按客户ID或名称搜索") });
export const ProductListQuery = PageQuery.extend({ kind: z.enum(["ticket", "yearcard", "retail"]).optional().describe("产品类别") });
export const OrderListQuery = PageQuery.extend({
  customer: z.string().max(36).optional().describe("客户ID"),
  date: dayParam.optional().describe("游玩日期 yyyyMMdd"),
  status: z.enum(["unpaid", "paid", "expired", "cancelled"]).optional().describe("订单状态"),
  q: z.string().min(1).max(50).optional().describe("订单号或 senderid(前缀,区分大小写)"),
  format: z.enum(["json", "csv"]).optional().describe("csv:按同样的筛选导出全部订单为 CSV(UTF-8 带 BOM;忽略 limit 和 cursor)"),
});
export const BillListQuery = PageQuery.extend({ customer: z.string().max(36).optional().describe("客户ID") });
export const NotificationListQuery = PageQuery.extend({ status: z.enum(OUTBOX_STATUSES).optional().describe("投递状态") });
export const DashboardQuery = z.object({ date: dayParam.optional().describe("统计日 yyyyMMdd(北京时间),默认今天;近30天为该日及之前29天") });
export const CalendarMonthQuery = z.object({ month: monthParam.describe("yyyyMM") });
/** PUT /admin/products/{productid}/calendar?from=&to=&weekdays= (SPEC §12): the days the same body sets. */
export const CalendarRangeQuery = z.object({
  from: dayParam.describe("第一天 yyyyMMdd(北京时间;不能早于今天)"),
  to: dayParam.describe("最后一天 yyyyMMdd(含;from 到 to 最多366天)"),
  weekdays: matching(/^[1-7](,[1-7])*$/, "必须是1到7的数字,以逗号分隔(1=周一,7=周日)")
    .optional()
    .describe("只设置这些星期(ISO:1=周一 … 7=周日),以逗号分隔;不填为每天"),
});

/** GET /admin/customers/{dwid}/statement (SPEC §12): Asia/Shanghai days, both included, at most STATEMENT_MAX_DAYS. */
export const StatementQuery = z
  .object({
    from: dayParam.describe("开始日期 yyyyMMdd(北京时间,含当天)"),
    to: dayParam.describe(`结束日期 yyyyMMdd(北京时间,含当天),不早于 from,与 from 之间最多${STATEMENT_MAX_DAYS}天`),
    format: z.enum(["json", "csv"]).default("json").describe("json(默认)或 csv(UTF-8 带 BOM,Excel 可直接打开)"),
  })
  .superRefine((q, ctx) => {
    // Only once both are real dates: a malformed one has its own message.
    const problem = isRealDate(q.from) && isRealDate(q.to) ? statementRangeProblem(q.from, q.to, "from") : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["to"], params: rule("range", problem) });
  });
