/**
 * Load from a separate process (PLATFORM.md "Load generation on 2 cores"):
 * wrk -t1 -c50 --latency over loopback, bounded in time, replaying prepared
 * requests (wrk.lua), and the small statistics the report needs.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

export const CONNECTIONS = 50;

/** One prepared request: METHOD, path, bearer token ("" for none), body ("" for none). */
export type Line = [method: string, path: string, token: string, body: string];

export interface Run {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The prepared requests ran out and were replayed this many times. */
  wrapped: number;
}

export function writeRequests(dir: string, name: string, lines: readonly Line[]): string {
  const file = `${dir}/${name.replace(/\W+/g, "-")}.tsv`;
  writeFileSync(file, lines.map((l) => l.join("\t")).join("\n") + "\n");
  return file;
}

export function wrk(base: string, file: string, durationS: number): Run {
  const result = spawnSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${durationS}s`, "--timeout", "10s", "--latency", "-s", "bench/wrk.lua", base], {
    env: { ...process.env, BENCH_REQUESTS: file },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(result.stdout);
  const socketErrors = socket ? socket.slice(1).reduce((n, x) => n + Number(x), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(result.stdout)?.[1] ?? 0);
  const bench = JSON.parse(/BENCH (\{.*\})/.exec(result.stderr)![1]!) as { appErrors: number; wrapped: number; p50us: number; p99us: number };
  return {
    rps,
    p50Ms: bench.p50us / 1000,
    p99Ms: bench.p99us / 1000,
    errors: Math.max(bench.appErrors, non2xx) + socketErrors,
    wrapped: bench.wrapped,
  };
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const round2 = (x: number) => Math.round(x * 100) / 100;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
