/**
 * The rules a calendar-ticket order must pass before it may hold stock
 * (SPEC §5.5, §7; seed douyin-calendarticket-order-verify.txt), and what it
 * will cost: per-date price, else the product's price.
 *
 * Checks run line by line in request order; within a line: the product, its
 * day, identification, real-name, seats. Order-wide: the order-level ID
 * number, then per-order maximums. Stock and daily limits need live counts
 * and are checked by the caller with `stockAsks` and `limits.ts`.
 *
 * Pure: no I/O, no clock (today comes in as yyyyMMdd).
 */
import type { ResultKey } from "./codes";
import { checkIdentification, isIdType, normalizeIdNumber, RESIDENT_ID_TYPE, type IdType } from "./idcard";
import { MAX_TICKETS_PER_ORDER } from "./orders";

/** What the rules need of a product (db/products.ts `Product` fits). */
export interface ProductRules {
  productId: string;
  kind: "ticket" | "yearcard" | "retail";
  priceFen: number;
  realName: boolean;
  maxPerOrder: number | null;
  limitPerIdPerDay: number | null;
  limitPerMobilePerDay: number | null;
  onSale: boolean;
}

/** What the rules need of a calendar day (db/products.ts `CalendarDay` fits). */
export interface DayRules {
  priceFen: number | null;
}

export interface OrderLineInput {
  productid: string;
  amount: number;
  identificationnumber?: string | null;
  fullname?: string | null;
  identificationtype?: string | null;
  mobile?: string | null;
  seatitems?: readonly { seatid?: string | null }[] | null;
}

export interface OrderInput {
  orderdetails: readonly OrderLineInput[];
  mobile: string;
  identificationnumber?: string | null;
  effectdate: string;
}

export interface PlannedLine {
  lineNo: number;
  productId: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  fullname: string | null;
  idType: IdType | null;
  /** The guest's own document; limits fall back to the order's ID number (`limitId`). */
  idNumber: string | null;
  /** The ID number this line counts against for the per-ID daily limit. */
  limitId: string | null;
  /** The line's mobile, else the order's: what the per-mobile daily limit counts. */
  mobile: string;
  seatIds: string[];
}

/** One product's share of the order: what its InventoryDO must hold. */
export interface StockRequest {
  productId: string;
  quantity: number;
  seatIds: string[];
}

export interface OrderPlan {
  lines: PlannedLine[];
  amountFen: number;
  stock: StockRequest[];
}

export interface RuleRefusal {
  key: ResultKey;
  /** 1-based line of orderdetails the refusal is about; absent for order-wide rules. */
  lineNo?: number;
  /** Extra words for the guest (a limit's number, the expected value). */
  detail?: string;
}

export type PlanResult = { ok: true; plan: OrderPlan } | { ok: false; refusal: RuleRefusal };

export function planTicketOrder(
  input: OrderInput,
  products: ReadonlyMap<string, ProductRules>,
  days: ReadonlyMap<string, DayRules>,
  today: string,
): PlanResult {
  if (input.effectdate < today) return refused({ key: "effectDatePast" });
  // The order-level number is, per the seed, a 身份证号 for picking tickets up.
  const orderIdText = blankToNull(input.identificationnumber);
  if (orderIdText !== null) {
    const problem = checkIdentification(RESIDENT_ID_TYPE, orderIdText, today);
    if (problem) return refused({ key: problem, detail: "订单证件号码" });
  }
  const orderIdNumber = orderIdText === null ? null : normalizeIdNumber(orderIdText);
  const lines: PlannedLine[] = [];
  for (const [index, line] of input.orderdetails.entries()) {
    const lineNo = index + 1;
    const product = products.get(line.productid);
    const sellable = checkSellable(product, days.get(line.productid), "ticket");
    if (sellable) return refused({ key: sellable, lineNo });
    const planned = planLine(line, lineNo, product!, days.get(line.productid)!, { mobile: input.mobile, idNumber: orderIdNumber }, today);
    if (!planned.ok) return planned;
    lines.push(planned.line);
  }
  const wide = checkOrderWide(lines, products);
  if (wide) return refused(wide);
  return { ok: true, plan: { lines, amountFen: sum(lines.map((l) => l.amountFen)), stock: stockRequests(lines) } };
}

/** SPEC §5.5 "exists and is on sale for effectdate": a 'ticket' needs a calendar row for the day. */
export function checkSellable(product: ProductRules | undefined, day: DayRules | undefined, kind: "ticket" | "yearcard"): ResultKey | null {
  if (!product) return "orderProductNotFound";
  if (product.kind !== kind) return "productKindMismatch";
  if (!product.onSale) return "productNotOnSale";
  if (kind === "ticket" && !day) return "productNotOnSaleThatDay";
  return null;
}

