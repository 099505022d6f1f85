/**
 * D1 `outbox` and `outbox_deliveries`: the notifications the payment batch
 * wrote (db/payments.ts) — and the refund batch, Order/Resend, the gate and
 * the AccountDO's low-balance alerts — their delivery state per channel, the
 * sweep's and the operators' questions. States and rules: domain/notifications.ts.
 *
 * Every state change here is guarded so that a late or duplicate writer
 * never undoes a delivery: nothing leaves 'sent', and a channel once done
 * stays done.
 */
import type { Channel, ChannelStatus, NotificationKind, OutboxStatus, NotificationTarget } from "../domain/notifications";
import { newestFirstAfter, pageOf, parameters, type Page } from "./pages";

export interface OutboxEntry {
  id: string;
  kind: NotificationKind;
  dwid: string;
  targetId: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

interface OutboxRow {
  id: string;
  kind: NotificationKind;
  dwid: string;
  target_id: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

const OUTBOX_COLUMNS = "id, kind, dwid, target_id, status, attempts, last_error, created_at_ms, updated_at_ms";

const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  kind: r.kind,
  dwid: r.dwid,
  targetId: r.target_id,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
});

export interface Delivery {
  channel: Channel;
  status: ChannelStatus;
  attempts: number;
  target: string | null;
  lastError: string | null;
  updatedAtMs: number;
  sentAtMs: number | null;
}

interface DeliveryRow {
  channel: Channel;
  status: ChannelStatus;
  attempts: number;
  target: string | null;
  last_error: string | null;
  updated_at_ms: number;
  sent_at_ms: number | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  channel: r.channel,
  status: r.status,
  attempts: r.attempts,
  target: r.target,
  lastError: r.last_error,
  updatedAtMs: r.updated_at_ms,
  sentAtMs: r.sent_at_ms,
});

// ---------------------------------------------------------------- writers outside a payment batch

/** A low-balance alert as the customer's AccountDO recorded it (durable/balance-watch.ts). */
export interface BalanceLowRow {
  id: string;
  dwid: string;
  balanceFen: number;
  availableFen: number;
  thresholdFen: number;
  atMs: number;
  cause: "debit" | "threshold";
  ledgerSeq: number | null;
}

/**
 * The alert's outbox row, 'pending' (the object then sends its message; the
 * sweep sends it when that fails). The id is the object's own alert seq, so
 * a retry of this write, after a lost reply or a crash, inserts nothing.
 */
export async function insertBalanceLow(db: D1Database, alert: BalanceLowRow, nowMs: number): Promise<void> {
  const payload = {
    balanceFen: alert.balanceFen, availableFen: alert.availableFen, thresholdFen: alert.thresholdFen, atMs: alert.atMs,
    cause: alert.cause, ledgerSeq: alert.ledgerSeq,
  };
  await db
    .prepare(
      `INSERT OR IGNORE INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       VALUES (?1, 'balance_low', ?2, ?2, ?3, 'pending', 0, ?4, ?4)`,
    )
    .bind(alert.id, alert.dwid, JSON.stringify(payload), nowMs)
    .run();
}

// ---------------------------------------------------------------- operators

