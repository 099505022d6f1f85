/**
 * `npm start`: the local server on http://localhost:8787 with D1 migrations
 * applied and the demo data loaded (SPEC §8). Creates .dev.vars from
 * .dev.vars.example when missing. Stops the server it started by its process
 * id on Ctrl-C.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { DEMO, loadDemoData } from "./demo-data.ts";

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}
const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1]?.trim() ?? "dev-admin-token";

const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env: { ...process.env, CI: "1" } });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const server = spawn("npx", ["wrangler", "dev", "--port", String(PORT), "--ip", "127.0.0.1"], { stdio: ["ignore", "inherit", "inherit"], detached: true });
const stop = () => {
  if (server.pid) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
};
process.on("SIGINT", () => { stop(); process.exit(0); });
process.on("SIGTERM", () => { stop(); process.exit(0); });
server.on("exit", (code) => process.exit(code ?? 0));

await waitForHealth();
const { balance } = await loadDemoData(BASE, adminToken);
console.log(`
────────────────────────────────────────────────────────────
 Scenic e-ticket partner API: ${BASE}
   admin token     ${adminToken}            (Authorization: Bearer …, /admin/…)
   demo customer   dwid ${DEMO.dwid}, dwlx ${DEMO.dwlx}
   login password  ${DEMO.loginPassword}   (Login sends UPPER_MD5 of it)
   pay password    ${DEMO.payPassword}       (npm run paypassword -- <sessionkey> ${DEMO.loginPassword} ${DEMO.payPassword})
   deposit         ${JSON.stringify(balance)}
   products        ${DEMO.products.map((p) => `${p.productId} (${p.kind}, ${p.price} 元)`).join(", ")}
   stock           the next ${DEMO.days} days (Asia/Shanghai)
 Try: npm run demo        Stop: Ctrl-C
────────────────────────────────────────────────────────────`);

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error(`server did not answer ${BASE}/health within 120 s`);
}
