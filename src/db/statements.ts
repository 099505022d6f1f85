/**
 * D1's side of a statement's reconciliation (SPEC §12): the records of one
 * page of ledger entries, and the commits of a customer decided in a period.
 * Each call is one statement: its ids travel as one JSON parameter
 * (json_each), at most STATEMENT_PAGE_MAX of them (D1: 100 bound parameters
 * and 100 KB of SQL per statement; a parameter is not SQL text).
 */
import { STATEMENT_PAGE_MAX, type D1Commit, type D1Record, type StatementEntry } from "../domain/statements";

interface RecordRow {
  kind: "debit" | "refund" | "deposit";
  ref: string;
  dwid: string;
  amount_fen: number;
  outcome: string;
  target: string | null;
  reference: string | null;
}

/** A page's records, keyed by recordKey(entry): payments and refunds by intent id, deposits' copies by seq. */
export async function d1RecordsOf(db: D1Database, dwid: string, entries: readonly StatementEntry[]): Promise<Map<string, D1Record>> {
  if (entries.length === 0) return new Map();
  if (entries.length > STATEMENT_PAGE_MAX) throw new Error(`at most ${STATEMENT_PAGE_MAX} entries per lookup, got ${entries.length}`);
  const ids = (kind: StatementEntry["kind"]) => JSON.stringify(entries.filter((e) => e.kind === kind).map((e) => (kind === "deposit" ? e.seq : e.reference)));
  const { results } = await db
    .prepare(
      `SELECT 'debit' AS kind, intent_id AS ref, dwid, amount_fen, outcome, target_kind || ':' || target_id AS target, NULL AS reference
         FROM payments WHERE intent_id IN (SELECT value FROM json_each(?1))
       UNION ALL
       SELECT 'refund', intent_id, dwid, amount_fen, outcome, 'order:' || order_id, NULL
         FROM refunds WHERE intent_id IN (SELECT value FROM json_each(?2))
       UNION ALL
       SELECT 'deposit', CAST(seq AS TEXT), dwid, amount_fen, kind, NULL, reference
         FROM ledger_copy WHERE dwid = ?3 AND seq IN (SELECT value FROM json_each(?4))`,
    )
    .bind(ids("debit"), ids("refund"), dwid, ids("deposit"))
    .all<RecordRow>();
  return new Map(
    results.map((r) => [`${r.kind}:${r.ref}`, { dwid: r.dwid, amountFen: r.amount_fen, outcome: r.outcome, target: r.target, reference: r.reference }]),
  );
}

export function recordKey(entry: StatementEntry): string {
  return `${entry.kind}:${entry.kind === "deposit" ? String(entry.seq) : entry.reference}`;
}

/** Where a page of commits ended: the next page starts after it. */
export type CommitCursor = { decidedAtMs: number; reference: string } | null;

/**
 * The customer's D1 commits of one kind (payments for "debit", refunds for
 * "refund") decided in [fromMs, toMs), by (decided_at_ms, intent_id), after
 * `cursor`, at most `limit`.
 */
export async function d1CommitsPage(
  db: D1Database,
  q: { dwid: string; kind: "debit" | "refund"; fromMs: number; toMs: number; cursor: CommitCursor; limit: number },
): Promise<D1Commit[]> {
  const table = q.kind === "debit" ? "payments" : "refunds";
  const target = q.kind === "debit" ? "target_kind || ':' || target_id" : "'order:' || order_id";
  const { results } = await db
    .prepare(
      `SELECT intent_id, amount_fen, ${target} AS target, decided_at_ms FROM ${table}
       WHERE dwid = ?1 AND outcome = 'commit' AND decided_at_ms >= ?2 AND decided_at_ms < ?3
         AND (?4 IS NULL OR decided_at_ms > ?4 OR (decided_at_ms = ?4 AND intent_id > ?5))
       ORDER BY decided_at_ms, intent_id LIMIT ?6`,
    )
    .bind(q.dwid, q.fromMs, q.toMs, q.cursor?.decidedAtMs ?? null, q.cursor?.reference ?? "", Math.min(q.limit, STATEMENT_PAGE_MAX))
    .all<{ intent_id: string; amount_fen: number; target: string; decided_at_ms: number }>();
  return results.map((r) => ({ kind: q.kind, reference: r.intent_id, amountFen: r.amount_fen, target: r.target, decidedAtMs: r.decided_at_ms }));
}
