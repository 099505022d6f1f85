/**
 * `npm run sim -- --seed N --ops K` (scripts/sim.ts): one seed's simulation,
 * or a range of seeds (`--seeds A-B`), against the real Worker, Durable
 * Objects and D1. Prints one `SIM-SUMMARY {json}` line per seed, which
 * scripts/sim.ts turns into the table of docs/reliability.md. Without
 * SIM_SEED this runs seed 1 with 200 operations.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runSimulation } from "./simulation";
import { generatePlan } from "./workload";

export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let s = Number(range[1]); s <= Number(range[2]); s++) seeds.push(s);
    else if (/^\d+$/.test(part)) seeds.push(Number(part));
    else throw new Error(`not a seed: ${part}`);
  }
  return seeds;
}

const seeds = parseSeeds(env.SIM_SEEDS || env.SIM_SEED || "1");
const ops = Number(env.SIM_OPS || "200");

describe("the reliability simulation", () => {
  it("a seed is a plan: the same seed gives the same operations and faults, another seed others", () => {
    const seed = seeds[0]!;
    expect(JSON.stringify(generatePlan(seed, ops))).toBe(JSON.stringify(generatePlan(seed, ops)));
    expect(JSON.stringify(generatePlan(seed + 1, ops))).not.toBe(JSON.stringify(generatePlan(seed, ops)));
  });

  for (const seed of seeds) {
    it(`seed ${seed}: ${ops} operations, faults, the auditor after every step and after draining`, async () => {
      const summary = await runSimulation({ seed, ops });
      console.log(`SIM-SUMMARY ${JSON.stringify(summary)}`);
      expect(summary.violations).toBe(0);
    }, 120_000 + ops * 1_000);
  }
});
