/**
 * The floor (issue 19): what an order add and a payment cost when they do
 * nothing but the storage hops SPEC §6 requires — no session, no pay
 * password, no catalogue, no checks, no follow-ups — using the very
 * statements our db/ layer sends (imported, so the shapes stay ours).
 *
 *   GET  /health  the floor's trivial endpoint
 *   POST /body    a partner request's own floor: its JSON body read, a
 *                 small JSON answered — no store (Verify's floor: what a
 *                 POST with a body costs the runtime beyond a bare GET)
 *   POST /add     {dwid, productId, day}: the hold, one InventoryDO SQLite
 *                 transaction; then orders + order_items in one D1 batch
 *                 (db/orders.ts insertOrder: guarded by the fence)
 *   POST /pay     {dwid, orderId, amountFen}: in the customer's object, the
 *                 hold (intent + totals, one SQLite transaction); the order's
 *                 D1 read (db/payments.ts orderLoadStatements); the guarded
 *                 pay batch (orderPaymentStatements); the post (intent,
 *                 totals, ledger, one SQLite transaction)
 *
 * The hold takes the amount the client names (ours reads it from D1 first:
 * the same four hops in another order); the guarded batch still checks it.
 */
import { DurableObject } from "cloudflare:workers";
import { insertOrder } from "../../../src/db/orders";
import { orderLoadStatements, orderPaymentStatements, parseDecided, parseOrderLoad } from "../../../src/db/payments";
import { orderPaidOutboxId } from "../../../src/domain/notifications";
import { makeOrderId, ORDER_ID_RANDOM_BYTES } from "../../../src/domain/orders";

interface FloorEnv {
  DB: D1Database;
  FLOOR_ACCOUNT: DurableObjectNamespace<FloorAccount>;
  FLOOR_INVENTORY: DurableObjectNamespace<FloorInventory>;
}

const HOLD_MS = 30 * 60_000;
const OPENING_BALANCE_FEN = 1_000_000_000;
const DAY_STOCK = 100_000_000;

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

export class FloorInventory extends DurableObject<FloorEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS holds (
      order_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, state TEXT NOT NULL, expires_at_ms INTEGER NOT NULL, created_at_ms INTEGER NOT NULL)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS usage_totals (state TEXT PRIMARY KEY, units INTEGER NOT NULL)");
  }

  /** One SQLite transaction: usage read, the hold written, usage moved on. */
  async hold(orderId: string, quantity: number, expiresAtMs: number): Promise<boolean> {
    return this.ctx.storage.transactionSync(() => {
      const used = this.sql.exec<{ units: number }>("SELECT coalesce(sum(units), 0) AS units FROM usage_totals").one().units;
      if (used + quantity > DAY_STOCK) return false;
      this.sql.exec("INSERT INTO holds (order_id, quantity, state, expires_at_ms, created_at_ms) VALUES (?, ?, 'held', ?, ?)", orderId, quantity, expiresAtMs, Date.now());
      this.sql.exec("INSERT INTO usage_totals (state, units) VALUES ('held', ?) ON CONFLICT (state) DO UPDATE SET units = units + excluded.units", quantity);
      return true;
    });
  }
}

