/**
 * GET /admin/tickets?code=… | ?idnumber=… (the console's 门票查询): a ticket
 * and what happened to it — ordered, paid and issued, each committed date
 * change of its order (from → to), admitted (when, which gate), refunded
 * (when, which refund number) — by its code, or the real-name tickets of an
 * ID number, newest first and at most TICKETS_PER_HOLDER_MAX.
 */
import { dateChangesOfOrders, ticketRecordByCode, ticketRecordsOfHolder, type DateChangeRecord, type TicketRecord } from "../../db/ticket-history";
import { TICKETS_PER_HOLDER_MAX, TicketSearchQuery } from "../../schemas/admin-checkins";
import { isoTime, json, validate, type AdminHandler } from "./http";

/** The ticket's events, oldest first; an order's date changes are its tickets'. */
function historyOf(t: TicketRecord, changes: readonly DateChangeRecord[]) {
  const events: { at: number; event: Record<string, unknown> }[] = [
    { at: t.orderedAtMs, event: { event: "ordered", at: isoTime(t.orderedAtMs) } },
    { at: t.issuedAtMs, event: { event: "issued", at: isoTime(t.issuedAtMs) } },
    ...changes
      .filter((c) => c.orderId === t.orderId)
      .map((c) => ({
        at: c.changedAtMs,
        event: { event: "dateChanged", at: isoTime(c.changedAtMs), fromDate: c.fromDate, fromTimespan: c.fromTimespan, toDate: c.toDate, toTimespan: c.toTimespan },
      })),
  ];
  if (t.usedAtMs !== null) events.push({ at: t.usedAtMs, event: { event: "used", at: isoTime(t.usedAtMs), gateId: t.gateId, gateName: t.gateName } });
  if (t.refundedAtMs !== null) {
    events.push({
      at: t.refundedAtMs,
      event: { event: "refunded", at: isoTime(t.refundedAtMs), refundId: t.refundNo, reason: t.refundReason, requestedBy: t.refundRequestedBy },
    });
  }
  // Stable: events of one instant keep the order of the story (a pay issues its tickets in the same instant).
  return events.sort((a, b) => a.at - b.at).map((e) => e.event);
}

function ticketJson(t: TicketRecord, changes: readonly DateChangeRecord[]) {
  return {
    ticketCode: t.ticketCode,
    status: t.status,
    productId: t.productId,
    productName: t.productName,
    orderId: t.orderId,
    orderStatus: t.orderStatus,
    dwid: t.dwid,
    customerName: t.customerName,
    senderId: t.senderId,
    lineNo: t.lineNo,
    effectDate: t.effectDate,
    timespanIndex: t.timespanIndex,
    fullname: t.fullname,
    idType: t.idType,
    idNumber: t.idNumber,
    mobile: t.mobile,
    paidAt: isoTime(t.paidAtMs),
    issuedAt: isoTime(t.issuedAtMs),
    usedAt: isoTime(t.usedAtMs),
    gateId: t.gateId,
    gateName: t.gateName,
    refundedAt: isoTime(t.refundedAtMs),
    refundId: t.refundNo,
    history: historyOf(t, changes),
  };
}

export const searchTicketsHandler: AdminHandler = async (request, env) => {
  const query = validate(TicketSearchQuery, request.query);
  let tickets: TicketRecord[];
  if (query.code !== undefined) {
    const found = await ticketRecordByCode(env.DB, query.code);
    tickets = found ? [found] : [];
  } else {
    // One more than shown says whether the holder has more.
    tickets = await ticketRecordsOfHolder(env.DB, query.idnumber!, TICKETS_PER_HOLDER_MAX + 1);
  }
  const truncated = tickets.length > TICKETS_PER_HOLDER_MAX;
  const shown = tickets.slice(0, TICKETS_PER_HOLDER_MAX);
  const changes = await dateChangesOfOrders(env.DB, shown.map((t) => t.orderId));
  return json({ items: shown.map((t) => ticketJson(t, changes)), truncated });
};
