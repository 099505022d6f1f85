/**
 * Operators' refunds (SPEC §10): POST /admin/orders/{orderid}/refunds — the
 * same refund a partner makes, recorded as the operator's, the fee waived or
 * the deadline ignored when asked — and GET /admin/refunds.
 */
import { getOrder } from "../../db/orders";
import { listRefunds, type RefundRecord } from "../../db/refunds";
import { addDays, shanghaiDayStartMs } from "../../domain/dates";
import { fenToYuanNumber } from "../../domain/money";
import type { RefundResult } from "../../durable/account";
import type { RefundView } from "../../durable/refund-desk";
import { withAccount } from "../../durable/stubs";
import { systemRandom } from "../../random";
import { RefundListQuery, RefundPost } from "../../schemas/admin-refunds";
import { notifyPaid } from "../partner/follow-ups";
import { adminError, isoTime, json, param, readJson, validate, type AdminHandler } from "./http";

export function refundViewJson(r: RefundView) {
  return {
    refundId: r.refundNo,
    orderId: r.orderId,
    senderId: r.senderId,
    amount: fenToYuanNumber(r.amountFen),
    fee: fenToYuanNumber(r.feeFen),
    tickets: r.tickets,
    orderStatus: r.orderStatus,
    refundedAt: isoTime(r.refundedAtMs),
  };
}

export function refundRecordJson(r: RefundRecord) {
  return {
    refundId: r.refundNo,
    dwid: r.dwid,
    orderId: r.orderId,
    amount: fenToYuanNumber(r.amountFen),
    fee: fenToYuanNumber(r.feeFen),
    tickets: r.tickets,
    reason: r.reason,
    requestedBy: r.requestedBy,
    refundedAt: isoTime(r.refundedAtMs),
  };
}

export const postOrderRefund: AdminHandler = async (request, env, ctx) => {
  const orderId = param(request, "orderid");
  if (orderId.length < 1 || orderId.length > 20) return adminError("adminInvalid", "orderid 长度必须是1到20", "orderid");
  const body = await readJson(request, RefundPost);
  const order = await getOrder(env.DB, orderId);
  if (!order) return adminError("orderNotFound");
  const call = {
    requestId: systemRandom.uuid(),
    find: { orderId, senderId: null },
    refundNo: body.refundid,
    ticketCodes: body.ticketcodes ?? null,
    reason: body.reason,
    waiveFee: body.waiveFee ?? false,
    ignoreDeadline: body.ignoreDeadline ?? false,
  };
  // RPC types map a union result member by member; the value is the plain union.
  const result = await withAccount(env, order.dwid, async (account) => (await account.refundByOperator(call)) as RefundResult);
  if (!result.ok) return adminError(result.reason, result.message);
  ctx.waitUntil(notifyPaid(env, result.refund.notificationId));
  return json(refundViewJson(result.refund));
};

export const listRefundsHandler: AdminHandler = async (request, env) => {
  const query = validate(RefundListQuery, request.query);
  const fromMs = query.date ? shanghaiDayStartMs(query.date) : undefined;
  const toMs = query.date ? shanghaiDayStartMs(addDays(query.date, 1)) : undefined;
  const page = await listRefunds(env.DB, { dwid: query.customer, fromMs, toMs, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(refundRecordJson), nextCursor: page.nextCursor });
};
