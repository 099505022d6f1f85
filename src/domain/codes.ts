/**
 * The one table of result codes. Every refusal reason has one stable code;
 * codes are never renumbered or reused (TigerBeetle's rule). The README's
 * result-code table is generated from this list.
 *
 * `resultcode` (OrderOperatorResult) and `errcode` (CommonOperationResult)
 * carry these numbers; 0 is success. The POS pay endpoint is the one exception
 * the seed imposes: it answers 0 / 1 / -1 and names the reason in `errmsg`.
 *
 * `http` is the status for answers that are not plain "understood and refused"
 * (SPEC §3: 200 for every understood request, 400 unparseable body, 401
 * session, 404/405/415 routing, 500 internal). 503 (with Retry-After) is the
 * one answer whose outcome is not yet known (SPEC §6): a legacy client reads
 * any 200 with a non-zero code as "not done", so an answer that may still
 * turn out done is never a 200 refusal — POS's −1 least of all.
 */
export const ResultCodes = {
  ok: { code: 0, http: 200, message: "成功" },

  // 1xxx — the request itself: transport, media type, body, validation
  bodyUnreadable: { code: 1001, http: 400, message: "请求体无法解析" },
  unsupportedMediaType: { code: 1002, http: 415, message: "不支持的请求媒体类型" },
  notFound: { code: 1003, http: 404, message: "接口不存在" },
  methodNotAllowed: { code: 1004, http: 405, message: "不支持的请求方法" },
  bodyTooLarge: { code: 1005, http: 413, message: "请求体过大" },
  fieldRequired: { code: 1101, http: 200, message: "必填项为空" },
  fieldTooLong: { code: 1102, http: 200, message: "长度超过上限" },
  fieldTooShort: { code: 1103, http: 200, message: "长度低于下限" },
  fieldFormat: { code: 1104, http: 200, message: "格式错误" },
  fieldRange: { code: 1105, http: 200, message: "取值超出范围" },
  fieldType: { code: 1106, http: 200, message: "类型错误" },
  fieldConflict: { code: 1107, http: 200, message: "字段组合不合法" },

  // 2xxx — who is calling
  sessionMissing: { code: 2001, http: 401, message: "缺少会话令牌，请先登录" },
  sessionInvalid: { code: 2002, http: 401, message: "会话令牌无效或已过期，请重新登录" },
  loginFailed: { code: 2003, http: 200, message: "客户ID、客户类型或登录密码错误" },
  customerMismatch: { code: 2004, http: 200, message: "dwid/dwlx 与当前会话的客户不符" },
  customerNotFound: { code: 2005, http: 200, message: "客户不存在" },
  loginLocked: { code: 2006, http: 200, message: "登录密码错误次数过多，该客户的登录已暂时锁定" },
  customerSuspended: { code: 2007, http: 200, message: "客户已停用，不能登录或支付，请联系景区" },
  loginRateLimited: { code: 2008, http: 200, message: "该地址登录失败次数过多，已暂时限制从该地址登录" },
  gateUnauthorized: { code: 2009, http: 401, message: "缺少闸机令牌,或令牌无效、已更换" },

  // 3xxx — pay password
  payPasswordWrong: { code: 3001, http: 200, message: "支付密码错误" },
  payPasswordLocked: { code: 3002, http: 200, message: "支付密码错误次数过多，已暂时锁定" },
  payPasswordNotSet: { code: 3003, http: 200, message: "客户未设置支付密码" },
  payPasswordMalformed: { code: 3004, http: 200, message: "支付密码密文格式错误" },

  // 4xxx — orders and bills
  orderNotFound: { code: 4001, http: 200, message: "订单不存在" },
  orderExpired: { code: 4002, http: 200, message: "订单已过期" },
  orderCancelled: { code: 4003, http: 200, message: "订单已取消" },
  // SPEC §10 Cancel: a paid order is not cancelled but refunded.
  orderPaidUseRefund: { code: 4004, http: 200, message: "已支付的订单不能取消,请申请退款" },
  orderNotPaid: { code: 4005, http: 200, message: "订单未支付,不能退款" },
  // SPEC §10 Resend: at most 3 per order per rolling hour; the message says when to retry.
  resendLimited: { code: 4008, http: 200, message: "该订单1小时内重发短信次数已达上限" },
  // SPEC §10 Resend: a paid order none of whose tickets is still valid (all refunded or used).
  nothingToResend: { code: 4009, http: 200, message: "订单没有可重发的有效门票" },
  billNotFound: { code: 4101, http: 200, message: "单据不存在" },

  // 42xx–49xx — products, stock, limits and order rules
  // 42xx the product and the date (SPEC §5.5 "exists and is on sale for effectdate")
  orderProductNotFound: { code: 4201, http: 200, message: "产品不存在" },
  productNotOnSale: { code: 4202, http: 200, message: "该产品已停售" },
  productNotOnSaleThatDay: { code: 4203, http: 200, message: "该产品在所选日期不可预订" },
  productKindMismatch: { code: 4204, http: 200, message: "该产品不能通过此接口预订" },
  effectDatePast: { code: 4205, http: 200, message: "游玩日期已过，请选择今天或以后的日期" },
  // 43xx stock, time slots and seats
  stockSoldOut: { code: 4301, http: 200, message: "所选日期余票不足" },
  timeslotRequired: { code: 4302, http: 200, message: "该日期实行分时段预约，请选择入园时段" },
  timeslotNotFound: { code: 4303, http: 200, message: "所选入园时段不存在" },
  timeslotSoldOut: { code: 4304, http: 200, message: "所选入园时段余票不足" },
  timeslotEnded: { code: 4305, http: 200, message: "所选入园时段已结束" },
  noTimeslotAvailable: { code: 4306, http: 200, message: "当日已没有余票充足的入园时段" },
  seatTaken: { code: 4307, http: 200, message: "所选座位已被占用，请重新选座" },
  seatCountMismatch: { code: 4308, http: 200, message: "选座时每张门票需对应一个座位" },
  seatDuplicate: { code: 4309, http: 200, message: "同一订单中不能重复选择同一座位" },
  // 44xx purchase limits
  maxPerOrderExceeded: { code: 4401, http: 200, message: "超过该产品单笔订单限购数量" },
  idDailyLimitExceeded: { code: 4402, http: 200, message: "该证件号码当日购买数量已达上限" },
  mobileDailyLimitExceeded: { code: 4403, http: 200, message: "该手机号码当日购买数量已达上限" },
  orderTooLarge: { code: 4404, http: 200, message: "单笔订单门票数量过多" },
  // 45xx real name and identification documents
  realNameIdRequired: { code: 4501, http: 200, message: "实名制门票需为每位游客填写证件号码" },
  realNameOnePerLine: { code: 4502, http: 200, message: "实名制门票每条明细只能订1张（一人一票）" },
  realNameIdDuplicate: { code: 4503, http: 200, message: "同一订单中同一产品的游客证件号码不能重复" },
  realNameFullnameRequired: { code: 4504, http: 200, message: "实名制门票需填写游客姓名" },
  idNumberMissing: { code: 4505, http: 200, message: "填写了证件类型，请同时填写证件号码" },
  residentIdFormat: { code: 4506, http: 200, message: "身份证号码格式不正确，应为18位有效号码" },
  residentIdChecksum: { code: 4507, http: 200, message: "身份证号码校验位不正确，请核对" },
  residentIdBirthDate: { code: 4508, http: 200, message: "身份证号码中的出生日期不正确" },
  idNumberFormat: { code: 4509, http: 200, message: "证件号码格式不正确" },
  // 46xx annual cards and their insurance (SPEC §5.3)
  insuranceNotOffered: { code: 4601, http: 200, message: "该年卡不提供保险" },
  insurancePriceMismatch: { code: 4602, http: 200, message: "保险单价与当前配置不一致" },
  insuranceCountMismatch: { code: 4603, http: 200, message: "保险份数与当前配置不一致" },
  insuredSexRequired: { code: 4604, http: 200, message: "购买保险需填写性别（XB）" },
  insuredBirthdayRequired: { code: 4605, http: 200, message: "购买保险需填写生日（Birthday）" },

  // 48xx the gate (SPEC §10 核销)
  ticketUnknown: { code: 4801, http: 200, message: "门票不存在" },
  ticketAlreadyUsed: { code: 4802, http: 200, message: "门票已使用" },
  ticketRefundedAtGate: { code: 4803, http: 200, message: "门票已退票,不能入园" },
  ticketOrderNotPaid: { code: 4804, http: 200, message: "订单未支付,不能入园" },
  ticketNotValidToday: { code: 4805, http: 200, message: "门票不是今天的" },
  ticketOutsideSlot: { code: 4806, http: 200, message: "不在门票的入园时段内" },
  gateNotForProduct: { code: 4807, http: 200, message: "本闸机不接待该产品的门票" },
  // A checkid names one scan: the same id for another ticket is not a retry (a device whose counter repeats).
  checkIdConflict: { code: 4808, http: 200, message: "该checkid已用于本闸机的另一次验票(门票不同)" },

  // 49xx moving a paid order to another day (SPEC §10 Order/ChangeDate)
  dateChangeNotPaid: { code: 4901, http: 200, message: "订单未支付,不能改期" },
  dateChangeTicketsNotValid: { code: 4902, http: 200, message: "订单有已使用或已退的门票,不能改期" },
  dateChangeVisitDayOver: { code: 4903, http: 200, message: "原游玩日期已过,不能改期" },
  dateChangePriceDiffers: { code: 4904, http: 200, message: "新日期的价格与已付价格不同,不能改期" },
  dateChangeNotForYearcard: { code: 4905, http: 200, message: "年卡订单不能改期" },
  dateChangeConflict: { code: 4906, http: 200, message: "订单刚被改期、退票或入园,请查询后重试" },

  // 47xx refunds (SPEC §10)
  refundNotAllowed: { code: 4701, http: 200, message: "该产品不允许退票" },
  refundDeadlinePassed: { code: 4702, http: 200, message: "已过该产品的退票期限" },
  ticketNotInOrder: { code: 4703, http: 200, message: "门票不属于该订单" },
  ticketUsed: { code: 4704, http: 200, message: "门票已使用,不能退票" },
  ticketRefunded: { code: 4705, http: 200, message: "门票已退,不能重复退票" },
  nothingToRefund: { code: 4706, http: 200, message: "订单没有可退的门票" },
  refundIdConflict: { code: 4707, http: 200, message: "该refundid已用于另一笔退款(门票不同)" },

  // 41xx POS retail bills (SPEC §5.4, §7)
  billCancelled: { code: 4102, http: 200, message: "单据已取消" },
  billNumberRequired: { code: 4103, http: 200, message: "BillNum 与 SenderBillNum 不能同时为空" },
  retailProductNotFound: { code: 4104, http: 200, message: "零售产品不存在或已停售" },

  // 5xxx — money
  insufficientBalance: { code: 5001, http: 200, message: "预订金余额不足" },
  paymentPending: { code: 5002, http: 503, message: "支付结果待确认,请稍后重试同一支付:重试会得到已支付或未支付的确定答复" },
  paymentConflict: { code: 5003, http: 200, message: "订单正在被另一笔支付处理,请稍后查询订单状态" },
  paymentFailed: { code: 5004, http: 200, message: "支付未完成(系统暂时故障),未扣款,请重试" },

  // 6xxx — operators' /admin API
  adminUnauthorized: { code: 6001, http: 401, message: "缺少或错误的管理令牌" },
  adminNotFound: { code: 6002, http: 404, message: "资源不存在" },
  depositReferenceConflict: { code: 6003, http: 409, message: "充值流水号已存在且金额不同" },
  loginPasswordRequired: { code: 6004, http: 400, message: "新客户必须设置登录密码" },
  productNotFound: { code: 6005, http: 404, message: "产品不存在" },
  adminInvalid: { code: 6006, http: 400, message: "请求参数错误" },
  stockBelowUsage: { code: 6007, http: 409, message: "库存不能低于已售与占用之和" },
  // 61xx — the calendar in bulk (SPEC §12): nothing of the call was applied (an object unreachable, or the call outlived its reservations); retry it.
  calendarBulkNotApplied: { code: 6101, http: 503, message: "批量设置未执行:库存服务暂时不可用或处理超时,各日均未修改,请重试" },

  // 7xxx — notifications (operators' /admin/notifications)
  notificationNotFound: { code: 7001, http: 404, message: "通知不存在" },
  notificationAlreadySent: { code: 7002, http: 409, message: "通知已送达，无需重发" },

  // 9xxx — the service
  notYetAvailable: { code: 9001, http: 200, message: "接口尚未开放" },
  storeUnavailable: { code: 9002, http: 200, message: "系统暂时繁忙,本次请求未执行(未下单、未扣款),请稍后重试" },
  outcomeUnknown: { code: 9003, http: 503, message: "系统暂时繁忙,本次请求的结果尚未确定,请稍后重试同一请求(按senderid/单号幂等)或查询" },
  internal: { code: 9999, http: 500, message: "系统内部错误，请稍后重试" },
} as const satisfies Record<string, { code: number; http: number; message: string }>;

