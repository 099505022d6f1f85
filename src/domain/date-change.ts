/**
 * Moving a paid order to another day (SPEC §10 Order/ChangeDate): whether
 * the order may move, and whether the new day sells its tickets at the
 * price paid. Pure: the order as D1 has it, the new day's prices and the
 * business date come in; the answer is a refusal key in precedence order,
 * "already" (the order is where it was asked to be: a retry), or "move".
 */
import type { ResultKey } from "./codes";

/** A change id: the order's id and random hex (the new day's hold key, and D1's order_date_changes row). */
export function makeChangeId(orderId: string, random: Uint8Array): string {
  return `${orderId}.${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
export const CHANGE_ID_RANDOM_BYTES = 4;

/**
 * How long the new day holds the units for a change whose D1 batch has not
 * been confirmed: past it, the object asks D1 (and fences the change id).
 */
export const DATE_CHANGE_HOLD_MS = 60_000;

export interface OrderToMove {
  kind: "ticket" | "yearcard";
  status: "unpaid" | "paid" | "expired" | "cancelled";
  effectDate: string;
  timespanIndex: number | null;
  tickets: readonly { status: "valid" | "used" | "refunded" }[];
}

export interface MoveAsk {
  toDate: string;
  /** The slot asked for; null: the order's own slot, or any when it has none. */
  toTimespan: number | null;
  /** The business date now (Asia/Shanghai, yyyyMMdd). */
  today: string;
}

export type MoveVerdict = ResultKey | "already" | "move";

/**
 * In precedence order: an annual card; not paid; a ticket used or
 * refunded; the visit day over; the new day past; else the order is
 * already there (the same day, and the same slot when one is asked), or moves.
 */
export function moveVerdict(order: OrderToMove, ask: MoveAsk): MoveVerdict {
  if (order.kind === "yearcard") return "dateChangeNotForYearcard";
  if (order.status !== "paid") return "dateChangeNotPaid";
  if (order.tickets.length === 0 || order.tickets.some((t) => t.status !== "valid")) return "dateChangeTicketsNotValid";
  if (order.effectDate < ask.today) return "dateChangeVisitDayOver";
  if (ask.toDate < ask.today) return "effectDatePast";
  const sameSlot = ask.toTimespan === null || ask.toTimespan === -1 || ask.toTimespan === order.timespanIndex;
  return ask.toDate === order.effectDate && sameSlot ? "already" : "move";
}

/** The slot to ask the new day for: the one named, else the order's own, else the earliest with room (-1). */
export function slotToAsk(order: { timespanIndex: number | null }, toTimespan: number | null): number | null {
  return toTimespan ?? order.timespanIndex ?? -1;
}

/**
 * The first ticket line whose product the new day sells at another price
 * than was paid (the day's price, else the product's), or null.
 */
export function priceDiffers(
  lines: readonly { productId: string; unitPriceFen: number }[],
  priceOnDay: ReadonlyMap<string, number>,
): { productId: string; paidFen: number; newFen: number } | null {
  for (const line of lines) {
    const newFen = priceOnDay.get(line.productId);
    if (newFen === undefined) throw new Error(`no price for ${line.productId} on the new day`);
    if (newFen !== line.unitPriceFen) return { productId: line.productId, paidFen: line.unitPriceFen, newFen };
  }
  return null;
}
