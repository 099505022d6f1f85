/**
 * The gate's rules (src/domain/gate.ts, SPEC §10 核销), one case a line:
 * admission or the refusal in precedence order (used, refunded, order not
 * paid, a product this gate does not admit, not valid today, outside its
 * slot), with days and minutes in Asia/Shanghai; and what a gate token names.
 */
import { describe, expect, it } from "vitest";
import { admission, gateIdOfToken, makeGateToken, type TicketAtGate } from "../../src/domain/gate";

/** Asia/Shanghai hh:mm on yyyy-MM-dd as an instant. */
const at = (date: string, hh: number, mm: number) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), hh - 8, mm);
const DAY = "20261210";
const NOON = at(DAY, 12, 0);
const ticket = (over: Partial<TicketAtGate> = {}): TicketAtGate => ({ status: "valid", orderStatus: "paid", productId: "P", productKind: "ticket", effectDate: DAY, slot: null, ...over });
const card = (effectDate: string) => ticket({ productKind: "yearcard", effectDate });
const slot = (start: [number, number], end: [number, number]) => ({ startMinute: start[0] * 60 + start[1], endMinute: end[0] * 60 + end[1] });

describe("admission", () => {
  it.each<[label: string, ticket: TicketAtGate, gateProducts: string[] | null, nowMs: number, expected: string | null]>([
    ["used, before anything else", ticket({ status: "used", orderStatus: "cancelled", effectDate: "20200101" }), ["X"], NOON, "ticketAlreadyUsed"],
    ["refunded, before the order's state", ticket({ status: "refunded", orderStatus: "cancelled" }), null, NOON, "ticketRefundedAtGate"],
    ["the order not paid, before the gate's products", ticket({ orderStatus: "unpaid" }), ["X"], NOON, "ticketOrderNotPaid"],
    ["a product this gate does not admit, before the day", ticket({ effectDate: "20200101" }), ["X", "Y"], NOON, "gateNotForProduct"],
    ["a gate with an empty list admits nothing", ticket(), [], NOON, "gateNotForProduct"],
    ["another day, before the slot", ticket({ slot: slot([0, 0], [0, 1]) }), null, at("20261211", 12, 0), "ticketNotValidToday"],
    ["the day before", ticket(), null, at("20261209", 23, 59), "ticketNotValidToday"],
    ["before the slot opens", ticket({ slot: slot([13, 0], [17, 0]) }), null, at(DAY, 12, 59), "ticketOutsideSlot"],
    ["as the slot ends", ticket({ slot: slot([13, 0], [17, 0]) }), null, at(DAY, 17, 0), "ticketOutsideSlot"],
    ["an annual card the day before its effect date", card(DAY), null, at("20261209", 12, 0), "ticketNotValidToday"],
    ["an annual card the day after its 365th", card(DAY), null, at("20271210", 0, 0), "ticketNotValidToday"],
    ["an annual card across a leap day: 365 days, so not the calendar year's last", card("20270301"), null, at("20280229", 12, 0), "ticketNotValidToday"],
    ["admitted: any gate, on its day", ticket(), null, NOON, null],
    ["admitted: a gate that lists its product", ticket(), ["X", "P"], NOON, null],
    ["admitted: Shanghai midnight begins its day (UTC is on the day before)", ticket(), null, at(DAY, 0, 0), null],
    ["admitted: the last minute of its day", ticket(), null, at(DAY, 23, 59), null],
    ["admitted: as the slot opens", ticket({ slot: slot([13, 0], [17, 0]) }), null, at(DAY, 13, 0), null],
    ["admitted: the slot's last minute", ticket({ slot: slot([13, 0], [17, 0]) }), null, at(DAY, 16, 59), null],
    ["admitted: an annual card on its effect date", card(DAY), null, at(DAY, 0, 0), null],
    ["admitted: an annual card on its 365th day", card(DAY), null, at("20271209", 23, 59), null],
    ["admitted: an annual card across a leap day, on its 365th day", card("20270301"), null, at("20280228", 12, 0), null],
  ])("%s", (_label, t, gateProducts, nowMs, expected) => {
    expect(admission(t, gateProducts, nowMs)).toBe(expected);
  });
});

describe("gate tokens", () => {
  const secret = new Uint8Array(32).fill(7);
  const good = makeGateToken("GATE-01", secret);
  const [, id, tail] = good.split(".") as [string, string, string];
  it.each<[label: string, token: string, gateId: string | null]>([
    ["a token names its gate", good, "GATE-01"],
    ["another version", `g2.${id}.${tail}`, null],
    ["a session token's shape", `t1.${id}.${tail}`, null],
    ["a short secret part", `g1.${id}.${tail.slice(1)}`, null],
    ["a fourth part", `${good}.x`, null],
    ["a gate id with a character outside [A-Za-z0-9_-]", makeGateToken("GATE 01", secret), null],
    ["a gate id of 37 characters", makeGateToken("G".repeat(37), secret), null],
    ["a gate id of 36 characters", makeGateToken("G".repeat(36), secret), "G".repeat(36)],
    ["not base64url", `g1.@@@.${tail}`, null],
    ["empty", "", null],
  ])("%s", (_label, token, gateId) => {
    expect(gateIdOfToken(token)).toBe(gateId);
  });

  it("asserts 32 random bytes (a programmer error)", () => {
    expect(() => makeGateToken("GATE-01", new Uint8Array(16))).toThrow(/32 bytes/);
  });
});
