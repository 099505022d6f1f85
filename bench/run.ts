/**
 * `npm run bench` (SPEC §9, issue 7): the partner API under `wrangler dev`
 * (local D1 and Durable Objects), loaded from a separate process with wrk
 * (`-t1 -c50 --latency`, loopback only, bounded in time), each scenario
 * measured between two runs of a trivial endpoint of the same Worker; the
 * ratio per round is scenario / mean(trivial before, trivial after), and the
 * median over rounds is reported (PLATFORM.md: ±25% noise between runs).
 *
 * It prepares its own data through the admin and partner APIs in a fresh
 * persistence directory, stops what it started by process id, and writes
 * bench/results.md and bench/results.json.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { encryptPayPassword } from "../src/crypto/paypassword.ts";
import { shanghaiDay } from "../scripts/demo-data.ts";
import { startLocalServer, type LocalServer } from "../scripts/local-server.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8799);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const CUSTOMERS = 100;
const ADMIN_TOKEN = "bench-admin-token";
const PASSWORD_KEY = Buffer.from("bench-password-key-32-bytes-long").toString("base64");
const TMP = "bench/tmp";
const STATE = `${TMP}/state`;
const LOGIN = "bench-login";
const PAY = "123456";

interface Customer {
  dwid: string;
  token: string;
  sessionKey: string;
  ciphertext: string;
}

interface Run {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  wrapped: number;
}

interface ScenarioResult {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  ratio: number;
  ratiosPerRound: number[];
  trivialP99Ms: number;
}

// ------------------------------------------------------------------ server

function startServer(): LocalServer {
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  return startLocalServer({
    port: PORT,
    persistTo: STATE,
    vars: { ADMIN_TOKEN, PASSWORD_KEY },
    extraArgs: ["--log-level", "warn"],
    stdio: ["ignore", "ignore", "inherit"],
    migrationsStdio: "ignore",
  });
}

// ------------------------------------------------------------------ data

/**
 * One preparation call. A connection the server closed while idle fails the fetch itself
 * ("other side closed", seen once in preparation); such a call is sent again, at most twice.
 * A repeat is harmless here: PUTs and deposits (by reference) are idempotent, and a repeated
 * login or add only leaves one more session, order or bill behind.
 */
async function call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<any> {
  const send = () =>
    fetch(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let response: Response | undefined;
  for (let attempt = 1; response === undefined; attempt++) {
    try {
      response = await send();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Runs `task` over `items` with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i]!);
      }
    }),
  );
  return out;
}

const upperMd5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex").toUpperCase();

async function prepareCatalogue(day: string): Promise<void> {
  await call("PUT", "/admin/products/BENCH-T", { name: "压测门票", kind: "ticket", price: 1 });
  await call("PUT", `/admin/products/BENCH-T/calendar/${day}`, { stock: 1_000_000 });
  await call("PUT", "/admin/products/BENCH-R", { name: "压测零售", kind: "retail", price: 1 });
}

async function prepareCustomers(): Promise<Customer[]> {
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `BENCH${String(i).padStart(3, "0")}`);
  return pool(ids, 10, async (dwid) => {
    await call("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: `压测旅行社 ${dwid}`, loginPassword: LOGIN, payPassword: PAY });
    await call("POST", `/admin/customers/${dwid}/deposits`, { amount: 1_000_000, reference: `bench-${dwid}` });
    const login = await call("POST", "/api/WebInterface/Session/Login", { dwid, dwlx: "1", password: upperMd5(LOGIN) }, "");
    const { token, sessionkey } = login.tag;
    return { dwid, token, sessionKey: sessionkey, ciphertext: await encryptPayPassword(sessionkey, LOGIN, PAY) };
  });
}

let senderSeq = 0;
function orderBody(day: string): Record<string, unknown> {
  return { orderdetails: [{ productid: "BENCH-T", amount: 1 }], mobile: "13800138000", effectdate: day, senderid: `bench-${Date.now()}-${senderSeq++}` };
}

/** `count` unpaid orders, assigned round-robin to `owners`. */
async function prepareOrders(owners: Customer[], count: number, day: string): Promise<{ owner: Customer; orderId: string }[]> {
  const jobs = Array.from({ length: count }, (_, i) => owners[i % owners.length]!);
  return pool(jobs, 32, async (owner) => {
    const r = await call("POST", "/api/WebInterface/Order/Add", orderBody(day), owner.token);
    if (r.resultcode !== 0) throw new Error(`order add refused: ${JSON.stringify(r)}`);
    return { owner, orderId: r.orderid as string };
  });
}