type LineResult = { ok: true; line: PlannedLine } | { ok: false; refusal: RuleRefusal };

function planLine(
  line: OrderLineInput,
  lineNo: number,
  product: ProductRules,
  day: DayRules,
  order: { mobile: string; idNumber: string | null },
  today: string,
): LineResult {
  const id = resolveIdentification(line.identificationtype, line.identificationnumber, today);
  if (!id.ok) return refused({ key: id.key, lineNo });
  const fullname = blankToNull(line.fullname);
  if (product.realName) {
    // One guest, one ticket, one document (实名制): each unit is its own line.
    if (id.number === null) return refused({ key: "realNameIdRequired", lineNo });
    if (line.amount !== 1) return refused({ key: "realNameOnePerLine", lineNo });
    if (fullname === null) return refused({ key: "realNameFullnameRequired", lineNo });
  }
  const seatIds = (line.seatitems ?? []).map((s) => (s.seatid ?? "").trim());
  if (seatIds.length > 0 && (seatIds.length !== line.amount || seatIds.includes(""))) {
    return refused({ key: "seatCountMismatch", lineNo });
  }
  const unitPriceFen = day.priceFen ?? product.priceFen;
  return {
    ok: true,
    line: {
      lineNo,
      productId: product.productId,
      quantity: line.amount,
      unitPriceFen,
      amountFen: unitPriceFen * line.amount,
      fullname,
      idType: id.type,
      idNumber: id.number,
      limitId: id.number ?? order.idNumber,
      mobile: blankToNull(line.mobile) ?? order.mobile,
      seatIds,
    },
  };
}

type IdResolution = { ok: true; type: IdType | null; number: string | null } | { ok: false; key: ResultKey };

/** A type needs a number; a number without a type is a resident ID (type '1'). */
export function resolveIdentification(typeText: string | null | undefined, numberText: string | null | undefined, today: string): IdResolution {
  const number = blankToNull(numberText);
  const given = blankToNull(typeText);
  if (number === null) return given === null ? { ok: true, type: null, number: null } : { ok: false, key: "idNumberMissing" };
  // The schema admits only the seed's types; anything else is a programmer error.
  const type = given ?? RESIDENT_ID_TYPE;
  if (!isIdType(type)) throw new Error(`identificationtype ${type} passed the schema`);
  const problem = checkIdentification(type, number, today);
  return problem ? { ok: false, key: problem } : { ok: true, type, number: normalizeIdNumber(number) };
}

function checkOrderWide(lines: readonly PlannedLine[], products: ReadonlyMap<string, ProductRules>): RuleRefusal | null {
  const seen = { ids: new Set<string>(), seats: new Set<string>() };
  for (const line of lines) {
    if (products.get(line.productId)!.realName) {
      const key = `${line.productId}\u0000${line.idNumber}`;
      if (seen.ids.has(key)) return { key: "realNameIdDuplicate", lineNo: line.lineNo };
      seen.ids.add(key);
    }
    for (const seat of line.seatIds) {
      const key = `${line.productId}\u0000${seat}`;
      if (seen.seats.has(key)) return { key: "seatDuplicate", lineNo: line.lineNo, detail: seat };
      seen.seats.add(key);
    }
  }
  if (sum(lines.map((l) => l.quantity)) > MAX_TICKETS_PER_ORDER) return { key: "orderTooLarge", detail: `最多${MAX_TICKETS_PER_ORDER}张` };
  for (const request of stockRequests(lines)) {
    const max = products.get(request.productId)!.maxPerOrder;
    if (max !== null && request.quantity > max) return { key: "maxPerOrderExceeded", detail: `${request.productId}每单限购${max}张` };
  }
  return null;
}

/** Lines of one product add up: one InventoryDO hold per product and day. */
export function stockRequests(lines: readonly PlannedLine[]): StockRequest[] {
  const byProduct = new Map<string, StockRequest>();
  for (const line of lines) {
    const request = byProduct.get(line.productId) ?? { productId: line.productId, quantity: 0, seatIds: [] };
    request.quantity += line.quantity;
    request.seatIds.push(...line.seatIds);
    byProduct.set(line.productId, request);
  }
  return [...byProduct.values()];
}

/** The guest-facing message of a refusal: the table's words, the line, the detail. */
export function refusalMessage(refusal: RuleRefusal, tableMessage: string): string {
  const where = refusal.lineNo === undefined ? "" : `第${refusal.lineNo}条明细：`;
  return `${where}${tableMessage}${refusal.detail ? `（${refusal.detail}）` : ""}`;
}

export function blankToNull(text: string | null | undefined): string | null {
  return text == null || text.trim() === "" ? null : text.trim();
}

function refused(refusal: RuleRefusal): { ok: false; refusal: RuleRefusal } {
  return { ok: false, refusal };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
