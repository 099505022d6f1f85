/**
 * Paying an order from the deposit with the encrypted pay password:
 * POST api/WebInterface/Order/Pay/WithPrepayment/ByPassword (SPEC §5.1),
 * POST api/PayOrder/MIN/UsePrepaymentAndPassword (§5.2) and its WebForms
 * alias Source/UseAccountToPayByPwd.aspx.
 */
import { OrderOperatorResult } from "../../schemas/envelopes";
import { OrderPayAndActivateByPwdParm, PayOrderUsePayPasswordParm } from "../../schemas/order-pay";
import { definePartnerEndpoint } from "../partner-endpoint";
import { notYetAvailable } from "./not-yet-available";

const PAY_DESCRIPTION =
  "使用预订金+支付密码对订单进行支付,支付成功后,生成门票并下发通知(可能有通知)给客人或代理商。 所有的操作都在一个事务中,总是同时成功或失败。";
const MIN_DESCRIPTION =
  "使用预订金+支付密码对订单执行支付。 向下兼容,同功能的WebForms接口访问地址为~/Source/UseAccountToPayByPwd.aspx。";

export const orderPayByPassword = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Pay/WithPrepayment/ByPassword"],
  methods: ["POST"],
  summary: "使用预订金+支付密码对订单进行支付。",
  description: PAY_DESCRIPTION,
  request: OrderPayAndActivateByPwdParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: notYetAvailable,
});

export const payOrderMin = definePartnerEndpoint({
  paths: ["api/PayOrder/MIN/UsePrepaymentAndPassword"],
  methods: ["POST"],
  summary: "使用预订金+支付密码对订单执行支付。",
  description: MIN_DESCRIPTION,
  request: PayOrderUsePayPasswordParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: notYetAvailable,
});

export const payOrderWebForms = definePartnerEndpoint({
  paths: ["Source/UseAccountToPayByPwd.aspx"],
  methods: ["GET", "POST"],
  summary: "WebForms兼容地址:使用预订金+支付密码对订单执行支付。",
  description: MIN_DESCRIPTION,
  request: PayOrderUsePayPasswordParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: notYetAvailable,
});
