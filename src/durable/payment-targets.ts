/**
 * What can be paid from the deposit: an order (tickets) or a POS bill (a
 * pickup code). Each target says how to read it from D1, whether it is
 * payable, which guarded statements pay it (db/payments.ts), and what an
 * answer about it shows (its view).
 */
import type { ResultKey } from "../domain/codes";
import { businessDate } from "../domain/dates";
import { orderPaidOutboxId, billPaidOutboxId } from "../domain/notifications";
import { MAX_TICKETS_PER_ORDER } from "../domain/orders";
import { randomDigits, RND_CODE_DIGITS, TICKET_CODE_DIGITS, type PayableState } from "../domain/payments";
import {
  billLoadStatements, billPaymentStatements, orderLoadStatements, orderPaymentStatements, parseBillLoad, parseOrderLoad,
  type PayableBill, type PayableOrder, type TargetKind, type TargetState,
} from "../db/payments";
import type { Random } from "../random";
import { assert } from "./account-ledger";

/** An order as a pay answer shows it; `stock`: the product-days whose holds become sold. */
export interface OrderView {
  orderId: string;
  senderId: string | null;
  status: string;
  stock: { productId: string; effectDate: string }[];
}

/** A bill as a pay answer shows it (PosPayWithPrepaymentResult). */
export interface BillView {
  billNum: string;
  state: string;
  rndCode: string | null;
}

export interface PaymentTarget<Loaded, View> {
  kind: TargetKind;
  /** The target's id when the request names it directly (a bill found by SenderBillNum has none yet). */
  knownId: string | null;
  /** Another name the request may use (a bill's SenderBillNum), kept with the intent. */
  alias: string | null;
  /** The target's id, once loaded: what intents are keyed by. */
  idOf(loaded: Loaded): string;
  aliasOf(loaded: Loaded): string | null;
  notFound: ResultKey;
  /** The reads that load it, and how their results become it (reads of concurrent pays share a batch). */
  loadStatements(db: D1Database): D1PreparedStatement[];
  parseLoad(results: D1Result[]): Loaded | null;
  state(loaded: Loaded): PayableState;
  amountFen(loaded: Loaded): number;
  /** The intent that paid it, once paid. */
  paymentIdOf(loaded: Loaded): string | null;
  /**
   * The view an answer shows: of the target as loaded, or as it stands after
   * a decision (`after`, read in the deciding transaction).
   */
  view(loaded: Loaded, after?: TargetState | null): View;
  /**
   * The view once paid by this payment, kept with the intent: what is drawn
   * at random and shown (a pickup code) is drawn here, before the hold, so
   * any later answer about the intent can show it without reading D1.
   */
  paidView(loaded: Loaded, random: Random): View;
  /** The pay batch, built at the payment's own instant (`paidAtMs`). */
  statements(db: D1Database, p: { intentId: string; dwid: string; loaded: Loaded; paid: View; paidAtMs: number; random: Random }): D1PreparedStatement[];
}

export interface OrderPaymentDetails {
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
  /** settotommrowtime, "HH:mm" */
  rollOverAt: string | null;
}

export function orderTarget(orderId: string, details: OrderPaymentDetails): PaymentTarget<PayableOrder, OrderView> {
  const view = (order: PayableOrder, status: string): OrderView => ({
    orderId: order.orderId,
    senderId: order.senderId,
    status,
    stock: [...new Set(order.items.map((i) => i.productId))].map((productId) => ({ productId, effectDate: order.effectDate })),
  });
  return {
    kind: "order",
    knownId: orderId,
    alias: null,
    idOf: () => orderId,
    aliasOf: () => null,
    notFound: "orderNotFound",
    loadStatements: (db) => orderLoadStatements(db, orderId),
    parseLoad: parseOrderLoad,
    state: (order) => ({ dwid: order.dwid, status: order.status, expiresAtMs: order.expiresAtMs }),
    amountFen: (order) => order.amountFen,
    paymentIdOf: (order) => order.paymentId,
    view: (order, after) => view(order, after?.status ?? order.status),
    paidView: (order) => view(order, "paid"),
    statements: (db, { intentId, dwid, loaded, paidAtMs, random }) =>
      orderPaymentStatements(db, {
        intentId,
        dwid,
        orderId,
        amountFen: loaded.amountFen,
        paidAtMs,
        businessDate: businessDate(paidAtMs, details.rollOverAt),
        sellStationId: details.sellStationId,
        marketAreaId: details.marketAreaId,
        teamTypeCode: details.teamTypeCode,
        tickets: ticketsFor(loaded, random),
        outboxId: orderPaidOutboxId(orderId),
        outboxPayload: JSON.stringify({ orderId, senderId: loaded.senderId, dwid, intentId }),
      }),
  };
}

export function billTarget(find: { billNum: string | null; senderBillNum: string | null }, dwid: string): PaymentTarget<PayableBill, BillView> {
  return {
    kind: "bill",
    knownId: find.billNum,
    alias: find.senderBillNum,
    idOf: (bill) => bill.billNum,
    aliasOf: (bill) => bill.senderBillNum,
    notFound: "billNotFound",
    loadStatements: (db) => billLoadStatements(db, find, dwid),
    parseLoad: (results) => parseBillLoad(results, find),
    state: (bill) => ({ dwid: bill.dwid, status: bill.status, expiresAtMs: null }),
    amountFen: (bill) => bill.amountFen,
    paymentIdOf: (bill) => bill.paymentId,
    view: (bill, after) => ({ billNum: bill.billNum, state: after?.status ?? bill.status, rndCode: after ? after.rndCode : bill.rndCode }),
    paidView: (bill, random) => {
      let rndCode: string | null = null;
      while (rndCode === null) rndCode = randomDigits(RND_CODE_DIGITS, random.bytes(RND_CODE_DIGITS * 2));
      return { billNum: bill.billNum, state: "paid", rndCode };
    },
    statements: (db, { intentId, dwid: payer, loaded, paid, paidAtMs }) =>
      billPaymentStatements(db, {
        intentId,
        dwid: payer,
        billNum: loaded.billNum,
        amountFen: loaded.amountFen,
        paidAtMs,
        rndCode: paid.rndCode!,
        outboxId: billPaidOutboxId(loaded.billNum),
        outboxPayload: JSON.stringify({ billNum: loaded.billNum, senderBillNum: loaded.senderBillNum, dwid: payer, intentId }),
      }),
  };
}

/** One ticket per unit of every ticket line (an annual card's insurance line issues none), each with its own unguessable code. */
function ticketsFor(order: PayableOrder, random: Random): { code: string; lineNo: number; productId: string }[] {
  const tickets: { code: string; lineNo: number; productId: string }[] = [];
  for (const item of order.items) {
    if (item.itemKind === "insurance") continue;
    for (let unit = 0; unit < item.quantity; unit++) {
      let code: string | null = null;
      while (code === null) code = randomDigits(TICKET_CODE_DIGITS, random.bytes(TICKET_CODE_DIGITS * 2));
      tickets.push({ code, lineNo: item.lineNo, productId: item.productId });
    }
  }
  assert(tickets.length <= MAX_TICKETS_PER_ORDER, `order ${order.orderId} would issue ${tickets.length} tickets`);
  return tickets;
}
