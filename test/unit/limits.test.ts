/**
 * Daily purchase limits (src/domain/limits.ts, SPEC §5.5), one case a line:
 * what an order adds per ID number and per mobile for one product, and the
 * first limit it breaks given what live orders already hold — at the limit
 * is allowed, one over is refused, the per-ID limit before the per-mobile.
 */
import { describe, expect, it } from "vitest";
import { checkDailyLimits, hasDailyLimits, orderUnits, type DailyLimits, type LimitRefusal, type UnitsByKey } from "../../src/domain/limits";
import type { PlannedLine } from "../../src/domain/order-plan";

const ID_A = "110101199003074477";
const ID_B = "11010519491231002X";
const M1 = "13800000001";
const M2 = "13800000002";

const limits = (limitPerIdPerDay: number | null, limitPerMobilePerDay: number | null): DailyLimits => ({ productId: "P", limitPerIdPerDay, limitPerMobilePerDay });
/** Units by ID and by mobile, written as pairs. */
const units = (byId: [string, number][] = [], byMobile: [string, number][] = []): UnitsByKey => ({ byId: new Map(byId), byMobile: new Map(byMobile) });
const NONE = units();

const ID_OVER = (limit: number): LimitRefusal => ({ key: "idDailyLimitExceeded", detail: `P每个证件每天限购${limit}张` });
const MOBILE_OVER = (limit: number): LimitRefusal => ({ key: "mobileDailyLimitExceeded", detail: `P每个手机号每天限购${limit}张` });

describe("checkDailyLimits", () => {
  it.each<[label: string, product: DailyLimits, adding: UnitsByKey, existing: UnitsByKey, expected: LimitRefusal | null]>([
    ["no limits: anything goes", limits(null, null), units([[ID_A, 999]], [[M1, 999]]), units([[ID_A, 999]], [[M1, 999]]), null],
    ["per ID: within", limits(2, null), units([[ID_A, 1]]), NONE, null],
    ["per ID: at the limit with what is held", limits(2, null), units([[ID_A, 1]]), units([[ID_A, 1]]), null],
    ["per ID: one over with what is held", limits(2, null), units([[ID_A, 1]]), units([[ID_A, 2]]), ID_OVER(2)],
    ["per ID: one over by this order alone", limits(2, null), units([[ID_A, 3]]), NONE, ID_OVER(2)],
    ["per ID: another ID's units do not count", limits(2, null), units([[ID_A, 2]]), units([[ID_B, 2]]), null],
    ["per ID: the order's second ID is over", limits(2, null), units([[ID_A, 1], [ID_B, 2]]), units([[ID_B, 1]]), ID_OVER(2)],
    ["per ID: no ID in the order, nothing to count", limits(2, null), units([], [[M1, 5]]), units([[ID_A, 2]]), null],
    ["per ID: a limit of 0 refuses any unit", limits(0, null), units([[ID_A, 1]]), NONE, ID_OVER(0)],
    ["per ID: the mobile is not counted", limits(2, null), units([[ID_A, 1]], [[M1, 50]]), units([], [[M1, 50]]), null],
    ["per mobile: at the limit with what is held", limits(null, 3), units([], [[M1, 1]]), units([], [[M1, 2]]), null],
    ["per mobile: one over with what is held", limits(null, 3), units([], [[M1, 1]]), units([], [[M1, 3]]), MOBILE_OVER(3)],
    ["per mobile: one over by this order alone", limits(null, 3), units([], [[M1, 4]]), NONE, MOBILE_OVER(3)],
    ["per mobile: another mobile's units do not count", limits(null, 3), units([], [[M1, 3]]), units([], [[M2, 3]]), null],
    ["per mobile: the ID is not counted", limits(null, 3), units([[ID_A, 50]], [[M1, 1]]), units([[ID_A, 50]]), null],
    ["both: within both", limits(2, 3), units([[ID_A, 2]], [[M1, 2]]), units([], [[M1, 1]]), null],
    ["both: the ID over, the mobile within", limits(2, 3), units([[ID_A, 1]], [[M1, 1]]), units([[ID_A, 2]]), ID_OVER(2)],
    ["both: the mobile over, the ID within", limits(2, 3), units([[ID_A, 1]], [[M1, 1]]), units([], [[M1, 3]]), MOBILE_OVER(3)],
    ["both over: the ID is named first", limits(2, 3), units([[ID_A, 3]], [[M1, 4]]), NONE, ID_OVER(2)],
  ])("%s", (_label, product, adding, existing, expected) => {
    expect(checkDailyLimits(product, adding, existing)).toEqual(expected);
  });
});

describe("orderUnits: what the order adds for one product", () => {
  const line = (productId: string, quantity: number, limitId: string | null, mobile = M1) => ({ productId, quantity, limitId, mobile }) as PlannedLine;
  it.each<[label: string, lines: PlannedLine[], expected: UnitsByKey]>([
    ["no lines", [], units()],
    ["one line with an ID", [line("P", 2, ID_A)], units([[ID_A, 2]], [[M1, 2]])],
    ["a line without an ID counts by mobile only", [line("P", 2, null)], units([], [[M1, 2]])],
    ["lines of one ID add up", [line("P", 1, ID_A), line("P", 2, ID_A)], units([[ID_A, 3]], [[M1, 3]])],
    ["lines of one mobile add up across IDs", [line("P", 1, ID_A), line("P", 1, ID_B), line("P", 1, null)], units([[ID_A, 1], [ID_B, 1]], [[M1, 3]])],
    ["each line's own mobile", [line("P", 1, ID_A, M1), line("P", 2, ID_A, M2)], units([[ID_A, 3]], [[M1, 1], [M2, 2]])],
    ["other products' lines are skipped", [line("Q", 5, ID_A), line("P", 1, ID_A), line("Q", 5, null, M2)], units([[ID_A, 1]], [[M1, 1]])],
  ])("%s", (_label, lines, expected) => {
    expect(orderUnits(lines, "P")).toEqual(expected);
  });
});

describe("hasDailyLimits", () => {
  it.each<[label: string, product: DailyLimits, expected: boolean]>([
    ["neither", limits(null, null), false],
    ["per ID", limits(2, null), true],
    ["per mobile", limits(null, 3), true],
    ["a limit of 0 is a limit", limits(0, null), true],
    ["both", limits(2, 3), true],
  ])("%s", (_label, product, expected) => {
    expect(hasDailyLimits(product)).toBe(expected);
  });
});
