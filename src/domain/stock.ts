/**
 * Where a request for tickets fits in one product's day: the day's stock and
 * its time slots (seed douyin-calendarticket-order-verify.txt, timespanindex:
 * n = that slot, which must exist, be open and have room; -1 = the earliest
 * slot with room; without slots configured the value "没有意义" and is
 * ignored). Used by InventoryDO for holds and for Verify's dry run.
 *
 * Pure: usage and the current minute come in as arguments.
 */
import { parseTimeOfDay } from "./dates";

/** timespanindex asking for "the earliest slot with room". */
export const AUTO_TIMESLOT = -1;

export interface SlotConfig {
  index: number;
  /** Minutes since midnight, Asia/Shanghai. */
  startMinute: number;
  endMinute: number;
  capacity: number;
}

export interface DayStock {
  stock: number;
  /** Empty: the day is not sold by time slot. */
  slots: readonly SlotConfig[];
}

/** Units held or sold: the whole day, and per slot index. */
export interface Usage {
  day: number;
  bySlot: ReadonlyMap<number, number>;
}

export interface StockAsk {
  quantity: number;
  timespanIndex: number | null;
  /**
   * When the day is today: slots ending at or before this minute are over.
   * null for a later day.
   */
  closedBeforeMinute: number | null;
}

export type StockRefusal =
  | "stockSoldOut"
  | "timeslotRequired"
  | "timeslotNotFound"
  | "timeslotSoldOut"
  | "timeslotEnded"
  | "noTimeslotAvailable";

export type Placement = { ok: true; slotIndex: number | null } | { ok: false; reason: StockRefusal };

/** Chooses the slot (or none) for `ask`, or says why it does not fit. */
export function placeInStock(day: DayStock, usage: Usage, ask: StockAsk): Placement {
  if (!Number.isSafeInteger(ask.quantity) || ask.quantity < 1) throw new Error(`quantity must be a positive integer, got ${ask.quantity}`);
  const dayFits = usage.day + ask.quantity <= day.stock;
  if (day.slots.length === 0) return dayFits ? { ok: true, slotIndex: null } : { ok: false, reason: "stockSoldOut" };
  if (ask.timespanIndex === null) return { ok: false, reason: "timeslotRequired" };

  const open = (slot: SlotConfig) => ask.closedBeforeMinute === null || slot.endMinute > ask.closedBeforeMinute;
  const room = (slot: SlotConfig) => (usage.bySlot.get(slot.index) ?? 0) + ask.quantity <= slot.capacity;

  if (ask.timespanIndex === AUTO_TIMESLOT) {
    if (!dayFits) return { ok: false, reason: "stockSoldOut" };
    const chosen = [...day.slots].sort(byStartThenIndex).find((slot) => open(slot) && room(slot));
    return chosen ? { ok: true, slotIndex: chosen.index } : { ok: false, reason: "noTimeslotAvailable" };
  }
  const slot = day.slots.find((s) => s.index === ask.timespanIndex);
  if (!slot) return { ok: false, reason: "timeslotNotFound" };
  if (!open(slot)) return { ok: false, reason: "timeslotEnded" };
  if (!dayFits) return { ok: false, reason: "stockSoldOut" };
  return room(slot) ? { ok: true, slotIndex: slot.index } : { ok: false, reason: "timeslotSoldOut" };
}

function byStartThenIndex(a: SlotConfig, b: SlotConfig): number {
  return a.startMinute - b.startMinute || a.index - b.index;
}

/** Admin time slots ({index, start "HH:mm", end "HH:mm", capacity}) as minutes. */
export function slotsFromTimes(slots: readonly { index: number; start: string; end: string; capacity: number }[] | null): SlotConfig[] {
  return (slots ?? []).map((s) => {
    const startMinute = parseTimeOfDay(s.start);
    const endMinute = parseTimeOfDay(s.end);
    if (startMinute === null || endMinute === null) throw new Error(`slot ${s.index} has a malformed time`);
    return { index: s.index, startMinute, endMinute, capacity: s.capacity };
  });
}

/** Units still free in the day and per slot (never negative: stock may be lowered below usage). */
export function remaining(day: DayStock, usage: Usage): { day: number; bySlot: Map<number, number> } {
  const bySlot = new Map(day.slots.map((s) => [s.index, Math.max(0, s.capacity - (usage.bySlot.get(s.index) ?? 0))]));
  return { day: Math.max(0, day.stock - usage.day), bySlot };
}
