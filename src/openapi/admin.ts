/**
 * The operators' /admin API as the OpenAPI document describes it (SPEC §7).
 * Request bodies and queries are the very schemas the handlers validate with
 * (`schemas/admin.ts`); the answers are described here, beside the list of
 * operations, as strict zod objects — test/api/help-openapi.test.ts parses
 * real answers of the Worker with them, so a field added or renamed in a
 * handler fails that test until it is documented. Pure; no I/O.
 */
import { z } from "zod";
import type { ResultKey } from "../domain/codes";
import { CheckinsQuery, TicketSearchQuery } from "../schemas/admin-checkins";
import { RefundListQuery, RefundPost } from "../schemas/admin-refunds";
import {
  BillListQuery, CalendarDayPut, CalendarMonthQuery, CalendarRangeQuery, DashboardQuery, CustomerListQuery, CustomerPut, DepositPost, DWID_PATTERN, NotificationListQuery,
  GatePut, OrderListQuery, PageQuery, PRODUCT_ID_PATTERN, ProductListQuery, ProductPut, StatementQuery,
} from "../schemas/admin";

// ---------------------------------------------------------------- answers

const isoTime = z.string().describe("ISO 8601, UTC");
const yuanNumber = (description: string) => z.number().describe(`${description}(元,最多两位小数)`);
const cursor = z.string().nullable().describe("下一页的 cursor;null 表示没有下一页");

export const AdminError = z.strictObject({
  error: z.strictObject({
    code: z.number().int().describe("结果代码(src/domain/codes.ts)"),
    message: z.string(),
    field: z.string().optional().describe("出错的字段"),
    detail: z
      .strictObject({
        day: z.string().describe("yyyyMMdd"),
        slotIndex: z.number().int().nullable().describe("时段序号;null 为全天库存"),
        capacity: z.number().int().describe("要设置的库存或时段容量"),
        sold: z.number().int().describe("已售"),
        held: z.number().int().describe("未支付订单占用"),
      })
      .optional()
      .describe("409 stockBelowUsage 的日期和数字"),
  }),
});

