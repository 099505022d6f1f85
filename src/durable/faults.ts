/**
 * The one injection point for faults in the payment protocol and the stock
 * holds around it (SPEC §6 tests, reliability issue, docs/reliability.md).
 * Production never arms it: arming needs the FAULT_INJECTION binding set to
 * "on", which only the test configuration sets. Both Durable Objects keep
 * one `Faults` each (AccountDO for the payment, InventoryDO for holds and
 * expiry), armed through their `armFault` RPC. The stores stay real: a fault
 * either stops our own code at a step (`ctx.abort()` resets the object like a
 * crash) or stands between our code and D1 (the batch is refused before it
 * is sent, or sent and its reply lost, or D1 is unreachable).
 */
export type FaultPoint =
  /** The pay batch is refused before it reaches D1. */
  | "d1-batch-reject"
  /** The pay batch commits in D1, and its reply is lost. */
  | "d1-reply-lost"
  /**
   * D1 is down from the pay batch on (the order was read just before), until
   * disarmed: batches and settlements fail. In an InventoryDO: every D1 call
   * of settling holds (expiry, release, Verify's fate reads) fails.
   */
  | "d1-outage"
  /** The object crashes right after placing the hold. */
  | "abort-after-hold"
  /** The object crashes after the D1 batch committed, before posting. */
  | "abort-after-batch"
  /**
   * InventoryDO: the object crashes in the middle of a hold — the hold is
   * written, its expiry alarm not yet set, and the caller never answered.
   */
  | "abort-mid-hold";

export class InjectedFault extends Error {
  constructor(readonly point: FaultPoint) {
    super(`injected fault: ${point}`);
  }
}

export class Faults {
  /** Armed points and how many more times each fires (Infinity = until disarmed). */
  private readonly armed = new Map<FaultPoint, number>();

  constructor(private readonly enabled: boolean) {}

  arm(point: FaultPoint, times = 1): void {
    if (!this.enabled) throw new Error("fault injection is disabled in this environment");
    this.armed.set(point, times);
  }

  disarm(point?: FaultPoint): void {
    if (point) this.armed.delete(point);
    else this.armed.clear();
  }

  /** True once per arming (or while an outage lasts). */
  fires(point: FaultPoint): boolean {
    if (!this.enabled) return false;
    const left = this.armed.get(point);
    if (left === undefined) return false;
    if (left <= 1) this.armed.delete(point);
    else this.armed.set(point, left - 1);
    return true;
  }

  /** Wraps a D1 call of the payment protocol with the D1 fault points. */
  async d1<T>(kind: "read" | "batch" | "settle", call: () => Promise<T>): Promise<T> {
    if (kind !== "read" && this.isArmed("d1-outage")) throw new InjectedFault("d1-outage");
    if (kind === "batch" && this.fires("d1-batch-reject")) throw new InjectedFault("d1-batch-reject");
    const result = await call();
    if (kind === "batch" && this.fires("d1-reply-lost")) throw new InjectedFault("d1-reply-lost");
    return result;
  }

  private isArmed(point: FaultPoint): boolean {
    return this.enabled && this.armed.has(point);
  }
}
