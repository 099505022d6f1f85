/**
 * D1 side of the calendar in bulk (SPEC §12, migration 0010): the call's
 * decision and its days' rows in one batch, and the decision an InventoryDO
 * reads (or fences) when the call that prepared it went quiet.
 */
import type { Timeslot } from "./products";

export type BulkDecision = "committed" | "aborted";

export interface BulkDays {
  token: string;
  productId: string;
  stock: number;
  priceFen: number | null;
  timeslots: readonly Timeslot[] | null;
  /** Each day with the version its InventoryDO prepared (product_days.updated_at_ms). */
  days: readonly { day: string; version: number }[];
}

/**
 * One batch, one transaction: 'committed' unless an object already fenced
 * the call ('aborted'), then every day's row — only under 'committed', and a
 * day whose row is newer (a later PUT) keeps it — and the decision read back.
 */
export async function commitCalendarBulk(db: D1Database, b: BulkDays, nowMs: number): Promise<BulkDecision> {
  const [, , decided] = await db.batch([
    db
      .prepare(
        `INSERT INTO calendar_bulk_decisions (token, product_id, decision, days, decided_at_ms) VALUES (?1, ?2, 'committed', ?3, ?4)
         ON CONFLICT (token) DO NOTHING`,
      )
      .bind(b.token, b.productId, b.days.length, nowMs),
    db
      .prepare(
        `INSERT INTO product_days (product_id, day, stock, price_fen, timeslots_json, updated_at_ms)
         SELECT ?1, json_extract(value, '$[0]'), ?2, ?3, ?4, json_extract(value, '$[1]') FROM json_each(?5)
         WHERE EXISTS (SELECT 1 FROM calendar_bulk_decisions WHERE token = ?6 AND decision = 'committed')
         ON CONFLICT (product_id, day) DO UPDATE SET stock = excluded.stock, price_fen = excluded.price_fen,
           timeslots_json = excluded.timeslots_json, updated_at_ms = excluded.updated_at_ms
         WHERE excluded.updated_at_ms > product_days.updated_at_ms`,
      )
      .bind(
        b.productId, b.stock, b.priceFen, b.timeslots ? JSON.stringify(b.timeslots) : null,
        JSON.stringify(b.days.map((d) => [d.day, d.version])), b.token,
      ),
    db.prepare("SELECT decision FROM calendar_bulk_decisions WHERE token = ?").bind(b.token),
  ]);
  return decisionOf(decided!);
}

/** An object's question once its reservation expired: the call's decision, 'aborted' written first when there is none. */
export async function settleCalendarBulk(db: D1Database, token: string, productId: string, nowMs: number): Promise<BulkDecision> {
  const [, decided] = await db.batch([
    db
      .prepare(
        `INSERT INTO calendar_bulk_decisions (token, product_id, decision, days, decided_at_ms) VALUES (?1, ?2, 'aborted', 0, ?3)
         ON CONFLICT (token) DO NOTHING`,
      )
      .bind(token, productId, nowMs),
    db.prepare("SELECT decision FROM calendar_bulk_decisions WHERE token = ?").bind(token),
  ]);
  return decisionOf(decided!);
}

function decisionOf(result: D1Result): BulkDecision {
  const decision = (result.results as { decision: BulkDecision }[])[0]?.decision;
  if (decision !== "committed" && decision !== "aborted") throw new Error("calendar bulk decision missing after its insert");
  return decision;
}
