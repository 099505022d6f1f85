/**
 * The workload generator: one seed → one plan (the world, then steps of
 * operations sent at once, each with the faults armed around it). Pure: no
 * I/O, no clock, no ids from the server — operations name customers, order
 * slots (senderids) and bill slots (SenderBillNums) by index, and the driver
 * resolves them at run time. The same seed therefore gives the same plan,
 * operation for operation and fault for fault (test/sim/sim.test.ts checks
 * it); only the interleaving of requests in flight at once may vary.
 */
import type { FaultPoint } from "../../src/durable/faults";
import { Rng } from "./prng";

export type ProductKey = "T0" | "T1" | "TS" | "Y0" | "R0" | "R1";
export type Format = "json" | "xml" | "bson";
export type PayPath = "bypassword" | "min" | "aspx-get" | "aspx-form";
/**
 * right: this session's ciphertext; replay: a ciphertext this session sent
 * before (the legacy scheme has no nonce, so it is still right); wrong: the
 * right scheme over a wrong password; other-session: a right ciphertext of
 * another of the customer's sessions; garbage: not a ciphertext at all.
 */
export type Password = "right" | "replay" | "wrong" | "other-session" | "garbage";

export interface CustomerSpec {
  index: number;
  payPassword: string | null;
  openingDepositFen: number;
}

export interface ProductSpec {
  key: ProductKey;
  kind: "ticket" | "yearcard" | "retail";
  priceYuan: number;
  /** Calendar days, as offsets from today (Asia/Shanghai). */
  days: { day: number; stock: number; timeslots?: { index: number; start: string; end: string; capacity: number }[] }[];
}

export interface Line {
  p: ProductKey;
  qty: number;
}

export type Op =
  | { kind: "deposit"; c: number; ref: number; amountFen: number }
  | { kind: "login"; c: number }
  | { kind: "add"; c: number; sender: number | null; day: number; lines: Line[]; timespan: number | null; path: "webinterface" | "douyin"; format: Format }
  | { kind: "yearcard"; c: number; sender: number | null; format: Format }
  | { kind: "verify"; c: number; day: number; lines: Line[]; timespan: number | null; format: Format }
  /**
   * `owner`/`sender` name the order; owner ≠ c is another customer's order. `claim: other` sends another
   * customer's dwid (ByPassword). `after`: the index in the step of an add this pay waits for, and pays the order it placed.
   */
  | { kind: "pay"; c: number; owner: number; sender: number; path: PayPath; password: Password; session: number; claim: "own" | "other"; format: Format; after?: number }
  | { kind: "bill-add"; c: number; bill: number | null; items: Line[]; format: Format }
  /** `after`: the index in the step of a bill add this pay waits for, and pays (by its BillNum). */
  | { kind: "bill-pay"; c: number; owner: number; bill: number; by: "billnum" | "sender" | "both"; password: Password; session: number; format: Format; after?: number }
  | { kind: "query"; c: number; owner: number; sender: number; by: "orderid" | "senderid" }
  /**
   * A refund of the order (owner, sender): all its valid tickets, or one of them; under refund number
   * `refund` (R0..): a repeat with the same tickets answers the same refund, other tickets are refused.
   * `via`: the partner's Order/Refund (its session, in `format`) or the operator's admin API.
   */
  | { kind: "refund"; c: number; owner: number; sender: number; refund: number; pick: "all" | "one"; via: "operator" | "partner"; session: number; format: Format; after?: number }
  /**
   * A gate device scans a ticket (核销, SPEC §10) of the order (owner, sender), or — `after` — of the order
   * a pay of this step paid. `pick`: "valid" is the order's first valid ticket by code (the one a refund of
   * one ticket picks, so the two race), a number k the k-th of all its tickets, used and refunded ones
   * included (repeats). `gate`: 0 admits every product, 1 only T1. `checkid` (K0.., per gate) names the
   * scan: one that admitted a ticket at this gate before is sent, when `retry`, with that ticket (the
   * device's retry of that scan, later), else with this op's own ticket (a device whose scan counter
   * repeats a number). An order without tickets yet is scanned with a code no ticket has.
   */
  | { kind: "check"; c: number; owner: number; sender: number; pick: "valid" | number; gate: number; checkid: number | null; retry: boolean; format: Format; after?: number }
  /**
   * Order/Cancel of the order (owner, sender) — by its orderid, or by senderid (own orders only) — or the
   * operator's cancel (admin API); `after`: the order an add of this step placed (a cancel racing its pay).
   */
  | { kind: "cancel"; c: number; owner: number; sender: number; by: "orderid" | "senderid"; via: "partner" | "operator"; format: Format; after?: number }
  /**
   * Order/ChangeDate of the order (owner, sender) to calendar day `day` (and slot `timespan`; null: its
   * own, or any); `after`: the order a pay of this step paid (a move racing a refund, a scan, another move).
   */
  | { kind: "change-date"; c: number; owner: number; sender: number; day: number; timespan: number | null; format: Format; after?: number }
  /** Order/Resend of the order (owner, sender), to its own mobile or (`mobile`) another; `after`: the order a pay of this step paid. */
  | { kind: "resend"; c: number; owner: number; sender: number; mobile: boolean; format: Format; after?: number }
  /** An operator at the console, mid-run (admin API): what partners' requests race with. */
  | { kind: "operator"; c: number; change: OperatorChange }
  /** Many logins of one customer at once, past its session limit: the oldest sessions are evicted. */
  | { kind: "login-storm"; c: number; logins: number };

