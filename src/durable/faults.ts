/**
 * The one injection point for faults in the payment protocol, the stock
 * holds around it and the placing of orders and bills (SPEC §6 tests,
 * reliability issue, docs/reliability.md). Production never arms it: arming
 * needs the FAULT_INJECTION binding set to "on", which only the test
 * configuration sets. Both Durable Objects keep one `Faults` each (AccountDO
 * for the payment, InventoryDO for holds and expiry), armed through their
 * `armFault` RPC; the Worker, which has no RPC, keeps the module's
 * `workerFaults`, armed with `workerFaults.armIn(env, point, times)` (module
 * state is shared by a test file, the Worker and the objects of one isolate
 * under vitest-plugin). The stores stay real: a fault either stops our own
 * code at a step (`ctx.abort()` resets the object like a crash) or stands
 * between our code and D1 (the batch is refused before it is sent, or sent
 * and its reply lost, or sent late, or D1 is unreachable).
 */
import { configOf, type ConfigVars } from "../config";

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
   * fate reads) fails. In the Worker (`workerFaults`): the order insert, its
   * fence, the bill insert, and a cancel's read and UPDATE fail (the
   * Worker's other reads are not wrapped).
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
  /** AccountDO: the write of a low-balance alert to D1's outbox is refused (the alarm writes it later). */
  | "alert-write-reject"
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
  | "abort-mid-hold"
  /**
   * InventoryDO: its expiry batch (fence the orders D1 does not have, expire
   * the unpaid ones past their time, read every fate: `expireAndReadFates`,
   * from a release, the alarm, or a hold that settles first) is refused
   * before it reaches D1. The holds stay as they were.
   */
  | "expiry-batch-reject"
  /** InventoryDO: the expiry batch commits in D1 and its reply is lost; the holds stay as they were. */
  | "expiry-reply-lost"
  /** InventoryDO: a refund's return of units is refused (the object unreachable for it); the refund's alarm or retry returns them. */
  | "return-units-reject"
  /** InventoryDO: the day an order moves from refuses to release its hold (Order/ChangeDate); the new day's alarm retries. */
  | "move-out-reject"
  /** InventoryDO: a bulk PUT's reservation (its phase one) is refused, as by an unreachable object (SPEC §12). */
  | "prepare-config-reject"
  /** InventoryDO: a bulk PUT's commit of a prepared configuration is refused (SPEC §12); the object's alarm applies it from D1's decision. */
  | "commit-config-reject"
  /** Worker: the calendar-in-bulk batch (decision and days, SPEC §12) is refused before it reaches D1. */
  | "calendar-bulk-reject"
  /** Worker: the calendar-in-bulk batch commits in D1 and its reply is lost. */
  | "calendar-bulk-reply-lost"
  /** Worker: the order insert (orders + order_items, one batch) is refused before it reaches D1. */
  | "order-insert-reject"
  /** Worker: the order insert commits in D1 and its reply is lost. */
  | "order-insert-reply-lost"
  /**
   * Worker: the order insert commits in D1, its reply is lost, and D1 stays
   * unreachable for the Worker from then on (as "d1-outage", until
   * disarmed): the order's fate cannot be learned before the client is answered.
   */
  | "order-insert-reply-lost-then-outage"
  /**
   * Worker: the order insert is held up on its way: the caller's call fails
   * at once, and the batch reaches D1 only right after the next fence
   * completes (an InventoryDO's expiry batch, or the Worker's own fence of
   * the order), or when a test calls `landLateWrites(db)`.
   */
  | "order-insert-late"
  /** Worker: the POS bill insert (Bill/Add) is refused before it reaches D1. */
  | "bill-insert-reject"
  /** Worker: the POS bill insert commits in D1 and its reply is lost. */
  | "bill-insert-reply-lost"
  /** Worker: a cancel's guarded UPDATE (Order/Cancel, admin cancel) is refused before it reaches D1. */
  | "order-cancel-reject"
  /** Worker: a cancel's guarded UPDATE commits in D1 and its reply is lost. */
  | "order-cancel-reply-lost"
  /** Worker: a date change's batch (Order/ChangeDate) is refused before it reaches D1. */
  | "date-change-reject"
  /** Worker: a date change's batch commits in D1 and its reply is lost. */
  | "date-change-reply-lost"
  /** Worker: a date change's batch commits, its reply is lost, and D1 stays unreachable for the Worker (until disarmed). */
  | "date-change-reply-lost-then-outage";

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
/** Pay batches held back by "d1-write-late" / "zombie-batch", by object id: they land after its next settlement. */
const lateBatches = new Map<string, (() => Promise<unknown>)[]>();
/** Order inserts held up by "order-insert-late", each run against the binding of whoever lands them. */
const lateInserts: ((db: D1Database) => Promise<unknown>)[] = [];

/** What a kind of D1 call may meet: refused before sending, reply lost, reply lost then an outage, sent late. */
interface Strikes {
  reject?: FaultPoint;
  lost?: FaultPoint;
  lostThenOutage?: FaultPoint;
  late?: FaultPoint;
}

/**
 * Kinds of D1 calls: "read" (the payment's reads: struck by an outage that
 * includes reads), "settle" (the payment's recovery and Verify's fate reads:
 * the outage only), "batch" (the pay batch), "ledger-copy" (the AccountDO's
 * copy to D1), "expiry" (InventoryDO's fence-expire-read batch), "fence"
 * (the Worker's fence of an order whose insert failed: the outage only), and
 * the Worker's writes (inserts, a cancel's UPDATE, a date change's batch),
 * "alert" (the AccountDO's write of a low-balance alert to the outbox).
 */
