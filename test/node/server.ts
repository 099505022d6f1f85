/**
 * A real local server for the Node tests: `wrangler dev` on a free loopback
 * port, with its own fresh persistence directory (D1 migrations applied
 * first), a test admin token and a test password key. Stopped by the process
 * group of the process this helper spawned — never by name, because other
 * engineers' servers run on the same machine.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const TEST_ADMIN_TOKEN = "console-test-admin-token";
/** Base64 of 32 bytes: a test-only key for sealing password material. */
const TEST_PASSWORD_KEY = Buffer.from("console-test-password-key-32byte").toString("base64");
const HEALTH_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 10_000;

export interface TestServer {
  baseUrl: string;
  adminToken: string;
  /** What wrangler printed, for the failure message of a test that needs it. */
  output(): string;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(import.meta.dirname, "../..");
/** No prompts, no metrics, no update checks on a machine with a closed network. */
const quietEnv = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1" };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** `vars`: more `--var NAME:value` settings (e.g. a short notification retry delay). */
export async function startServer(options: { vars?: Record<string, string> } = {}): Promise<TestServer> {
  const persistDir = mkdtempSync(path.join(tmpdir(), "eticket-console-"));
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], {
    cwd: projectRoot,
    env: quietEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) {
    rmSync(persistDir, { recursive: true, force: true });
    throw new Error(`migrations failed (${migrate.status}):\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(
    "npx",
    [
      "wrangler", "dev",
      "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort),
      "--persist-to", persistDir,
      "--var", `ADMIN_TOKEN:${TEST_ADMIN_TOKEN}`,
      "--var", `PASSWORD_KEY:${TEST_PASSWORD_KEY}`,
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: projectRoot, env: quietEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return { baseUrl, adminToken: TEST_ADMIN_TOKEN, output: () => output, stop };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    // wrangler keeps watching after a failed build instead of exiting: fail now, not at the deadline.
    if (/Build failed/.test(output())) throw new Error("wrangler dev could not build the Worker");
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${baseUrl}/health did not answer within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM to the group we spawned (npx → wrangler → workerd), SIGKILL if it lingers. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child.pid, "SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), STOP_TIMEOUT_MS))]);
  if (timedOut) signalGroup(child.pid, "SIGKILL");
  // workerd may outlive npx by a moment; make sure the whole group is gone.
  signalGroup(child.pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
