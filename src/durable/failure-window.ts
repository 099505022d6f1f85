/**
 * Wrong attempts in a sliding window, kept in a one-column table (`at_ms`) of
 * an object's own SQLite: the login lockout per dwid (AccountDO) and per
 * client address (LoginThrottleDO) of SPEC §11, after the pay-password
 * lockout's model (pay-password-gate.ts).
 *
 * Every method is synchronous: a caller that checks the window and records a
 * failure with no `await` in between cannot be raced past the limit (an
 * object runs one synchronous section at a time).
 */

/** The tables that hold failure instants; named here so no caller text reaches SQL. */
export type FailureTable = "login_failures" | "failures";

export class FailureWindow {
  constructor(
    private readonly sql: SqlStorage,
    private readonly table: FailureTable,
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {
    if (!(Number.isInteger(maxFailures) && maxFailures >= 1 && windowMs > 0)) throw new Error(`bad failure window ${maxFailures}/${windowMs}`);
  }

  /** Failures within the window that ends at `nowMs`. */
  count(nowMs: number): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${this.table} WHERE at_ms > ?`, nowMs - this.windowMs).one().n;
  }

  isFull(nowMs: number): boolean {
    return this.count(nowMs) >= this.maxFailures;
  }

  /** Records a failure at `nowMs` (dropping those past the window); answers the count in the window, this one included. */
  record(nowMs: number): number {
    this.sql.exec(`DELETE FROM ${this.table} WHERE at_ms <= ?`, nowMs - this.windowMs);
    this.sql.exec(`INSERT INTO ${this.table} (at_ms) VALUES (?)`, nowMs);
    return this.count(nowMs);
  }

  /**
   * When a full window admits again: the instant the failure whose leaving
   * brings the count below the limit leaves the window.
   */
  reopensAtMs(nowMs: number): number {
    const excess = this.count(nowMs) - this.maxFailures;
    if (excess < 0) return nowMs;
    const row = this.sql
      .exec<{ at_ms: number }>(`SELECT at_ms FROM ${this.table} WHERE at_ms > ? ORDER BY at_ms LIMIT 1 OFFSET ?`, nowMs - this.windowMs, excess)
      .one();
    return row.at_ms + this.windowMs;
  }

  clear(): void {
    this.sql.exec(`DELETE FROM ${this.table}`);
  }
}
