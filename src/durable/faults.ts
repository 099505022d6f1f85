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
   * D1 is down for this object, reads included, until disarmed. In an
   * InventoryDO: every D1 call of settling holds (expiry, release, Verify's
   * fate reads) fails.
   */
  | "d1-outage"
  /**
   * D1 is down for this object from its next write on (the pay batch, the
   * settlements), reads still answered — an outage that begins between the
   * payment's read and its batch — until disarmed.
   */
  | "d1-outage-from-batch"
  /**
   * The pay batch is held back and its caller told the reply was lost; the
   * batch lands only after the next settlement of this object (in any of its
   * instances) — a write landing after the fence.
   */
  | "d1-write-late"
  /** The pay batch is executed twice (a layer replays it); the caller sees the second execution's reply. */
  | "d1-batch-twice"
  /** The ledger copy to D1 is refused. */
  | "ledger-copy-reject"
  /** The object crashes right after placing the hold (what it wrote is durable). */
  | "abort-after-hold"
  /** The object crashes right after placing the hold, before its writes are confirmed: they may be lost. */
  | "abort-after-hold-unsynced"
  /** The object crashes after the D1 batch committed, before posting. */
  | "abort-after-batch"
  /** The object crashes after posting, before answering, before the post is confirmed: it may be lost. */
  | "abort-after-post-unsynced"
  /**
   * Two live instances of one object: the instance hands its pay batch to D1
   * and is replaced at once (it crashes); the batch lands only after the
   * new instance's next settlement, as a late write of the old one would.
   */
  | "zombie-batch"
  /** The alarm handler throws (armed `times` times: the platform's retries run out). */
  | "alarm-throws"
  /**
   * InventoryDO: the object crashes in the middle of a hold — the hold is
   * written, its expiry alarm not yet set, and the caller never answered.
   */
  | "abort-mid-hold";

/** What kind of D1 call a `Faults.d1` wraps. */
export type D1CallKind = "read" | "batch" | "settle" | "ledger-copy";

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
const outages = new Map<string, "all" | "writes">();
/** Batches held back by "d1-write-late" / "zombie-batch", by object id: they land after its next settlement. */
const lateWrites = new Map<string, (() => Promise<unknown>)[]>();

export class Faults {
  /** Armed points and how many more times each fires (Infinity = until disarmed). */
  private readonly armed = new Map<FaultPoint, number>();
  /** How often each point struck in this instance (the reliability simulation's tally). */
  readonly struck = new Map<FaultPoint, number>();

  /** `objectId`: the object's id, which its D1 outage is kept under. */
  constructor(private readonly enabled: boolean, private readonly objectId = "") {}

  arm(point: FaultPoint, times = 1): void {
    if (!this.enabled) throw new Error("fault injection is disabled in this environment");
    if (point === "d1-outage") outages.set(this.objectId, "all");
    else if (point === "d1-outage-from-batch") outages.set(this.objectId, "writes");
    else this.armed.set(point, times);
  }

  disarm(point?: FaultPoint): void {
    if (!point || point === "d1-outage" || point === "d1-outage-from-batch") outages.delete(this.objectId);
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
   * hold in storage, as a crash between two steps would — then the object resets. The
   * "-unsynced" points skip the sync: writes not yet confirmed are lost with the instance.
   */
  async crash(ctx: DurableObjectState, point: FaultPoint): Promise<never> {
    if (!point.endsWith("-unsynced")) await ctx.storage.sync();
    ctx.abort(`injected fault: ${point}`);
    throw new InjectedFault(point);
  }

  /** Wraps a D1 call of the objects with the D1 fault points; `ctx` is needed by "zombie-batch". */
  async d1<T>(kind: D1CallKind, call: () => Promise<T>, ctx?: DurableObjectState): Promise<T> {
    const outage = this.enabled ? outages.get(this.objectId) : undefined;
    if (outage === "all" || (outage === "writes" && kind !== "read")) {
      this.strike("d1-outage");
      throw new InjectedFault("d1-outage");
    }
    if (kind === "ledger-copy" && this.fires("ledger-copy-reject")) throw new InjectedFault("ledger-copy-reject");
    if (kind === "batch") {
      if (this.fires("d1-batch-reject")) throw new InjectedFault("d1-batch-reject");
      if (this.fires("d1-write-late")) {
        this.holdBack(call);
        throw new InjectedFault("d1-write-late");
      }
      if (ctx && this.fires("zombie-batch")) {
        this.holdBack(call);
        await this.crash(ctx, "zombie-batch");
      }
      if (this.fires("d1-batch-twice")) {
        await call();
        return call();
      }
    }
    const result = await call();
    if (kind === "settle") await this.landLateWrites();
    if (kind === "batch" && this.fires("d1-reply-lost")) throw new InjectedFault("d1-reply-lost");
    if (kind === "batch" && this.fires("d1-reply-lost-then-outage")) {
      outages.set(this.objectId, "all");
      throw new InjectedFault("d1-reply-lost-then-outage");
    }
    return result;
  }

  /** Lands every batch held back for this object (after a settlement; and when the test ends a step). */
  async landLateWrites(): Promise<number> {
    const held = lateWrites.get(this.objectId) ?? [];
    lateWrites.delete(this.objectId);
    for (const write of held) {
      await write().catch((error: unknown) => console.warn(JSON.stringify({ event: "late_write_refused", error: String(error) })));
    }
    return held.length;
  }

  private holdBack(call: () => Promise<unknown>): void {
    lateWrites.set(this.objectId, [...(lateWrites.get(this.objectId) ?? []), call]);
  }

  private strike(point: FaultPoint): void {
    this.struck.set(point, (this.struck.get(point) ?? 0) + 1);
  }
}