export type OperatorChange =
  | { what: "price"; p: ProductKey; priceYuan: number }
  | { what: "stock"; p: ProductKey; day: number; stock: number }
  | { what: "on-sale"; p: ProductKey; onSale: boolean }
  | { what: "login-password"; c: number; version: number }
  | { what: "pay-password"; c: number; version: number | null }
  | { what: "suspend"; c: number; suspended: boolean };

/** The AccountDO's points the workload arms (src/durable/faults.ts says what each does). */
export type AccountFaultPoint = Extract<
  FaultPoint,
  | `d1-${"batch-reject" | "reply-lost" | "reply-lost-then-outage" | "write-late" | "batch-twice"}`
  | `abort-after-${string}`
  | "zombie-batch"
  | "ledger-copy-reject"
>;

/** The Worker's own inserts (src/durable/faults.ts `workerFaults`): they strike whichever add of the step comes first. */
export type WorkerFaultPoint = Extract<FaultPoint, `${"order-insert" | "bill-insert" | "order-cancel" | "date-change"}-${string}`>;

export type Fault =
  /** Armed on the customer's AccountDO before the step's requests. */
  | { kind: AccountFaultPoint; c: number; times: number }
  /**
   * Armed on the Worker before the step's requests; the step leads with an add (or a bill add) of the hot
   * customer, or — for a cancel's or a date change's points — with the race that ends in one.
   */
  | { kind: WorkerFaultPoint; times: number }
  /** The product-day's expiry batch (fence, expire, read fates) refused, or its reply lost. */
  | { kind: "expiry-batch-reject" | "expiry-reply-lost"; p: ProductKey; day: number; times: number }
  /** Armed on the product-day's InventoryDO before the step's requests. */
  | { kind: "abort-mid-hold"; p: ProductKey; day: number }
  /**
   * D1 unreachable for this AccountDO and this InventoryDO, from this step until the plan's `recover`;
   * `from: "batch"`: the object's reads still pass (an outage beginning between a payment's read and its batch).
   */
  | { kind: "d1-outage"; c: number; p: ProductKey; day: number; untilStep: number; from: "all" | "batch" }
  /** The customer's alarm throws until the platform's retries run out (it is gone until a call sets it again). */
  | { kind: "alarm-throws"; c: number }
  | { kind: "recover"; c: number; p: ProductKey; day: number }
  /** The Worker's D1 is back (after "order-insert-reply-lost-then-outage"). */
  | { kind: "recover-worker" }
  /** The alarm handler delivered twice, while the step's requests run (alarms are at-least-once). */
  | { kind: "alarm-twice"; c: number | null; p: ProductKey | null; day: number }
  /** Every scheduled alarm runs now, however long ago it was due. */
  | { kind: "alarm-late" }
  /**
   * Time passes beyond an unpaid order's hold (the clock moves: every unpaid order expires); the
   * InventoryDO alarms of the hot product-day ring with the step, or are left for later.
   */
  | { kind: "expire"; p: ProductKey; day: number; alarm: "with-step" | "later" }
  /** Time passes beyond the pay-password lockout window (the clock moves). */
  | { kind: "lockout-window" };

export type FaultKind = Fault["kind"];

export interface Step {
  ops: Op[];
  faults: Fault[];
}

export interface Plan {
  seed: number;
  customers: CustomerSpec[];
  products: ProductSpec[];
  /** Slots per customer: senderids S0..S{n-1}, SenderBillNums B0..B{n-1}, deposit references D0..D{n-1}. */
  senderSlots: number;
  billSlots: number;
  depositRefs: number;
  steps: Step[];
}

export const PRODUCTS: readonly ProductSpec[] = [
  // Day 0 is the day of the run (Asia/Shanghai): its tickets are admitted at the gate; the others are refused (not today).
  // T1's day 0 is what the gate that admits only T1 lets in.
  { key: "T0", kind: "ticket", priceYuan: 80, days: [{ day: 0, stock: 24 }, { day: 30, stock: 24 }, { day: 31, stock: 24 }] },
  // Scarce: sold out often, so stock refusals and expiry races happen.
  { key: "T1", kind: "ticket", priceYuan: 125.5, days: [{ day: 0, stock: 4 }, { day: 30, stock: 4 }, { day: 31, stock: 5 }] },
  {
    key: "TS",
    kind: "ticket",
    priceYuan: 60,
    days: [{ day: 30, stock: 7, timeslots: [{ index: 1, start: "08:00", end: "12:00", capacity: 4 }, { index: 2, start: "12:00", end: "17:00", capacity: 4 }] }],
  },
  { key: "Y0", kind: "yearcard", priceYuan: 199, days: [{ day: 30, stock: 6 }] },
  { key: "R0", kind: "retail", priceYuan: 3.5, days: [] },
  { key: "R1", kind: "retail", priceYuan: 12, days: [] },
];

const TICKET_DAYS: readonly { p: ProductKey; day: number }[] = [
  { p: "T0", day: 0 },
  { p: "T0", day: 30 },
  { p: "T0", day: 31 },
  { p: "T1", day: 0 },
  { p: "T1", day: 30 },
  { p: "T1", day: 31 },
  { p: "TS", day: 30 },
];
export const PRODUCT_DAYS: readonly { p: ProductKey; day: number }[] = [...TICKET_DAYS, { p: "Y0", day: 30 }];

const CUSTOMERS = 4;

