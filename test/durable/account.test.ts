/**
 * AccountDO through its RPC methods, with its SQLite read from inside the
 * object: deposits under concurrency, the ledger's running balances, the
 * SPEC §6 invariants, eviction, and the ledger copy to D1 run by the alarm.
 * Foundation issue, point 6. A fresh object per test (storage is shared per file).
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT_FEN } from "../../src/domain/money";
import type { AccountDO } from "../../src/durable/account";
import { uniqueId, upperMd5 } from "../helpers/api";
import { accountOf, anAccount, invariantViolations, ledgerCopyOf, storageOf, type AccountStub } from "../helpers/durable";

/** Runs the object's alarms until none is scheduled (at most `max`); returns how many ran. */
async function drainAlarms(stub: AccountStub, max = 20): Promise<number> {
  let ran = 0;
  while (ran < max && (await runDurableObjectAlarm(stub))) ran += 1;
  return ran;
}

async function scheduledAlarm(stub: AccountStub): Promise<number | null> {
  return runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
}

/** The object's ledger and D1's copy, in the same shape. */
async function ledgerAndCopy(dwid: string, stub: AccountStub) {
  const stored = await storageOf(stub);
  const ledger = stored.ledger.map(({ seq, kind, amount_fen, balance_after_fen, reference, created_at_ms }) => ({
    seq, kind, amount_fen, balance_after_fen, reference, created_at_ms,
  }));
  return { stored, ledger, copy: await ledgerCopyOf(dwid) };
}

describe("deposits", () => {
  it("100 concurrent deposits with distinct references: exact balance, 100 entries, strictly increasing seq, consistent running balances", async () => {
    const { stub } = await anAccount();
    const amounts = Array.from({ length: 100 }, (_, i) => 1 + ((i * 7919) % 100_000)); // 0.01 .. 1000.00 yuan, varied
    const results = await Promise.all(amounts.map((amountFen, i) => stub.deposit({ amountFen, reference: `ref-${i}` })));

    expect(results.every((r) => r.ok && !r.duplicate)).toBe(true);
    const total = amounts.reduce((a, b) => a + b, 0);
    expect(await stub.account()).toMatchObject({ balanceFen: total, heldFen: 0, availableFen: total });

    const stored = await storageOf(stub);
    expect(stored.ledger).toHaveLength(100);
    expect(new Set(stored.ledger.map((e) => e.reference))).toEqual(new Set(amounts.map((_, i) => `ref-${i}`)));
    for (let i = 1; i < stored.ledger.length; i++) expect(stored.ledger[i]!.seq).toBeGreaterThan(stored.ledger[i - 1]!.seq);
    expect(invariantViolations(stored)).toEqual([]);

    // Each caller was told the entry that storage holds for its reference.
    for (const [i, r] of results.entries()) {
      if (!r.ok) continue;
      const row = stored.ledger.find((e) => e.reference === `ref-${i}`)!;
      expect(r.entry).toMatchObject({ seq: row.seq, amountFen: amounts[i], balanceAfterFen: row.balance_after_fen });
    }
  });

  it("50 concurrent deposits with the SAME reference and amount: one entry, one new answer, 49 duplicates", async () => {
    const { stub } = await anAccount();
    const results = await Promise.all(Array.from({ length: 50 }, () => stub.deposit({ amountFen: 12_345, reference: "same-ref" })));

    expect(results.every((r) => r.ok)).toBe(true);
    const fresh = results.filter((r) => r.ok && !r.duplicate);
    expect(fresh).toHaveLength(1);
    const seqs = new Set(results.map((r) => (r.ok ? r.entry.seq : -1)));
    expect(seqs.size).toBe(1);
    const stored = await storageOf(stub);
    expect(stored.ledger).toHaveLength(1);
    expect(stored.balanceFen).toBe(12_345);
    expect(invariantViolations(stored)).toEqual([]);
  });

  it("concurrent deposits with the same reference but different amounts: exactly one wins, the rest conflict", async () => {
    const { stub } = await anAccount();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stub.deposit({ amountFen: 100 + i, reference: "contested" })));

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    if (!winner.ok) throw new Error("unreachable");
    for (const r of results) {
      if (r.ok) continue;
      expect(r.reason).toBe("depositReferenceConflict");
      expect(r.entry?.seq).toBe(winner.entry.seq);
    }
    const stored = await storageOf(stub);
    expect(stored.ledger).toHaveLength(1);
    expect(stored.balanceFen).toBe(winner.entry.amountFen);
  });

  it.each([
    ["zero", 0],
    ["negative", -100],
    ["fractional fen", 10.5],
    ["NaN", Number.NaN],
    ["above MAX_AMOUNT_FEN", MAX_AMOUNT_FEN + 1],
  ])("refuses an invalid amount (%s) and writes nothing", async (_label, amountFen) => {
    const { stub } = await anAccount();
    expect(await stub.deposit({ amountFen, reference: "bad" })).toEqual({ ok: false, reason: "amountInvalid" });
    const stored = await storageOf(stub);
    expect(stored.ledger).toEqual([]);
    expect(stored.balanceFen).toBe(0);
  });

  it("accepts exactly MAX_AMOUNT_FEN", async () => {
    const { stub } = await anAccount();
    const r = await stub.deposit({ amountFen: MAX_AMOUNT_FEN, reference: "max" });
    expect(r.ok).toBe(true);
    expect((await stub.account()).balanceFen).toBe(MAX_AMOUNT_FEN);
  });

  it("refuses a deposit to an object with no customer profile, and writes nothing", async () => {
    const stub = accountOf(uniqueId("ghost"));
    expect(await stub.deposit({ amountFen: 100, reference: "r" })).toEqual({ ok: false, reason: "customerNotFound" });
    const stored = await storageOf(stub);
    expect(stored.ledger).toEqual([]);
    expect(stored.balanceFen).toBe(0);
  });

  it("a deposit reference is idempotent per customer, not across customers", async () => {
    const a = await anAccount();
    const b = await anAccount();
    const [ra, rb] = await Promise.all([a.stub.deposit({ amountFen: 500, reference: "shared" }), b.stub.deposit({ amountFen: 700, reference: "shared" })]);
    expect(ra).toMatchObject({ ok: true, duplicate: false });
    expect(rb).toMatchObject({ ok: true, duplicate: false });
    expect((await a.stub.account()).balanceFen).toBe(500);
    expect((await b.stub.account()).balanceFen).toBe(700);
  });

  it("ledger() pages newest first with beforeSeq, every entry exactly once", async () => {
    const { stub } = await anAccount();
    for (let i = 0; i < 7; i++) await stub.deposit({ amountFen: (i + 1) * 100, reference: `p${i}` });
    const seen: number[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await stub.ledger({ limit: 3, beforeSeq });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.seq));
      beforeSeq = page[page.length - 1]!.seq;
    }
    const all = (await storageOf(stub)).ledger.map((e) => e.seq).reverse();
    expect(seen).toEqual(all);
  });
});