async function prepareBills(owners: Customer[], count: number): Promise<{ owner: Customer; billNum: string }[]> {
  const jobs = Array.from({ length: count }, (_, i) => owners[i % owners.length]!);
  return pool(jobs, 32, async (owner) => {
    const r = await call("POST", "/api/WebInterface/Pos/Sell/Bill/Add", { DWID: owner.dwid, DWSX: "1", Items: [{ ProductId: "BENCH-R", Amount: 1 }] }, owner.token);
    if (r.errcode !== 0) throw new Error(`bill add refused: ${JSON.stringify(r)}`);
    return { owner, billNum: r.tag.BillNum as string };
  });
}

// ------------------------------------------------------------------ load

type Line = [method: string, path: string, token: string, body: string];

function writeRequests(name: string, lines: Line[]): string {
  const file = `${TMP}/${name}.tsv`;
  writeFileSync(file, lines.map((l) => l.join("\t")).join("\n") + "\n");
  return file;
}

function wrk(file: string): Run {
  const result = spawnSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${DURATION_S}s`, "--timeout", "10s", "--latency", "-s", "bench/wrk.lua", BASE], {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round2 = (x: number) => Math.round(x * 100) / 100;

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  const server = startServer();
  const stop = () => server.stop();
  process.on("SIGINT", () => { stop(); process.exit(130); });
  try {
    await server.healthy();
    const day = shanghaiDay(1);
    await prepareCatalogue(day);
    const customers = await prepareCustomers();
    const hot = customers[0]!;

    const trivialFile = writeRequests("trivial", [["GET", "/health", "", ""]]);
    const pilot = wrk(trivialFile);
    // Enough fresh orders/bills for every round at the trivial rate, with room.
    const perScenario = Math.ceil(pilot.rps * DURATION_S * ROUNDS * 1.2);
    console.log(`trivial pilot: ${pilot.rps.toFixed(0)} req/s → preparing ${perScenario} orders per pay scenario and ${perScenario} bills`);

    const t0 = Date.now();
    const spread = await prepareOrders(customers, perScenario, day);
    const hotOrders = await prepareOrders([hot], perScenario, day);
    const bills = await prepareBills(customers, perScenario);
    console.log(`prepared in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    const verifyBody = JSON.stringify({ orderdetails: [{ productid: "BENCH-T", amount: 2 }], mobile: "13900139000", effectdate: day });
    const scenarios: { name: string; lines: Line[]; perRound: boolean }[] = [
      { name: "douyin verify", perRound: false, lines: customers.map((c) => ["POST", "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify", c.token, verifyBody]) },
      {
        name: "order add",
        perRound: true,
        lines: Array.from({ length: perScenario }, (_, i) => {
          const c = customers[i % CUSTOMERS]!;
          return ["POST", "/api/WebInterface/Order/Add", c.token, JSON.stringify(orderBody(day))];
        }),
      },
      {
        name: "pay by password, 100 customers",
        perRound: true,
        lines: spread.map(({ owner, orderId }) => ["POST", "/api/PayOrder/MIN/UsePrepaymentAndPassword", owner.token, JSON.stringify({ orderid: orderId, paypassword: owner.ciphertext })]),
      },
      {
        name: "pay by password, one hot customer",
        perRound: true,
        lines: hotOrders.map(({ orderId }) => ["POST", "/api/PayOrder/MIN/UsePrepaymentAndPassword", hot.token, JSON.stringify({ orderid: orderId, paypassword: hot.ciphertext })]),
      },
      {
        name: "POS pay bill",
        perRound: true,
        lines: bills.map(({ owner, billNum }) => ["POST", "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", owner.token, JSON.stringify({ DWID: owner.dwid, DWSX: "1", BillNum: billNum, PayPwd: owner.ciphertext })]),
      },
    ];

    // BENCH_ONLY=substring runs the matching scenarios only (for experiments; the committed results run all).
    const only = process.env.BENCH_ONLY;
    if (only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => s.name.includes(only)));
    const results: ScenarioResult[] = [];
    const trivialRuns: Run[] = [];
    const perScenarioRuns = new Map<string, { runs: Run[]; ratios: number[]; trivialP99: number[] }>();
    // Each round: T S1 T S2 T … ; a scenario's ratio uses the trivial runs just before and after it.
    // Scenarios that consume prepared items take a fresh slice each round.
    for (let round = 0; round < ROUNDS; round++) {
      let before = wrk(trivialFile);
      trivialRuns.push(before);
      for (const s of scenarios) {
        const lines = s.perRound ? s.lines.filter((_, i) => i % ROUNDS === round) : s.lines;
        const run = wrk(writeRequests(s.name.replace(/\W+/g, "-"), lines));
        const after = wrk(trivialFile);
        trivialRuns.push(after);
        const entry = perScenarioRuns.get(s.name) ?? { runs: [], ratios: [], trivialP99: [] };
        entry.runs.push(run);
        entry.ratios.push(run.rps / mean([before.rps, after.rps]));
        entry.trivialP99.push(mean([before.p99Ms, after.p99Ms]));
        perScenarioRuns.set(s.name, entry);
        console.log(`round ${round + 1} ${s.name}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99Ms.toFixed(1)} ms, errors ${run.errors}${run.wrapped ? `, REUSED ${run.wrapped}×` : ""}, ratio ${(run.rps / mean([before.rps, after.rps])).toFixed(2)}`);
        before = after;
      }
    }

    results.push({
      name: "trivial (GET /health)",
      rps: round2(median(trivialRuns.map((r) => r.rps))),
      p50Ms: round2(median(trivialRuns.map((r) => r.p50Ms))),
      p99Ms: round2(median(trivialRuns.map((r) => r.p99Ms))),
      errors: trivialRuns.reduce((n, r) => n + r.errors, 0),
      ratio: 1,
      ratiosPerRound: [],
      trivialP99Ms: round2(median(trivialRuns.map((r) => r.p99Ms))),
    });
    for (const [name, { runs, ratios, trivialP99 }] of perScenarioRuns) {
      results.push({
        name,
        rps: round2(median(runs.map((r) => r.rps))),
        p50Ms: round2(median(runs.map((r) => r.p50Ms))),
        p99Ms: round2(median(runs.map((r) => r.p99Ms))),
        // Replaying prepared items is an error only where each must be fresh (pays, adds); verify repeats by design.
        errors: runs.reduce((n, r) => n + r.errors, 0) + (scenarios.find((s) => s.name === name)?.perRound ? runs.filter((r) => r.wrapped).length : 0),
        ratio: round2(median(ratios)),
        ratiosPerRound: ratios.map(round2),
        trivialP99Ms: round2(median(trivialP99)),
      });
    }
    report(results);
  } finally {
    stop();
  }
}