export function generatePlan(seed: number, totalOps: number): Plan {
  const rng = new Rng(seed);
  const customers: CustomerSpec[] = Array.from({ length: CUSTOMERS }, (_, index) => ({
    index,
    // The last customer has no pay password: POS pays without PayPwd, order pays are refused (3003).
    payPassword: index === CUSTOMERS - 1 ? null : `pay${index}#${rng.int(100, 999)}`,
    openingDepositFen: rng.int(200, 900) * 100,
  }));
  const g = new Generator(rng, customers.length);
  const steps: Step[] = [];
  let ops = 0;
  while (ops < totalOps) {
    const step = g.step(steps.length, Math.min(totalOps - ops, g.stepSize()));
    ops += step.ops.length;
    steps.push(step);
  }
  // Every outage ends within the plan.
  for (const recover of g.pendingRecoveries()) steps[steps.length - 1]!.faults.push(recover);
  return { seed, customers, products: [...PRODUCTS], senderSlots: SENDER_SLOTS, billSlots: BILL_SLOTS, depositRefs: DEPOSIT_REFS, steps };
}

const SENDER_SLOTS = 8;
const BILL_SLOTS = 5;
const DEPOSIT_REFS = 5;
/** Refund numbers per customer (R0..): few, so repeats and conflicts happen. A scan race's refund takes a fresh one after them. */
const REFUND_NUMBERS = 6;
/**
 * Scan ids per gate (K0..): few, so a device's retries of one scan happen. A scan race takes a fresh one
 * after them; a later scan may name any scan id so far (a retry of that scan, or a repeated number).
 */
const CHECK_IDS = 4;
/** Gates the world registers (driver.ts): 0 admits every product, 1 only T1. */
export const GATES = 2;

type Hot = { c: number; sender: number; bill: number; pd: { p: ProductKey; day: number } };

/** Faults that strike inside a payment: the step leads with a payment of the customer they are armed on. */
const PAYMENT_FAULTS: ReadonlySet<FaultKind> = new Set([
  "d1-batch-reject", "d1-reply-lost", "d1-reply-lost-then-outage", "d1-write-late", "d1-batch-twice",
  "abort-after-hold", "abort-after-hold-unsynced", "abort-after-batch", "abort-after-post-unsynced", "zombie-batch", "d1-outage",
]);
/** More concurrent pays of one customer than one D1 batch carries (payment-desk.ts MAX_PAYMENTS_PER_BATCH = 32). */
const STORM_PAIRS = { min: 34, max: 40 } as const;
/** Logins of a login storm: past the object's 200 sessions per customer (account.ts), so the oldest are evicted. */
const LOGIN_STORM = 205;

class Generator {
  /** Deposit references used so far and their first amount, per customer. */
  private readonly refs = new Map<string, number>();
  /** Slots an add (or bill add) was planned for: payments mostly name those. */
  private readonly orderSlots = new Set<string>();
  private readonly billSlots = new Set<string>();
  /** Payments planned per slot: a fault is aimed at a payment that is likely to reach D1. */
  private readonly paysPlanned = new Map<string, number>();
  private readonly recoveries = new Map<number, Fault[]>();
  private outage: { c: number; pd: { p: ProductKey; day: number }; until: number } | null = null;
  /** Password versions per customer, as the operator changes them (null: the pay password removed). */
  private readonly loginVersion: number[];
  private readonly payVersion: (number | null)[];
  private readonly suspended: boolean[];
  /** Customers the operator reinstates at a step (by step index). */
  private readonly reinstatements = new Map<number, number[]>();
  private stepIndex = 0;
  /** The next fresh refund number per customer, and the next fresh scan id, for scan races. */
  private readonly freshRefunds: number[];
  private freshCheckId = CHECK_IDS;

  constructor(private readonly rng: Rng, private readonly customers: number) {
    this.loginVersion = Array.from({ length: customers }, () => 0);
    this.payVersion = Array.from({ length: customers }, (_, c) => (c === customers - 1 ? null : 0));
    this.suspended = Array.from({ length: customers }, () => false);
    this.freshRefunds = Array.from({ length: customers }, () => REFUND_NUMBERS);
  }

  stepSize(): number {
    const bucket = this.rng.weighted({ one: 3, few: 4, many: 3, burst: 2 });
    if (bucket === "one") return 1;
    if (bucket === "few") return this.rng.int(2, 4);
    if (bucket === "many") return this.rng.int(5, 9);
    return this.rng.int(10, 18);
  }

