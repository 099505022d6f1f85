/**
 * Paying an order from the deposit with the encrypted pay password:
 * POST api/WebInterface/Order/Pay/WithPrepayment/ByPassword (SPEC §5.1),
 * POST api/PayOrder/MIN/UsePrepaymentAndPassword (§5.2) and its WebForms
 * alias Source/UseAccountToPayByPwd.aspx. All three run the same payment in
 * the customer's AccountDO (durable/payment-desk.ts).
 */
import { orderPaidOutboxId } from "../../domain/notifications";
import type { PayOrderResult } from "../../durable/account";
import { OrderOperatorResult } from "../../schemas/envelopes";
import { OrderPayAndActivateByPwdParm, PayOrderUsePayPasswordParm } from "../../schemas/order-pay";
import { answer, definePartnerEndpoint, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { withAccount } from "../../durable/stubs";
import { confirmSold, notifyPaid } from "./follow-ups";
import { orderResult } from "../../wire/envelope";

const PAY_DESCRIPTION =
  "使用预订金+支付密码对订单进行支付,支付成功后,生成门票并下发通知(可能有通知)给客人或代理商。 所有的操作都在一个事务中,总是同时成功或失败。";
const MIN_DESCRIPTION =
  "使用预订金+支付密码对订单执行支付。 向下兼容,同功能的WebForms接口访问地址为~/Source/UseAccountToPayByPwd.aspx。";

interface PayInput {
  orderId: string;
  ciphertext: string;
  claimedDwid: string | null;
  claimedDwlx: string | null;
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
  rollOverAt: string | null;
}

async function pay(input: PayInput, ctx: PartnerContext): Promise<Outcome> {
  const requestId = ctx.random.uuid();
  // RPC types map a union result member by member; the value is the plain union.
  const result = await withAccount(ctx.env, ctx.tokenDwid!, async (account) => (await account.payOrder({ token: ctx.token!, requestId, ...input })) as PayOrderResult);
  return outcomeOf(result, ctx);
}

function outcomeOf(result: PayOrderResult, ctx: PartnerContext): Outcome {
  if (!result.ok) {
    const echo = result.order ? { orderid: result.order.orderId, sendid: result.order.senderId, orderstatus: result.order.status } : undefined;
    return refuse(result.reason, result.message, echo);
  }
  ctx.waitUntil(confirmSold(ctx.env, result.order.orderId, result.order.stock));
  if (!result.alreadyPaid) ctx.waitUntil(notifyPaid(ctx.env, orderPaidOutboxId(result.order.orderId)));
  const echo = { orderid: result.order.orderId, sendid: result.order.senderId, orderstatus: result.order.status };
  return answer(orderResult(echo, result.alreadyPaid ? "订单已支付,本次未重复扣款" : "支付成功"));
}

export const orderPayByPassword = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Pay/WithPrepayment/ByPassword"],
  methods: ["POST"],
  summary: "使用预订金+支付密码对订单进行支付。",
  description: PAY_DESCRIPTION,
  request: OrderPayAndActivateByPwdParm,
  response: OrderOperatorResult,
  auth: "in-operation",
  handle: (input, ctx) =>
    pay(
      {
        orderId: input.payparm.orderid,
        ciphertext: input.payparm.paypassword,
        claimedDwid: input.dwid,
        claimedDwlx: input.dwlx,
        sellStationId: input.sellstationid,
        marketAreaId: input.marketareaid ?? null,
        teamTypeCode: input.teamtypecode ?? null,
        rollOverAt: input.settotommrowtime || null,
      },
      ctx,
    ),
});

const payFromSession = (input: { orderid: string; paypassword: string }, ctx: PartnerContext) =>
  pay(
    {
      orderId: input.orderid,
      ciphertext: input.paypassword,
      claimedDwid: null,
      claimedDwlx: null,
      sellStationId: null,
      marketAreaId: null,
      teamTypeCode: null,
      rollOverAt: null,
    },
    ctx,
  );

export const payOrderMin = definePartnerEndpoint({
  paths: ["api/PayOrder/MIN/UsePrepaymentAndPassword"],
  methods: ["POST"],
  summary: "使用预订金+支付密码对订单执行支付。",
  description: MIN_DESCRIPTION,
  request: PayOrderUsePayPasswordParm,
  response: OrderOperatorResult,
  auth: "in-operation",
  handle: payFromSession,
});

export const payOrderWebForms = definePartnerEndpoint({
  paths: ["Source/UseAccountToPayByPwd.aspx"],
  methods: ["GET", "POST"],
  summary: "WebForms兼容地址:使用预订金+支付密码对订单执行支付。",
  description: MIN_DESCRIPTION,
  request: PayOrderUsePayPasswordParm,
  response: OrderOperatorResult,
  auth: "in-operation",
  handle: payFromSession,
});