export async function getOutbox(db: D1Database, id: string): Promise<{ entry: OutboxEntry; deliveries: Delivery[] } | null> {
  const [entryRes, deliveriesRes] = await db.batch([
    db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`).bind(id),
    db.prepare("SELECT * FROM outbox_deliveries WHERE outbox_id = ? ORDER BY channel").bind(id),
  ]);
  const row = (entryRes!.results as OutboxRow[])[0];
  return row ? { entry: toEntry(row), deliveries: (deliveriesRes!.results as DeliveryRow[]).map(toDelivery) } : null;
}

/** Newest first; keyset on (created_at_ms, id): a range of outbox_by_status or outbox_by_created (migration 0013). */
export async function listOutbox(db: D1Database, f: { status?: OutboxStatus; limit: number; cursor?: string }): Promise<Page<OutboxEntry>> {
  const [atMs, id] = newestFirstAfter(f.cursor);
  const p = parameters();
  const status = f.status === undefined ? "" : `status = ${p.bind(f.status)} AND `;
  const { results } = await db
    .prepare(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE ${status}(created_at_ms, id) < (${p.bind(atMs)}, ${p.bind(id)})
       ORDER BY created_at_ms DESC, id DESC LIMIT ${p.bind(f.limit + 1)}`,
    )
    .bind(...p.values)
    .all<OutboxRow>();
  return pageOf(results, f.limit, toEntry, (r) => [r.created_at_ms, r.id]);
}

// ---------------------------------------------------------------- producer and sweep

/**
 * Marks rows handed to the queue. `from` names the states a row may leave:
 * the pay endpoints move only 'pending' rows (a fast consumer may already
 * have sent it); the sweep also refreshes stale 'enqueued' ones.
 */
export async function markEnqueued(db: D1Database, ids: readonly string[], from: readonly OutboxStatus[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare(
      `UPDATE outbox SET status = 'enqueued', updated_at_ms = ?3
       WHERE id IN (SELECT value FROM json_each(?1)) AND status IN (SELECT value FROM json_each(?2))`,
    )
    .bind(JSON.stringify(ids), JSON.stringify(from), nowMs)
    .run();
}

/** An operator's retry: any state but 'sent' goes back to 'enqueued'. The row's state afterwards, or null when unknown. */
export async function requeue(db: D1Database, id: string, nowMs: number): Promise<OutboxStatus | null> {
  const [, after] = await db.batch([
    db.prepare("UPDATE outbox SET status = 'enqueued', updated_at_ms = ?2 WHERE id = ?1 AND status != 'sent'").bind(id, nowMs),
    db.prepare("SELECT status FROM outbox WHERE id = ?").bind(id),
  ]);
  return (after!.results as { status: OutboxStatus }[])[0]?.status ?? null;
}

/** What the sweep enqueues: 'pending' rows older than `pendingBeforeMs`, and 'enqueued' rows untouched since `staleBeforeMs`. */
export async function listDue(db: D1Database, q: { pendingBeforeMs: number; staleBeforeMs: number; limit: number }): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM outbox
       WHERE (status = 'pending' AND created_at_ms <= ?1) OR (status = 'enqueued' AND updated_at_ms <= ?2)
       ORDER BY created_at_ms LIMIT ?3`,
    )
    .bind(q.pendingBeforeMs, q.staleBeforeMs, q.limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

// ---------------------------------------------------------------- consumer

export interface DeliveryView {
  entry: OutboxEntry;
  /** The customer's callback URL and sealed secret; null when the customer row is gone. */
  customer: { callbackUrl: string | null; callbackSecretSealed: string | null } | null;
  /** The paid order or bill; null when it is gone (the row is then undeliverable). */
  target: NotificationTarget | null;
  deliveries: Map<Channel, Delivery>;
}

/** Everything one delivery needs: six reads, sent in one batch (one consistent snapshot). */
function deliveryViewStatements(db: D1Database, id: string): D1PreparedStatement[] {
  return [
    db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?1`).bind(id),
    db.prepare(
      `SELECT c.callback_url, c.callback_secret_sealed FROM customers c JOIN outbox o ON o.dwid = c.dwid WHERE o.id = ?1`,
    ).bind(id),
    // A payment's row and a resend's both read their order and its tickets; a resend sends the valid
    // ones only (SPEC §10 Resend), to the mobile it named.
    db.prepare(
      `SELECT r.order_id, r.sender_id, r.status, r.mobile, r.paid_at_ms, json_extract(o.payload_json, '$.mobile') AS resend_mobile FROM orders r
       JOIN outbox o ON o.kind IN ('order_paid','order_resent') AND o.target_id = r.order_id WHERE o.id = ?1`,
    ).bind(id),
    db.prepare(
      `SELECT t.ticket_code FROM tickets t JOIN outbox o ON o.kind IN ('order_paid','order_resent') AND o.target_id = t.order_id
       WHERE o.id = ?1 AND (o.kind = 'order_paid' OR t.status = 'valid') ORDER BY t.line_no, t.rowid`,
    ).bind(id),
    db.prepare(
      `SELECT b.bill_num, b.sender_bill_num, b.status, b.rnd_code, b.paid_at_ms FROM pos_bills b
       JOIN outbox o ON o.kind = 'bill_paid' AND o.target_id = b.bill_num WHERE o.id = ?1`,
    ).bind(id),
    db.prepare("SELECT * FROM outbox_deliveries WHERE outbox_id = ?1").bind(id),
    db.prepare(
      `SELECT t.ticket_code, t.used_at_ms, t.used_gate_id, d.order_id, d.sender_id FROM tickets t
       JOIN outbox o ON o.kind = 'ticket_used' AND o.target_id = t.ticket_code
       JOIN orders d ON d.order_id = t.order_id WHERE o.id = ?1`,
    ).bind(id),
    db.prepare(
      `SELECT r.refund_no, r.order_id, r.amount_fen, r.tickets_json, r.decided_at_ms, d.sender_id, d.mobile FROM refunds r
       JOIN outbox o ON o.kind = 'order_refunded' AND r.intent_id = json_extract(o.payload_json, '$.intentId')
       JOIN orders d ON d.order_id = r.order_id WHERE o.id = ?1`,
    ).bind(id),
    // A balance alert says what the object recorded at the crossing; the SMS goes to the agency's contact mobile of now.
    db.prepare(
      `SELECT o.payload_json, c.contact_mobile FROM outbox o LEFT JOIN customers c ON c.dwid = o.dwid
       WHERE o.id = ?1 AND o.kind = 'balance_low'`,
    ).bind(id),
  ];
}