  step(index: number, size: number): Step {
    const r = this.rng;
    if (this.outage && index > this.outage.until) this.outage = null;
    // During an outage, half the steps press on what is cut off from D1.
    const onOutage = this.outage !== null && r.chance(0.5);
    const c = onOutage ? this.outage!.c : r.int(0, this.customers - 1);
    const hot: Hot = {
      c,
      sender: this.slotOf(this.orderSlots, c, SENDER_SLOTS, 0.9),
      bill: this.slotOf(this.billSlots, c, BILL_SLOTS, 0.9),
      pd: onOutage ? this.outage!.pd : r.pick(TICKET_DAYS),
    };
    // A burst piles many requests onto one customer, order, bill and product-day.
    const burst = size >= 10;
    const faults: Fault[] = [...(this.recoveries.get(index) ?? [])];
    this.recoveries.delete(index);
    const fault = r.chance(0.45) ? this.fault(index, hot) : null;
    const ops: Op[] = [];
    this.stepIndex = index;
    for (const c of this.reinstatements.get(index) ?? []) {
      this.suspended[c] = false;
      ops.push({ kind: "operator", c, change: { what: "suspend", c, suspended: false } });
    }
    this.reinstatements.delete(index);
    if (fault && PAYMENT_FAULTS.has(fault.kind)) appendOps(ops, this.paymentOf(hot));
    if (fault?.kind === "abort-mid-hold" || fault?.kind.startsWith("order-insert") || fault?.kind.startsWith("expiry")) ops.push(this.addOn(hot));
    if (fault?.kind.startsWith("bill-insert")) ops.push({ kind: "bill-add", c: hot.c, bill: r.chance(0.5) ? null : this.slotOf(this.billSlots, hot.c, BILL_SLOTS, 0.5), items: this.retailItems(), format: "json" });
    if (r.chance(0.012)) appendOps(ops, this.storm(hot));
    if (r.chance(0.1)) appendOps(ops, this.scanRace(hot));
    if (fault?.kind.startsWith("order-cancel") || r.chance(0.05)) appendOps(ops, this.cancelRace(hot));
    if (fault?.kind.startsWith("date-change") || r.chance(0.09)) appendOps(ops, this.moveRace(hot));
    while (ops.length < size) ops.push(this.op(hot, burst));
    if (fault) faults.push(fault);
    if (r.chance(0.08)) faults.push({ kind: "lockout-window" });
    return { ops, faults };
  }

  pendingRecoveries(): Fault[] {
    return [...this.recoveries.values()].flat();
  }

  /** A slot of customer c: mostly one an add was planned for, else any. */
  private slotOf(planned: ReadonlySet<string>, c: number, slots: number, pKnown: number): number {
    const known = [...planned].filter((k) => k.startsWith(`${c}:`)).map((k) => Number(k.split(":")[1]));
    return known.length > 0 && this.rng.chance(pKnown) ? this.rng.pick(known) : this.rng.int(0, slots - 1);
  }

  /**
   * A payment certain to reach D1, for the fault armed with it to strike: a
   * fresh order (or, for the customer without a pay password and sometimes
   * for others, a fresh bill) and its payment once it is placed, while the
   * rest of the step runs around them.
   */
  private paymentOf(hot: Hot): Op[] {
    const r = this.rng;
    const format = r.weighted<Format>({ json: 8, xml: 3, bson: 1 });
    const session = r.int(0, 3);
    if (hot.c === this.customers - 1 || r.chance(0.3)) {
      const bill = r.int(0, BILL_SLOTS - 1);
      this.billSlots.add(`${hot.c}:${bill}`);
      // The fresh bill's own SenderBillNum is new only the first time; without one it always is.
      const add: Op = { kind: "bill-add", c: hot.c, bill: r.chance(0.5) ? null : bill, items: this.retailItems(), format };
      return [add, { kind: "bill-pay", c: hot.c, owner: hot.c, bill, by: "billnum", password: "right", session, format, after: 0 }];
    }
    const p = r.pick<ProductKey>(["T0", "T0", "T1"]);
    const add: Op = { kind: "add", c: hot.c, sender: null, day: r.pick([0, 30, 31]), lines: [{ p, qty: r.int(1, 2) }], timespan: null, path: "webinterface", format };
    const path = r.weighted<PayPath>({ bypassword: 4, min: 4, "aspx-get": 1, "aspx-form": 1 });
    return [add, { kind: "pay", c: hot.c, owner: hot.c, sender: hot.sender, path, password: "right", session, claim: "own", format, after: 0 }];
  }

  private leastPaid(kind: "order" | "bill", planned: ReadonlySet<string>, c: number): number | null {
    const known = [...planned].filter((k) => k.startsWith(`${c}:`));
    if (known.length === 0) return null;
    const fewest = Math.min(...known.map((k) => this.paysPlanned.get(`${kind}:${k}`) ?? 0));
    return Number(this.rng.pick(known.filter((k) => (this.paysPlanned.get(`${kind}:${k}`) ?? 0) === fewest)).split(":")[1]);
  }

  /** A slot of customer c some payment was planned for, if any. */
  private somePaid(c: number): number | null {
    const paid = [...this.orderSlots].filter((k) => k.startsWith(`${c}:`) && (this.paysPlanned.get(`order:${k}`) ?? 0) > 0);
    return paid.length === 0 ? null : Number(this.rng.pick(paid).split(":")[1]);
  }

  private countPay(kind: "order" | "bill", c: number, slot: number): void {
    const key = `${kind}:${c}:${slot}`;
    this.paysPlanned.set(key, (this.paysPlanned.get(key) ?? 0) + 1);
  }

  /** Fresh bills of one customer, each paid as soon as it is added, all at once: more pays than one D1 batch carries. */
  private storm(hot: Hot): Op[] {
    const r = this.rng;
    const ops: Op[] = [];
    for (let i = 0; i < r.int(STORM_PAIRS.min, STORM_PAIRS.max); i++) {
      const add = ops.length;
      ops.push({ kind: "bill-add", c: hot.c, bill: null, items: [{ p: r.pick<ProductKey>(["R0", "R1"]), qty: r.int(1, 2) }], format: "json" });
      ops.push({ kind: "bill-pay", c: hot.c, owner: hot.c, bill: 0, by: "billnum", password: "right", session: r.int(0, 3), format: "json", after: add });
    }
    return ops;
  }

