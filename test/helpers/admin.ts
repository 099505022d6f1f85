/**
 * Builders for the /admin API tests (test/api/admin-*.test.ts): raw requests,
 * paging to the end, a login's answer, and D1 rows shaped as the partner
 * endpoints write them (for lists whose contents the admin API only reads).
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { admin, fetchWorker, partner, uniqueId, upperMd5 } from "./api";

export const INVALID = ResultCodes.adminInvalid.code;

export async function adminRaw(method: string, path: string, options: { authorization?: string; body?: string | Uint8Array } = {}) {
  const response = await fetchWorker(path, {
    method,
    headers: {
      ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: options.body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Follows nextCursor until the end; returns every page. */
export async function allPages<T = any>(path: string, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const r: { status: number; body: any } = await admin("GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    pages.push(r.body.items);
    cursor = r.body.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error("paging never ended");
}

export async function loginCode(dwid: string, dwlx: string, loginPassword: string): Promise<number> {
  const r = await partner("/api/WebInterface/Session/Login", { dwid, dwlx, password: await upperMd5(loginPassword) });
  return ((await r.json()) as { errcode: number }).errcode;
}

// ------------------------------------------------------------------ D1 rows the partner endpoints will write

export interface OrderSeed {
  orderId?: string;
  dwid: string;
  senderId?: string | null;
  status?: "unpaid" | "paid" | "expired" | "cancelled";
  effectDate?: string;
  amountFen?: number;
  createdAtMs?: number;
  items?: { productId: string; quantity: number; unitPriceFen: number }[];
  tickets?: string[];
}

export async function anOrderRow(seed: OrderSeed): Promise<string> {
  const orderId = seed.orderId ?? uniqueId("o").slice(0, 20);
  const status = seed.status ?? "unpaid";
  const createdAtMs = seed.createdAtMs ?? Date.now();
  const items = seed.items ?? [{ productId: "P1", quantity: 2, unitPriceFen: 5_000 }];
  const statements = [
    env.DB.prepare(
      `INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, timespan_index, amount_fen, mobile, id_number,
         request_json, created_at_ms, expires_at_ms, payment_id, paid_at_ms, business_date, sell_station_id, market_area_id, team_type_code)
       VALUES (?, ?, ?, 'ticket', ?, ?, NULL, ?, '13800138000', NULL, '{}', ?, ?, ?, ?, ?, ?, NULL, NULL)`,
    ).bind(
      orderId, seed.dwid, seed.senderId ?? null, status, seed.effectDate ?? "20270101",
      seed.amountFen ?? items.reduce((t, i) => t + i.quantity * i.unitPriceFen, 0),
      createdAtMs, createdAtMs + 30 * 60_000,
      status === "paid" ? `pay-${orderId}` : null, status === "paid" ? createdAtMs + 1 : null,
      status === "paid" ? "20270101" : null, status === "paid" ? "01" : null,
    ),
    ...items.map((item, i) =>
      env.DB.prepare(
        `INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_fen, amount_fen) VALUES (?, ?, ?, ?, ?, ?)`,
      ).bind(orderId, i + 1, item.productId, item.quantity, item.unitPriceFen, item.quantity * item.unitPriceFen),
    ),
    ...(seed.tickets ?? []).map((code) =>
      env.DB.prepare(`INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms) VALUES (?, ?, 1, ?, 'valid', ?)`).bind(
        code, orderId, items[0]!.productId, createdAtMs + 1,
      ),
    ),
  ];
  await env.DB.batch(statements);
  return orderId;
}

export async function aBillRow(seed: { dwid: string; billNum?: string; senderBillNum?: string | null; status?: "unpaid" | "paid"; amountFen?: number; createdAtMs?: number }): Promise<string> {
  const billNum = seed.billNum ?? uniqueId("b").slice(0, 20);
  const status = seed.status ?? "unpaid";
  const createdAtMs = seed.createdAtMs ?? Date.now();
  await env.DB.prepare(
    `INSERT INTO pos_bills (bill_num, dwid, sender_bill_num, status, amount_fen, rnd_code, payment_id, created_at_ms, paid_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(billNum, seed.dwid, seed.senderBillNum ?? null, status, seed.amountFen ?? 1_250,
      status === "paid" ? "123456" : null, status === "paid" ? `pay-${billNum}` : null, createdAtMs, status === "paid" ? createdAtMs + 1 : null)
    .run();
  return billNum;
}
