/**
 * What can be paid from the deposit: an order (tickets) or a POS bill (a
 * pickup code). Each target says how to read it from D1, whether it is
 * payable, and which guarded statements mark it paid (db/payments.ts).
 */
import type { ResultKey } from "../domain/codes";
import { businessDate } from "../domain/dates";
import { MAX_TICKETS_PER_ORDER } from "../domain/orders";
import { randomDigits, RND_CODE_DIGITS, TICKET_CODE_DIGITS, type PayableState } from "../domain/payments";
import type { Random } from "../random";
import {
  billLoadStatements, billPaymentStatements, orderLoadStatements, orderPaymentStatements, parseBillLoad, parseOrderLoad,
  type BillForPayment, type OrderForPayment,
} from "../db/payments";
import { assert } from "./account-ledger";

export interface PaymentTarget<Loaded> {
  kind: "order" | "bill";
  /** The target's id when the request names it directly (a bill found by SenderBillNum has none yet). */
  knownId: string | null;
  /** The target's id, once loaded: what intents are keyed by. */
  idOf(loaded: Loaded): string;
  notFound: ResultKey;
  /** The reads that load it, and how their results become it (reads of concurrent pays share a batch). */
  loadStatements(db: D1Database): D1PreparedStatement[];
  parseLoad(results: D1Result[]): Loaded | null;
  state(loaded: Loaded): PayableState;
  amountFen(loaded: Loaded): number;
  /** The intent that paid it, once paid. */
  paymentIdOf(loaded: Loaded): string | null;
  /** The pay batch; its first statement's `changes` is 1 exactly when it committed. */
  statements(db: D1Database, intentId: string, dwid: string, loaded: Loaded, nowMs: number, random: Random): D1PreparedStatement[];
}

export interface OrderPaymentDetails {
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
  /** settotommrowtime, "HH:mm" */
  rollOverAt: string | null;
}

export function orderTarget(orderId: string, details: OrderPaymentDetails): PaymentTarget<OrderForPayment> {
  return {
    kind: "order",
    knownId: orderId,
    idOf: () => orderId,
    notFound: "orderNotFound",
    loadStatements: (db) => orderLoadStatements(db, orderId),
    parseLoad: parseOrderLoad,
    state: ({ order }) => ({ dwid: order.dwid, status: order.status, expiresAtMs: order.expires_at_ms }),
    amountFen: ({ order }) => order.amount_fen,
    paymentIdOf: ({ order }) => order.payment_id,
    statements: (db, intentId, dwid, loaded, nowMs, random) =>
      orderPaymentStatements(db, {
        intentId,
        dwid,
        orderId,
        amountFen: loaded.order.amount_fen,
        paidAtMs: nowMs,
        businessDate: businessDate(nowMs, details.rollOverAt),
        sellStationId: details.sellStationId,
        marketAreaId: details.marketAreaId,
        teamTypeCode: details.teamTypeCode,
        tickets: ticketsFor(loaded, random),
        outboxId: `order-paid:${orderId}`,
        outboxPayload: JSON.stringify({ orderId, senderId: loaded.order.sender_id, dwid, intentId }),
      }),
  };
}

export function billTarget(find: { billNum: string | null; senderBillNum: string | null }, dwid: string): PaymentTarget<BillForPayment> {
  return {
    kind: "bill",
    knownId: find.billNum,
    idOf: ({ bill }) => bill.bill_num,
    notFound: "billNotFound",
    loadStatements: (db) => billLoadStatements(db, find, dwid),
    parseLoad: (results) => parseBillLoad(results, find),
    state: ({ bill }) => ({ dwid: bill.dwid, status: bill.status, expiresAtMs: null }),
    amountFen: ({ bill }) => bill.amount_fen,
    paymentIdOf: ({ bill }) => bill.payment_id,
    statements: (db, intentId, payer, loaded, nowMs, random) => {
      let rndCode: string | null = null;
      while (rndCode === null) rndCode = randomDigits(RND_CODE_DIGITS, random.bytes(RND_CODE_DIGITS * 2));
      return billPaymentStatements(db, {
        intentId,
        dwid: payer,
        billNum: loaded.bill.bill_num,
        amountFen: loaded.bill.amount_fen,
        paidAtMs: nowMs,
        rndCode,
        outboxId: `bill-paid:${loaded.bill.bill_num}`,
        outboxPayload: JSON.stringify({ billNum: loaded.bill.bill_num, senderBillNum: loaded.bill.sender_bill_num, dwid: payer, intentId }),
      });
    },
  };
}

/** One ticket per unit of every ticket line (an annual card's insurance line issues none), each with its own unguessable code. */
function ticketsFor(loaded: OrderForPayment, random: Random): { code: string; lineNo: number; productId: string }[] {
  const tickets: { code: string; lineNo: number; productId: string }[] = [];
  for (const item of loaded.items) {
    if (item.itemKind === "insurance") continue;
    for (let unit = 0; unit < item.quantity; unit++) {
      let code: string | null = null;
      while (code === null) code = randomDigits(TICKET_CODE_DIGITS, random.bytes(TICKET_CODE_DIGITS * 2));
      tickets.push({ code, lineNo: item.lineNo, productId: item.productId });
    }
  }
  assert(tickets.length <= MAX_TICKETS_PER_ORDER, `order ${loaded.order.order_id} would issue ${tickets.length} tickets`);
  return tickets;
}
