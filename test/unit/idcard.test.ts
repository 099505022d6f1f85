/**
 * Resident IDs (GB 11643-1999: region, birth date, sequence, MOD 11-2 check
 * character) and the type/number consistency of SPEC §5.5; order ids, the
 * status a partner sees and whether an order still counts. Pure functions,
 * no bindings.
 */
import { describe, expect, it } from "vitest";
import { checkIdentification, parseResidentId, residentIdCheckChar } from "../../src/domain/idcard";
import { isLive, makeOrderId, visibleStatus, type OrderStatus } from "../../src/domain/orders";

const TODAY = "20261126";

describe("GB 11643 check character", () => {
  // Published examples: the standard's own sample, and two widely quoted numbers.
  it.each([
    ["11010519491231002", "X"],
    ["44052418800101001", "4"],
    ["11010119900307447", "7"],
  ])("%s → %s", (first17, check) => {
    expect(residentIdCheckChar(first17)).toBe(check);
  });
});

describe("parseResidentId", () => {
  it.each([
    ["the standard's sample (female, 1949-12-31)", "11010519491231002X", { birthDate: "19491231", sex: "W" }],
    ["a lower-case x is the same X", "11010519491231002x", { birthDate: "19491231", sex: "W" }],
    ["a male (odd 17th digit)", "110101199003074477", { birthDate: "19900307", sex: "M" }],
    ["born today", `110101${TODAY}0015`, null],
  ])("accepts %s", (_label, id, expected) => {
    const parsed = parseResidentId(id.length === 17 ? id + residentIdCheckChar(id) : fix(id), TODAY);
    expect(parsed.ok).toBe(true);
    if (expected && parsed.ok) expect(parsed.id).toEqual(expected);
  });

  it.each([
    ["a wrong check character", "110105194912310021", "residentIdChecksum"],
    ["15 digits (first generation, retired 2013)", "110105491231002", "residentIdFormat"],
    ["17 digits", "11010519491231002", "residentIdFormat"],
    ["19 digits", "11010519491231002X1", "residentIdFormat"],
    ["letters inside", "11010519491231A02X", "residentIdFormat"],
    ["X not last", "1101051949123100X2", "residentIdFormat"],
    ["a region that is no province (00)", fix("000105194912310020"), "residentIdFormat"],
    ["February 30", fix("110105194902300020"), "residentIdBirthDate"],
    ["month 13", fix("110105194913010020"), "residentIdBirthDate"],
    ["born tomorrow", fix("110101202611270020"), "residentIdBirthDate"],
    ["born before 1900", fix("110101189912310020"), "residentIdBirthDate"],
  ])("refuses %s", (_label, id, problem) => {
    expect(parseResidentId(id, TODAY)).toEqual({ ok: false, problem });
  });
});

describe("checkIdentification: the number must fit the type", () => {
  it.each([
    ["1", "11010519491231002X", null],
    ["1", "E12345678", "residentIdFormat"],
    ["2", "E12345678", null],
    ["2", "H1234567(8)", null],
    ["2", "E1", "idNumberFormat"],
    ["2", "护照号码123", "idNumberFormat"],
    ["4", "20230001", null],
    ["9", "X-1234", null],
  ] as const)("type %s, number %s → %s", (type, number, problem) => {
    expect(checkIdentification(type, number, TODAY)).toBe(problem);
  });
});

describe("order ids", () => {
  const now = Date.UTC(2026, 10, 26, 20, 0); // 04:00 on the 27th in Shanghai

  it("are the Shanghai creation date and 12 random digits: 20 characters", () => {
    const id = makeOrderId(now, new Uint8Array(8).fill(255));
    expect(id).toMatch(/^20261127\d{12}$/);
    expect(id).toHaveLength(20);
  });

  it("spread over the whole space: 1,000 ids from random bytes are distinct and not in sequence", () => {
    const ids = Array.from({ length: 1000 }, () => makeOrderId(now, crypto.getRandomValues(new Uint8Array(8))));
    expect(new Set(ids).size).toBe(1000);
    const tails = ids.map((id) => Number(id.slice(8)));
    const steps = tails.slice(1).map((t, i) => Math.abs(t - tails[i]!));
    expect(steps.filter((s) => s < 1000)).toHaveLength(0);
  });

  it("refuses the wrong amount of randomness (a programmer error)", () => {
    expect(() => makeOrderId(now, new Uint8Array(4))).toThrow();
  });
});

describe("visibleStatus", () => {
  it.each([
    ["unpaid", 2000, 1000, "unpaid"],
    ["unpaid", 1000, 1000, "expired"],
    ["paid", 1000, 5000, "paid"],
    ["cancelled", 1000, 5000, "cancelled"],
    ["expired", 5000, 1000, "expired"],
  ] as const)("%s with expiry %d at %d reads %s", (status, expiresAtMs, nowMs, seen) => {
    expect(visibleStatus(status, expiresAtMs, nowMs)).toBe(seen);
  });

  it.each<[status: OrderStatus, refunded: { units: number; ticketUnits: number }, seen: string]>([
    ["paid", { units: 0, ticketUnits: 3 }, "paid"],
    ["paid", { units: 1, ticketUnits: 3 }, "partially_refunded"],
    ["paid", { units: 3, ticketUnits: 3 }, "refunded"],
    ["unpaid", { units: 3, ticketUnits: 3 }, "unpaid"],
    ["cancelled", { units: 3, ticketUnits: 3 }, "cancelled"],
  ])("%s with refunds %o reads %s", (status, refunded, seen) => {
    expect(visibleStatus(status, 2000, 1000, refunded)).toBe(seen);
  });
});

describe("isLive: counts against stock and limits (SPEC §5.5)", () => {
  it.each<[status: OrderStatus, expiresAtMs: number, nowMs: number, live: boolean]>([
    ["paid", 1000, 5000, true],
    ["unpaid", 1001, 1000, true],
    ["unpaid", 1000, 1000, false],
    ["expired", 5000, 1000, false],
    ["cancelled", 5000, 1000, false],
  ])("%s with expiry %d at %d → %s", (status, expiresAtMs, nowMs, live) => {
    expect(isLive(status, expiresAtMs, nowMs)).toBe(live);
  });
});

/** Gives an 18-character number its correct check character. */
function fix(id: string): string {
  return id.slice(0, 17) + residentIdCheckChar(id.slice(0, 17));
}
