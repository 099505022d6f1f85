/**
 * Pure rules of refunding a paid order's tickets (SPEC §10): the product's
 * refund policy, the deadline in Asia/Shanghai days, the fee, and which
 * tickets a request refunds for how much. Time comes in as the business
 * date; no I/O.
 */
import type { ResultKey } from "./codes";

/** Per product (admin `refund` on PUT /admin/products/{id}). */
export interface RefundPolicy {
  allowed: boolean;
  /** before_visit_day: until the day before the visit; visit_day_end: until the visit day ends. */
  deadline: "before_visit_day" | "visit_day_end";
  /** 0–100: the fee per ticket is this percentage of its price, rounded half up to the fen. */
  feePercent: number;
}

export const DEFAULT_REFUND_POLICY: RefundPolicy = { allowed: true, deadline: "visit_day_end", feePercent: 0 };

/** Refund numbers (the partner's `refundid`) are at most this long. */
export const REFUND_NO_MAX_CHARS = 50;

/** The fee of one ticket: round half up of price × percent / 100, in fen. */
export function refundFeeFen(priceFen: number, feePercent: number): number {
  return Math.floor((priceFen * feePercent + 50) / 100);
}

export interface RefundOrder {
  kind: "ticket" | "yearcard";
  status: "unpaid" | "paid" | "expired" | "cancelled";
  effectDate: string;
  items: { lineNo: number; itemKind: "ticket" | "insurance"; productId: string; quantity: number; unitPriceFen: number; amountFen: number }[];
  tickets: { code: string; lineNo: number; productId: string; status: "valid" | "used" | "refunded" }[];
}

export interface RefundRequest {
  /** The tickets asked for; null: every valid ticket of the order. */
  ticketCodes: readonly string[] | null;
  /** The business date now (Asia/Shanghai, yyyyMMdd). */
  today: string;
  policies: ReadonlyMap<string, RefundPolicy>;
  /** An operator may waive the fee and the deadline (SPEC §10, admin refunds). */
  waiveFee?: boolean;
  ignoreDeadline?: boolean;
}

export interface RefundPlan {
  /** Sorted, each once. */
  tickets: string[];
  amountFen: number;
  feeFen: number;
  /** Units going back to stock, per product of the order's day. */
  stock: { productId: string; units: number }[];
}

export type RefundRefusal = { key: ResultKey; ticket?: string; productId?: string };

/**
 * What a refund request refunds, or why not — in precedence order: the
 * order's state, tickets that are not the order's, tickets that are not
 * valid, nothing left to refund, the product's policy, its deadline (an
 * annual card only before its effect date). The money is each ticket's price
 * less its fee; an annual card's insurance premium comes back with the card.
 */
export function planRefund(order: RefundOrder, request: RefundRequest): { ok: true; plan: RefundPlan } | { ok: false; refusal: RefundRefusal } {
  if (order.status !== "paid") {
    const key: ResultKey = order.status === "cancelled" ? "orderCancelled" : order.status === "expired" ? "orderExpired" : "orderNotPaid";
    return { ok: false, refusal: { key } };
  }
  const byCode = new Map(order.tickets.map((t) => [t.code, t]));
  let chosen: RefundOrder["tickets"];
  if (request.ticketCodes !== null) {
    const codes = [...new Set(request.ticketCodes)];
    const unknown = codes.find((c) => !byCode.has(c));
    if (unknown !== undefined) return { ok: false, refusal: { key: "ticketNotInOrder", ticket: unknown } };
    chosen = codes.map((c) => byCode.get(c)!);
    const spent = chosen.find((t) => t.status !== "valid");
    if (spent) return { ok: false, refusal: { key: spent.status === "used" ? "ticketUsed" : "ticketRefunded", ticket: spent.code } };
  } else {
    chosen = order.tickets.filter((t) => t.status === "valid");
  }
  if (chosen.length === 0) return { ok: false, refusal: { key: "nothingToRefund" } };

  const lines = new Map(order.items.filter((i) => i.itemKind === "ticket").map((i) => [i.lineNo, i]));
  let amountFen = 0;
  let feeFen = 0;
  const units = new Map<string, number>();
  for (const ticket of chosen) {
    const policy = request.policies.get(ticket.productId) ?? DEFAULT_REFUND_POLICY;
    if (!policy.allowed) return { ok: false, refusal: { key: "refundNotAllowed", productId: ticket.productId } };
    if (!request.ignoreDeadline && !withinDeadline(order.kind, policy.deadline, order.effectDate, request.today)) {
      return { ok: false, refusal: { key: "refundDeadlinePassed", productId: ticket.productId } };
    }
    const priceFen = lines.get(ticket.lineNo)?.unitPriceFen ?? 0;
    const fee = request.waiveFee ? 0 : refundFeeFen(priceFen, policy.feePercent);
    amountFen += priceFen - fee;
    feeFen += fee;
    units.set(ticket.productId, (units.get(ticket.productId) ?? 0) + 1);
  }
  if (order.kind === "yearcard") {
    // One card per order: its insurance premium is refunded with it, in full.
    amountFen += order.items.filter((i) => i.itemKind === "insurance").reduce((sum, i) => sum + i.amountFen, 0);
  }
  return {
    ok: true,
    plan: {
      tickets: chosen.map((t) => t.code).sort(),
      amountFen,
      feeFen,
      stock: [...units].map(([productId, n]) => ({ productId, units: n })),
    },
  };
}

/** SPEC §10: tickets until the visit day ends (or the day before); annual cards before their effect date only. */
export function withinDeadline(kind: RefundOrder["kind"], deadline: RefundPolicy["deadline"], effectDate: string, today: string): boolean {
  if (kind === "yearcard" || deadline === "before_visit_day") return today < effectDate;
  return today <= effectDate;
}

/**
 * The order status a partner is told once refunds exist: `paid` until a
 * ticket is refunded, `partially_refunded` while some are, `refunded` once
 * all are (SPEC §10 status words).
 */
export function refundedStatus(refundedUnits: number, ticketUnits: number): "paid" | "partially_refunded" | "refunded" {
  if (refundedUnits <= 0) return "paid";
  return refundedUnits >= ticketUnits ? "refunded" : "partially_refunded";
}
