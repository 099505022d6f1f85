/**
 * The pure rules of paying, one case a line in precedence order
 * (src/domain/payments.ts, src/domain/dates.ts): whether a target can be
 * paid, how a request is answered about a target D1 shows paid, the
 * payment's business date (settotommrowtime; Asia/Shanghai days), and the
 * random digits and ciphertext repair of the pay path.
 */
import { describe, expect, it } from "vitest";
import { businessDate } from "../../src/domain/dates";
import type { ResultKey } from "../../src/domain/codes";
import { normalizeCiphertext, paidAnswer, payability, randomDigits, type IntentState, type PayableState } from "../../src/domain/payments";

const NOW = Date.UTC(2026, 11, 2, 4, 0); // 12:00 in Asia/Shanghai, 2026-12-02

describe("payability: can this customer pay this target now?", () => {
  const target = (status: PayableState["status"], expiresAtMs: number | null = NOW + 60_000, dwid = "A"): PayableState => ({ dwid, status, expiresAtMs });
  const cases: [label: string, target: PayableState | null, expected: ReturnType<typeof payability>, notFound?: ResultKey][] = [
    ["no such target", null, "orderNotFound"],
    ["no such bill: the caller's own not-found", null, "billNotFound", "billNotFound"],
    ["another customer's bill reads as not found", target("unpaid", null, "B"), "billNotFound", "billNotFound"],
    ["another customer's target reads as not found", target("unpaid", NOW + 60_000, "B"), "orderNotFound"],
    ["another customer's paid target reads as not found", target("paid", null, "B"), "orderNotFound"],
    ["paid", target("paid"), "paid"],
    ["cancelled", target("cancelled"), "orderCancelled"],
    ["expired", target("expired"), "orderExpired"],
    ["unpaid past its hold", target("unpaid", NOW), "orderExpired"],
    ["unpaid within its hold", target("unpaid", NOW + 1), null],
    ["unpaid without a hold time (a bill)", target("unpaid", null), null],
    ["paid, its hold long past: paid, not expired", target("paid", NOW - 1), "paid"],
    ["cancelled within its hold", target("cancelled", NOW + 60_000), "orderCancelled"],
  ];
  it.each(cases)("%s", (_label, t, expected, notFound = "orderNotFound") => {
    expect(payability(t, "A", NOW, notFound)).toBe(expected);
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
    ["one millisecond before the roll-over time", at(22, 0) - 1, "22:00", "20261202"],
    ["past Shanghai midnight, after a roll-over time: the next day, not two", at(24, 30), "22:00", "20261203"],
    ["23:59 rolls over only the last minute", at(23, 59), "23:59", "20261203"],
    ["23:59, a minute before", at(23, 58), "23:59", "20261202"],
    ["00:01 rolls over all but the first minute", at(0, 1), "00:01", "20261203"],
    ["00:01, in the first minute", at(0, 1) - 1, "00:01", "20261202"],
    ["24:00 is no time of day", at(23, 59), "24:00", "20261202"],
    ["an empty setting", at(23, 59), "", "20261202"],
    ["a one-digit hour is no time of day", at(23, 59), "9:00", "20261202"],
    ["00:00 on the last day of the year", Date.UTC(2026, 11, 31, 15, 59), "00:00", "20261231"],
    ["Asia/Shanghai: 23:59:59.999, still the day", Date.UTC(2026, 11, 2, 15, 59, 59, 999), null, "20261202"],
    ["Asia/Shanghai: midnight begins the day while UTC is still on the last", Date.UTC(2026, 11, 2, 16, 0), null, "20261203"],
    ["Asia/Shanghai: UTC midnight is 08:00, the same day", Date.UTC(2026, 11, 2, 0, 0), null, "20261202"],
    ["Asia/Shanghai: 07:59 is the day UTC calls yesterday", Date.UTC(2026, 11, 1, 23, 59), null, "20261202"],
    ["a leap day is a business day", Date.UTC(2028, 1, 28, 14, 0), "22:00", "20280229"],
    ["the day after a leap day", Date.UTC(2028, 1, 29, 14, 0), "22:00", "20280301"],
  ];
  it.each(cases)("%s", (_label, instantMs, rollOverAt, expected) => {
    expect(businessDate(instantMs, rollOverAt)).toBe(expected);
  });
});

describe("randomDigits: one digit per byte below 250, no modulo bias", () => {
  it.each<[label: string, count: number, bytes: number[], expected: string | null]>([
    ["each byte's last digit", 3, [0, 11, 249], "019"],
    ["250 and above are skipped", 3, [250, 1, 255, 2, 3], "123"],
    ["stops at the count", 2, [7, 8, 9], "78"],
    ["not enough usable bytes: null, the caller retries", 3, [1, 250, 2], null],
    ["no bytes", 1, [], null],
    ["six digits (a pickup code)", 6, [10, 21, 32, 43, 54, 65], "012345"],
  ])("%s", (_label, count, bytes, expected) => {
    expect(randomDigits(count, new Uint8Array(bytes))).toBe(expected);
  });
});

describe("normalizeCiphertext: form decoding turns '+' into a space", () => {
  it.each<[label: string, wire: string, expected: string]>([
    ["untouched", "ab+c/d==", "ab+c/d=="],
    ["spaces back to '+'", "ab c d==", "ab+c+d=="],
    ["trimmed first, then the inner spaces", " ab c== ", "ab+c=="],
  ])("%s", (_label, wire, expected) => {
    expect(normalizeCiphertext(wire)).toBe(expected);
  });
});
