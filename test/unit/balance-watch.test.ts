/**
 * The low-balance rule (SPEC §12, domain/balance-watch.ts) as a table: the
 * state kept, available after the movement, what moved → the state to keep
 * and whether one alert is recorded.
 */
import { describe, expect, it } from "vitest";
import { watchBalance, type WatchEvent } from "../../src/domain/balance-watch";

type Case = [label: string, thresholdFen: number | null, alerted: boolean, availableFen: number, event: WatchEvent, keep: boolean, alert: boolean];

const cases: Case[] = [
  ["no threshold: nothing, ever", null, false, 0, "debit", false, false],
  ["no threshold clears an old crossing", null, true, 0, "threshold", false, false],
  ["a debit leaving available above", 10_000, false, 10_001, "debit", false, false],
  ["a debit leaving available exactly at the threshold: not below", 10_000, false, 10_000, "debit", false, false],
  ["a debit leaving available below: the crossing", 10_000, false, 9_999, "debit", true, true],
  ["a further debit while below: nothing more", 10_000, true, 5_000, "debit", true, false],
  ["a credit still below: nothing, still announced", 10_000, true, 9_999, "credit", true, false],
  ["a credit back to the threshold re-arms", 10_000, true, 10_000, "credit", false, false],
  ["a credit below while armed (a hold took it down): no alert, the debit will tell", 10_000, false, 9_000, "credit", false, false],
  ["a debit after a re-arm while below again: a second crossing", 10_000, false, 1, "debit", true, true],
  ["a new threshold above available: told once", 10_000, false, 5_000, "threshold", true, true],
  ["a new threshold above available, the crossing already told: nothing", 12_000, true, 5_000, "threshold", true, false],
  ["a new threshold at or below available re-arms", 4_000, true, 5_000, "threshold", false, false],
  ["a threshold of 0 never alerts (available is never negative)", 0, false, 0, "debit", false, false],
];

describe("watchBalance", () => {
  it.each(cases)("%s", (_label, thresholdFen, alerted, availableFen, event, keep, alert) => {
    expect(watchBalance({ thresholdFen, alerted }, availableFen, event)).toEqual({ alerted: keep, alert });
  });
});
