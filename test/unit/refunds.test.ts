/**
 * Refunding a paid order's tickets (src/domain/refunds.ts, SPEC §10), one
 * case a line: planRefund's refusals in precedence order (the order's state,
 * tickets not of the order, tickets no longer valid, nothing left, the
 * product's policy, its deadline), the plans it accepts in fen, and the
 * fee, deadline and status rules on their own.
 */
import { describe, expect, it } from "vitest";
import { planRefund, refundedStatus, refundFeeFen, withinDeadline, type RefundOrder, type RefundPolicy, type RefundRefusal, type RefundRequest } from "../../src/domain/refunds";

const DAY = "20261210";
const DAY_BEFORE = "20261209";
const DAY_AFTER = "20261211";

/** Line 1: P at 50.00 × 3 (T1, T2 valid; TU used); line 2: Q at 33.35 × 2 (T3 valid; TR refunded). */
const ORDER: RefundOrder = {
  kind: "ticket",
  status: "paid",
  effectDate: DAY,
  items: [
    { lineNo: 1, itemKind: "ticket", productId: "P", quantity: 3, unitPriceFen: 5000, amountFen: 15_000 },
    { lineNo: 2, itemKind: "ticket", productId: "Q", quantity: 2, unitPriceFen: 3335, amountFen: 6670 },
  ],
  tickets: [
    { code: "T2", lineNo: 1, productId: "P", status: "valid" },
    { code: "T1", lineNo: 1, productId: "P", status: "valid" },
    { code: "TU", lineNo: 1, productId: "P", status: "used" },
    { code: "T3", lineNo: 2, productId: "Q", status: "valid" },
    { code: "TR", lineNo: 2, productId: "Q", status: "refunded" },
  ],
};
/** An annual card at 299.00 with its insurance, 12.30 × 2. */
const CARD: RefundOrder = {
  kind: "yearcard",
  status: "paid",
  effectDate: DAY,
  items: [
    { lineNo: 1, itemKind: "ticket", productId: "YC", quantity: 1, unitPriceFen: 29_900, amountFen: 29_900 },
    { lineNo: 2, itemKind: "insurance", productId: "YC", quantity: 2, unitPriceFen: 1230, amountFen: 2460 },
  ],
  tickets: [{ code: "C1", lineNo: 1, productId: "YC", status: "valid" }],
};

const policy = (over: Partial<RefundPolicy> = {}): RefundPolicy => ({ allowed: true, deadline: "visit_day_end", feePercent: 0, ...over });
const request = (ticketCodes: string[] | null, over: Partial<RefundRequest> & { policies?: Map<string, RefundPolicy> } = {}): RefundRequest => ({
  ticketCodes,
  today: DAY_BEFORE,
  policies: new Map(),
  ...over,
});
const policies = (entries: Record<string, Partial<RefundPolicy>>) => new Map(Object.entries(entries).map(([id, p]) => [id, policy(p)]));
const withStatus = (status: RefundOrder["status"]): RefundOrder => ({ ...ORDER, status });
const allSpent: RefundOrder = { ...ORDER, tickets: ORDER.tickets.map((t) => ({ ...t, status: t.status === "valid" ? "used" : t.status })) };

describe("planRefund: refusals, in precedence order", () => {
  it.each<[label: string, order: RefundOrder, req: RefundRequest, refusal: RefundRefusal]>([
    ["unpaid, whatever is asked", withStatus("unpaid"), request(["NOPE"]), { key: "orderNotPaid" }],
    ["expired", withStatus("expired"), request(null), { key: "orderExpired" }],
    ["cancelled", withStatus("cancelled"), request(null), { key: "orderCancelled" }],
    ["a ticket not of the order, even listed after a used one", ORDER, request(["TU", "NOPE"]), { key: "ticketNotInOrder", ticket: "NOPE" }],
    ["a used ticket", ORDER, request(["T1", "TU"]), { key: "ticketUsed", ticket: "TU" }],
    ["a refunded ticket", ORDER, request(["TR"]), { key: "ticketRefunded", ticket: "TR" }],
    ["the first spent ticket as asked, not as stored", ORDER, request(["TR", "TU"]), { key: "ticketRefunded", ticket: "TR" }],
    ["an empty list asks for nothing", ORDER, request([]), { key: "nothingToRefund" }],
    ["every ticket spent, none named", allSpent, request(null), { key: "nothingToRefund" }],
    ["the product refunds nothing", ORDER, request(["T3"], { policies: policies({ Q: { allowed: false } }) }), { key: "refundNotAllowed", productId: "Q" }],
    ["not allowed, before the deadline", ORDER, request(["T3"], { today: DAY_AFTER, policies: policies({ Q: { allowed: false } }) }), { key: "refundNotAllowed", productId: "Q" }],
    ["ticket by ticket: the first ticket's deadline before a later one's policy", ORDER, request(null, { today: DAY_AFTER, policies: policies({ Q: { allowed: false } }) }), { key: "refundDeadlinePassed", productId: "P" }],
    ["the visit day ended (visit_day_end)", ORDER, request(["T1"], { today: DAY_AFTER }), { key: "refundDeadlinePassed", productId: "P" }],
    ["the visit day itself (before_visit_day)", ORDER, request(["T1"], { today: DAY, policies: policies({ P: { deadline: "before_visit_day" } }) }), { key: "refundDeadlinePassed", productId: "P" }],
    ["an annual card on its effect date", CARD, request(null, { today: DAY }), { key: "refundDeadlinePassed", productId: "YC" }],
    ["waiving the deadline does not waive the policy", ORDER, request(["T3"], { today: DAY_AFTER, ignoreDeadline: true, policies: policies({ Q: { allowed: false } }) }), { key: "refundNotAllowed", productId: "Q" }],
  ])("%s", (_label, order, req, refusal) => {
    expect(planRefund(order, req)).toEqual({ ok: false, refusal });
  });
});

