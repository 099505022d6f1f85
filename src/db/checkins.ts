/**
 * Check-ins of a day (the console's 入园 page, SPEC §12 "check-ins per
 * hour"): admitted tickets counted by hour, gate and product, read through
 * the `tickets_by_use` index (migration 0008) on the day's range of
 * `used_at_ms`. A used ticket stays used (a refund or a date change needs
 * every ticket valid), so a ticket with a `used_at_ms` is an admission.
 * D1 groups; the caller folds the groups into per-hour, per-gate and
 * per-product counts (domain/checkins.ts).
 */
import type { CheckinGroup } from "../domain/checkins";

export interface CheckinRange {
  fromMs: number;
  toMs: number;
  productId?: string;
  gateId?: string;
}

const HOUR_MS = 3_600_000;

/**
 * The query, exported with its parameters so a test can ask SQLite for its
 * plan. The range terms stand alone on `used_at_ms`, which is what lets
 * SQLite use the partial index (a comparison on the column implies its IS
 * NOT NULL); INDEXED BY makes a plan without it an error, not a scan.
 * D1 binds a JavaScript number as REAL: the CAST keeps the hour's
 * division an integer one.
 */
export const CHECKINS_SQL = `WITH groups AS (
    SELECT (t.used_at_ms - CAST(?1 AS INTEGER)) / ${HOUR_MS} AS hour, t.used_gate_id AS gate_id, t.product_id,
           count(*) AS n, min(t.used_at_ms) AS first_ms, max(t.used_at_ms) AS last_ms
    FROM tickets t INDEXED BY tickets_by_use
    WHERE t.used_at_ms >= ?1 AND t.used_at_ms < ?2
      AND (?3 IS NULL OR t.product_id = ?3) AND (?4 IS NULL OR t.used_gate_id = ?4)
    GROUP BY hour, t.used_gate_id, t.product_id
  )
  SELECT groups.*, g.name AS gate_name, p.name AS product_name
  FROM groups LEFT JOIN gates g ON g.gate_id = groups.gate_id LEFT JOIN products p ON p.product_id = groups.product_id
  ORDER BY hour, gate_id, product_id`;

export function checkinsParams(r: CheckinRange): unknown[] {
  return [r.fromMs, r.toMs, r.productId ?? null, r.gateId ?? null];
}

interface GroupRow {
  hour: number;
  gate_id: string;
  gate_name: string | null;
  product_id: string;
  product_name: string | null;
  n: number;
  first_ms: number;
  last_ms: number;
}

export async function checkinGroups(db: D1Database, r: CheckinRange): Promise<CheckinGroup[]> {
  const { results } = await db.prepare(CHECKINS_SQL).bind(...checkinsParams(r)).all<GroupRow>();
  return results.map((g) => ({
    hour: g.hour,
    gateId: g.gate_id,
    gateName: g.gate_name,
    productId: g.product_id,
    productName: g.product_name,
    count: g.n,
    firstAtMs: g.first_ms,
    lastAtMs: g.last_ms,
  }));
}