export type D1CallKind =
  | "read" | "settle" | "batch" | "ledger-copy" | "alert" | "expiry" | "fence" | "order-insert" | "bill-insert" | "order-cancel" | "date-change" | "calendar-bulk";
type WorkerWrite = "order-insert" | "bill-insert" | "order-cancel" | "date-change" | "calendar-bulk";

const STRIKES: Record<D1CallKind, Strikes> = {
  read: {},
  settle: {},
  fence: {},
  "ledger-copy": { reject: "ledger-copy-reject" },
  alert: { reject: "alert-write-reject" },
  batch: { reject: "d1-batch-reject", lost: "d1-reply-lost", lostThenOutage: "d1-reply-lost-then-outage" },
  expiry: { reject: "expiry-batch-reject", lost: "expiry-reply-lost" },
  "order-insert": { reject: "order-insert-reject", lost: "order-insert-reply-lost", lostThenOutage: "order-insert-reply-lost-then-outage", late: "order-insert-late" },
  "bill-insert": { reject: "bill-insert-reject", lost: "bill-insert-reply-lost" },
  "order-cancel": { reject: "order-cancel-reject", lost: "order-cancel-reply-lost" },
  "date-change": { reject: "date-change-reject", lost: "date-change-reply-lost", lostThenOutage: "date-change-reply-lost-then-outage" },
  "calendar-bulk": { reject: "calendar-bulk-reject", lost: "calendar-bulk-reply-lost" },
};

export class Faults {
  /** Armed points and how many more times each fires (Infinity = until disarmed). */
  private readonly armed = new Map<FaultPoint, number>();
  /** How often each point struck in this instance (the reliability simulation's tally). */
  readonly struck = new Map<FaultPoint, number>();

  /** `objectId`: the object's id, which its D1 outage is kept under. */
  constructor(protected enabled: boolean, private readonly objectId = "") {}

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

  /**
   * Wraps a D1 call of the objects with the fault points of its kind; the pay
   * batch also meets the late, replayed and zombie points (`ctx`: the object
   * that crashes under "zombie-batch").
   */
  async d1<T>(kind: Exclude<D1CallKind, WorkerWrite>, call: () => Promise<T>, ctx?: DurableObjectState): Promise<T> {
    this.before(kind);
    if (kind === "batch") {
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
    this.after(kind);
    return result;
  }

  /**
   * Wraps one of the Worker's writes (inserts, a cancel). `write` takes the binding to use: a
   * write held up by "order-insert-late" lands later through whoever lands it.
   */
  async write<T>(kind: WorkerWrite, db: D1Database, write: (db: D1Database) => Promise<T>): Promise<T> {
    this.before(kind);
    const late = STRIKES[kind].late;
    if (late && this.fires(late)) {
      lateInserts.push(write);
      throw new InjectedFault(late);
    }
    const result = await write(db);
    this.after(kind);
    return result;
  }

  /**
   * Lands the inserts "order-insert-late" held up, right after a fence
   * completed (an InventoryDO's expiry batch, the Worker's fence): a write
   * that was on its way when the fence was written arrives after it.
   */
  async landLateInserts(db: D1Database): Promise<void> {
    if (this.enabled) await landLateInserts(db);
  }

  private before(kind: D1CallKind): void {
    const outage = this.enabled ? outages.get(this.objectId) : undefined;
    if (outage === "all" || (outage === "writes" && kind !== "read")) {
      this.strike("d1-outage");
      throw new InjectedFault("d1-outage");
    }
    const { reject } = STRIKES[kind];
    if (reject && this.fires(reject)) throw new InjectedFault(reject);
  }

  private after(kind: D1CallKind): void {
    const { lost, lostThenOutage } = STRIKES[kind];
    if (lost && this.fires(lost)) throw new InjectedFault(lost);
    if (lostThenOutage && this.fires(lostThenOutage)) {
      outages.set(this.objectId, "all");
      throw new InjectedFault(lostThenOutage);
    }
  }

  /** Lands every pay batch held back for this object (after a settlement; and when the test ends a step). */
  async landLateWrites(): Promise<number> {
    const held = lateBatches.get(this.objectId) ?? [];
    lateBatches.delete(this.objectId);
    for (const write of held) {
      await write().catch((error: unknown) => console.warn(JSON.stringify({ event: "late_write_refused", error: String(error) })));
    }
    return held.length;
  }

  private holdBack(call: () => Promise<unknown>): void {
    lateBatches.set(this.objectId, [...(lateBatches.get(this.objectId) ?? []), call]);
  }

  private strike(point: FaultPoint): void {
    this.struck.set(point, (this.struck.get(point) ?? 0) + 1);
  }
}

/**
 * The Worker's fault points ("order-insert-…", "bill-insert-…",
 * "order-cancel-…", and "d1-outage" for the Worker's guarded writes and a
 * cancel's read). The Worker has no RPC to arm
 * them: a test arms this instance itself and passes its environment, and
 * arming is refused unless FAULT_INJECTION is "on" there.
 */
export class WorkerFaults extends Faults {
  constructor() {
    super(false, "worker");
  }

  armIn(env: ConfigVars, point: FaultPoint, times = 1): void {
    if (!configOf(env).faultInjection) throw new Error("fault injection is disabled in this environment");
    this.enabled = true;
    this.arm(point, times);
  }
}

export const workerFaults = new WorkerFaults();

/** Runs every insert "order-insert-late" held up, now, against `db` (tests; and `Faults.landLateInserts`). */
export async function landLateInserts(db: D1Database): Promise<number> {
  const due = lateInserts.splice(0);
  for (const write of due) {
    try {
      await write(db);
    } catch (error) {
      console.error(JSON.stringify({ event: "late_write_failed", error: String(error) }));
    }
  }
  return due.length;
}
