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
   * The pay batch commits in D1, its reply is lost, and D1 stays unreachable
   * for this object from then on (as "d1-outage", until disarmed): the
   * payment's outcome cannot be learned when the client is answered.
   */
  | "d1-reply-lost-then-outage"
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
  override readonly name = "InjectedFault";
  constructor(readonly point: FaultPoint) {
    super(`injected fault: ${point}`);
  }
}

/**
 * Objects (by id) for which D1 is down. An outage is the world's, not the
 * instance's: it outlives a crash of the object, as a real one would, until
 * disarmed. One-shot points are the instance's and die with it.
 */
const outages = new Set<string>();

export class Faults {
  /** Armed points and how many more times each fires (Infinity = until disarmed). */
  private readonly armed = new Map<FaultPoint, number>();
  /** How often each point struck in this instance (the reliability simulation's tally). */
  readonly struck = new Map<FaultPoint, number>();

  /** `objectId`: the object's id, which its D1 outage is kept under. */
  constructor(private readonly enabled: boolean, private readonly objectId = "") {}

  arm(point: FaultPoint, times = 1): void {
    if (!this.enabled) throw new Error("fault injection is disabled in this environment");
    if (point === "d1-outage") outages.add(this.objectId);
    else this.armed.set(point, times);
  }

  disarm(point?: FaultPoint): void {
    if (!point || point === "d1-outage") outages.delete(this.objectId);
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
    this.strike(point);
    return true;
  }

  /**
   * The crash of an armed point, for `if (faults.fires(point)) await faults.crash(ctx, point)`:
   * what the object wrote so far is made durable first — a crash "after the hold" leaves the
   * hold in storage, as a crash between two steps would — then the object resets.
   */
  async crash(ctx: DurableObjectState, point: FaultPoint): Promise<never> {
    await ctx.storage.sync();
    ctx.abort(`injected fault: ${point}`);
    throw new InjectedFault(point);
  }

  /** Wraps a D1 call of the payment protocol with the D1 fault points. */
  async d1<T>(kind: "read" | "batch" | "settle", call: () => Promise<T>): Promise<T> {
    if (kind !== "read" && this.isArmed("d1-outage")) {
      this.strike("d1-outage");
      throw new InjectedFault("d1-outage");
    }
    if (kind === "batch" && this.fires("d1-batch-reject")) throw new InjectedFault("d1-batch-reject");
    const result = await call();
    if (kind === "batch" && this.fires("d1-reply-lost")) throw new InjectedFault("d1-reply-lost");
    if (kind === "batch" && this.fires("d1-reply-lost-then-outage")) {
      outages.add(this.objectId);
      throw new InjectedFault("d1-reply-lost-then-outage");
    }
    return result;
  }

  private strike(point: FaultPoint): void {
    this.struck.set(point, (this.struck.get(point) ?? 0) + 1);
  }

  private isArmed(point: FaultPoint): boolean {
    return this.enabled && (point === "d1-outage" ? outages.has(this.objectId) : this.armed.has(point));
  }
}
