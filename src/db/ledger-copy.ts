/**
 * D1 `ledger_copy`: the AccountDO ledger's copy for reports. The object is
 * the authority and copies what its cursor has not passed (durable/ledger-copy.ts);
 * INSERT OR IGNORE makes a repeated copy harmless.
 */
export interface LedgerCopyEntry {
  seq: number;
  kind: string;
  amountFen: number;
  balanceAfterFen: number;
  reference: string;
  createdAtMs: number;
}

export async function insertLedgerCopies(db: D1Database, dwid: string, entries: readonly LedgerCopyEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.batch(
    entries.map((e) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO ledger_copy (dwid, seq, kind, amount_fen, balance_after_fen, reference, created_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(dwid, e.seq, e.kind, e.amountFen, e.balanceAfterFen, e.reference, e.createdAtMs),
    ),
  );
}
