/**
 * The low-balance alert's rule (SPEC §12 issue 17: "when available falls
 * below it, one balance_low callback and SMS per crossing"). Pure: the
 * customer's threshold, whether this crossing was already announced and the
 * available amount come in; what to do comes out. The AccountDO applies it
 * inside the SQLite transaction that moves the money (durable/balance-watch.ts),
 * which is what makes an alert exactly once per crossing.
 *
 * A crossing is announced when a posted debit leaves available below the
 * threshold — a hold alone never announces (it may be voided), a credit
 * (deposit, refund, voided hold) never announces, it only re-arms once
 * available is back at or above the threshold. An operator's new threshold
 * is judged like a debit: a customer already below the new threshold and not
 * yet told is told once now; one at or above it is re-armed.
 */

/** What moved: a posted debit, a credit (deposit, refund, a hold voided), or the operator's threshold. */
export type WatchEvent = "debit" | "credit" | "threshold";

export interface WatchState {
  /** null: no alert for this customer. */
  thresholdFen: number | null;
  /** This crossing was announced; nothing more until available is back at or above the threshold. */
  alerted: boolean;
}

export interface WatchDecision {
  /** The state to keep. */
  alerted: boolean;
  /** Record one balance_low alert now. */
  alert: boolean;
}

export function watchBalance(state: WatchState, availableFen: number, event: WatchEvent): WatchDecision {
  if (state.thresholdFen === null || availableFen >= state.thresholdFen) return { alerted: false, alert: false };
  if (state.alerted || event === "credit") return { alerted: state.alerted, alert: false };
  return { alerted: true, alert: true };
}
