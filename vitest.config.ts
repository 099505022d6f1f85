import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
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
            PAYMENT_RECOVERY_DELAY_SECONDS: "0",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/helpers/apply-migrations.ts"],
      // workers-sdk #14736: a rejected DO RPC also raises an unhandled
      // rejection; ignore exactly those (tests assert the rejection itself).
      // Injected crashes (src/durable/faults.ts) reset the object the same way.
      onUnhandledError(error: unknown) {
        const rpc = error as { remote?: unknown; durableObjectId?: unknown; durableObjectReset?: unknown; message?: unknown };
        if (rpc.remote && rpc.durableObjectId) return false;
        if (rpc.durableObjectReset && String(rpc.message).startsWith("injected fault")) return false;
      },
    },
  };
});
