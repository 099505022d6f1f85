/**
 * Copies AccountDO ledger entries to D1's `ledger_copy` for reports. The
 * object stays the authority: a failed copy leaves rows marked uncopied and
 * the next alarm tries again; INSERT OR IGNORE makes repeats harmless.
 */
const COPY_BATCH_ROWS = 200;

export async function copyLedgerToD1(sql: SqlStorage, db: D1Database, dwid: string): Promise<number> {
  const rows = sql
    .exec<{ seq: number; kind: string; amount_fen: number; balance_after_fen: number; reference: string; created_at_ms: number }>(
      `SELECT seq, kind, amount_fen, balance_after_fen, reference, created_at_ms FROM ledger
       WHERE copied = 0 ORDER BY seq LIMIT ?`,
      COPY_BATCH_ROWS,
    )
    .toArray();
  if (rows.length === 0) return 0;
  await db.batch(
    rows.map((r) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO ledger_copy (dwid, seq, kind, amount_fen, balance_after_fen, reference, created_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(dwid, r.seq, r.kind, r.amount_fen, r.balance_after_fen, r.reference, r.created_at_ms),
    ),
  );
  const last = rows[rows.length - 1]!.seq;
  sql.exec("UPDATE ledger SET copied = 1 WHERE copied = 0 AND seq <= ?", last);
  return rows.length;
}