describe("invariants under a mixed load", () => {
  it("balance = Σ deposits − Σ debits + Σ refunds, held ≥ 0, available ≥ 0, after concurrent deposits and replays", async () => {
    const { stub } = await anAccount();
    const calls = Array.from({ length: 60 }, (_, i) =>
      // every third call replays an earlier reference with its own amount
      i % 3 === 2 ? stub.deposit({ amountFen: (i - 1) * 10 + 1, reference: `m${i - 1}` }) : stub.deposit({ amountFen: i * 10 + 1, reference: `m${i}` }),
    );
    await Promise.all(calls);
    const stored = await storageOf(stub);
    expect(stored.ledger).toHaveLength(40);
    expect(invariantViolations(stored)).toEqual([]);
    const account = await stub.account();
    expect(account).toMatchObject({ balanceFen: stored.balanceFen, heldFen: stored.heldFen, availableFen: stored.balanceFen - stored.heldFen });
    expect(account.heldFen).toBeGreaterThanOrEqual(0);
    expect(account.availableFen).toBeGreaterThanOrEqual(0);
  });
});

describe("eviction", () => {
  it("an evicted object comes back with its balance, ledger, profile and sessions", async () => {
    const { dwid, dwlx, loginPassword, stub } = await anAccount();
    await stub.deposit({ amountFen: 8_800, reference: "before-evict" });
    const login = await stub.login({ dwid, dwlx, passwordMd5: await upperMd5(loginPassword) });
    if (!login.ok) throw new Error("login failed");
    const before = await storageOf(stub);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { marker?: string }).marker = "old instance";
    });

    await evictDurableObject(stub);

    const fresh = accountOf(dwid);
    // A new instance: the in-memory marker is gone.
    expect(await runInDurableObject(fresh, (instance) => (instance as unknown as { marker?: string }).marker)).toBeUndefined();
    expect(await fresh.account()).toEqual({ dwid, balanceFen: 8_800, heldFen: 0, availableFen: 8_800 });
    expect((await storageOf(fresh)).ledger).toEqual(before.ledger);
    const auth = await fresh.authenticate(login.token);
    expect(auth).toMatchObject({ ok: true, session: { dwid, dwlx, sessionKey: login.sessionKey } });
    // The password material still opens after the restart (PASSWORD_KEY, not memory).
    expect((await fresh.login({ dwid, dwlx, passwordMd5: await upperMd5(loginPassword) })).ok).toBe(true);
    // And the deposit reference is still remembered.
    expect(await fresh.deposit({ amountFen: 8_800, reference: "before-evict" })).toMatchObject({ ok: true, duplicate: true });
    expect((await fresh.account()).balanceFen).toBe(8_800);
  });
});

