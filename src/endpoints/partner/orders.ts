/**
 * Calendar-ticket orders: Douyin's pre-order check (SPEC §5.5), placing an
 * order (§7), querying (§7), cancelling, refunding, moving and resending
 * the tickets of (§10) one's own orders; annual-card orders (§5.3). The
 * operations live beside: order-verify.ts, order-add.ts, order-query.ts,
 * order-cancel.ts, order-refund.ts, order-change-date.ts, order-resend.ts,
 * yearcard-add.ts.
 */
import { CommonOperationResult, OrderOperatorResult } from "../../schemas/envelopes";
import { OrderAddParm } from "../../schemas/order-add";
import { OrderCancelParm } from "../../schemas/order-cancel";
import { OrderChangeDateParm } from "../../schemas/order-change-date";
import { OrderQueryParm, OrderQueryResponse } from "../../schemas/order-query";
import { OrderRefundParm, OrderRefundResponse } from "../../schemas/order-refund";
import { OrderResendParm } from "../../schemas/order-resend";
import { RESENDS_PER_ORDER_PER_HOUR } from "../../domain/resends";
import { YearCardOrderAddParm } from "../../schemas/yearcard";
import { definePartnerEndpoint } from "../partner-endpoint";
import { addOrder } from "./order-add";
import { cancelOwnOrder } from "./order-cancel";
import { changeOwnOrderDate } from "./order-change-date";
import { queryOrder } from "./order-query";
import { refundOwnOrder } from "./order-refund";
import { resendOwnOrder } from "./order-resend";
import { verifyOrder } from "./order-verify";
import { addYearCardOrder } from "./yearcard-add";

const VERIFY_DESCRIPTION =
  "下单前的校验接口,用于消费者预订前的信息校验,包括库存和限购规则等,保障消费者提交订单后不会因为库存不足或其他业务规则被拒单。 V5及V5以前的版本。 对V53版本添加的整团入园和保险赋值设置默认值。";

export const douyinOrderVerify = definePartnerEndpoint({
  paths: ["api/SpecialOta/DouYin/CalendarTicket/Order/Verify"],
  methods: ["POST"],
  summary: "抖音日历票下单前校验(库存、限购、实名等),无副作用。",
  description: VERIFY_DESCRIPTION,
  request: OrderAddParm,
  response: CommonOperationResult,
  auth: "session",
  // Stock and catalogue rules only, no side effects: the session may come from the isolate's cache unconfirmed.
  sessionCache: "unguarded",
  readOnly: true,
  handle: verifyOrder,
});

export const orderAdd = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Add", "api/SpecialOta/DouYin/CalendarTicket/Order/Add"],
  methods: ["POST"],
  summary: "下单:通过校验后生成占用库存的未支付订单,按senderid幂等。",
  description:
    "执行与下单前校验相同的检查,然后生成一个未支付的订单并占用库存(未支付订单到期自动释放)。同一客户的senderid重复提交时返回已有订单的当前状态。",
  request: OrderAddParm,
  response: OrderOperatorResult,
  auth: "session",
  // The insert is guarded by D1's copy of the session's credentials version (order-place.ts).
  sessionCache: "guarded",
  handle: addOrder,
});

export const orderQuery = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Query"],
  methods: ["POST"],
  summary: "按订单号或senderid查询自己的订单、明细和门票。",
  description: "按orderid或senderid查询本客户的订单:状态、金额、明细,支付后返回门票码。只能查询自己的订单。",
  request: OrderQueryParm,
  response: OrderQueryResponse,
  auth: "session",
  readOnly: true,
  handle: queryOrder,
});

export const orderCancel = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Cancel"],
  methods: ["POST"],
  summary: "按订单号或senderid取消自己的未支付订单,立即释放库存。",
  description:
    "按orderid或senderid取消本客户的未支付订单:订单状态变为cancelled,占用的库存立即释放。重复取消返回成功和订单当前状态。已支付的订单不能取消,请申请退款;已过期的订单不能取消。只能取消自己的订单。",
  request: OrderCancelParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: cancelOwnOrder,
});

export const orderRefund = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Refund"],
  methods: ["POST"],
  summary: "退票:按refundid幂等,退回预订金。",
  description:
    "退本客户已支付订单的门票(ticketcodes不填则退全部未使用的门票):按产品的退票规则(是否可退、期限、手续费)计算退款金额,退款退回预订金并入账、门票作废、库存归还后才返回成功。refundid是接口方的退款单号,重复提交返回同一笔退款;同一refundid退不同的门票会被拒绝。返回HTTP 503表示结果暂未确定,请用同一refundid重试。",
  request: OrderRefundParm,
  response: OrderRefundResponse,
  auth: "in-operation",
  handle: refundOwnOrder,
});

export const orderChangeDate = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/ChangeDate"],
  methods: ["POST"],
  summary: "改期:把自己已支付、门票均未使用的订单改到另一天(和时段),同价且有库存时成功。",
  description:
    "按orderid或senderid把本客户已支付的订单改到effectdate(今天或以后),可用timespanindex指定新时段(-1自动选择)。" +
    "订单的门票须全部未使用、未退;原游玩日期未过;新日期须有库存且各产品的价格与已付价格相同,否则拒绝,各有代码。" +
    "先占新日期的库存,订单改期后再归还原日期的库存,不会超卖。重复提交(订单已在该日期)返回成功和订单当前状态;返回HTTP 503表示结果暂未确定,请查询订单或重试。只能改自己的订单。",
  request: OrderChangeDateParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: changeOwnOrderDate,
});

export const orderResend = definePartnerEndpoint({
  paths: ["api/WebInterface/Order/Resend"],
  methods: ["POST"],
  summary: `按订单号或senderid把自己已支付订单的有效门票码重新短信发送给游客,每个订单1小时内最多${RESENDS_PER_ORDER_PER_HOUR}次。`,
  description:
    `按orderid或senderid,把本客户已支付订单中仍有效(未退、未使用)的门票码重新用短信发送:发到mobile,不填则发到下单时的游客手机号码。每个订单在任意1小时内最多重发${RESENDS_PER_ORDER_PER_HOUR}次,超过时返回何时可以再试。未支付、已过期、已取消的订单不能重发;门票已全部退掉(或已使用)的订单没有可重发的门票。重发不回调接口方。只能重发自己的订单。`,
  request: OrderResendParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: resendOwnOrder,
});

export const yearCardAddOrder = definePartnerEndpoint({
  paths: ["api/Order/YearCard/AddOrder"],
  methods: ["POST"],
  summary: "对互联网年卡发起预订。",
  description: "对互联网年卡发起预订的接口。",
  request: YearCardOrderAddParm,
  response: OrderOperatorResult,
  auth: "session",
  handle: addYearCardOrder,
});
