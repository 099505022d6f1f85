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
 * session, 404/405/415 routing, 500 internal).
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

  // 3xxx — pay password
  payPasswordWrong: { code: 3001, http: 200, message: "支付密码错误" },
  payPasswordLocked: { code: 3002, http: 200, message: "支付密码错误次数过多，已暂时锁定" },
  payPasswordNotSet: { code: 3003, http: 200, message: "客户未设置支付密码" },
  payPasswordMalformed: { code: 3004, http: 200, message: "支付密码密文格式错误" },

  // 4xxx — orders and bills
  orderNotFound: { code: 4001, http: 200, message: "订单不存在" },
  orderExpired: { code: 4002, http: 200, message: "订单已过期" },
  orderCancelled: { code: 4003, http: 200, message: "订单已取消" },
  billNotFound: { code: 4101, http: 200, message: "单据不存在" },

  // 5xxx — money
  insufficientBalance: { code: 5001, http: 200, message: "预订金余额不足" },

  // 6xxx — operators' /admin API
  adminUnauthorized: { code: 6001, http: 401, message: "缺少或错误的管理令牌" },
  adminNotFound: { code: 6002, http: 404, message: "资源不存在" },
  depositReferenceConflict: { code: 6003, http: 409, message: "充值流水号已存在且金额不同" },
  loginPasswordRequired: { code: 6004, http: 400, message: "新客户必须设置登录密码" },
  productNotFound: { code: 6005, http: 404, message: "产品不存在" },
  adminInvalid: { code: 6006, http: 400, message: "请求参数错误" },

  // 9xxx — the service
  notYetAvailable: { code: 9001, http: 200, message: "接口尚未开放" },
  internal: { code: 9999, http: 500, message: "系统内部错误，请稍后重试" },
} as const satisfies Record<string, { code: number; http: number; message: string }>;

export type ResultKey = keyof typeof ResultCodes;
export type ResultCode = (typeof ResultCodes)[ResultKey];