function report(results: ScenarioResult[]): void {
  const header = "| scenario | req/s | p50 ms | p99 ms | errors | ratio to trivial (median) | ratios per round | p99 / trivial p99 |";
  const rows = results.map(
    (r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.errors} | ${r.ratio.toFixed(2)} | ${r.ratiosPerRound.join(", ")} | ${(r.p99Ms / r.trivialP99Ms).toFixed(2)} |`,
  );
  const table = [header, "|---|---:|---:|---:|---:|---:|---|---:|", ...rows].join("\n");
  console.log(`\n${table}\n`);
  const wranglerVersion = spawnSync("npx", ["wrangler", "--version"], { encoding: "utf8" }).stdout.trim().split("\n").pop();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const md = readFileSync("bench/results.md", { encoding: "utf8", flag: "a+" });
  const section = [
    `## Run of ${new Date().toISOString()}`,
    "",
    `- machine: ${machine}`,
    `- node ${process.version}, wrangler ${wranglerVersion}, wrk 4.1 (-t1 -c${CONNECTIONS} -d${DURATION_S}s --timeout 10s), ${ROUNDS} rounds`,
    "- command: `npm run bench`",
    "",
    table,
    "",
  ].join("\n");
  const marker = "<!-- runs -->";
  const next = md.includes(marker) ? md.replace(marker, `${marker}\n\n${section}`) : `${md}\n${marker}\n\n${section}`;
  writeFileSync("bench/results.md", next);
  writeFileSync(
    "bench/results.json",
    JSON.stringify(
      results.map((r) => ({ name: r.name, requestsPerSecond: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, ratioToTrivial: r.ratio, ratiosPerRound: r.ratiosPerRound })),
      null,
      2,
    ) + "\n",
  );
}

await main();
