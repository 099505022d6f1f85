/**
 * The servers a bench run starts, each under `wrangler dev` in a fresh
 * persistence directory and stopped by its process group's id
 * (scripts/local-server.ts): ours, with or without the bench-only variables,
 * and the floor (bench/floor), which must run on the same runtime as ours.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { startLocalServer, type LocalServer } from "../scripts/local-server.ts";
import { ADMIN_TOKEN, PASSWORD_KEY } from "./client.ts";

export const TMP = "bench/tmp";
export const FLOOR_CONFIG = "bench/floor/wrangler.toml";

export interface Started {
  server: LocalServer;
  base: string;
  state: string;
}

function fresh(state: string): void {
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
}

/** Ours. `vars`: the bench-only switches (BENCH_COUNTERS, BENCH_PRELOAD) when wanted; `keepState` reuses `state`. */
export async function startOurs(port: number, state: string, vars: Record<string, string> = {}, keepState = false): Promise<Started> {
  if (!keepState) fresh(state);
  const server = startLocalServer({
    port,
    persistTo: state,
    vars: { ADMIN_TOKEN, PASSWORD_KEY, ...vars },
    extraArgs: ["--log-level", "warn"],
    stdio: ["ignore", "ignore", "inherit"],
    migrationsStdio: "ignore",
  });
  await healthyOrStop(server);
  return { server, base: `http://127.0.0.1:${port}`, state };
}

export async function startFloor(port: number, state: string): Promise<Started> {
  assertSameRuntime();
  fresh(state);
  const server = startLocalServer({
    port,
    config: FLOOR_CONFIG,
    persistTo: state,
    extraArgs: ["--log-level", "warn"],
    stdio: ["ignore", "ignore", "inherit"],
    migrationsStdio: "ignore",
  });
  await healthyOrStop(server);
  return { server, base: `http://127.0.0.1:${port}`, state };
}

async function healthyOrStop(server: LocalServer): Promise<void> {
  try {
    await server.healthy();
  } catch (error) {
    server.stop();
    throw error;
  }
}

/** The floor is only a floor on the same runtime: compatibility date and flags as ours (the wrangler is the same npx one). */
export function assertSameRuntime(): void {
  const runtime = (file: string) => {
    const text = readFileSync(file, "utf8");
    return [/^compatibility_date\s*=.*$/m.exec(text)?.[0], /^compatibility_flags\s*=.*$/m.exec(text)?.[0]].join("\n");
  };
  if (runtime("wrangler.toml") !== runtime(FLOOR_CONFIG)) throw new Error(`${FLOOR_CONFIG}: compatibility date or flags differ from wrangler.toml`);
}
