/**
 * Two test projects, both run by `npm test`:
 *  - "workers": everything under test/ except test/node/, inside workerd
 *    through @cloudflare/vitest-plugin (real Durable Objects, D1, Queues);
 *  - "node": test/node/, in Node — what needs a real browser or a
 *    Node-only library against the Worker served by `wrangler dev`.
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      // Heavy concurrency tests on a 2-core machine shared with other work.
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // workers-sdk #14736: a rejected DO RPC also raises an unhandled
      // rejection; ignore exactly those (tests assert the rejection itself).
      // Injected crashes (src/durable/faults.ts) reset the object the same way.
      onUnhandledError(error: unknown) {
        const rpc = error as { remote?: unknown; durableObjectId?: unknown; durableObjectReset?: unknown; message?: unknown };
        if (rpc.remote && rpc.durableObjectId) return false;
        if (rpc.durableObjectReset && String(rpc.message).startsWith("injected fault")) return false;
      },
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // Test-only values; production sets these as secrets.
                  ADMIN_TOKEN: "test-admin-token",
                  PASSWORD_KEY: "dGVzdC1wYXNzd29yZC1rZXktMzItYnl0ZXMtbG9uZyE=",
                  // Tests arm the fault points of src/durable/faults.ts, and settle
                  // pending payments without waiting.
                  FAULT_INJECTION: "on",
                  // One adjustable clock per isolate (src/clock.ts): tests move time instead of sleeping.
                  TEST_CLOCK: "on",
                  PAYMENT_RECOVERY_DELAY_SECONDS: "0",
                  // Notification retries without backoff, so retry and dead-letter tests take seconds.
                  NOTIFY_RETRY_BASE_SECONDS: "0",
                  // Tests age sessions in the object's storage; an isolate cache would
                  // hide that. The cache has its own tests (test/api/session-cache.test.ts).
                  SESSION_CACHE_SECONDS: "0",
                  // Some tests write catalogue rows straight into D1; the cache is tested on its own.
                  CATALOGUE_CACHE_SECONDS: "0",
                  VERIFY_STOCK_VIEW_MS: "0",
                  CALENDAR_STOCK_VIEW_MS: "0",
                  // The reliability simulation (test/sim/sim.test.ts, `npm run sim -- --seed N --ops K`):
                  // which seed(s) and how many operations; scripts/sim.ts sets these.
                  SIM_SEED: process.env.SIM_SEED ?? "1",
                  SIM_SEEDS: process.env.SIM_SEEDS ?? "",
                  SIM_OPS: process.env.SIM_OPS ?? "200",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
            setupFiles: ["./test/helpers/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/**/*.test.ts"],
            testTimeout: 60_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