  /**
   * A scan racing a refund of the same ticket (SPEC §10: exactly one wins): a fresh order for today, paid
   * as soon as it is placed; once paid, its first valid ticket scanned by one to three devices at once
   * (under one fresh scan id, some of them: a device retrying while its first request is in flight), while
   * a refund of that ticket, or of the whole order, runs under a fresh refund number.
   */
  private scanRace(hot: Hot): Op[] {
    const r = this.rng;
    // The customer without a pay password cannot pay the order.
    const c = hot.c === this.customers - 1 ? 0 : hot.c;
    const ops: Op[] = [
      { kind: "add", c, sender: null, day: 0, lines: [{ p: r.pick<ProductKey>(["T0", "T0", "T1"]), qty: r.int(1, 2) }], timespan: null, path: "webinterface", format: "json" },
      { kind: "pay", c, owner: c, sender: 0, path: r.pick<PayPath>(["bypassword", "min"]), password: "right", session: r.int(0, 3), claim: "own", format: "json", after: 0 },
    ];
    const checkid = this.freshCheckId++;
    for (let i = r.int(1, 3); i > 0; i--) {
      ops.push({ kind: "check", c, owner: c, sender: 0, pick: "valid", gate: r.chance(0.7) ? 0 : 1, checkid: r.chance(0.6) ? checkid : null, retry: true, format: r.weighted<Format>({ json: 8, xml: 3, bson: 1 }), after: 1 });
    }
    if (r.chance(0.8)) {
      const refund = this.freshRefunds[c]!++;
      ops.push({ kind: "refund", c, owner: c, sender: 0, refund, pick: r.chance(0.7) ? "one" : "all", via: r.chance(0.7) ? "partner" : "operator", session: r.int(0, 3), format: "json", after: 1 });
    }
    return ops;
  }

  /**
   * A cancel racing a pay of the same order (SPEC §10: exactly one wins): a fresh order, then — once it is
   * placed — its cancel (partner or operator, sometimes twice) and, mostly, its pay, at once.
   */
  private cancelRace(hot: Hot): Op[] {
    const r = this.rng;
    const c = hot.c === this.customers - 1 ? 0 : hot.c;
    // A fresh order (no senderid: a slot would name an earlier order); the others name it by its id.
    const sender = 0;
    const ops: Op[] = [
      { kind: "add", c, sender: null, day: r.pick([0, 30, 31]), lines: [{ p: r.pick<ProductKey>(["T0", "T0", "T1"]), qty: r.int(1, 2) }], timespan: null, path: "webinterface", format: "json" },
    ];
    for (let i = r.chance(0.3) ? 2 : 1; i > 0; i--) {
      ops.push({ kind: "cancel", c, owner: c, sender, by: "orderid", via: r.chance(0.75) ? "partner" : "operator", format: r.weighted<Format>({ json: 8, xml: 3, bson: 1 }), after: 0 });
    }
    if (r.chance(0.8)) {
      ops.push({ kind: "pay", c, owner: c, sender, path: r.pick<PayPath>(["bypassword", "min"]), password: "right", session: r.int(0, 3), claim: "own", format: "json", after: 0 });
    }
    return ops;
  }

  /**
   * A date change racing what else may end or move the order (SPEC §10: of a change and a refund, a gate
   * check or another change, D1 commits exactly one): a fresh order, paid once placed; then its move to
   * another day (sometimes two moves at once: the same one again, a client retrying while the first is in
   * flight, or to another day), beside a refund of one or all of its tickets, a scan of its first valid
   * ticket (an order for today), or resends of its tickets.
   */
  private moveRace(hot: Hot): Op[] {
    const r = this.rng;
    const c = hot.c === this.customers - 1 ? 0 : hot.c;
    // A fresh order, as in a cancel race.
    const sender = 0;
    const slotted = r.chance(0.2);
    const from = slotted ? 30 : r.pick([0, 30, 31]);
    const slot = slotted ? r.pick([1, 2]) : null;
    const ops: Op[] = [
      { kind: "add", c, sender: null, day: from, lines: slotted ? [{ p: "TS", qty: r.int(1, 2) }] : [{ p: r.pick<ProductKey>(["T0", "T0", "T1"]), qty: r.int(1, 2) }], timespan: slot, path: "webinterface", format: "json" },
      { kind: "pay", c, owner: c, sender, path: r.pick<PayPath>(["bypassword", "min"]), password: "right", session: r.int(0, 3), claim: "own", format: "json", after: 0 },
    ];
    const move = (): Op => {
      const day = slotted ? 30 : r.pick([0, 30, 31].filter((d) => d !== from));
      // The slotted product moves to its other slot (or the earliest with room: -1, perhaps its own).
      const timespan = slot === null ? null : r.pick([3 - slot, 3 - slot, -1]);
      return { kind: "change-date", c, owner: c, sender, day, timespan, format: r.weighted<Format>({ json: 8, xml: 3, bson: 1 }), after: 1 };
    };
    ops.push(move());
    if (r.chance(0.25)) ops.push(r.chance(0.5) ? { ...ops[2]! } : move());
    const rival = r.weighted({ refund: 3, check: from === 0 ? 3 : 0, resends: 2, none: 2 });
    if (rival === "refund") {
      const refund = this.freshRefunds[c]!++;
      ops.push({ kind: "refund", c, owner: c, sender, refund, pick: r.chance(0.6) ? "one" : "all", via: r.chance(0.7) ? "partner" : "operator", session: r.int(0, 3), format: "json", after: 1 });
    }
    // Texts asked again and again while it moves: past three within the hour they are refused (4008).
    if (rival === "resends") for (let i = r.int(2, 5); i > 0; i--) ops.push({ kind: "resend", c, owner: c, sender, mobile: r.chance(0.3), format: "json", after: 1 });
    if (rival === "check") {
      ops.push({ kind: "check", c, owner: c, sender, pick: "valid", gate: 0, checkid: this.freshCheckId++, retry: true, format: "json", after: 1 });
    }
    return ops;
  }

