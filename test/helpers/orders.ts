/**
 * Seeds unpaid orders straight into D1 for payment tests, shaped exactly as
 * the order endpoints write them (orders + order_items), so the payment path
 * is tested on its own.
 */
import { env } from "cloudflare:workers";
import { testClock } from "../../src/clock";
import { uniqueId } from "./api";

export interface SeededOrder {
  orderId: string;
  senderId: string;
  amountFen: number;
  tickets: number;
}

export async function anUnpaidOrder(
  dwid: string,
  options: { lines?: { productId?: string; quantity: number; unitPriceFen: number }[]; expiresInMs?: number; status?: string; effectDate?: string } = {},
): Promise<SeededOrder> {
  const lines = options.lines ?? [{ quantity: 2, unitPriceFen: 1000 }];
  const orderId = uniqueId("T").slice(0, 20);
  const senderId = uniqueId("S");
  const nowMs = testClock.nowMs();
  const amountFen = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceFen, 0);
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, amount_fen, mobile, request_json, created_at_ms, expires_at_ms)
       VALUES (?, ?, ?, 'ticket', ?, ?, ?, '13800138000', '{}', ?, ?)`,
    ).bind(orderId, dwid, senderId, options.status ?? "unpaid", options.effectDate ?? "20991231", amountFen, nowMs, nowMs + (options.expiresInMs ?? 30 * 60_000)),
    ...lines.map((l, i) =>
      env.DB.prepare(
        `INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_fen, amount_fen) VALUES (?, ?, ?, ?, ?, ?)`,
      ).bind(orderId, i + 1, l.productId ?? "P-TICKET", l.quantity, l.unitPriceFen, l.quantity * l.unitPriceFen),
    ),
  ]);
  return { orderId, senderId, amountFen, tickets: lines.reduce((n, l) => n + l.quantity, 0) };
}
