import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      /** test/sim/sim.test.ts: one seed, or a range "A-B" / list "A,B,…" (SIM_SEEDS wins), and operations per seed. */
      SIM_SEED: string;
      SIM_SEEDS: string;
      SIM_OPS: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
