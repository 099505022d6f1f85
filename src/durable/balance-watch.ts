/**
 * The low-balance alert inside the customer's AccountDO (SPEC §12; the rule
 * is domain/balance-watch.ts). Synchronous SQL only: the desks call it inside
 * the very `transactionSync` that posts a debit (payment-desk.ts), credits a
 * refund (refund-desk.ts), voids a hold or takes a deposit (account.ts), and
 * the operator's change of threshold runs it in its own. So the alert row
 * and the money movement that caused it commit or vanish together — a crash
 * before the post leaves neither, and the alarm's later post decides again,
 * once; concurrent debits are serialized by the object and only the first
 * one below the threshold finds the crossing unannounced.
 *
 * Recording is all that happens here; writing the alert to D1's outbox (and
 * retrying until it is written) is the object's (account.ts `flushAlerts`).
 */
import { watchBalance, type WatchEvent } from "../domain/balance-watch";
import { assert, readTotals } from "./account-ledger";

/** One recorded alert, as D1's outbox row will carry it. */
export interface BalanceAlert {
  alertSeq: number;
  cause: "debit" | "threshold";
  ledgerSeq: number | null;
  balanceFen: number;
  availableFen: number;
  thresholdFen: number;
  atMs: number;
}

interface AlertRow {
  alert_seq: number;
  cause: BalanceAlert["cause"];
  ledger_seq: number | null;
  balance_fen: number;
  available_fen: number;
  threshold_fen: number;
  at_ms: number;
  [column: string]: SqlStorageValue;
}

export class BalanceWatch {
  /**
   * True once this instance read a profile without a threshold: most
   * customers never set one, and a pay then reads no profile row for the
   * watch (issue 19). Only `setThreshold` gives one, and it forgets this
   * first; a transaction it rolls back leaves it forgotten, never wrong.
   */
  private noThreshold = false;

  constructor(
    private readonly sql: SqlStorage,
    /** Called (inside the transaction) when an alert was recorded, with its cause: the object schedules its write. */
    private readonly recorded: (cause: BalanceAlert["cause"]) => void,
  ) {}

  /** A debit was just posted as ledger entry `ledgerSeq`. */
  afterDebit(ledgerSeq: number, atMs: number): void {
    this.observe("debit", atMs, ledgerSeq);
  }

  /** Available just grew: a deposit, a refund credit, a hold voided. Re-arms, never alerts. */
  afterCredit(atMs: number): void {
    this.observe("credit", atMs, null);
  }

  /** The operator's threshold (null: none), judged at once against available now. */
  setThreshold(thresholdFen: number | null, atMs: number): void {
    assert(thresholdFen === null || (Number.isSafeInteger(thresholdFen) && thresholdFen >= 0), `threshold ${thresholdFen}`);
    this.noThreshold = false;
    this.sql.exec("UPDATE profile SET low_balance_fen = ? WHERE singleton = 1", thresholdFen);
    this.observe("threshold", atMs, null);
  }

  /** The threshold now; null when none (or no profile). */
  thresholdFen(): number | null {
    if (this.noThreshold) return null;
    return this.profile()?.low_balance_fen ?? null;
  }

  /** The oldest alert D1 does not have yet. */
  nextUnwritten(): BalanceAlert | null {
    const row = this.sql.exec<AlertRow>("SELECT * FROM balance_alerts WHERE written_at_ms IS NULL ORDER BY alert_seq LIMIT 1").toArray()[0];
    return row ? alertOf(row) : null;
  }

  markWritten(alertSeq: number, atMs: number): void {
    this.sql.exec("UPDATE balance_alerts SET written_at_ms = ? WHERE alert_seq = ? AND written_at_ms IS NULL", atMs, alertSeq);
  }

  unwrittenCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM balance_alerts WHERE written_at_ms IS NULL").one().n;
  }

  private observe(event: WatchEvent, atMs: number, ledgerSeq: number | null): void {
    if (this.noThreshold) return;
    const profile = this.profile();
    if (!profile) return;
    if (profile.low_balance_fen === null && profile.low_balance_alerted === 0) {
      this.noThreshold = true;
      return;
    }
    const totals = readTotals(this.sql);
    const availableFen = totals.balanceFen - totals.heldFen;
    const state = { thresholdFen: profile.low_balance_fen, alerted: profile.low_balance_alerted === 1 };
    const decision = watchBalance(state, availableFen, event);
    if (decision.alerted !== state.alerted) {
      this.sql.exec("UPDATE profile SET low_balance_alerted = ? WHERE singleton = 1", decision.alerted ? 1 : 0);
    }
    if (!decision.alert) return;
    assert(state.thresholdFen !== null && availableFen < state.thresholdFen, "an alert is only for available below the threshold");
    this.sql.exec(
      `INSERT INTO balance_alerts (cause, ledger_seq, balance_fen, available_fen, threshold_fen, at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      event === "debit" ? "debit" : "threshold", ledgerSeq, totals.balanceFen, availableFen, state.thresholdFen, atMs,
    );
    this.recorded(event === "debit" ? "debit" : "threshold");
  }

  private profile(): { low_balance_fen: number | null; low_balance_alerted: number } | null {
    return (
      this.sql
        .exec<{ low_balance_fen: number | null; low_balance_alerted: number }>("SELECT low_balance_fen, low_balance_alerted FROM profile WHERE singleton = 1")
        .toArray()[0] ?? null
    );
  }
}

function alertOf(row: AlertRow): BalanceAlert {
  return {
    alertSeq: row.alert_seq,
    cause: row.cause,
    ledgerSeq: row.ledger_seq,
    balanceFen: row.balance_fen,
    availableFen: row.available_fen,
    thresholdFen: row.threshold_fen,
    atMs: row.at_ms,
  };
}