  /** An add on the hot product-day (what an InventoryDO crash mid-hold strikes). */
  private addOn(hot: Hot): Op {
    const sender = this.rng.int(0, SENDER_SLOTS - 1);
    this.orderSlots.add(`${hot.c}:${sender}`);
    const timespan = hot.pd.p === "TS" ? this.rng.pick([1, 2, -1]) : null;
    return { kind: "add", c: hot.c, sender, day: hot.pd.day, lines: this.lines(hot.pd.p), timespan, path: "webinterface", format: "json" };
  }

  private op(hot: Hot, burst: boolean): Op {
    const r = this.rng;
    const onHot = r.chance(burst ? 0.85 : 0.55);
    const c = onHot ? hot.c : r.int(0, this.customers - 1);
    let kind = r.weighted(
      burst
        ? { pay: 45, "bill-pay": 20, add: 20, yearcard: 0, "bill-add": 5, verify: 4, query: 3, deposit: 2, login: 1, operator: 0.5, "login-storm": 0, refund: 10, check: 10, cancel: 4, "change-date": 6, resend: 3 }
        : { add: 24, yearcard: 5, verify: 7, pay: 26, "bill-add": 12, "bill-pay": 10, deposit: 7, login: 3, query: 6, operator: 2, "login-storm": 0.15, refund: 7, check: 7, cancel: 4, "change-date": 5, resend: 4 },
    );
    // The customer without a pay password pays bills (without PayPwd); its order pays are refused (3003).
    if (kind === "pay" && c === this.customers - 1 && r.chance(0.8)) kind = "bill-pay";
    const adding = kind === "add" || kind === "yearcard";
    const fresh = kind === "pay" && r.chance(0.5) ? this.leastPaid("order", this.orderSlots, c) : null;
    // A scan mostly names an order a payment was planned for: one likely to have tickets.
    const scanned = (kind === "check" || kind === "change-date" || kind === "resend") && r.chance(0.7) ? this.somePaid(c) : null;
    const sender = onHot ? hot.sender : (fresh ?? scanned ?? this.slotOf(this.orderSlots, c, SENDER_SLOTS, adding ? 0.3 : 0.85));
    const bill = onHot ? hot.bill : this.slotOf(this.billSlots, c, BILL_SLOTS, kind === "bill-add" ? 0.3 : 0.85);
    const format = r.weighted<Format>({ json: 8, xml: 3, bson: 1 });
    switch (kind) {
      case "deposit": {
        const ref = r.int(0, DEPOSIT_REFS - 1);
        const key = `${c}:${ref}`;
        const first = this.refs.get(key);
        // A repeated reference mostly repeats its amount (a retry: 200 duplicate), sometimes not (409).
        const amountFen = first !== undefined && r.chance(0.75) ? first : r.int(50, 600) * 100 + r.pick([0, 0, 50, 1]);
        if (first === undefined) this.refs.set(key, amountFen);
        return { kind, c, ref, amountFen };
      }
      case "login":
        return { kind, c };
      case "login-storm":
        return { kind, c, logins: LOGIN_STORM };
      case "operator":
        return { kind, c, change: this.operatorChange(c) };
      case "add":
      case "verify": {
        const pd = onHot ? hot.pd : r.pick(TICKET_DAYS);
        const lines = this.lines(pd.p);
        const timespan = pd.p === "TS" ? r.pick([1, 2, -1, -1, null]) : null;
        if (kind === "verify") return { kind, c, day: pd.day, lines, timespan, format };
        // A few adds carry no senderid (each is a new order).
        const slot = r.chance(0.08) ? null : sender;
        if (slot !== null) this.orderSlots.add(`${c}:${slot}`);
        return { kind, c, sender: slot, day: pd.day, lines, timespan, path: r.chance(0.25) ? "douyin" : "webinterface", format };
      }
      case "yearcard": {
        const slot = r.chance(0.1) ? null : sender;
        if (slot !== null) this.orderSlots.add(`${c}:${slot}`);
        return { kind, c, sender: slot, format };
      }
      case "pay": {
        // Mostly one's own orders; sometimes another customer's (must read as not found).
        const owner = r.chance(0.06) ? (c + 1 + r.int(0, this.customers - 2)) % this.customers : c;
        this.countPay("order", owner, sender);
        return {
          kind,
          c,
          owner,
          sender,
          path: r.weighted<PayPath>({ bypassword: 4, min: 4, "aspx-get": 1, "aspx-form": 1 }),
          password: this.password(),
          session: r.int(0, 3),
          claim: r.chance(0.04) ? "other" : "own",
          format,
        };
      }
      case "bill-add": {
        const slot = r.chance(0.1) ? null : bill;
        if (slot !== null) this.billSlots.add(`${c}:${slot}`);
        return { kind, c, bill: slot, items: this.retailItems(), format };
      }
      case "bill-pay": {
        const owner = r.chance(0.06) ? (c + 1 + r.int(0, this.customers - 2)) % this.customers : c;
        this.countPay("bill", owner, bill);
        return {
          kind,
          c,
          owner,
          bill,
          by: r.weighted({ billnum: 4, sender: 4, both: 1 }),
          password: this.password(),
          session: r.int(0, 3),
          format,
        };
      }
      case "query": {
        const owner = r.chance(0.15) ? (c + 1 + r.int(0, this.customers - 2)) % this.customers : c;
        return { kind, c, owner, sender, by: r.chance(0.5) ? "orderid" : "senderid" };
      }
      case "refund":
        // Mostly a fresh refund number per order slot, sometimes one used before (a repeat or a conflict).
        return {
          kind, c, owner: c, sender, refund: r.int(0, REFUND_NUMBERS - 1), pick: r.chance(0.5) ? "all" : "one",
          via: r.chance(0.7) ? "partner" : "operator", session: r.int(0, 3), format,
        };
      case "cancel": {
        // Mostly one's own orders (by orderid or senderid); sometimes another customer's (must read as not found).
        const owner = r.chance(0.06) ? (c + 1 + r.int(0, this.customers - 2)) % this.customers : c;
        return { kind, c, owner, sender, by: owner === c && r.chance(0.4) ? "senderid" : "orderid", via: r.chance(0.2) ? "operator" : "partner", format };
      }
      case "change-date": {
        // Any of the ticket days, in a slot or not: the slotted product sells only day 30, the others no slots.
        const owner = r.chance(0.05) ? (c + 1 + r.int(0, this.customers - 2)) % this.customers : c;
        return { kind, c, owner, sender, day: r.pick([0, 30, 31]), timespan: r.chance(0.35) ? r.pick([1, 2, -1]) : null, format };
      }
      case "resend":
        return { kind, c, owner: c, sender, mobile: r.chance(0.3), format };
      case "check":
        // The order's customer names it; the request comes from a gate device, not the customer's session.
        return {
          kind, c, owner: c, sender, pick: r.chance(0.6) ? "valid" : r.int(0, 5), gate: r.chance(0.75) ? 0 : 1,
          checkid: r.chance(0.5) ? r.int(0, this.freshCheckId - 1) : null, retry: r.chance(0.8), format,
        };
    }
    throw new Error(`unknown op kind ${kind as string}`);
  }

