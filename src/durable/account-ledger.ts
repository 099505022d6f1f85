/**
 * The customer's money in AccountDO's SQLite: running totals and the
 * append-only ledger. Synchronous SQL only, so callers can compose these
 * inside one `transactionSync`. Every write asserts the invariant it keeps;
 * the schema's CHECKs are the second guard.
 */
export interface LedgerEntry {
  seq: number;
  kind: "deposit" | "debit" | "refund";
  amountFen: number;
  balanceAfterFen: number;
  reference: string;
  target: string | null;
  createdAtMs: number;
}

export interface Totals {
  balanceFen: number;
  heldFen: number;
}

interface LedgerRow {
  seq: number;
  kind: LedgerEntry["kind"];
  amount_fen: number;
  balance_after_fen: number;
  reference: string;
  target: string | null;
  created_at_ms: number;
  [column: string]: SqlStorageValue;
}

const LEDGER_COLUMNS = "seq, kind, amount_fen, balance_after_fen, reference, target, created_at_ms";

export function readTotals(sql: SqlStorage): Totals {
  const row = sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals WHERE singleton = 1").one();
  return { balanceFen: row.balance_fen, heldFen: row.held_fen };
}

export function writeTotals(sql: SqlStorage, totals: Totals): void {
  assert(Number.isSafeInteger(totals.balanceFen) && Number.isSafeInteger(totals.heldFen), "totals must be integers");
  assert(totals.heldFen >= 0 && totals.heldFen <= totals.balanceFen, `held ${totals.heldFen} outside [0, ${totals.balanceFen}]`);
  sql.exec("UPDATE totals SET balance_fen = ?, held_fen = ? WHERE singleton = 1", totals.balanceFen, totals.heldFen);
}

export function appendLedger(sql: SqlStorage, e: Omit<LedgerEntry, "seq">): LedgerEntry {
  assert(e.amountFen >= 0 && e.balanceAfterFen >= 0, "ledger amounts are never negative");
  const row = sql
    .exec<{ seq: number }>(
      `INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
      e.kind, e.amountFen, e.balanceAfterFen, e.reference, e.target, e.createdAtMs,
    )
    .one();
  return { seq: row.seq, ...e };
}

export function entryByReference(sql: SqlStorage, kind: LedgerEntry["kind"], reference: string): LedgerEntry | null {
  const row = sql.exec<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM ledger WHERE kind = ? AND reference = ?`, kind, reference).toArray()[0];
  return row ? entryOf(row) : null;
}

/** Newest first; `beforeSeq` pages backwards. */
export function ledgerPage(sql: SqlStorage, limit: number, beforeSeq?: number): LedgerEntry[] {
  return sql
    .exec<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM ledger WHERE seq < ? ORDER BY seq DESC LIMIT ?`, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit)
    .toArray()
    .map(entryOf);
}

function entryOf(row: LedgerRow): LedgerEntry {
  return {
    seq: row.seq,
    kind: row.kind,
    amountFen: row.amount_fen,
    balanceAfterFen: row.balance_after_fen,
    reference: row.reference,
    target: row.target,
    createdAtMs: row.created_at_ms,
  };
}

/** Programmer errors: throwing inside `transactionSync` rolls the transaction back. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