const VIEW_STATEMENTS = 9;

function parseDeliveryView(results: D1Result[]): DeliveryView | null {
  const [entryRes, customerRes, orderRes, ticketsRes, billRes, deliveriesRes, usedRes, refundRes, balanceRes] = results;
  const row = (entryRes!.results as OutboxRow[])[0];
  if (!row) return null;
  const entry = toEntry(row);
  const customer = (customerRes!.results as { callback_url: string | null; callback_secret_sealed: string | null }[])[0];
  const order = (orderRes!.results as { order_id: string; sender_id: string | null; status: string; mobile: string | null; paid_at_ms: number | null; resend_mobile: string | null }[])[0];
  const used = (usedRes!.results as { ticket_code: string; used_at_ms: number | null; used_gate_id: string | null; order_id: string; sender_id: string | null }[])[0];
  const refund = (refundRes!.results as { refund_no: string; order_id: string; amount_fen: number; tickets_json: string; decided_at_ms: number; sender_id: string | null; mobile: string | null }[])[0];
  const balance = (balanceRes!.results as { payload_json: string; contact_mobile: string | null }[])[0];
  const bill = (billRes!.results as { bill_num: string; sender_bill_num: string | null; status: string; rnd_code: string | null; paid_at_ms: number | null }[])[0];
  const ticketCodes = () => (ticketsRes!.results as { ticket_code: string }[]).map((t) => t.ticket_code);
  let target: NotificationTarget | null = null;
  if (entry.kind === "order_resent" && order) {
    const mobile = order.resend_mobile ?? order.mobile;
    if (mobile) target = { kind: "order_resent", dwid: entry.dwid, orderId: order.order_id, senderId: order.sender_id, mobile, ticketCodes: ticketCodes() };
  } else if (entry.kind === "order_paid" && order) {
    target = {
      kind: "order_paid", dwid: entry.dwid, orderId: order.order_id, senderId: order.sender_id, status: order.status,
      mobile: order.mobile, paidAtMs: order.paid_at_ms ?? entry.createdAtMs,
      ticketCodes: ticketCodes(),
    };
  } else if (entry.kind === "bill_paid" && bill) {
    target = {
      kind: "bill_paid", dwid: entry.dwid, billNum: bill.bill_num, senderBillNum: bill.sender_bill_num, status: bill.status,
      rndCode: bill.rnd_code, paidAtMs: bill.paid_at_ms ?? entry.createdAtMs,
    };
  } else if (entry.kind === "ticket_used" && used && used.used_at_ms !== null) {
    target = {
      kind: "ticket_used", dwid: entry.dwid, orderId: used.order_id, senderId: used.sender_id, ticketCode: used.ticket_code,
      usedAtMs: used.used_at_ms, gateId: used.used_gate_id ?? "",
    };
  } else if (entry.kind === "balance_low" && balance) {
    target = balanceLowTarget(entry.dwid, balance.payload_json, balance.contact_mobile);
  } else if (entry.kind === "order_refunded" && refund) {
    target = {
      kind: "order_refunded", dwid: entry.dwid, refundNo: refund.refund_no, orderId: refund.order_id, senderId: refund.sender_id,
      mobile: refund.mobile, refundAmountFen: refund.amount_fen, ticketCodes: JSON.parse(refund.tickets_json) as string[], refundedAtMs: refund.decided_at_ms,
    };
  }
  return {
    entry,
    customer: customer ? { callbackUrl: customer.callback_url, callbackSecretSealed: customer.callback_secret_sealed } : null,
    target,
    deliveries: new Map((deliveriesRes!.results as DeliveryRow[]).map((r) => [r.channel, toDelivery(r)])),
  };
}

/** The alert's facts from its payload; null (undeliverable) when the payload is not one. */
function balanceLowTarget(dwid: string, payloadJson: string, contactMobile: string | null): NotificationTarget | null {
  const p = JSON.parse(payloadJson) as Partial<Record<"balanceFen" | "availableFen" | "thresholdFen" | "atMs", unknown>>;
  const fen = (v: unknown): v is number => Number.isSafeInteger(v);
  if (!fen(p.balanceFen) || !fen(p.availableFen) || !fen(p.thresholdFen) || !fen(p.atMs)) return null;
  return { kind: "balance_low", dwid, balanceFen: p.balanceFen, availableFen: p.availableFen, thresholdFen: p.thresholdFen, atMs: p.atMs, contactMobile };
}