export const AdminCustomer = z.strictObject({
  dwid: z.string(),
  dwlx: z.string(),
  name: z.string(),
  callbackUrl: z.string().nullable(),
  suspended: z.boolean().describe("已停用:不能登录和支付"),
  lowBalanceAlert: yuanNumber("余额提醒额度").nullable().describe("余额提醒额度(元);null 不提醒"),
  contactMobile: z.string().nullable().describe("客户自己的联系手机(余额提醒短信)"),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const AdminCustomerSaved = AdminCustomer.extend({
  callbackSecret: z.string().optional().describe("回调签名密钥:首次设置 callbackUrl 时生成并只在此返回一次"),
});

export const AdminCallbackSecret = z.strictObject({ dwid: z.string(), callbackSecret: z.string() });

export const AdminAccount = z.strictObject({
  balance: yuanNumber("余额"),
  held: yuanNumber("冻结中"),
  available: yuanNumber("可用"),
});

export const AdminAccountOfCustomer = AdminAccount.extend({ dwid: z.string() });

export const AdminLedgerEntry = z.strictObject({
  seq: z.number().int(),
  kind: z.enum(["deposit", "debit", "refund"]),
  amount: yuanNumber("金额"),
  balanceAfter: yuanNumber("之后的余额"),
  reference: z.string(),
  target: z.string().nullable(),
  createdAt: isoTime,
});

export const AdminDepositResult = z.strictObject({
  duplicate: z.boolean().describe("同一 reference 的重复提交"),
  entry: AdminLedgerEntry,
  account: AdminAccount,
});

export const AdminLedgerPage = z.strictObject({ account: AdminAccount, items: z.array(AdminLedgerEntry), nextCursor: cursor });

const kindTotal = (what: string) => z.strictObject({ count: z.number().int().describe(`${what}笔数`), amount: yuanNumber(`${what}合计`) });

export const AdminStatement = z.strictObject({
  dwid: z.string(),
  from: z.string().describe("yyyyMMdd"),
  to: z.string().describe("yyyyMMdd"),
  opening: yuanNumber("期初余额:本期第一笔之前最后一笔之后的余额,没有则为0"),
  closing: yuanNumber("期末余额:本期最后一笔之后的余额"),
  totals: z.strictObject({ deposits: kindTotal("充值"), debits: kindTotal("扣款"), refunds: kindTotal("退款") }),
  entries: z.array(
    z.strictObject({
      seq: z.number().int().describe("账本序号"),
      kind: z.enum(["deposit", "debit", "refund"]),
      amount: yuanNumber("金额"),
      balanceAfter: yuanNumber("之后的余额"),
      reference: z.string().describe("充值流水号;扣款:支付意图号;退款:退款意图号"),
      orderId: z.string().nullable(),
      billNum: z.string().nullable(),
      refundId: z.string().nullable().describe("退款单号(合作方的 refundid 或运营方的)"),
      createdAt: isoTime,
    }),
  ).describe("本期各笔,按账本序号"),
  reconciliation: z.strictObject({
    balanced: z.boolean().describe("期初加减各笔等于期末,且扣款、退款与 D1 一致"),
    differences: z.array(
      z.strictObject({
        kind: z.enum(["deposit", "debit", "refund", "balance"]),
        reference: z.string().nullable(),
        ledgerAmount: yuanNumber("账本金额").nullable(),
        d1Amount: yuanNumber("D1 金额").nullable(),
        note: z.string(),
      }),
    ).describe("每一项差异,不隐藏"),
    uncopiedDeposits: z.number().int().describe("D1 的 ledger_copy 尚未复制到的充值笔数(稍后补齐,不计为差异)"),
  }),
});

const insuranceOut = z.strictObject({
  mode: z.enum(["forced", "optional", "none"]),
  price: yuanNumber("保险单价"),
  count: z.number().int(),
  planCode: z.string(),
  planName: z.string(),
  destZone: z.string().nullable(),
  timeRange: z.number().int().nullable(),
  holder: z
    .strictObject({
      type: z.enum(["1", "2"]),
      companyName: z.string(),
      companyCode: z.string(),
      address: z.string(),
      contactName: z.string(),
      contactPhone: z.string(),
      email: z.string(),
    })
    .nullable(),
});

export const AdminProduct = z.strictObject({
  productId: z.string(),
  name: z.string(),
  kind: z.enum(["ticket", "yearcard", "retail"]),
  price: yuanNumber("价格"),
  realName: z.boolean(),
  maxPerOrder: z.number().int().nullable(),
  limitPerIdPerDay: z.number().int().nullable(),
  limitPerMobilePerDay: z.number().int().nullable(),
  insurance: insuranceOut.nullable(),
  onSale: z.boolean(),
  refund: z.strictObject({
    allowed: z.boolean(),
    deadline: z.enum(["before_visit_day", "visit_day_end"]),
    feePercent: z.number().int().describe("手续费百分比 0–100"),
  }),
  updatedAt: isoTime,
});

export const AdminCalendarDay = z.strictObject({
  day: z.string().describe("yyyyMMdd"),
  stock: z.number().int(),
  price: yuanNumber("当日价格").nullable(),
  timeslots: z
    .array(
      z.strictObject({
        index: z.number().int(),
        start: z.string(),
        end: z.string(),
        capacity: z.number().int(),
        held: z.number().int(),
        sold: z.number().int(),
        available: z.number().int(),
      }),
    )
    .nullable(),
  held: z.number().int().describe("未支付订单占用"),
  sold: z.number().int().describe("已支付"),
  available: z.number().int(),
  updatedAt: isoTime,
});

export const AdminCalendarMonth = z.strictObject({ productId: z.string(), month: z.string(), days: z.array(AdminCalendarDay) });

export const AdminCalendarRangeSet = z.strictObject({
  productId: z.string(),
  from: z.string().describe("yyyyMMdd"),
  to: z.string().describe("yyyyMMdd"),
  weekdays: z.array(z.number().int()).describe("设置了的星期(1=周一 … 7=周日)"),
  days: z.array(z.string()).describe("设置了的日期 yyyyMMdd,按日期顺序"),
});

export const AdminOrder = z.strictObject({
  orderId: z.string(),
  dwid: z.string(),
  senderId: z.string().nullable(),
  kind: z.enum(["ticket", "yearcard"]),
  status: z.enum(["unpaid", "paid", "expired", "cancelled"]),
  effectDate: z.string(),
  timespanIndex: z.number().int().nullable(),
  amount: yuanNumber("订单金额"),
  mobile: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime,
  paidAt: isoTime.nullable(),
  businessDate: z.string().nullable(),
  sellStationId: z.string().nullable(),
  marketAreaId: z.string().nullable(),
  teamTypeCode: z.string().nullable(),
  refunded: yuanNumber("已退款金额"),
  refundedUnits: z.number().int().describe("已退门票张数"),
});

export const AdminRefund = z.strictObject({
  refundId: z.string().describe("退款单号(合作方的 refundid 或运营方填写的)"),
  dwid: z.string(),
  orderId: z.string(),
  amount: yuanNumber("退回预订金的金额"),
  fee: yuanNumber("手续费"),
  tickets: z.array(z.string()).describe("退的门票码"),
  reason: z.string().nullable(),
  requestedBy: z.enum(["partner", "operator"]),
  refundedAt: isoTime,
});

export const AdminOrderDetail = AdminOrder.extend({
  items: z.array(
    z.strictObject({
      lineNo: z.number().int(),
      productId: z.string(),
      quantity: z.number().int(),
      unitPrice: yuanNumber("单价"),
      amount: yuanNumber("金额"),
      fullname: z.string().nullable(),
      idType: z.string().nullable(),
      idNumber: z.string().nullable(),
      mobile: z.string().nullable(),
    }),
  ),
  tickets: z.array(
    z.strictObject({
      ticketCode: z.string(),
      lineNo: z.number().int(),
      productId: z.string(),
      status: z.enum(["valid", "used", "refunded"]),
      issuedAt: isoTime,
      usedAt: isoTime.nullable().describe("入园时间,未入园为null"),
      gateId: z.string().nullable().describe("入园的闸机"),
    }),
  ),
  refunds: z.array(AdminRefund).describe("已完成的退款,早的在前"),
});

export const AdminRefundDone = z.strictObject({
  refundId: z.string(),
  orderId: z.string(),
  senderId: z.string().nullable(),
  amount: yuanNumber("退回预订金的金额"),
  fee: yuanNumber("手续费"),
  tickets: z.array(z.string()),
  orderStatus: z.enum(["paid", "partially_refunded", "refunded"]),
  refundedAt: isoTime,
});

export const AdminGate = z.strictObject({
  gateId: z.string(),
  name: z.string(),
  products: z.array(z.string()).nullable().describe("只接待这些产品;null 接待所有产品"),
  tokenSetAt: isoTime.describe("当前令牌发放的时间"),
  createdAt: isoTime,
  updatedAt: isoTime,
});
const AdminGateWithToken = AdminGate.extend({ token: z.string().describe("闸机令牌(只显示这一次;闸机以 Authorization: Bearer 调用 Ticket/Check)") });

const checkinCount = {
  count: z.number().int().describe("入园人次"),
  firstAt: isoTime.describe("当天第一次入园"),
  lastAt: isoTime.describe("当天最后一次入园"),
};

export const AdminCheckins = z.strictObject({
  date: z.string().describe("yyyyMMdd"),
  productId: z.string().nullable().describe("筛选的产品;null 为全部"),
  gateId: z.string().nullable().describe("筛选的闸机;null 为全部"),
  from: isoTime.describe("统计区间开始(当天 00:00,Asia/Shanghai)"),
  to: isoTime.describe("统计区间结束(次日 00:00,不含)"),
  total: z.number().int().describe("入园总人次"),
  byHour: z.array(z.strictObject({ hour: z.number().int().describe("0–23,Asia/Shanghai"), count: z.number().int() })).length(24).describe("每小时入园人次,24项"),
  byGate: z.array(z.strictObject({ gateId: z.string(), name: z.string().nullable(), ...checkinCount })).describe("各闸机,多的在前"),
  byProduct: z.array(z.strictObject({ productId: z.string(), name: z.string().nullable(), ...checkinCount })).describe("各产品,多的在前"),
});

const historyEvent = z.discriminatedUnion("event", [
  z.strictObject({ event: z.literal("ordered").describe("下单"), at: isoTime }),
  z.strictObject({ event: z.literal("issued").describe("支付出票"), at: isoTime }),
  z.strictObject({
    event: z.literal("dateChanged").describe("订单改期"),
    at: isoTime,
    fromDate: z.string(),
    fromTimespan: z.number().int().nullable(),
    toDate: z.string(),
    toTimespan: z.number().int().nullable(),
  }),
  z.strictObject({ event: z.literal("used").describe("入园"), at: isoTime, gateId: z.string().nullable(), gateName: z.string().nullable() }),
  z.strictObject({
    event: z.literal("refunded").describe("退票"),
    at: isoTime,
    refundId: z.string().nullable().describe("退款单号"),
    reason: z.string().nullable(),
    requestedBy: z.enum(["partner", "operator"]).nullable(),
  }),
]);

export const AdminTicketHistory = z.strictObject({
  ticketCode: z.string(),
  status: z.enum(["valid", "used", "refunded"]),
  productId: z.string(),
  productName: z.string().nullable(),
  orderId: z.string(),
  orderStatus: z.enum(["unpaid", "paid", "expired", "cancelled"]),
  dwid: z.string(),
  customerName: z.string().nullable(),
  senderId: z.string().nullable(),
  lineNo: z.number().int(),
  effectDate: z.string().describe("游玩日期 yyyyMMdd(改期后的)"),
  timespanIndex: z.number().int().nullable().describe("入园时段序号"),
  fullname: z.string().nullable().describe("实名制游客姓名"),
  idType: z.string().nullable(),
  idNumber: z.string().nullable(),
  mobile: z.string().describe("游客手机(无则为订单手机)"),
  paidAt: isoTime.nullable(),
  issuedAt: isoTime.describe("出票时间"),
  usedAt: isoTime.nullable().describe("入园时间"),
  gateId: z.string().nullable(),
  gateName: z.string().nullable(),
  refundedAt: isoTime.nullable(),
  refundId: z.string().nullable().describe("退款单号"),
  history: z.array(historyEvent).describe("门票的经历,早的在前"),
});

export const AdminTicketSearch = z.strictObject({
  items: z.array(AdminTicketHistory),
  truncated: z.boolean().describe("按证件号码查询时还有更早的门票未列出"),
});

export const AdminBill = z.strictObject({
  billNum: z.string(),
  dwid: z.string(),
  senderBillNum: z.string().nullable(),
  status: z.enum(["unpaid", "paid", "cancelled"]),
  amount: yuanNumber("单据金额"),
  rndCode: z.string().nullable(),
  createdAt: isoTime,
  paidAt: isoTime.nullable(),
});

export const AdminNotification = z.strictObject({
  id: z.string(),
  kind: z.string().describe("order_paid | bill_paid | order_refunded | order_resent | ticket_used | balance_low"),
  dwid: z.string(),
  targetId: z.string(),
  status: z.string().describe("pending | enqueued | sent | failed | dead"),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const AdminNotificationDetail = AdminNotification.extend({
  deliveries: z.array(
    z.strictObject({
      channel: z.string(),
      status: z.string(),
      attempts: z.number().int(),
      target: z.string().nullable(),
      lastError: z.string().nullable(),
      updatedAt: isoTime,
      sentAt: isoTime.nullable(),
    }),
  ),
});

const salesOut = {
  orders: z.number().int().describe("已支付订单数(按支付时间)"),
  tickets: z.number().int().describe("这些订单的门票张数"),
  amount: yuanNumber("这些订单的金额"),
};
const refundsOut = {
  refunds: z.number().int().describe("退款笔数(按退款时间)"),
  refundedTickets: z.number().int().describe("退的门票张数"),
  refunded: yuanNumber("退回预订金的金额"),
};
const AdminDashboardTotals = z.strictObject({ ...salesOut, ...refundsOut });

export const AdminDashboard = z.strictObject({
  date: z.string().describe("统计日 yyyyMMdd(北京时间)"),
  from: z.string().describe("近30天的第一天 yyyyMMdd"),
  to: z.string().describe("近30天的最后一天(即统计日)"),
  generatedAt: isoTime,
  today: AdminDashboardTotals.describe("统计日当天"),
  last30Days: AdminDashboardTotals.describe("from 到 to 的30天"),
  byProduct: z
    .array(
      z.strictObject({
        productId: z.string(),
        name: z.string().nullable(),
        today: z.strictObject({ ...salesOut, refundedTickets: z.number().int().describe("退的门票张数") }),
        last30Days: z.strictObject({ ...salesOut, refundedTickets: z.number().int() }),
      }),
    )
    .describe("近30天有销售或退票的产品,按近30天金额从高到低;订单含多个产品时各产品各计一次"),
  byCustomer: z
    .array(z.strictObject({ dwid: z.string(), name: z.string().nullable(), today: AdminDashboardTotals, last30Days: AdminDashboardTotals }))
    .describe("近30天有销售或退款的客户,按近30天金额从高到低"),
  daily: z.array(z.strictObject({ day: z.string(), ...salesOut, refunded: yuanNumber("当天退回的金额") })).describe("30天每天一项,早的在前"),
  checkins: z.strictObject({
    total: z.number().int().describe("统计日入园人次"),
    byHour: z.array(z.number().int()).length(24).describe("统计日每小时(北京时间0–23时)入园的门票数"),
  }),
  notifications: z.strictObject({
    failed: z.number().int().describe("发送失败(将自动重试)的通知数"),
    dead: z.number().int().describe("已放弃(不再自动重试)的通知数"),
  }),
  lowBalance: z
    .strictObject({
      customers: z.array(
        z.strictObject({
          dwid: z.string(),
          name: z.string(),
          available: yuanNumber("此刻的可用余额"),
          threshold: yuanNumber("余额提醒额度"),
        }),
      ),
      checked: z.number().int().describe("查询了可用余额的客户数(设置了提醒额度的客户,最多200个)"),
      more: z.boolean().describe("设置了提醒额度的客户超过200个,其余未查询"),
    })
    .describe("此刻可用余额低于提醒额度的客户(不随统计日变化)"),
});

export const AdminNotificationRetried = z.strictObject({ id: z.string(), status: z.string() });

const pageOf = <Item extends z.ZodType>(item: Item) => z.strictObject({ items: z.array(item), nextCursor: cursor });

// ---------------------------------------------------------------- operations

const dwid = z.string().regex(DWID_PATTERN).describe("客户ID");
const productid = z.string().regex(PRODUCT_ID_PATTERN).describe("产品ID");

export interface AdminOperation {
  method: "get" | "put" | "post";
  /** OpenAPI form: /admin/customers/{dwid}. */
  path: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success statuses and their bodies (JSON; `media`: the same answer in other media types). */
  ok: Record<number, { description: string; schema: z.ZodType; media?: Record<string, z.ZodType> }>;
  /** Refusals beyond 401 (every operation) and 400 for a malformed query or body. */
  errors: ResultKey[];
}

export const adminOperations: readonly AdminOperation[] = [
  {
    method: "get", path: "/admin/dashboard", summary: "运营概况:当天和近30天的订单、门票、金额(按产品、按客户、按天),退款,当天每小时入园,失败的通知",
    description: "已支付订单按支付时间计入(退款不减少销售,另按退款时间计入退款);与 /admin/orders、/admin/refunds、/admin/notifications 列出的数字一致。",
    query: DashboardQuery,
    ok: { 200: { description: "概况", schema: AdminDashboard } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/customers", summary: "客户列表(分页、搜索)", query: CustomerListQuery,
    ok: { 200: { description: "一页客户", schema: pageOf(AdminCustomer) } }, errors: ["adminInvalid"],
  },
  {
    method: "put", path: "/admin/customers/{dwid}", summary: "新建或修改客户(登录密码、支付密码、回调地址、停用、余额提醒额度、联系手机);改密码或停用立即结束该客户的所有会话",
    params: z.object({ dwid }), body: CustomerPut,
    ok: { 200: { description: "已修改", schema: AdminCustomerSaved }, 201: { description: "已新建", schema: AdminCustomerSaved } },
    errors: ["adminInvalid", "loginPasswordRequired", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "get", path: "/admin/customers/{dwid}", summary: "读取一个客户", params: z.object({ dwid }),
    ok: { 200: { description: "客户", schema: AdminCustomer } }, errors: ["adminInvalid", "customerNotFound"],
  },
  {
    method: "post", path: "/admin/customers/{dwid}/deposits", summary: "充值预订金(按 reference 幂等)",
    description: "同一客户的同一 reference 再次提交:金额相同返回 200 和第一次的流水,金额不同返回 409。",
    params: z.object({ dwid }), body: DepositPost,
    ok: { 200: { description: "重复提交,返回第一次的流水", schema: AdminDepositResult }, 201: { description: "已充值", schema: AdminDepositResult } },
    errors: ["adminInvalid", "customerNotFound", "depositReferenceConflict", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "get", path: "/admin/customers/{dwid}/account", summary: "预订金账户:余额、冻结、可用", params: z.object({ dwid }),
    ok: { 200: { description: "账户", schema: AdminAccountOfCustomer } }, errors: ["adminInvalid", "customerNotFound"],
  },
  {
    method: "get", path: "/admin/customers/{dwid}/ledger", summary: "账户流水(新的在前,含每笔之后的余额)",
    params: z.object({ dwid }), query: PageQuery,
    ok: { 200: { description: "一页流水", schema: AdminLedgerPage } }, errors: ["adminInvalid", "customerNotFound"],
  },
  {
    method: "get", path: "/admin/customers/{dwid}/statement", summary: "对账单:期初、每一笔、期末,并与 D1 对账(json 或 csv)",
    description:
      "北京时间 from 至 to(含两端,最多366天)。本期按账本序号截取:从 from 零点及以后记账的第一笔起,到 to 次日零点及以后记账的第一笔之前(还没有则到最新一笔),所以期初 + 充值 − 扣款 + 退款 = 期末,相邻两期首尾相接、不重不漏。" +
      "对账:每笔扣款须是 D1 中本客户、同金额、同订单或单据的已提交支付,每笔退款须是 D1 中已提交的退款;充值是账本自己的,D1 的 ledger_copy 可能稍后才复制(只说明,不算差异,除非复制的金额不同);本期在 D1 提交而账本完全没有的支付和退款也列为差异。" +
      "format=csv:UTF-8 带 BOM、中文表头,逐页流式输出,最后是汇总和对账结果。",
    params: z.object({ dwid }), query: StatementQuery,
    ok: {
      200: {
        description: "对账单",
        schema: AdminStatement,
        media: { "text/csv": z.string().describe("UTF-8 带 BOM:表头 序号,时间(北京时间),类型,金额(元),余额(元),流水号,订单号,单据号,退款单号;每笔一行;然后汇总、对账结果和每一项差异") },
      },
    },
    errors: ["adminInvalid", "customerNotFound"],
  },
  {
    method: "get", path: "/admin/customers/{dwid}/orders", summary: "一个客户的订单", params: z.object({ dwid }), query: PageQuery,
    ok: { 200: { description: "一页订单", schema: pageOf(AdminOrder) } }, errors: ["adminInvalid"],
  },
  {
    method: "post", path: "/admin/customers/{dwid}/callback-secret", summary: "更换回调签名密钥(只返回一次,旧密钥立即失效)",
    params: z.object({ dwid }),
    ok: { 200: { description: "新的密钥", schema: AdminCallbackSecret } }, errors: ["adminInvalid", "customerNotFound"],
  },
  {
    method: "get", path: "/admin/products", summary: "产品列表", query: ProductListQuery,
    ok: { 200: { description: "一页产品", schema: pageOf(AdminProduct) } }, errors: ["adminInvalid"],
  },
  {
    method: "put", path: "/admin/products/{productid}", summary: "新建或修改产品(门票、年卡、零售;限购;保险)",
    params: z.object({ productid }), body: ProductPut,
    ok: { 200: { description: "已修改", schema: AdminProduct }, 201: { description: "已新建", schema: AdminProduct } },
    errors: ["adminInvalid", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "get", path: "/admin/products/{productid}", summary: "读取一个产品", params: z.object({ productid }),
    ok: { 200: { description: "产品", schema: AdminProduct } }, errors: ["adminInvalid", "productNotFound"],
  },
  {
    method: "put", path: "/admin/products/{productid}/calendar/{day}", summary: "设置某日的库存、价格和入园时段",
    params: z.object({ productid, day: z.string().describe("yyyyMMdd") }), body: CalendarDayPut,
    description: "库存或某时段容量低于当日已售与占用之和时返回 409,不做任何修改。",
    ok: { 200: { description: "当日配置和实时占用", schema: AdminCalendarDay } },
    errors: ["adminInvalid", "productNotFound", "stockBelowUsage", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "get", path: "/admin/products/{productid}/calendar", summary: "某月的日历(库存、价格、时段、占用)",
    params: z.object({ productid }), query: CalendarMonthQuery,
    ok: { 200: { description: "该月已配置的日期", schema: AdminCalendarMonth } }, errors: ["adminInvalid", "productNotFound"],
  },
  {
    method: "put", path: "/admin/products/{productid}/calendar", summary: "批量设置:日期范围内(可只选某几个星期)每天的库存、价格和入园时段,全部或全不",
    description:
      "请求体与单日设置相同,设置 from 到 to(北京时间,含两端,最多366天,from 不能早于今天)之间 weekdays 所列星期的每一天。" +
      "任何一天(或其某时段)已售与占用之和超过新的库存(容量)时返回 409,message 和 detail 给出最早的那一天及其数字,任何一天都不修改。" +
      "与并发订单:各日先预留新配置,预留期间下单须同时满足新旧配置,因此一旦开始应用就不会被拒绝。" +
      "503 6101:未执行(各日均未修改),可重试;503 9003:结果未定,稍后查询日历或重试(重复设置同样的内容是安全的)。",
    params: z.object({ productid }), query: CalendarRangeQuery, body: CalendarDayPut,
    ok: { 200: { description: "已设置的日期", schema: AdminCalendarRangeSet } },
    errors: ["adminInvalid", "productNotFound", "stockBelowUsage", "calendarBulkNotApplied", "outcomeUnknown", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "get", path: "/admin/orders", summary: "订单列表(按客户、日期、状态筛选,按订单号或 senderid 搜索);format=csv 导出",
    description:
      "format=csv:按同样的筛选导出全部匹配的订单(新的在前),UTF-8 带 BOM(Excel 可直接打开中文),CRLF 换行,RFC 4180 引号规则;" +
      "以 = + - @ 制表符或回车开头的文本前加 ' (防公式注入),12位以上的纯数字(订单号)前加制表符(Excel 按文本显示)。逐页从 D1 读出并流式返回。",
    query: OrderListQuery,
    ok: {
      200: {
        description: "一页订单;format=csv 时为 CSV 文件",
        schema: pageOf(AdminOrder),
        media: { "text/csv": z.string().describe("表头:订单号,客户ID,客户名称,第三方单号,类型,产品,张数,状态,游玩日期,入园时段,金额(元),已退款(元),已退张数,联系手机,下单时间,支付时间,营业日;每个订单一行,时间为北京时间") },
      },
    },
    errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/orders/{orderid}", summary: "订单详情(明细和门票)",
    params: z.object({ orderid: z.string().min(1).max(20) }),
    ok: { 200: { description: "订单", schema: AdminOrderDetail } }, errors: ["adminInvalid", "orderNotFound"],
  },
  {
    method: "post", path: "/admin/orders/{orderid}/cancel", summary: "取消未支付的订单(立即释放库存);已支付的订单请退款",
    description: "与合作方的 Order/Cancel 同一规则:未支付且未过期的订单变为 cancelled,库存立即释放;已取消的订单再次取消返回 200 和订单;已支付(4004)或已过期(4002)的订单返回 409,不做任何修改。",
    params: z.object({ orderid: z.string().min(1).max(20) }),
    ok: { 200: { description: "已取消的订单(明细和门票)", schema: AdminOrderDetail } },
    errors: ["adminInvalid", "orderNotFound", "orderPaidUseRefund", "orderExpired"],
  },
  {
    method: "post", path: "/admin/orders/{orderid}/refunds", summary: "运营方退款(全部或指定门票;可免手续费、不受退票期限)",
    description: "与合作方的退款相同(同一客户的 refundid 幂等;同一 refundid 门票不同则 409),记为运营方的退款:钱退回预订金并入账、门票作废、库存归还后才返回。",
    params: z.object({ orderid: z.string().min(1).max(20) }), body: RefundPost,
    ok: { 200: { description: "退款完成(重复提交返回同一笔退款)", schema: AdminRefundDone } },
    errors: [
      "adminInvalid", "orderNotFound", "orderNotPaid", "orderCancelled", "orderExpired", "refundNotAllowed", "refundDeadlinePassed",
      "ticketNotInOrder", "ticketUsed", "ticketRefunded", "nothingToRefund", "refundIdConflict", "outcomeUnknown", "bodyUnreadable", "bodyTooLarge",
    ],
  },
  {
    method: "get", path: "/admin/refunds", summary: "退款列表(按客户、退款日期;新的在前)", query: RefundListQuery,
    ok: { 200: { description: "一页退款", schema: pageOf(AdminRefund) } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/bills", summary: "零售单据列表", query: BillListQuery,
    ok: { 200: { description: "一页单据", schema: pageOf(AdminBill) } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/gates", summary: "闸机列表(不含令牌)", query: PageQuery,
    ok: { 200: { description: "一页闸机", schema: pageOf(AdminGate) } }, errors: ["adminInvalid"],
  },
  {
    method: "put", path: "/admin/gates/{gateid}", summary: "登记或修改闸机(名称、接待的产品);新闸机返回它的令牌(只显示一次)",
    params: z.object({ gateid: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/) }), body: GatePut,
    ok: { 200: { description: "已修改(令牌不变,不返回)", schema: AdminGate }, 201: { description: "已登记,含令牌", schema: AdminGateWithToken } },
    errors: ["adminInvalid", "bodyUnreadable", "bodyTooLarge"],
  },
  {
    method: "post", path: "/admin/gates/{gateid}/token", summary: "更换闸机令牌(只显示一次;旧令牌立即失效)",
    params: z.object({ gateid: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/) }),
    ok: { 200: { description: "新令牌", schema: AdminGateWithToken } }, errors: ["adminInvalid", "adminNotFound"],
  },
  {
    method: "get", path: "/admin/checkins", summary: "某日入园统计(每小时、各闸机、各产品;Asia/Shanghai)", query: CheckinsQuery,
    description: "按门票的入园(核销)时间统计当天 00:00–24:00(Asia/Shanghai)的入园人次,可按产品或闸机筛选。",
    ok: { 200: { description: "当天的入园统计", schema: AdminCheckins } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/tickets", summary: "门票查询(按门票码或证件号码):订单、客户、改期、入园、退票的经历", query: TicketSearchQuery,
    description: "code 与 idnumber 提供其一。按证件号码返回该证件的实名制门票,新的在前,最多50张。查不到时 items 为空。",
    ok: { 200: { description: "门票及其经历", schema: AdminTicketSearch } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/notifications", summary: "通知(短信、合作方回调)列表", query: NotificationListQuery,
    ok: { 200: { description: "一页通知", schema: pageOf(AdminNotification) } }, errors: ["adminInvalid"],
  },
  {
    method: "get", path: "/admin/notifications/{id}", summary: "一条通知和各渠道的投递状态",
    params: z.object({ id: z.string() }),
    ok: { 200: { description: "通知", schema: AdminNotificationDetail } }, errors: ["adminInvalid", "notificationNotFound"],
  },
  {
    method: "post", path: "/admin/notifications/{id}/retry", summary: "重新投递一条未送达的通知",
    params: z.object({ id: z.string() }),
    ok: { 200: { description: "已重新入队", schema: AdminNotificationRetried } },
    errors: ["adminInvalid", "notificationNotFound", "notificationAlreadySent"],
  },
];
