/**
 * `npm start`: the local server on http://localhost:8787 with D1 migrations
 * applied and the demo data loaded (SPEC §8). Creates .dev.vars from
 * .dev.vars.example when missing. Stops the server it started by its process
 * id on Ctrl-C.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { DEMO, loadDemoData } from "./demo-data.ts";
import { startLocalServer } from "./local-server.ts";

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}
const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1]?.trim() ?? "dev-admin-token";

const server = startLocalServer({ port: PORT, stdio: ["ignore", "inherit", "inherit"], migrationsStdio: "inherit" });
const stop = () => server.stop();
process.on("SIGINT", () => { stop(); process.exit(0); });
process.on("SIGTERM", () => { stop(); process.exit(0); });
server.onExit((code) => process.exit(code ?? 0));

try {
  await server.healthy();
} catch (error) {
  stop();
  throw error;
}
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