export type ResultKey = keyof typeof ResultCodes;
export type ResultCode = (typeof ResultCodes)[ResultKey];

export const RESULT_CODES_BEGIN = "<!-- result-codes:begin (generated by `npm run docs` from src/domain/codes.ts) -->";
export const RESULT_CODES_END = "<!-- result-codes:end -->";

/** The README's result-code table, rendered from the one table above. */
export function resultCodesMarkdown(): string {
  const rows = Object.entries(ResultCodes)
    .sort(([, a], [, b]) => a.code - b.code)
    .map(([key, entry]) => `| ${entry.code} | \`${key}\` | ${entry.http} | ${entry.message} |`);
  return [
    RESULT_CODES_BEGIN,
    "| code | key | HTTP | message |",
    "|---:|---|---:|---|",
    ...rows,
    RESULT_CODES_END,
  ].join("\n");
}

/** `text` with its generated result-code section replaced by the current table. */
export function withResultCodes(text: string): string {
  const begin = text.indexOf(RESULT_CODES_BEGIN);
  const end = text.indexOf(RESULT_CODES_END);
  if (begin < 0 || end < begin) throw new Error("README has no result-codes section markers");
  return text.slice(0, begin) + resultCodesMarkdown() + text.slice(end + RESULT_CODES_END.length);
}
