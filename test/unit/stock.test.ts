/**
 * Where a request fits in a day (seed: timespanindex n = that slot, -1 = the
 * earliest slot with room, ignored without slots). One line per case, with
 * the expected slot or refusal.
 */
import { describe, expect, it } from "vitest";
import { placeInStock, slotsFromTimes, type DayStock, type StockAsk } from "../../src/domain/stock";

const slots = slotsFromTimes([
  { index: 2, start: "13:00", end: "17:00", capacity: 10 },
  { index: 1, start: "09:00", end: "12:00", capacity: 10 },
  { index: 3, start: "18:00", end: "20:00", capacity: 10 },
]);
const slotted: DayStock = { stock: 25, slots };
const plain: DayStock = { stock: 10, slots: [] };
const usage = (day: number, bySlot: [number, number][] = []) => ({ day, bySlot: new Map(bySlot) });
const ask = (quantity: number, timespanIndex: number | null, closedBeforeMinute: number | null = null): StockAsk => ({ quantity, timespanIndex, closedBeforeMinute });

describe("placeInStock", () => {
  it.each([
    ["no slots: fits", plain, usage(8), ask(2, null), { ok: true, slotIndex: null }],
    ["no slots: timespanindex is ignored", plain, usage(0), ask(1, 7), { ok: true, slotIndex: null }],
    ["no slots: one too many", plain, usage(9), ask(2, null), { ok: false, reason: "stockSoldOut" }],
    ["no slots, no stock", { stock: 0, slots: [] }, usage(0), ask(1, null), { ok: false, reason: "stockSoldOut" }],
    ["slots: timespanindex missing", slotted, usage(0), ask(1, null), { ok: false, reason: "timeslotRequired" }],
    ["slots: slot n with room", slotted, usage(0), ask(10, 2), { ok: true, slotIndex: 2 }],
    ["slots: slot n full", slotted, usage(9, [[2, 9]]), ask(2, 2), { ok: false, reason: "timeslotSoldOut" }],
    ["slots: slot 0 does not exist", slotted, usage(0), ask(1, 0), { ok: false, reason: "timeslotNotFound" }],
    ["slots: slot 9 does not exist", slotted, usage(0), ask(1, 9), { ok: false, reason: "timeslotNotFound" }],
    ["slots: slot n ended today", slotted, usage(0), ask(1, 1, 12 * 60), { ok: false, reason: "timeslotEnded" }],
    ["slots: slot n still open today", slotted, usage(0), ask(1, 1, 12 * 60 - 1), { ok: true, slotIndex: 1 }],
    ["slots: slot has room but the day does not", slotted, usage(25, [[1, 5], [2, 10], [3, 10]]), ask(1, 1), { ok: false, reason: "stockSoldOut" }],
    ["auto: the earliest by start time, not by index", slotted, usage(0), ask(3, -1), { ok: true, slotIndex: 1 }],
    ["auto: skips a full slot", slotted, usage(10, [[1, 10]]), ask(1, -1), { ok: true, slotIndex: 2 }],
    ["auto: skips a slot without room for all", slotted, usage(8, [[1, 8]]), ask(3, -1), { ok: true, slotIndex: 2 }],
    ["auto: skips ended slots", slotted, usage(0), ask(1, -1, 17 * 60), { ok: true, slotIndex: 3 }],
    ["auto: nothing left today", slotted, usage(0), ask(1, -1, 20 * 60), { ok: false, reason: "noTimeslotAvailable" }],
    ["auto: every slot too small", slotted, usage(0), ask(11, -1), { ok: false, reason: "noTimeslotAvailable" }],
    ["auto: the day is sold out", slotted, usage(25), ask(1, -1), { ok: false, reason: "stockSoldOut" }],
  ] as const)("%s", (_label, day, used, request, expected) => {
    expect(placeInStock(day, used, request)).toEqual(expected);
  });

  it("asserts a positive quantity (a programmer error, not a partner's)", () => {
    expect(() => placeInStock(plain, usage(0), ask(0, null))).toThrow();
  });
});