  /** What an operator changes mid-run: prices, stock, what is on sale, a customer's passwords. */
  private operatorChange(c: number): OperatorChange {
    const r = this.rng;
    switch (r.weighted({ price: 3, stock: 3, "on-sale": 2, "login-password": 1, "pay-password": 2, suspend: 1.5 })) {
      case "price": {
        const p = r.pick<ProductKey>(["T0", "T1", "TS", "R0", "R1"]);
        return { what: "price", p, priceYuan: r.pick([3.5, 12, 60, 80, 99.9, 125.5]) };
      }
      case "stock": {
        const pd = r.pick(TICKET_DAYS);
        // The slotted day's slots hold 8 in all: its stock stays within them (the rule that refuses more has its own test).
        return { what: "stock", p: pd.p, day: pd.day, stock: r.int(2, pd.p === "TS" ? 8 : 26) };
      }
      case "on-sale":
        return { what: "on-sale", p: r.pick<ProductKey>(["T0", "T1", "R0"]), onSale: r.chance(0.6) };
      case "login-password":
        this.loginVersion[c]! += 1;
        return { what: "login-password", c, version: this.loginVersion[c]! };
      case "suspend": {
        // Suspended for a few steps, then reinstated by the operator.
        if (this.suspended[c]) return { what: "price", p: "R0", priceYuan: 3.5 };
        this.suspended[c] = true;
        const at = this.stepIndex + r.int(1, 6);
        this.reinstatements.set(at, [...(this.reinstatements.get(at) ?? []), c]);
        return { what: "suspend", c, suspended: true };
      }
      default: {
        // Removed now and then (the customer pays POS bills without one), set again later.
        const next = this.payVersion[c] === null || r.chance(0.7) ? (this.payVersion[c] ?? 0) + 1 : null;
        this.payVersion[c] = next;
        return { what: "pay-password", c, version: next };
      }
    }
  }

  private lines(first: ProductKey): Line[] {
    const r = this.rng;
    const lines: Line[] = [{ p: first, qty: r.int(1, first === "T1" ? 2 : 3) }];
    // Orders of two products hold in both objects, all or nothing.
    if (first !== "TS" && r.chance(0.25)) lines.push({ p: first === "T0" ? "T1" : "T0", qty: r.int(1, 2) });
    return lines;
  }

  private retailItems(): Line[] {
    const r = this.rng;
    const items: Line[] = [{ p: r.pick<ProductKey>(["R0", "R1"]), qty: r.int(1, 5) }];
    if (r.chance(0.3)) items.push({ p: items[0]!.p === "R0" ? "R1" : "R0", qty: r.int(1, 3) });
    return items;
  }

  private password(): Password {
    return this.rng.weighted<Password>({ right: 84, replay: 6, wrong: 4, "other-session": 3, garbage: 3 });
  }

