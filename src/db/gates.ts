/**
 * D1 `gates` and the gate's side of `tickets` (SPEC §10 核销): registering
 * gate devices, finding a ticket by its code or its holder's ID number, and
 * the check itself — one guarded UPDATE (valid → used) that is the decision,
 * the `ticket_used` outbox row under it, and the ticket read back in the same
 * transaction. A refund's batch guards on the same `status = 'valid'`, and D1
 * runs writes one at a time: of a check and a refund of one ticket, exactly
 * one finds it valid.
 */
import { decodeCursor, pageOf, type Page } from "./pages";

export interface Gate {
  gateId: string;
  name: string;
  /** null: every product. */
  products: string[] | null;
  tokenSha256: string;
  tokenSetAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
}

interface GateRow {
  gate_id: string;
  name: string;
  products_json: string | null;
  token_sha256: string;
  token_set_at_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
}

const toGate = (r: GateRow): Gate => ({
  gateId: r.gate_id,
  name: r.name,
  products: r.products_json === null ? null : (JSON.parse(r.products_json) as string[]),
  tokenSha256: r.token_sha256,
  tokenSetAtMs: r.token_set_at_ms,
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
});

export async function getGate(db: D1Database, gateId: string): Promise<Gate | null> {
  const row = await db.prepare("SELECT * FROM gates WHERE gate_id = ?").bind(gateId).first<GateRow>();
  return row ? toGate(row) : null;
}

/**
 * Creates the gate with `tokenSha256`, or changes its name and products
 * (keeping its token). `created`: whether this call made it.
 */
export async function putGate(db: D1Database, g: { gateId: string; name: string; products: string[] | null; tokenSha256: string }, nowMs: number): Promise<{ gate: Gate; created: boolean }> {
  const products = g.products === null ? null : JSON.stringify(g.products);
  const inserted = await db
    .prepare(
      `INSERT INTO gates (gate_id, name, products_json, token_sha256, token_set_at_ms, created_at_ms, updated_at_ms)
       VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5) ON CONFLICT (gate_id) DO NOTHING RETURNING gate_id`,
    )
    .bind(g.gateId, g.name, products, g.tokenSha256, nowMs)
    .first();
  if (!inserted) await db.prepare("UPDATE gates SET name = ?, products_json = ?, updated_at_ms = ? WHERE gate_id = ?").bind(g.name, products, nowMs, g.gateId).run();
  return { gate: (await getGate(db, g.gateId))!, created: inserted !== null };
}

/** A new token for the gate: the old one stops at once. false: no such gate. */
export async function rotateGateToken(db: D1Database, gateId: string, tokenSha256: string, nowMs: number): Promise<boolean> {
  const result = await db.prepare("UPDATE gates SET token_sha256 = ?, token_set_at_ms = ?, updated_at_ms = ? WHERE gate_id = ?").bind(tokenSha256, nowMs, nowMs, gateId).run();
  return result.meta.changes === 1;
}

export async function listGates(db: D1Database, q: { limit: number; cursor?: string }): Promise<Page<Gate>> {
  const after = (decodeCursor(q.cursor)?.[0] as string | undefined) ?? "";
  const { results } = await db.prepare("SELECT * FROM gates WHERE gate_id > ? ORDER BY gate_id LIMIT ?").bind(after, q.limit + 1).all<GateRow>();
  return pageOf(results, q.limit, toGate, (r) => [r.gate_id]);
}

// ---------------------------------------------------------------- tickets at the gate

/** A ticket with what the gate decides from (domain/gate.ts) and what its answer shows. */
export interface GateTicket {
  ticketCode: string;
  status: "valid" | "used" | "refunded";
  orderId: string;
  senderId: string | null;
  dwid: string;
  orderStatus: string;
  productId: string;
  productKind: "ticket" | "yearcard";
  effectDate: string;
  timespanIndex: number | null;
  /** The day's time slots as configured (JSON), to find the ticket's. */
  timeslotsJson: string | null;
  usedAtMs: number | null;
  usedGateId: string | null;
  checkId: string | null;
  /** The order's hold key (migration 0009): the check admits only while the order is where it was read. */
  holdKey: string;
  /** The holder's ID number (real-name tickets), else null. */
  idNumber: string | null;
}

const GATE_TICKET = `SELECT t.ticket_code, t.status, t.order_id, o.sender_id, o.dwid, o.status AS order_status, t.product_id,
    p.kind AS product_kind, o.effect_date, i.timespan_index, d.timeslots_json, t.used_at_ms, t.used_gate_id, t.check_id,
    coalesce(o.hold_key, o.order_id) AS hold_key, i.id_number
  FROM tickets t
  JOIN orders o ON o.order_id = t.order_id
  JOIN order_items i ON i.order_id = t.order_id AND i.line_no = t.line_no
  JOIN products p ON p.product_id = t.product_id
  LEFT JOIN product_days d ON d.product_id = t.product_id AND d.day = o.effect_date`;

