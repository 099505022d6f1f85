/** D1 `orders`, `order_items`, `tickets`: reading for operators and partners. */
import { decodeCursor, pageOf, type Page } from "./pages";
import { escapeLike } from "./customers";

export type OrderStatus = "unpaid" | "paid" | "expired" | "cancelled";

export interface Order {
  orderId: string;
  dwid: string;
  senderId: string | null;
  kind: "ticket" | "yearcard";
  status: OrderStatus;
  effectDate: string;
  timespanIndex: number | null;
  amountFen: number;
  mobile: string;
  idNumber: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  paymentId: string | null;
  paidAtMs: number | null;
  businessDate: string | null;
  sellStationId: string | null;
  marketAreaId: string | null;
  teamTypeCode: string | null;
}

export interface OrderItem {
  lineNo: number;
  productId: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  fullname: string | null;
  idType: string | null;
  idNumber: string | null;
  mobile: string | null;
}

export interface Ticket {
  ticketCode: string;
  lineNo: number;
  productId: string;
  status: "valid" | "used" | "refunded";
  issuedAtMs: number;
}

export interface OrderRow {
  order_id: string;
  dwid: string;
  sender_id: string | null;
  kind: "ticket" | "yearcard";
  status: OrderStatus;
  effect_date: string;
  timespan_index: number | null;
  amount_fen: number;
  mobile: string;
  id_number: string | null;
  created_at_ms: number;
  expires_at_ms: number;
  payment_id: string | null;
  paid_at_ms: number | null;
  business_date: string | null;
  sell_station_id: string | null;
  market_area_id: string | null;
  team_type_code: string | null;
}

export const toOrder = (r: OrderRow): Order => ({
  orderId: r.order_id,
  dwid: r.dwid,
  senderId: r.sender_id,
  kind: r.kind,
  status: r.status,
  effectDate: r.effect_date,
  timespanIndex: r.timespan_index,
  amountFen: r.amount_fen,
  mobile: r.mobile,
  idNumber: r.id_number,
  createdAtMs: r.created_at_ms,
  expiresAtMs: r.expires_at_ms,
  paymentId: r.payment_id,
  paidAtMs: r.paid_at_ms,
  businessDate: r.business_date,
  sellStationId: r.sell_station_id,
  marketAreaId: r.market_area_id,
  teamTypeCode: r.team_type_code,
});

const ORDER_COLUMNS = `order_id, dwid, sender_id, kind, status, effect_date, timespan_index, amount_fen, mobile, id_number,
  created_at_ms, expires_at_ms, payment_id, paid_at_ms, business_date, sell_station_id, market_area_id, team_type_code`;

export async function getOrder(db: D1Database, orderId: string): Promise<Order | null> {
  const row = await db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId).first<OrderRow>();
  return row ? toOrder(row) : null;
}

export async function getOrderDetail(db: D1Database, orderId: string): Promise<{ order: Order; items: OrderItem[]; tickets: Ticket[] } | null> {
  const [orderRes, itemsRes, ticketsRes] = await db.batch([
    db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`).bind(orderId),
    db.prepare("SELECT * FROM order_items WHERE order_id = ? ORDER BY line_no").bind(orderId),
    db.prepare("SELECT * FROM tickets WHERE order_id = ? ORDER BY line_no, ticket_code").bind(orderId),
  ]);
  const row = (orderRes!.results as OrderRow[])[0];
  if (!row) return null;
  return {
    order: toOrder(row),
    items: (itemsRes!.results as Record<string, unknown>[]).map((r) => ({
      lineNo: r.line_no as number,
      productId: r.product_id as string,
      quantity: r.quantity as number,
      unitPriceFen: r.unit_price_fen as number,
      amountFen: r.amount_fen as number,
      fullname: r.fullname as string | null,
      idType: r.id_type as string | null,
      idNumber: r.id_number as string | null,
      mobile: r.mobile as string | null,
    })),
    tickets: (ticketsRes!.results as Record<string, unknown>[]).map((r) => ({
      ticketCode: r.ticket_code as string,
      lineNo: r.line_no as number,
      productId: r.product_id as string,
      status: r.status as Ticket["status"],
      issuedAtMs: r.issued_at_ms as number,
    })),
  };
}

export interface OrderFilter {
  dwid?: string;
  effectDate?: string;
  status?: OrderStatus;
  /** Matches order id or senderid exactly or by prefix. */
  q?: string;
  limit: number;
  cursor?: string;
}

/** Newest first. */
export async function listOrders(db: D1Database, f: OrderFilter): Promise<Page<Order>> {
  const key = decodeCursor(f.cursor);
  const { results } = await db
    .prepare(
      `SELECT ${ORDER_COLUMNS} FROM orders
       WHERE (?1 IS NULL OR dwid = ?1) AND (?2 IS NULL OR effect_date = ?2) AND (?3 IS NULL OR status = ?3)
         AND (?4 IS NULL OR order_id LIKE ?4 || '%' ESCAPE '\\' OR sender_id LIKE ?4 || '%' ESCAPE '\\')
         AND (?5 IS NULL OR created_at_ms < ?5 OR (created_at_ms = ?5 AND order_id < ?6))
       ORDER BY created_at_ms DESC, order_id DESC LIMIT ?7`,
    )
    .bind(
      f.dwid ?? null, f.effectDate ?? null, f.status ?? null, f.q ? escapeLike(f.q) : null,
      key ? (key[0] as number) : null, key ? (key[1] as string) : null, f.limit + 1,
    )
    .all<OrderRow>();
  return pageOf(results, f.limit, toOrder, (r) => [r.created_at_ms, r.order_id]);
}
