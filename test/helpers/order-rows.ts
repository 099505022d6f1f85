/**
 * Orders written straight into D1, shaped as the order and payment paths
 * write them (orders + order_items), for tests of what operators read:
 * lists, exports, the dashboard. Many at once, in batches.
 */
import { env } from "cloudflare:workers";
import { uniqueId } from "./api";

export interface OrderRowSeed {
  dwid: string;
  orderId?: string;
  senderId?: string | null;
  status?: "unpaid" | "paid" | "expired" | "cancelled";
  effectDate?: string;
  createdAtMs: number;
  paidAtMs?: number;
  mobile?: string;
  kind?: "ticket" | "yearcard";
  items?: { productId: string; quantity: number; unitPriceFen: number; itemKind?: "ticket" | "insurance" }[];
  refundedFen?: number;
  refundedUnits?: number;
}

/** Inserts the orders (in batches of 200 orders) and answers their ids in the same order. */
export async function seedOrderRows(seeds: readonly OrderRowSeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < seeds.length; start += 200) {
    const statements: D1PreparedStatement[] = [];
    for (const seed of seeds.slice(start, start + 200)) {
      const orderId = seed.orderId ?? uniqueId("R").slice(0, 20);
      ids.push(orderId);
      const status = seed.status ?? "paid";
      const items = seed.items ?? [{ productId: "P-SEED", quantity: 1, unitPriceFen: 1000 }];
      const amountFen = items.reduce((t, i) => t + i.quantity * i.unitPriceFen, 0);
      const paidAtMs = status === "paid" ? (seed.paidAtMs ?? seed.createdAtMs + 1) : null;
      statements.push(
        env.DB.prepare(
          `INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, amount_fen, mobile, request_json, created_at_ms, expires_at_ms,
             payment_id, paid_at_ms, business_date, refunded_fen, refunded_units)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?)`,
        ).bind(
          orderId, seed.dwid, seed.senderId ?? null, seed.kind ?? "ticket", status, seed.effectDate ?? "20270101", amountFen, seed.mobile ?? "13800138000",
          seed.createdAtMs, seed.createdAtMs + 30 * 60_000, paidAtMs === null ? null : `pay-${orderId}`, paidAtMs, paidAtMs === null ? null : "20270101",
          seed.refundedFen ?? 0, seed.refundedUnits ?? 0,
        ),
        ...items.map((item, i) =>
          env.DB.prepare(
            "INSERT INTO order_items (order_id, line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?)",
          ).bind(orderId, i + 1, item.itemKind ?? "ticket", item.productId, item.quantity, item.unitPriceFen, item.quantity * item.unitPriceFen),
        ),
      );
    }
    await env.DB.batch(statements);
  }
  return ids;
}
