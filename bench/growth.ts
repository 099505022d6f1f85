/**
 * The growth scenario (issue 19, BENCH_GROWTH=on): the same operations —
 * Verify, order add, pay, Order/Query, the operators' order list and a
 * calendar month — on a small store and on one grown to a year of sales,
 * one request at a time; each op's p50 latency and rows read (D1 and the
 * objects' SQL, counted as counting.ts does) on the large store ÷ the
 * small one, which must stay within GROWTH_BOUND. The retention passes
 * run on the grown store first (a year of history has been through them),
 * and its sizes before and after are reported.
 *
 * The store grows fast: D1 is written directly in its local database file
 * (node:sqlite, the server stopped; rows shaped as our statements write
 * them), the objects through bench-only RPCs (src/durable/bench-preload.ts,
 * BENCH_PRELOAD=on) that write in bulk.
 *
 * Sizes (variables): BENCH_GROWTH_ORDERS (1,000,000 orders, each with its
 * line, ticket and payment; every tenth is the grown customer's, every
 * twentieth on the bench's day), BENCH_GROWTH_LEDGER (100,000: the grown
 * customer's debits and posted intents, placed a year ago),
 * BENCH_GROWTH_HOLDS (100,000 holds on the bench's product-day: half sold,
 * a quarter held, a quarter released ten days ago), BENCH_GROWTH_OUTBOX
 * (20,000 delivered notifications spread over the year), BENCH_GROWTH_OPS
 * (requests per op and store, 50).
 */
import { readdirSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { shanghaiDay } from "../scripts/demo-data.ts";
import type { CountersSnapshot } from "../src/counters.ts";
import { ADMIN_TOKEN, addLine, Client, login, prepareCatalogue, prepareCustomers, prepareOrders, payLine, verifyLine, type Customer } from "./client.ts";
import { readCounters, resetCounters, SETTLE_MS } from "./counting.ts";
import { median, round2, sleep, type Line } from "./load.ts";
import { startOurs, TMP, type Started } from "./servers.ts";

/** Large ÷ small, at most, for each op's p50 and rows read. */
export const GROWTH_BOUND = 1.5;
/** Rows read per op below this on both stores are equal enough (a ratio of tiny numbers is noise). */
const ROWS_FLOOR = 10;

export interface GrowthRow {
  op: string;
  p50MsSmall: number;
  p50MsLarge: number;
  growth: number;
  rowsReadSmall: number;
  rowsReadLarge: number;
  withinBound: boolean;
}

export interface GrowthReport {
  sizes: string;
  rows: GrowthRow[];
  notes: string[];
}

const DAY_MS = 86_400_000;
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const GROWN = "GROW000";
const QUERY_PATH = "/api/WebInterface/Order/Query";

interface OpResult {
  p50Ms: number;
  rowsRead: number;
  failed: number;
}

/** Each op's requests, one at a time, counters reset before and read after. */
async function measureOps(c: Client, g: Customer, day: string, n: number): Promise<Map<string, OpResult>> {
  const toPay = await prepareOrders(c, [g], n, day);
  await sleep(SETTLE_MS);
  const month = day.slice(0, 6);
  const ops: [string, Line[], Line[]?][] = [
    ["verify", Array.from({ length: n }, () => verifyLine(g, day)), [verifyLine(g, day)]],
    ["add", Array.from({ length: n }, () => addLine(g, day))],
    ["pay", toPay.map((o) => payLine(g, o.orderId))],
    [
      "query",
      toPay.map((o, i): Line => ["POST", QUERY_PATH, g.token, JSON.stringify(i % 2 === 0 ? { orderid: o.orderId } : { senderid: o.senderId })]),
    ],
    ["admin order list", Array.from({ length: n }, (): Line => ["GET", "/admin/orders?limit=50", ADMIN_TOKEN, ""])],
    ["admin customer orders", Array.from({ length: n }, (): Line => ["GET", `/admin/customers/${GROWN}/orders?limit=50`, ADMIN_TOKEN, ""])],
    ["calendar month", Array.from({ length: n }, (): Line => ["GET", `/admin/products/BENCH-T/calendar?month=${month}`, ADMIN_TOKEN, ""])],
  ];
  const out = new Map<string, OpResult>();
  for (const [name, lines, warmUp] of ops) {
    for (const line of warmUp ?? []) await c.send(line);
    await resetCounters(c);
    const times: number[] = [];
    let failed = 0;
    for (const line of lines) {
      const { ok, ms } = await c.send(line);
      times.push(ms);
      if (!ok) failed += 1;
    }
    await sleep(name === "pay" ? SETTLE_MS : 200);
    const counters: CountersSnapshot = await readCounters(c);
    const rows = (counters.totals["d1.rowsRead"] ?? 0) + (counters.totals["do.rowsRead"] ?? 0);
    out.set(name, { p50Ms: round2(median(times)), rowsRead: round2(rows / lines.length), failed });
    console.log(`growth ${name}: p50 ${median(times).toFixed(1)} ms, rows read ${(rows / lines.length).toFixed(1)}/op, failed ${failed}`);
  }
  return out;
}

/** D1 grown in its local file (the server stopped): orders with their line, ticket and payment, and delivered notifications. */
function growD1(state: string, orders: number, outbox: number, day: string, nowMs: number): void {
  const dir = `${state}/v3/d1/miniflare-D1DatabaseObject`;
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database file in ${dir}`);
  const db = new DatabaseSync(`${dir}/${file}`);
  const yearAgoMs = nowMs - 365 * DAY_MS;
  const spacingMs = Math.floor((364 * DAY_MS) / orders);
  const at = (offset = 0) => `(${yearAgoMs} + i * ${spacingMs} + ${offset})`;
  const dayOf = (ms: string) => `strftime('%Y%m%d', ${ms} / 1000, 'unixepoch', '+8 hours')`;
  const series = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${orders})`;
  const orderId = "printf('G%019d', i)";
  const t0 = Date.now();
  db.exec("PRAGMA synchronous = OFF");
  db.exec("BEGIN");
  db.exec(`${series}
    INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, amount_fen, mobile, request_json, created_at_ms, expires_at_ms, payment_id, paid_at_ms, business_date)
    SELECT ${orderId}, CASE WHEN i % 10 = 0 THEN '${GROWN}' ELSE printf('GC%05d', i % 9973) END, printf('gs-%d', i), 'ticket', 'paid',
      CASE WHEN i % 20 = 0 THEN '${day}' ELSE ${dayOf(at())} END, 100, printf('139%08d', i % 100000000), '{}',
      ${at()}, ${at(1_800_000)}, printf('gp-%d', i), ${at(1000)}, ${dayOf(at(1000))} FROM n`);
  db.exec(`${series}
    INSERT INTO order_items (order_id, line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen, mobile)
    SELECT ${orderId}, 1, 'ticket', 'BENCH-T', 1, 100, 100, printf('139%08d', i % 100000000) FROM n`);
  db.exec(`${series}
    INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms) SELECT printf('%018d', i), ${orderId}, 1, 'BENCH-T', 'valid', ${at(1000)} FROM n`);
  db.exec(`${series}
    INSERT INTO payments (intent_id, dwid, target_kind, target_id, amount_fen, outcome, decided_at_ms)
    SELECT printf('gp-%d', i), CASE WHEN i % 10 = 0 THEN '${GROWN}' ELSE printf('GC%05d', i % 9973) END, 'order', ${orderId}, 100, 'commit', ${at(1000)} FROM n`);
  // Delivered notifications of orders spread over the year: most are past their retention window.
  const every = Math.max(1, Math.floor(orders / Math.max(outbox, 1)));
  db.exec(`${series}
    INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
    SELECT 'order-paid:' || ${orderId}, 'order_paid', 'GC00001', ${orderId}, '{}', 'sent', 1, ${at(1000)}, ${at(2000)} FROM n WHERE i % ${every} = 0 LIMIT ${outbox}`);
  db.exec(`${series}
    INSERT INTO outbox_deliveries (outbox_id, channel, status, attempts, target, updated_at_ms, sent_at_ms)
    SELECT 'order-paid:' || ${orderId}, 'sms', 'logged', 1, '139****0000', ${at(2000)}, ${at(2000)} FROM n WHERE i % ${every} = 0 LIMIT ${outbox}`);
  db.exec("COMMIT");
  db.close();
  console.log(`growth: D1 grown by ${orders.toLocaleString("en-US")} orders (+ lines, tickets, payments) and ${outbox.toLocaleString("en-US")} notifications in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

async function runCron(base: string): Promise<void> {
  for (const path of ["/cdn-cgi/handler/scheduled?cron=*+*+*+*+*", "/cdn-cgi/local/scheduled?cron=*+*+*+*+*"]) {
    const response = await fetch(`${base}${path}`);
    await response.text();
    if (response.ok) return;
  }
  throw new Error("the local server ran no scheduled handler");
}

export async function runGrowth(ctx: { port: number; started: (s: Promise<Started>) => Promise<Started>; stop: (s: Started) => void }): Promise<GrowthReport> {
  const orders = num("BENCH_GROWTH_ORDERS", 1_000_000);
  const ledger = num("BENCH_GROWTH_LEDGER", 100_000);
  const holds = num("BENCH_GROWTH_HOLDS", 100_000);
  const outbox = num("BENCH_GROWTH_OUTBOX", 20_000);
  const n = num("BENCH_GROWTH_OPS", 50);
  const state = `${TMP}/growth-state`;
  const day = shanghaiDay(1);
  const vars = { BENCH_COUNTERS: "on", BENCH_PRELOAD: "on" };

  // The small store: the catalogue, the customer, the ops' own orders.
  let server = await ctx.started(startOurs(ctx.port, state, vars));
  let c = new Client(server.base);
  await prepareCatalogue(c, day);
  const g = (await prepareCustomers(c, 1, "GROW"))[0]!;
  const small = await measureOps(c, g, day, n);
  ctx.stop(server);

  // The large store.
  const nowMs = Date.now();
  growD1(state, orders, outbox, day, nowMs);
  server = await ctx.started(startOurs(ctx.port, state, vars, true));
  c = new Client(server.base);
  const sizesUrl = `/__bench/sizes?dwid=${GROWN}&productId=BENCH-T&day=${day}`;
  try {
    await c.call("POST", "/__bench/preload/account", { dwid: GROWN, debits: ledger, orders: { start: 0, step: 10 }, firstAtMs: nowMs - 365 * DAY_MS });
    const sold = Math.min(Math.floor(holds / 2), Math.ceil(orders / 20));
    await c.call("POST", "/__bench/preload/inventory", {
      productId: "BENCH-T", day, sold, soldOrders: { start: 0, step: 20 },
      held: Math.floor((holds - sold) / 2), heldUntilMs: nowMs + 6 * 3_600_000,
      released: holds - sold - Math.floor((holds - sold) / 2), releasedAtMs: nowMs - 10 * DAY_MS,
    });
    // Retention first: a year of history has been through it (the cron's notification passes, a
    // batch a run; the objects' passes until no backlog), so the ops meet the store a running system
    // keeps — and no backlog's purge is counted as an op's rows.
    const before = await c.call("GET", sizesUrl);
    console.log(`growth: grown store ${JSON.stringify(before)}`);
    let runs = 0;
    for (let last = Infinity; runs < 400; runs++) {
      await runCron(server.base);
      const now = (await c.call("GET", sizesUrl)).d1.outbox as number;
      if (now >= last) break;
      last = now;
    }
    const retired = await c.call("POST", `/__bench/retire?dwid=${GROWN}&productId=BENCH-T&day=${day}`);
    const after = await c.call("GET", sizesUrl);
    console.log(`growth: after retention ${JSON.stringify(after)}`);
    // A fresh session, as a partner logs in again after a deploy.
    const large = await measureOps(c, await login(c, g.dwid), day, n);

    const rows = [...small.keys()].map((op): GrowthRow => {
      const s = small.get(op)!;
      const l = large.get(op)!;
      const growth = round2(l.p50Ms / s.p50Ms);
      const rowsOk = l.rowsRead <= Math.max(s.rowsRead * GROWTH_BOUND, ROWS_FLOOR);
      return { op, p50MsSmall: s.p50Ms, p50MsLarge: l.p50Ms, growth, rowsReadSmall: s.rowsRead, rowsReadLarge: l.rowsRead, withinBound: growth <= GROWTH_BOUND && rowsOk && s.failed + l.failed === 0 };
    });
    const failures = [...small, ...large].filter(([, r]) => r.failed > 0).map(([op]) => op);
    return {
      sizes: `${orders.toLocaleString("en-US")} orders with their tickets in D1, ${ledger.toLocaleString("en-US")} ledger entries of one customer, ${holds.toLocaleString("en-US")} holds on one product-day; ${n} requests per op and store`,
      rows,
      notes: [
        `rows read = D1 rows read + the objects' SQL rows read, per request; within ${GROWTH_BOUND} × also needs no failed request${failures.length ? ` (failed: ${[...new Set(failures)].join(", ")})` : ""}; rows read under ${ROWS_FLOOR} on the large store count as within`,
        `sizes before retention: ${JSON.stringify(before)}`,
        `retention: ${runs} cron runs for the notifications, then the objects' passes ${JSON.stringify(retired)}`,
        `sizes after retention: ${JSON.stringify(after)}`,
      ],
    };
  } finally {
    ctx.stop(server);
  }
}
