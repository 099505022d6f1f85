/**
 * What an AccountDO keeps no longer than it serves (domain/retention.ts):
 * payment intents settled more than SETTLED_INTENT_RETENTION_MS ago — their
 * debits stay in the ledger, which answers for a posted one after
 * (payment-desk.ts) — and sessions idle past the idle expiry (they can no
 * longer authenticate). Synchronous; the alarm runs it after its other work,
 * a bounded pass at a time.
 */
import { PURGE_BATCH_ROWS, SETTLED_INTENT_RETENTION_MS } from "../domain/retention";

export interface Purged {
  intents: number;
  sessions: number;
  /** A full batch went: more may be due (the alarm comes back soon). */
  backlog: boolean;
}

/**
 * Intents are met oldest first by rowid, their insertion order (and so their
 * creation order): when nothing is due, one row is read, and no index is
 * needed. Pending intents are never touched (the alarm settles them).
 */
export function purgeAccount(sql: SqlStorage, nowMs: number, sessionIdleMs: number): Purged {
  const cutoffMs = nowMs - SETTLED_INTENT_RETENTION_MS;
  const settled = "SELECT rowid AS r, created_at_ms FROM intents WHERE state != 'pending' ORDER BY rowid LIMIT ?";
  let intents = 0;
  const oldest = sql.exec<{ r: number; created_at_ms: number }>(settled, 1).toArray()[0];
  if (oldest && oldest.created_at_ms < cutoffMs) {
    const batch = sql.exec<{ r: number; created_at_ms: number }>(settled, PURGE_BATCH_ROWS).toArray();
    const due = batch.findIndex((row) => row.created_at_ms >= cutoffMs);
    const doomed = due === -1 ? batch : batch.slice(0, due);
    if (doomed.length > 0) sql.exec("DELETE FROM intents WHERE rowid <= ? AND state != 'pending'", doomed[doomed.length - 1]!.r);
    intents = doomed.length;
  }
  const sessions = sql.exec("DELETE FROM sessions WHERE last_seen_at_ms <= ?", nowMs - sessionIdleMs).rowsWritten;
  return { intents, sessions, backlog: intents === PURGE_BATCH_ROWS };
}