interface GateTicketRow {
  ticket_code: string;
  status: GateTicket["status"];
  order_id: string;
  sender_id: string | null;
  dwid: string;
  order_status: string;
  product_id: string;
  product_kind: GateTicket["productKind"];
  effect_date: string;
  timespan_index: number | null;
  timeslots_json: string | null;
  used_at_ms: number | null;
  used_gate_id: string | null;
  check_id: string | null;
  hold_key: string;
  id_number: string | null;
}

const toGateTicket = (r: GateTicketRow): GateTicket => ({
  ticketCode: r.ticket_code,
  status: r.status,
  orderId: r.order_id,
  senderId: r.sender_id,
  dwid: r.dwid,
  orderStatus: r.order_status,
  productId: r.product_id,
  productKind: r.product_kind,
  effectDate: r.effect_date,
  timespanIndex: r.timespan_index,
  timeslotsJson: r.timeslots_json,
  usedAtMs: r.used_at_ms,
  usedGateId: r.used_gate_id,
  checkId: r.check_id,
  holdKey: r.hold_key,
  idNumber: r.id_number,
});

export async function ticketByCode(db: D1Database, code: string): Promise<GateTicket | null> {
  const row = await db.prepare(`${GATE_TICKET} WHERE t.ticket_code = ?`).bind(code).first<GateTicketRow>();
  return row ? toGateTicket(row) : null;
}

/** The check a gate recorded under a scan's id (a device's retry of the same scan). */
export async function ticketByCheck(db: D1Database, gateId: string, checkId: string): Promise<GateTicket | null> {
  const row = await db.prepare(`${GATE_TICKET} WHERE t.used_gate_id = ? AND t.check_id = ?`).bind(gateId, checkId).first<GateTicketRow>();
  return row ? toGateTicket(row) : null;
}

/**
 * The real-name tickets of an ID number (刷身份证入园) whose visit day is
 * `today` or that are annual cards in force: valid ones first, so a holder
 * with a valid ticket is admitted on it, and otherwise the best refusal
 * (used, refunded) is said of one of them.
 */
export async function ticketsOfHolder(db: D1Database, idNumber: string, today: string, yearcardFrom: string): Promise<GateTicket[]> {
  const { results } = await db
    .prepare(
      `${GATE_TICKET} WHERE i.id_number = ?1 AND o.status = 'paid'
         AND (o.effect_date = ?2 OR (p.kind = 'yearcard' AND o.effect_date BETWEEN ?3 AND ?2))
       ORDER BY CASE t.status WHEN 'valid' THEN 0 WHEN 'used' THEN 1 ELSE 2 END, t.ticket_code LIMIT 20`,
    )
    .bind(idNumber, today, yearcardFrom)
    .all<GateTicketRow>();
  return results.map(toGateTicket);
}

/**
 * The check: the ticket 'used' by this gate and scan only while it is still
 * valid and its order paid and where it was read (a date change moves the
 * hold key: SPEC §10 ChangeDate), the partner's `ticket_used` outbox row under it, and the ticket read
 * back — whoever used it is the answer.
 */
export async function checkTicket(
  db: D1Database,
  c: { ticketCode: string; holdKey: string; gateId: string; checkId: string; nowMs: number; outboxId: string; outboxPayload: string; dwid: string },
): Promise<GateTicket | null> {
  const mine = "EXISTS (SELECT 1 FROM tickets WHERE ticket_code = ?1 AND used_gate_id = ?2 AND check_id = ?3)";
  const [, , after] = await db.batch([
    db
      .prepare(
        `UPDATE tickets SET status = 'used', used_at_ms = ?4, used_gate_id = ?2, check_id = ?3
         WHERE ticket_code = ?1 AND status = 'valid'
           AND EXISTS (SELECT 1 FROM orders o WHERE o.order_id = tickets.order_id AND o.status = 'paid' AND coalesce(o.hold_key, o.order_id) = ?5)`,
      )
      .bind(c.ticketCode, c.gateId, c.checkId, c.nowMs, c.holdKey),
    db
      .prepare(
        `INSERT OR IGNORE INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
         SELECT ?4, 'ticket_used', ?5, ?1, ?6, 'pending', 0, ?7, ?7 WHERE ${mine}`,
      )
      .bind(c.ticketCode, c.gateId, c.checkId, c.outboxId, c.dwid, c.outboxPayload, c.nowMs),
    db.prepare(`${GATE_TICKET} WHERE t.ticket_code = ?`).bind(c.ticketCode),
  ]);
  const row = (after!.results as GateTicketRow[])[0];
  return row ? toGateTicket(row) : null;
}