export class FloorAccount extends DurableObject<FloorEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS totals (singleton INTEGER PRIMARY KEY, balance_fen INTEGER NOT NULL, held_fen INTEGER NOT NULL)");
    this.sql.exec("INSERT OR IGNORE INTO totals (singleton, balance_fen, held_fen) VALUES (1, ?, 0)", OPENING_BALANCE_FEN);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS intents (
      intent_id TEXT PRIMARY KEY, target_id TEXT NOT NULL, amount_fen INTEGER NOT NULL, state TEXT NOT NULL, created_at_ms INTEGER NOT NULL, decided_at_ms INTEGER)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ledger (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, amount_fen INTEGER NOT NULL, balance_after_fen INTEGER NOT NULL,
      reference TEXT NOT NULL, target TEXT, created_at_ms INTEGER NOT NULL, UNIQUE (kind, reference))`);
  }

  async pay(dwid: string, orderId: string, amountFen: number): Promise<boolean> {
    const intentId = crypto.randomUUID();
    // 1. the hold
    const held = this.ctx.storage.transactionSync(() => {
      const t = this.sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals WHERE singleton = 1").one();
      if (t.balance_fen - t.held_fen < amountFen) return false;
      this.sql.exec("INSERT INTO intents (intent_id, target_id, amount_fen, state, created_at_ms) VALUES (?, ?, ?, 'pending', ?)", intentId, orderId, amountFen, Date.now());
      this.sql.exec("UPDATE totals SET held_fen = held_fen + ? WHERE singleton = 1", amountFen);
      return true;
    });
    if (!held) return false;
    // 2. the order's read, 3. the guarded batch
    const order = parseOrderLoad(await this.env.DB.batch(orderLoadStatements(this.env.DB, orderId)));
    const paidAtMs = Date.now();
    const tickets = (order?.items ?? []).flatMap((item) =>
      Array.from({ length: item.quantity }, () => ({ code: ticketCode(), lineNo: item.lineNo, productId: item.productId })),
    );
    const statements = orderPaymentStatements(this.env.DB, {
      intentId, dwid, orderId, amountFen, paidAtMs, businessDate: "20260101", sellStationId: null, marketAreaId: null, teamTypeCode: null,
      tickets, outboxId: orderPaidOutboxId(orderId), outboxPayload: JSON.stringify({ orderId, dwid, intentId }),
    });
    const { decision } = parseDecided(await this.env.DB.batch(statements));
    // 4. the post (or the void)
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE intents SET state = ?, decided_at_ms = ? WHERE intent_id = ?", decision === "commit" ? "posted" : "voided", Date.now(), intentId);
      const balanceDelta = decision === "commit" ? amountFen : 0;
      this.sql.exec("UPDATE totals SET held_fen = held_fen - ?, balance_fen = balance_fen - ? WHERE singleton = 1", amountFen, balanceDelta);
      if (decision === "commit") {
        const balance = this.sql.exec<{ balance_fen: number }>("SELECT balance_fen FROM totals WHERE singleton = 1").one().balance_fen;
        this.sql.exec(
          "INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms) VALUES ('debit', ?, ?, ?, ?, ?)",
          amountFen, balance, intentId, `order:${orderId}`, Date.now(),
        );
      }
    });
    return decision === "commit";
  }
}

function ticketCode(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => String(b % 10)).join("");
}

async function add(env: FloorEnv, body: { dwid: string; productId: string; day: string; senderId: string; amountFen: number }): Promise<Response> {
  const nowMs = Date.now();
  const orderId = makeOrderId(nowMs, crypto.getRandomValues(new Uint8Array(ORDER_ID_RANDOM_BYTES)));
  const inventory = env.FLOOR_INVENTORY.get(env.FLOOR_INVENTORY.idFromName(`${body.productId}:${body.day}`));
  if (!(await inventory.hold(orderId, 1, nowMs + HOLD_MS))) return json({ ok: false, reason: "stock" });
  const outcome = await insertOrder(env.DB, {
    orderId, dwid: body.dwid, senderId: body.senderId, kind: "ticket", effectDate: body.day, timespanIndex: null,
    amountFen: body.amountFen, mobile: "13800138000", idNumber: null, requestJson: JSON.stringify(body), createdAtMs: nowMs, expiresAtMs: nowMs + HOLD_MS, sessionVersion: null,
    items: [{ lineNo: 1, itemKind: "ticket", productId: body.productId, quantity: 1, unitPriceFen: body.amountFen, fullname: null, idType: null, idNumber: null, mobile: null, timespanIndex: null, seatIds: [] }],
  });
  return json(outcome === "inserted" ? { ok: true, orderid: orderId } : { ok: false, reason: outcome });
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/health") return json({ ok: true });
    if (request.method === "POST" && path === "/body") {
      const body = await request.json<Record<string, unknown>>();
      return json({ ok: true, errcode: 0, errmsg: "", fields: Object.keys(body).length });
    }
    if (request.method === "POST" && path === "/add") return add(env, await request.json());
    if (request.method === "POST" && path === "/pay") {
      const body = await request.json<{ dwid: string; orderId: string; amountFen: number }>();
      const paid = await env.FLOOR_ACCOUNT.get(env.FLOOR_ACCOUNT.idFromName(body.dwid)).pay(body.dwid, body.orderId, body.amountFen);
      return json({ ok: paid });
    }
    return json({ ok: false, reason: "not found" }, 404);
  },
} satisfies ExportedHandler<FloorEnv>;
