/**
 * Statements read from the customer's own ledger (SPEC §12), inside its
 * AccountDO. Read-only, synchronous SQL: each call sees one consistent
 * ledger. The period's definition (cut by seq at the first entry stamped on
 * or after each Asia/Shanghai midnight) is domain/statements.ts's; the
 * index `ledger_by_time (created_at_ms, seq)` (schema v5) finds the cut.
 */
import { addDays, shanghaiDayStartMs } from "../domain/dates";
import { emptyTotals, type LedgerKind, type ReferenceState, type StatementEntry, type StatementWindow } from "../domain/statements";
import { assert } from "./account-ledger";

interface EntryRow {
  seq: number;
  kind: LedgerKind;
  amount_fen: number;
  balance_after_fen: number;
  reference: string;
  target: string | null;
  refund_no: string | null;
  created_at_ms: number;
  [column: string]: SqlStorageValue;
}

/**
 * The period [from, to] (yyyyMMdd, both included): its seq bounds, opening
 * and closing balances and the count and sum of each kind in it.
 */
export function statementWindow(sql: SqlStorage, dwid: string, from: string, to: string): StatementWindow {
  assert(from <= to, `statement from ${from} after to ${to}`);
  const first = firstSeqStampedFrom(sql, shanghaiDayStartMs(from));
  const end = firstSeqStampedFrom(sql, shanghaiDayStartMs(addDays(to, 1)));
  const afterSeq = lastSeqBefore(sql, first);
  const throughSeq = lastSeqBefore(sql, end);
  const totals = emptyTotals();
  const sums = sql.exec<{ kind: LedgerKind; n: number; fen: number }>(
    "SELECT kind, count(*) AS n, sum(amount_fen) AS fen FROM ledger WHERE seq > ? AND seq <= ? GROUP BY kind",
    afterSeq, throughSeq,
  );
  for (const row of sums) totals[row.kind] = { count: row.n, amountFen: row.fen };
  return { dwid, from, to, afterSeq, throughSeq, openingFen: balanceAfter(sql, afterSeq), closingFen: balanceAfter(sql, throughSeq), totals };
}

/** Entries with afterSeq < seq ≤ throughSeq, by seq; `offset` skips the first ones (a partner's page number). */
export function statementEntries(sql: SqlStorage, q: { afterSeq: number; throughSeq: number; limit: number; offset?: number }): StatementEntry[] {
  return sql
    .exec<EntryRow>(
      `SELECT l.seq, l.kind, l.amount_fen, l.balance_after_fen, l.reference, l.target, l.created_at_ms,
              CASE WHEN l.kind = 'refund' THEN r.refund_no END AS refund_no
       FROM ledger l LEFT JOIN refund_intents r ON r.intent_id = l.reference
       WHERE l.seq > ? AND l.seq <= ? ORDER BY l.seq LIMIT ? OFFSET ?`,
      q.afterSeq, q.throughSeq, q.limit, q.offset ?? 0,
    )
    .toArray()
    .map((r) => ({
      seq: r.seq,
      kind: r.kind,
      amountFen: r.amount_fen,
      balanceAfterFen: r.balance_after_fen,
      reference: r.reference,
      target: r.target,
      refundNo: r.refund_no,
      createdAtMs: r.created_at_ms,
    }));
}

/**
 * What this object knows of references D1 committed (payment intents for
 * "debit", refund intents for "refund"), anywhere in its ledger: posted, an
 * intent still pending or voided, or nothing at all.
 */
export function referenceStates(sql: SqlStorage, kind: "debit" | "refund", references: readonly string[]): Record<string, ReferenceState> {
  const intents = kind === "debit" ? "intents" : "refund_intents";
  const rows = sql
    .exec<{ reference: string; posted: number; state: string | null }>(
      `SELECT j.value AS reference,
              EXISTS (SELECT 1 FROM ledger l WHERE l.kind = ?1 AND l.reference = j.value) AS posted,
              (SELECT i.state FROM ${intents} i WHERE i.intent_id = j.value) AS state
       FROM json_each(?2) j`,
      kind, JSON.stringify(references),
    )
    .toArray();
  const out: Record<string, ReferenceState> = {};
  for (const r of rows) out[r.reference] = r.posted === 1 ? "posted" : r.state === "pending" ? "pending" : r.state === "voided" ? "voided" : "absent";
  return out;
}

/**
 * The first seq stamped at or after `atMs`; with none yet, one past the
 * newest entry (the period runs to now).
 */
function firstSeqStampedFrom(sql: SqlStorage, atMs: number): number {
  const row = sql.exec<{ seq: number | null }>("SELECT min(seq) AS seq FROM ledger WHERE created_at_ms >= ?", atMs).one();
  if (row.seq !== null) return row.seq;
  return (sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM ledger").one().seq ?? 0) + 1;
}

/** The last seq before `seq`, 0 when none. */
function lastSeqBefore(sql: SqlStorage, seq: number): number {
  return sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM ledger WHERE seq < ?", seq).one().seq ?? 0;
}

/** The running balance after entry `seq` (0 before the first). */
function balanceAfter(sql: SqlStorage, seq: number): number {
  if (seq === 0) return 0;
  return sql.exec<{ balance_after_fen: number }>("SELECT balance_after_fen FROM ledger WHERE seq = ?", seq).one().balance_after_fen;
}
