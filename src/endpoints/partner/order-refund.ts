/**
 * POST api/WebInterface/Order/Refund (SPEC §10): a paid order's tickets back
 * to the deposit, run in the customer's AccountDO (durable/refund-desk.ts),
 * which authenticates the call itself like a pay: one round trip. Told 0, the
 * money is back in the deposit and posted, the tickets refunded and their
 * units back in stock; a refusal changed nothing; 503 is not yet known —
 * the same refundid again learns which.
 */
import { blankToNull } from "../../domain/order-plan";
import { fenToYuan } from "../../domain/money";
import type { RefundResult } from "../../durable/account";
import { withAccount } from "../../durable/stubs";
import type { OrderRefundParm } from "../../schemas/order-refund";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { notifyPaid } from "./follow-ups";
import { commonResult } from "../../wire/envelope";

export async function refundOwnOrder(input: OrderRefundParm, ctx: PartnerContext): Promise<Outcome> {
  const orderId = blankToNull(input.orderid);
  const senderId = blankToNull(input.senderid);
  if (orderId === null && senderId === null) return refuse("fieldRequired", "orderid 与 senderid 至少提供一个");
  const call = {
    token: ctx.token!,
    requestId: ctx.random.uuid(),
    find: { orderId, senderId },
    refundNo: input.refundid,
    ticketCodes: input.ticketcodes ?? null,
    reason: blankToNull(input.reason ?? null),
  };
  // RPC types map a union result member by member; the value is the plain union.
  const result = await withAccount(ctx.env, ctx.tokenDwid!, async (account) => (await account.refund(call)) as RefundResult);
  if (!result.ok) return refuse(result.reason, result.message);
  const r = result.refund;
  ctx.waitUntil(notifyPaid(ctx.env, r.notificationId));
  return answer(
    commonResult(
      {
        refundid: r.refundNo,
        orderid: r.orderId,
        senderid: r.senderId,
        refundamount: fenToYuan(r.amountFen),
        fee: fenToYuan(r.feeFen),
        tickets: r.tickets,
        orderstatus: r.orderStatus,
        refundedat: new Date(r.refundedAtMs).toISOString(),
      },
      "退款成功",
    ),
  );
}