export async function loadDeliveryView(db: D1Database, id: string): Promise<DeliveryView | null> {
  return (await loadDeliveryViews(db, [id])).get(id) ?? null;
}

/** The views of a whole queue batch in one D1 round trip. */
export async function loadDeliveryViews(db: D1Database, ids: readonly string[]): Promise<Map<string, DeliveryView | null>> {
  if (ids.length === 0) return new Map();
  const results = await db.batch(ids.flatMap((id) => deliveryViewStatements(db, id)));
  return new Map(ids.map((id, i) => [id, parseDeliveryView(results.slice(i * VIEW_STATEMENTS, (i + 1) * VIEW_STATEMENTS))]));
}

export interface ChannelOutcome {
  channel: Channel;
  status: ChannelStatus;
  target: string | null;
  error: string | null;
}

/** How one delivery attempt leaves the row: every channel done, retrying, or undeliverable. */
export type AttemptOutcome = { status: "sent" } | { status: "enqueued"; error: string } | { status: "dead"; error: string };

/** One delivery attempt of one row, to be recorded. */
export interface AttemptRecord {
  id: string;
  channels: readonly ChannelOutcome[];
  outcome: AttemptOutcome;
}

/**
 * Records delivery attempts (a whole queue batch's) in one batch: each
 * channel tried, then the row. A channel already done is never downgraded
 * by a late duplicate, and a row already 'sent' stays so.
 */
export async function recordAttempts(db: D1Database, records: readonly AttemptRecord[], nowMs: number): Promise<void> {
  if (records.length === 0) return;
  await db.batch(records.flatMap((r) => attemptStatements(db, r, nowMs)));
}

export async function recordAttempt(db: D1Database, id: string, channels: readonly ChannelOutcome[], outcome: AttemptOutcome, nowMs: number): Promise<void> {
  await recordAttempts(db, [{ id, channels, outcome }], nowMs);
}

function attemptStatements(db: D1Database, { id, channels, outcome }: AttemptRecord, nowMs: number): D1PreparedStatement[] {
  const statements = channels.map((c) =>
    db
      .prepare(
        `INSERT INTO outbox_deliveries (outbox_id, channel, status, attempts, target, last_error, updated_at_ms, sent_at_ms)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, CASE WHEN ?3 IN ('sent','logged') THEN ?6 END)
         ON CONFLICT (outbox_id, channel) DO UPDATE SET
           status = excluded.status, attempts = outbox_deliveries.attempts + 1, target = excluded.target,
           last_error = coalesce(excluded.last_error, outbox_deliveries.last_error),
           updated_at_ms = excluded.updated_at_ms, sent_at_ms = excluded.sent_at_ms
         WHERE outbox_deliveries.status NOT IN ('sent','logged','skipped')`,
      )
      .bind(id, c.channel, c.status, c.target, c.error, nowMs),
  );
  const error = outcome.status === "sent" ? null : outcome.error;
  statements.push(
    db
      .prepare(
        `UPDATE outbox SET status = CASE WHEN status = 'sent' THEN 'sent' ELSE ?2 END, attempts = attempts + 1,
           last_error = coalesce(?3, last_error), updated_at_ms = ?4
         WHERE id = ?1`,
      )
      .bind(id, outcome.status, error, nowMs),
  );
  return statements;
}

/**
 * Retention (domain/retention.ts): notifications delivered and created
 * before `beforeMs`, oldest first, at most `limit`, with their channels'
 * rows, in one transaction. Returns how many went. Failed and dead rows
 * stay: they wait for an operator.
 */
export async function purgeSent(db: D1Database, beforeMs: number, limit: number): Promise<number> {
  const doomed = "SELECT id FROM outbox WHERE status = 'sent' AND created_at_ms < ?1 ORDER BY created_at_ms LIMIT ?2";
  const [, gone] = await db.batch([
    db.prepare(`DELETE FROM outbox_deliveries WHERE outbox_id IN (${doomed})`).bind(beforeMs, limit),
    db.prepare(`DELETE FROM outbox WHERE id IN (${doomed})`).bind(beforeMs, limit),
  ]);
  return gone!.meta.changes;
}

/** The dead-letter consumer: retries exhausted. Rows already sent, dead or failed are left alone. */
export async function markDeadLettered(db: D1Database, ids: readonly string[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  // `+status`: the rows are found by id; without it SQLite walks every pending and enqueued row by status.
  await db
    .prepare(
      `UPDATE outbox SET status = 'failed', last_error = coalesce(last_error, 'retries exhausted'), updated_at_ms = ?2
       WHERE id IN (SELECT value FROM json_each(?1)) AND +status IN ('pending','enqueued')`,
    )
    .bind(JSON.stringify(ids), nowMs)
    .run();
}
