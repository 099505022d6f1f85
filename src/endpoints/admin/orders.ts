/**
 * /admin/orders, /admin/customers/{dwid}/orders, /admin/bills: what was
 * sold; POST /admin/orders/{orderid}/cancel: an operator's cancel (SPEC §10).
 */
import { clockOf } from "../../clock";
import { listBills, type Bill } from "../../db/bills";
import { getOrderDetail, type Order, type OrderItem, type Ticket } from "../../db/orders";
import { listOrders } from "../../db/order-search";
import { ordersCsv } from "./orders-csv";
import { refundsOfOrder, type RefundRecord } from "../../db/refunds";
import { fenToYuanNumber } from "../../domain/money";
import { BillListQuery, OrderListQuery, PageQuery } from "../../schemas/admin";
import { cancelOrder } from "../order-cancel";
import { dwidParam } from "./customers";
import { adminError, isoTime, json, param, validate, type AdminHandler } from "./http";
import { refundRecordJson } from "./refunds";

function orderJson(o: Order) {
  return {
    orderId: o.orderId,
    dwid: o.dwid,
    senderId: o.senderId,
    kind: o.kind,
    status: o.status,
    effectDate: o.effectDate,
    timespanIndex: o.timespanIndex,
    amount: fenToYuanNumber(o.amountFen),
    mobile: o.mobile,
    createdAt: isoTime(o.createdAtMs),
    expiresAt: isoTime(o.expiresAtMs),
    paidAt: isoTime(o.paidAtMs),
    businessDate: o.businessDate,
    sellStationId: o.sellStationId,
    marketAreaId: o.marketAreaId,
    teamTypeCode: o.teamTypeCode,
    refunded: fenToYuanNumber(o.refundedFen),
    refundedUnits: o.refundedUnits,
  };
}

function billJson(b: Bill) {
  return {
    billNum: b.billNum,
    dwid: b.dwid,
    senderBillNum: b.senderBillNum,
    status: b.status,
    amount: fenToYuanNumber(b.amountFen),
    rndCode: b.rndCode,
    createdAt: isoTime(b.createdAtMs),
    paidAt: isoTime(b.paidAtMs),
  };
}

function orderDetailJson(detail: { order: Order; items: readonly OrderItem[]; tickets: readonly Ticket[] }, refunds: readonly RefundRecord[]) {
  return {
    ...orderJson(detail.order),
    items: detail.items.map((i) => ({
      lineNo: i.lineNo,
      productId: i.productId,
      quantity: i.quantity,
      unitPrice: fenToYuanNumber(i.unitPriceFen),
      amount: fenToYuanNumber(i.amountFen),
      fullname: i.fullname,
      idType: i.idType,
      idNumber: i.idNumber,
      mobile: i.mobile,
    })),
    tickets: detail.tickets.map((t) => ({ ticketCode: t.ticketCode, lineNo: t.lineNo, productId: t.productId, status: t.status, issuedAt: isoTime(t.issuedAtMs), usedAt: t.usedAtMs === null ? null : isoTime(t.usedAtMs), gateId: t.usedGateId })),
    refunds: refunds.map(refundRecordJson),
  };
}

function orderIdParam(request: Parameters<AdminHandler>[0]): string | Response {
  const orderId = param(request, "orderid");
  return orderId.length >= 1 && orderId.length <= 20 ? orderId : adminError("adminInvalid", "orderid 长度必须是1到20", "orderid");
}

export const getOrderHandler: AdminHandler = async (request, env) => {
  const orderId = orderIdParam(request);
  if (orderId instanceof Response) return orderId;
  const detail = await getOrderDetail(env.DB, orderId);
  if (!detail) return adminError("orderNotFound");
  return json(orderDetailJson(detail, await refundsOfOrder(env.DB, orderId)));
};

/**
 * The partner's rule (../order-cancel.ts) for any customer's order: 200 with
 * the order now cancelled (a repeat too), 409 when paid (refund it) or
 * expired, 404 unknown. A store error is the router's 503: a retry is safe.
 */
export const cancelOrderHandler: AdminHandler = async (request, env) => {
  const orderId = orderIdParam(request);
  if (orderId instanceof Response) return orderId;
  const detail = await getOrderDetail(env.DB, orderId);
  if (!detail) return adminError("orderNotFound");
  const outcome = await cancelOrder(env, detail, clockOf(env));
  if (!outcome.ok) return adminError(outcome.reason);
  // An unpaid order has no refunds.
  return json(orderDetailJson({ ...detail, order: outcome.order }, []));
};

export const listOrdersHandler: AdminHandler = async (request, env) => {
  const query = validate(OrderListQuery, request.query);
  const filter = { dwid: query.customer, effectDate: query.date, status: query.status, q: query.q };
  if (query.format === "csv") return ordersCsv(env.DB, filter, clockOf(env).nowMs());
  const page = await listOrders(env.DB, { ...filter, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(orderJson), nextCursor: page.nextCursor });
};

export const listCustomerOrders: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const query = validate(PageQuery, request.query);
  const page = await listOrders(env.DB, { dwid, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(orderJson), nextCursor: page.nextCursor });
};

export const listBillsHandler: AdminHandler = async (request, env) => {
  const query = validate(BillListQuery, request.query);
  const page = await listBills(env.DB, { dwid: query.customer, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(billJson), nextCursor: page.nextCursor });
};