describe("planRefund: accepted plans, in fen", () => {
  it.each<[label: string, order: RefundOrder, req: RefundRequest, plan: { tickets: string[]; amountFen: number; feeFen: number; stock: { productId: string; units: number }[] }]>([
    ["every valid ticket when none is named, sorted", ORDER, request(null), { tickets: ["T1", "T2", "T3"], amountFen: 13_335, feeFen: 0, stock: [{ productId: "P", units: 2 }, { productId: "Q", units: 1 }] }],
    ["the tickets named, each once", ORDER, request(["T2", "T1", "T2"]), { tickets: ["T1", "T2"], amountFen: 10_000, feeFen: 0, stock: [{ productId: "P", units: 2 }] }],
    ["a fee per ticket, rounded half up", ORDER, request(["T1", "T3"], { policies: policies({ P: { feePercent: 10 }, Q: { feePercent: 10 } }) }), { tickets: ["T1", "T3"], amountFen: 4500 + 3001, feeFen: 500 + 334, stock: [{ productId: "P", units: 1 }, { productId: "Q", units: 1 }] }],
    ["a fee waived by the operator", ORDER, request(["T1"], { waiveFee: true, policies: policies({ P: { feePercent: 10 } }) }), { tickets: ["T1"], amountFen: 5000, feeFen: 0, stock: [{ productId: "P", units: 1 }] }],
    ["on the visit day (visit_day_end)", ORDER, request(["T1"], { today: DAY }), { tickets: ["T1"], amountFen: 5000, feeFen: 0, stock: [{ productId: "P", units: 1 }] }],
    ["the day before (before_visit_day)", ORDER, request(["T1"], { policies: policies({ P: { deadline: "before_visit_day" } }) }), { tickets: ["T1"], amountFen: 5000, feeFen: 0, stock: [{ productId: "P", units: 1 }] }],
    ["past the deadline, waived by the operator", ORDER, request(["T1"], { today: DAY_AFTER, ignoreDeadline: true }), { tickets: ["T1"], amountFen: 5000, feeFen: 0, stock: [{ productId: "P", units: 1 }] }],
    ["an annual card: its insurance back in full, no fee on it", CARD, request(null, { policies: policies({ YC: { feePercent: 10 } }) }), { tickets: ["C1"], amountFen: 29_900 - 2990 + 2460, feeFen: 2990, stock: [{ productId: "YC", units: 1 }] }],
  ])("%s", (_label, order, req, plan) => {
    expect(planRefund(order, req)).toEqual({ ok: true, plan });
  });
});

describe("refundFeeFen: price × percent / 100, half up, in fen", () => {
  it.each<[priceFen: number, feePercent: number, feeFen: number]>([
    [5000, 0, 0],
    [5000, 10, 500],
    [5000, 100, 5000],
    [3335, 10, 334],
    [3334, 10, 333],
    [1, 50, 1],
    [1, 49, 0],
    [0, 30, 0],
  ])("%i fen at %i percent → %i fen", (priceFen, feePercent, feeFen) => {
    expect(refundFeeFen(priceFen, feePercent)).toBe(feeFen);
  });
});

describe("withinDeadline (SPEC §10)", () => {
  it.each<[kind: RefundOrder["kind"], deadline: RefundPolicy["deadline"], today: string, within: boolean]>([
    ["ticket", "visit_day_end", DAY_BEFORE, true],
    ["ticket", "visit_day_end", DAY, true],
    ["ticket", "visit_day_end", DAY_AFTER, false],
    ["ticket", "before_visit_day", DAY_BEFORE, true],
    ["ticket", "before_visit_day", DAY, false],
    ["yearcard", "visit_day_end", DAY_BEFORE, true],
    ["yearcard", "visit_day_end", DAY, false],
    ["yearcard", "before_visit_day", DAY, false],
  ])("a %s, %s, on %s → %s", (kind, deadline, today, within) => {
    expect(withinDeadline(kind, deadline, DAY, today)).toBe(within);
  });
});

describe("refundedStatus: the status words once refunds exist", () => {
  it.each<[refundedUnits: number, ticketUnits: number, status: ReturnType<typeof refundedStatus>]>([
    [0, 3, "paid"],
    [1, 3, "partially_refunded"],
    [2, 3, "partially_refunded"],
    [3, 3, "refunded"],
    [4, 3, "refunded"],
  ])("%i of %i refunded → %s", (refundedUnits, ticketUnits, status) => {
    expect(refundedStatus(refundedUnits, ticketUnits)).toBe(status);
  });
});