describe("ledger copy to D1 (alarm)", () => {
  it("a deposit schedules the copy; the alarm copies the ledger exactly; a second run copies nothing twice", async () => {
    const { dwid, stub } = await anAccount();
    for (let i = 0; i < 5; i++) await stub.deposit({ amountFen: 1_000 + i, reference: `lc${i}` });
    expect(await scheduledAlarm(stub)).not.toBeNull();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const first = await ledgerAndCopy(dwid, stub);
    expect(first.copy).toEqual(first.ledger);
    expect(first.stored.ledger.every((e) => e.copied === 1)).toBe(true);

    // No alarm is left, and running the handler again by hand changes nothing.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    await runInDurableObject(stub, (instance: AccountDO) => instance.alarm());
    const second = await ledgerAndCopy(dwid, stub);
    expect(second.copy).toEqual(first.ledger);

    // A later deposit is copied by the next alarm, alone.
    await stub.deposit({ amountFen: 77, reference: "later" });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const third = await ledgerAndCopy(dwid, stub);
    expect(third.ledger).toHaveLength(6);
    expect(third.copy).toEqual(third.ledger);
  });

  it("a replayed deposit schedules no copy of its own", async () => {
    const { stub } = await anAccount();
    await stub.deposit({ amountFen: 100, reference: "once" });
    await drainAlarms(stub);
    await stub.deposit({ amountFen: 100, reference: "once" });
    expect(await scheduledAlarm(stub)).toBeNull();
  });

  it("100 concurrent deposits are all copied, in order, with their running balances", async () => {
    const { dwid, stub } = await anAccount();
    await Promise.all(Array.from({ length: 100 }, (_, i) => stub.deposit({ amountFen: 100 + i, reference: `cc${i}` })));
    await drainAlarms(stub);
    const { ledger, copy } = await ledgerAndCopy(dwid, stub);
    expect(ledger).toHaveLength(100);
    expect(copy).toEqual(ledger);
  });

  it("a ledger longer than one copy batch (250 entries) is copied completely once the alarms drain", async () => {
    const { dwid, stub } = await anAccount();
    await Promise.all(Array.from({ length: 250 }, (_, i) => stub.deposit({ amountFen: 1 + i, reference: `big${i}` })));
    await drainAlarms(stub);
    const { ledger, copy } = await ledgerAndCopy(dwid, stub);
    expect(ledger).toHaveLength(250);
    expect(copy).toHaveLength(250);
    expect(copy).toEqual(ledger);
  });

  it("deposits that land while the alarm is copying are copied by a later alarm", async () => {
    const { dwid, stub } = await anAccount();
    for (let i = 0; i < 3; i++) await stub.deposit({ amountFen: 10 + i, reference: `pre${i}` });
    // The copy awaits D1; the input gate opens and these deposits run in between.
    await Promise.all([
      runDurableObjectAlarm(stub),
      ...Array.from({ length: 20 }, (_, i) => stub.deposit({ amountFen: 500 + i, reference: `during${i}` })),
    ]);
    await drainAlarms(stub);
    const { ledger, copy } = await ledgerAndCopy(dwid, stub);
    expect(ledger).toHaveLength(23);
    expect(copy).toEqual(ledger);
  });

  it("the copy survives eviction between the deposit and the alarm", async () => {
    const { dwid, stub } = await anAccount();
    await stub.deposit({ amountFen: 4_242, reference: "pre-evict" });
    await evictDurableObject(stub);
    const fresh = accountOf(dwid);
    expect(await runDurableObjectAlarm(fresh)).toBe(true);
    const { ledger, copy } = await ledgerAndCopy(dwid, fresh);
    expect(copy).toEqual(ledger);
  });

  it("D1 rows are keyed by customer: two customers' copies never mix", async () => {
    const a = await anAccount();
    const b = await anAccount();
    await a.stub.deposit({ amountFen: 1, reference: "x" });
    await b.stub.deposit({ amountFen: 2, reference: "x" });
    await drainAlarms(a.stub);
    await drainAlarms(b.stub);
    expect((await ledgerCopyOf(a.dwid)).map((r) => r.amount_fen)).toEqual([1]);
    expect((await ledgerCopyOf(b.dwid)).map((r) => r.amount_fen)).toEqual([2]);
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM ledger_copy WHERE dwid IN (?, ?)").bind(a.dwid, b.dwid).all<{ n: number }>();
    expect(results[0]!.n).toBe(2);
  });
});
