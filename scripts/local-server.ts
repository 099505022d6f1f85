/**
 * The local server both `npm start` and `npm run bench` run: D1 migrations
 * applied, `wrangler dev` started in its own process group (so stopping it
 * by that group's id stops workerd too), and a wait for `/health`.
 */
import { spawn, spawnSync, type StdioOptions } from "node:child_process";

export interface LocalServer {
  /** Resolves once `GET /health` answers; rejects after `timeoutMs`. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Stops wrangler and workerd by the process group's id. */
  stop(): void;
  onExit(listener: (code: number | null) => void): void;
}

export function startLocalServer(options: {
  port: number;
  /** wrangler's -c: another Worker's configuration (the bench's floor); the project's when absent. */
  config?: string;
  /** wrangler's --persist-to; the default local state when absent. */
  persistTo?: string;
  vars?: Record<string, string>;
  extraArgs?: string[];
  stdio: StdioOptions;
  migrationsStdio: "inherit" | "ignore";
}): LocalServer {
  const persist = options.persistTo ? ["--persist-to", options.persistTo] : [];
  const config = options.config ? ["-c", options.config] : [];
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...config, ...persist], {
    stdio: options.migrationsStdio,
    env: { ...process.env, CI: "1" },
  });
  if (migrate.status !== 0) throw new Error(`D1 migrations failed (exit ${migrate.status})`);
  const args = ["wrangler", "dev", ...config, "--port", String(options.port), "--ip", "127.0.0.1", ...persist, ...(options.extraArgs ?? [])];
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push("--var", `${k}:${v}`);
  const child = spawn("npx", args, { stdio: options.stdio, detached: true });
  const base = `http://127.0.0.1:${options.port}`;
  return {
    async healthy(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        try {
          if ((await fetch(`${base}/health`)).ok) return;
        } catch {
          // not up yet
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      throw new Error(`server did not answer ${base}/health within ${timeoutMs / 1000} s`);
    },
    stop() {
      if (!child.pid) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    },
    onExit(listener) {
      child.on("exit", listener);
    },
  };
}
