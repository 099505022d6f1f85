/**
 * The pure rules of paying, one case a line in precedence order
 * (src/domain/payments.ts, src/domain/dates.ts): whether a target can be
 * paid, how a request is answered about a target D1 shows paid, and the
 * payment's business date.
 */
import { describe, expect, it } from "vitest";
import { businessDate } from "../../src/domain/dates";
import { paidAnswer, payability, type IntentState, type PayableState } from "../../src/domain/payments";

const NOW = Date.UTC(2026, 11, 2, 4, 0); // 12:00 in Asia/Shanghai, 2026-12-02

describe("payability: can this customer pay this target now?", () => {
  const target = (status: PayableState["status"], expiresAtMs: number | null = NOW + 60_000, dwid = "A"): PayableState => ({ dwid, status, expiresAtMs });
  const cases: [label: string, target: PayableState | null, expected: ReturnType<typeof payability>][] = [
    ["no such target", null, "orderNotFound"],
    ["another customer's target reads as not found", target("unpaid", NOW + 60_000, "B"), "orderNotFound"],
    ["another customer's paid target reads as not found", target("paid", null, "B"), "orderNotFound"],
    ["paid", target("paid"), "paid"],
    ["cancelled", target("cancelled"), "orderCancelled"],
    ["expired", target("expired"), "orderExpired"],
    ["unpaid past its hold", target("unpaid", NOW), "orderExpired"],
    ["unpaid within its hold", target("unpaid", NOW + 1), null],
    ["unpaid without a hold time (a bill)", target("unpaid", null), null],
  ];
  it.each(cases)("%s", (_label, t, expected) => {
    expect(payability(t, "A", NOW, "orderNotFound")).toBe(expected);
  });
});

describe("paidAnswer: was this payment ours?", () => {
  const payer = (state: IntentState, requestId: string) => ({ state, requestId });
  const cases: [label: string, payer: { state: IntentState; requestId: string } | null, expected: ReturnType<typeof paidAnswer>][] = [
    ["the object has no such intent: no posted debit to show", null, "unknown"],
    ["the payer is voided here while D1 shows it paid: never claim it", payer("voided", "r1"), "unknown"],
    ["the payer is still pending: settle it first", payer("pending", "r1"), "settle-first"],
    ["the payer is another request's, posted", payer("posted", "r2"), "paid-earlier"],
    ["the payer is this request's own (a retry after a reset), posted", payer("posted", "r1"), "paid-now"],
  ];
  it.each(cases)("%s", (_label, p, expected) => {
    expect(paidAnswer(p, "r1")).toBe(expected);
  });
});

describe("businessDate: settotommrowtime (SPEC §5.1)", () => {
  const at = (hh: number, mm: number) => Date.UTC(2026, 11, 2, hh - 8, mm); // Asia/Shanghai hh:mm on 2026-12-02
  const cases: [label: string, instantMs: number, rollOverAt: string | null, expected: string][] = [
    ["no roll-over time", at(23, 59), null, "20261202"],
    ["not a time of day", at(23, 59), "25:00", "20261202"],
    ["00:00 rolls nothing over (midnight already begins the day)", at(12, 0), "00:00", "20261202"],
    ["00:00 at one minute past midnight", at(0, 1), "00:00", "20261202"],
    ["before the roll-over time", at(21, 59), "22:00", "20261202"],
    ["at the roll-over time, to the minute", at(22, 0), "22:00", "20261203"],
    ["after it", at(23, 30), "22:00", "20261203"],
    ["the last day of the year rolls into the next year", Date.UTC(2026, 11, 31, 15, 30), "22:00", "20270101"],
  ];
  it.each(cases)("%s", (_label, instantMs, rollOverAt, expected) => {
    expect(businessDate(instantMs, rollOverAt)).toBe(expected);
  });
});
