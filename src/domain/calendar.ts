/**
 * The partner calendar's rules (SPEC §10 Product/Calendar): how long a range
 * may be, and what of one product-day a partner may sell now — the rule
 * Order/Add applies (domain/stock.ts `placeInStock`), shown as numbers.
 *
 * Pure: the day's configuration, its usage and the current minute come in
 * as arguments.
 */
import { remaining, type DayStock, type Usage } from "./stock";

/** Days one Product/Calendar request may span, both ends included (SPEC §10: "≤ 90 days"). */
export const CALENDAR_MAX_DAYS = 90;

const DAY_MS = 86_400_000;

/** Days from `begin` to `end` (yyyyMMdd, real dates), both included: 1 for the same day, ≤ 0 when `end` is earlier. */
export function calendarSpanDays(begin: string, end: string): number {
  return Math.round((utcOf(end) - utcOf(begin)) / DAY_MS) + 1;
}

function utcOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
}

export interface SellableDay {
  /** Units one order could still take on the day. */
  available: number;
  /** Per slot, in index order: units still free, 0 once the slot has ended. */
  slots: { index: number; startMinute: number; endMinute: number; available: number }[];
}

/**
 * What may be sold of a day now: stock − (held + sold), never negative;
 * with time slots, each slot's capacity − its usage, 0 for a slot that has
 * ended (today, `closedBeforeMinute`: Add refuses it, timeslotEnded), and
 * the day no more than its open slots can still take together — an order
 * is placed in one slot, so units only an ended slot has left are not for
 * sale.
 */
export function sellableDay(day: DayStock, usage: Usage, closedBeforeMinute: number | null): SellableDay {
  const left = remaining(day, usage);
  const open = (endMinute: number) => closedBeforeMinute === null || endMinute > closedBeforeMinute;
  const slots = [...day.slots]
    .sort((a, b) => a.index - b.index)
    .map((s) => ({ index: s.index, startMinute: s.startMinute, endMinute: s.endMinute, available: open(s.endMinute) ? left.bySlot.get(s.index) ?? 0 : 0 }));
  const available = slots.length === 0 ? left.day : Math.min(left.day, slots.reduce((sum, s) => sum + s.available, 0));
  return { available, slots };
}

/** 570 → "09:30". */
export function timeOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}