  private fault(index: number, hot: { c: number; sender: number; pd: { p: ProductKey; day: number } }): Fault {
    const r = this.rng;
    const outageFree = this.outage === null;
    const kind = r.weighted<FaultKind>({
      "d1-batch-reject": 3,
      "d1-reply-lost": 3,
      "d1-reply-lost-then-outage": outageFree ? 1.5 : 0,
      "d1-write-late": 2,
      "d1-batch-twice": 2,
      "abort-after-hold": 2,
      "abort-after-hold-unsynced": 1.5,
      "abort-after-batch": 3,
      "abort-after-post-unsynced": 1.5,
      "zombie-batch": 1.5,
      "ledger-copy-reject": 1,
      "alarm-throws": 1,
      "abort-mid-hold": 2,
      "order-insert-reject": 1,
      "order-insert-reply-lost": 1,
      "order-insert-reply-lost-then-outage": outageFree ? 0.7 : 0,
      "order-insert-late": 1,
      "bill-insert-reject": 0.7,
      "bill-insert-reply-lost": 0.7,
      "order-cancel-reject": 0.7,
      "order-cancel-reply-lost": 0.7,
      "date-change-reject": 0.7,
      "date-change-reply-lost": 1,
      "date-change-reply-lost-then-outage": outageFree ? 0.5 : 0,
      "expiry-batch-reject": 0.7,
      "expiry-reply-lost": 0.7,
      "d1-outage": outageFree ? 1.5 : 0,
      "alarm-twice": 2,
      "alarm-late": 1.5,
      expire: 3,
      recover: 0,
      "recover-worker": 0,
      "lockout-window": 0,
    });
    switch (kind) {
      case "d1-batch-reject":
      case "d1-reply-lost":
      case "d1-write-late":
      case "d1-batch-twice":
      case "ledger-copy-reject":
      case "abort-after-hold":
      case "abort-after-hold-unsynced":
      case "abort-after-batch":
      case "abort-after-post-unsynced":
      case "zombie-batch":
        return { kind, c: hot.c, times: kind.startsWith("abort") || kind === "zombie-batch" ? 1 : r.int(1, 2) };
      case "alarm-throws":
        return { kind, c: hot.c };
      case "order-insert-reject":
      case "order-insert-reply-lost":
      case "order-insert-late":
      case "bill-insert-reject":
      case "bill-insert-reply-lost":
      case "order-cancel-reject":
      case "order-cancel-reply-lost":
      case "date-change-reject":
      case "date-change-reply-lost":
        return { kind, times: 1 };
      case "order-insert-reply-lost-then-outage":
      case "date-change-reply-lost-then-outage": {
        // The Worker's outage it starts ends like any other: a planned recovery a few steps on.
        const untilStep = index + r.int(1, 3);
        this.recoveries.set(untilStep, [...(this.recoveries.get(untilStep) ?? []), { kind: "recover-worker" }]);
        return { kind, times: 1 };
      }
      case "expiry-batch-reject":
      case "expiry-reply-lost":
        return { kind, p: hot.pd.p, day: hot.pd.day, times: r.int(1, 2) };
      case "d1-reply-lost-then-outage": {
        // The outage it starts ends like any other: a planned recovery a few steps on.
        const untilStep = index + r.int(1, 4);
        this.outage = { c: hot.c, pd: hot.pd, until: untilStep };
        const recover: Fault = { kind: "recover", c: hot.c, p: hot.pd.p, day: hot.pd.day };
        this.recoveries.set(untilStep, [...(this.recoveries.get(untilStep) ?? []), recover]);
        return { kind, c: hot.c, times: 1 };
      }
      case "abort-mid-hold":
        return { kind, p: hot.pd.p, day: hot.pd.day };
      case "d1-outage": {
        const untilStep = index + r.int(2, 6);
        this.outage = { c: hot.c, pd: hot.pd, until: untilStep };
        const recover: Fault = { kind: "recover", c: hot.c, p: hot.pd.p, day: hot.pd.day };
        this.recoveries.set(untilStep, [...(this.recoveries.get(untilStep) ?? []), recover]);
        return { kind, c: hot.c, p: hot.pd.p, day: hot.pd.day, untilStep, from: r.chance(0.5) ? "all" : "batch" };
      }
      case "alarm-twice":
        return r.chance(0.5) ? { kind, c: hot.c, p: null, day: 0 } : { kind, c: null, p: hot.pd.p, day: hot.pd.day };
      case "alarm-late":
        return { kind };
      case "expire":
        return { kind, p: hot.pd.p, day: hot.pd.day, alarm: r.chance(0.6) ? "with-step" : "later" };
      default:
        throw new Error(`not generated here: ${kind}`);
    }
  }
}

/** Appends operations whose `after` indices count from their own first: they now count from the step's. */
function appendOps(ops: Op[], more: readonly Op[]): void {
  const base = ops.length;
  for (const op of more) ops.push("after" in op && op.after !== undefined ? { ...op, after: op.after + base } : op);
}

/** Operations and faults of a plan, counted by kind (for the summary and docs/reliability.md). */
export function planCounts(plan: Plan): { ops: Record<string, number>; faults: Record<string, number> } {
  const ops: Record<string, number> = {};
  const faults: Record<string, number> = {};
  for (const step of plan.steps) {
    for (const op of step.ops) {
      ops[op.kind] = (ops[op.kind] ?? 0) + 1;
      // Of those, the ones in a race around a fresh order (scan, cancel, move races; counted again under their own key).
      if ("after" in op && op.after !== undefined && op.kind !== "pay" && op.kind !== "bill-pay") ops[`${op.kind} in a race`] = (ops[`${op.kind} in a race`] ?? 0) + 1;
    }
    for (const f of step.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  }
  return { ops, faults };
}
