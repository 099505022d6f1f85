/**
 * The simulation as CI runs it: a fixed set of seeds (plus seed 1 in
 * sim.test.ts and the seeds of regressions.test.ts), each a few seconds on
 * the 2-core machines. A failure names its seed; rerun it alone with
 * `npm run sim -- --seed N --ops 300` (docs/reliability.md).
 */
import { describe, expect, it } from "vitest";
import { runSimulation } from "./simulation";

export const CI_SEEDS = [3, 5, 8, 13, 21, 34, 55, 89] as const;
export const CI_OPS = 300;

describe("the reliability simulation on CI's seeds", () => {
  it.each(CI_SEEDS)(`seed %i: ${CI_OPS} operations`, async (seed) => {
    const summary = await runSimulation({ seed, ops: CI_OPS });
    expect(summary.violations).toBe(0);
  }, 300_000);
});
