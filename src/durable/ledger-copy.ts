/**
 * Copies AccountDO ledger entries to D1's `ledger_copy` for reports. The
 * object stays the authority, and its money rows never change: a cursor
 * (`ledger_copy_cursor.copied_through`, a ledger seq) says how far the copy
 * got. A failed copy leaves the cursor where it was and the next alarm tries
 * again.
 */
import { insertLedgerCopies } from "../db/ledger-copy";
import type { Faults } from "./faults";

const COPY_BATCH_ROWS = 200;

export async function copyLedgerToD1(sql: SqlStorage, db: D1Database, dwid: string, faults: Faults): Promise<number> {
  const rows = sql
    .exec<{ seq: number; kind: string; amount_fen: number; balance_after_fen: number; reference: string; created_at_ms: number }>(
      `SELECT seq, kind, amount_fen, balance_after_fen, reference, created_at_ms FROM ledger
       WHERE seq > (SELECT copied_through FROM ledger_copy_cursor) ORDER BY seq LIMIT ?`,
      COPY_BATCH_ROWS,
    )
    .toArray();
  if (rows.length === 0) return 0;
  const entries = rows.map((r) => ({
    seq: r.seq,
    kind: r.kind,
    amountFen: r.amount_fen,
    balanceAfterFen: r.balance_after_fen,
    reference: r.reference,
    createdAtMs: r.created_at_ms,
  }));
  await faults.d1("ledger-copy", () => insertLedgerCopies(db, dwid, entries));
  sql.exec("UPDATE ledger_copy_cursor SET copied_through = max(copied_through, ?)", rows[rows.length - 1]!.seq);
  return rows.length;
}

/** Ledger entries the copy has not reached yet. */
export function uncopiedEntries(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM ledger WHERE seq > (SELECT copied_through FROM ledger_copy_cursor)").one().n;
}
