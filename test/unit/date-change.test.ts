/** The rules of moving a paid order (domain/date-change.ts): precedence, retries, slots and prices. */
import { describe, expect, it } from "vitest";
import { makeChangeId, moveVerdict, priceDiffers, slotToAsk, type OrderToMove } from "../../src/domain/date-change";

const paid: OrderToMove = { kind: "ticket", status: "paid", effectDate: "20261210", timespanIndex: null, tickets: [{ status: "valid" }, { status: "valid" }] };
const ask = { toDate: "20261212", toTimespan: null, today: "20261202" };

describe("moveVerdict", () => {
  it.each<[string, Partial<OrderToMove>, Partial<typeof ask>, string]>([
    ["a paid ticket order moves", {}, {}, "move"],
    ["an annual card, before anything else", { kind: "yearcard", status: "unpaid" }, {}, "dateChangeNotForYearcard"],
    ["unpaid", { status: "unpaid" }, {}, "dateChangeNotPaid"],
    ["cancelled, even with its day over", { status: "cancelled", effectDate: "20261101" }, {}, "dateChangeNotPaid"],
    ["a used ticket", { tickets: [{ status: "valid" }, { status: "used" }] }, {}, "dateChangeTicketsNotValid"],
    ["a refunded ticket, before the day over", { tickets: [{ status: "refunded" }], effectDate: "20261101" }, {}, "dateChangeTicketsNotValid"],
    ["no tickets at all", { tickets: [] }, {}, "dateChangeTicketsNotValid"],
    ["the visit day over", { effectDate: "20261201" }, {}, "dateChangeVisitDayOver"],
    ["the visit day is today: still movable", { effectDate: "20261202" }, {}, "move"],
    ["the new day past", {}, { toDate: "20261201" }, "effectDatePast"],
    ["the new day is today", {}, { toDate: "20261202" }, "move"],
    ["already there (a retry)", {}, { toDate: "20261210" }, "already"],
    ["already there, -1 asks nothing new", { timespanIndex: 2 }, { toDate: "20261210", toTimespan: -1 } as never, "already"],
    ["the same day, another slot", { timespanIndex: 2 }, { toDate: "20261210", toTimespan: 1 } as never, "move"],
    ["the same day, the same slot", { timespanIndex: 2 }, { toDate: "20261210", toTimespan: 2 } as never, "already"],
  ])("%s", (_what, order, over, expected) => {
    expect(moveVerdict({ ...paid, ...order }, { ...ask, ...over })).toBe(expected);
  });
});

describe("slots and prices", () => {
  it.each<[label: string, ordersSlot: number | null, asked: number | null, expected: number]>([
    ["the slot named, over the order's own", 2, 3, 3],
    ["else the order's own", 2, null, 2],
    ["else the earliest with room", null, null, -1],
    ["-1 named: the earliest with room", null, -1, -1],
  ])("asks for %s", (_label, ordersSlot, asked, expected) => {
    expect(slotToAsk({ timespanIndex: ordersSlot }, asked)).toBe(expected);
  });

  const lines = [{ productId: "A", unitPriceFen: 3000 }, { productId: "B", unitPriceFen: 4550 }];
  it.each<[label: string, newPrices: [string, number][], expected: ReturnType<typeof priceDiffers>]>([
    ["the same prices: nothing", [["A", 3000], ["B", 4550]], null],
    ["one fen more on the second line: that line", [["A", 3000], ["B", 4551]], { productId: "B", paidFen: 4550, newFen: 4551 }],
  ])("names the first line the new day sells at another price, to the fen: %s", (_label, newPrices, expected) => {
    expect(priceDiffers(lines, new Map(newPrices))).toEqual(expected);
  });

  it("asserts a price for every line's product (a programmer error)", () => {
    expect(() => priceDiffers(lines, new Map([["A", 3000]]))).toThrow(/no price for B/);
  });

  it("change ids are the order id and hex", () => {
    expect(makeChangeId("20261202123456789012", new Uint8Array([0, 15, 160, 255]))).toBe("20261202123456789012.000fa0ff");
  });
});
