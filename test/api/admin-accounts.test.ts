/** The /admin deposit account (SPEC §7): deposits idempotent on their reference, the account, the ledger. */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { INVALID, allPages } from "../helpers/admin";
import { aCustomer, admin, uniqueId } from "../helpers/api";
import { accountOf, storageOf } from "../helpers/durable";

describe("POST /admin/customers/{dwid}/deposits", () => {
  it("201 for a new deposit, with the entry and the account", async () => {
    const c = await aCustomer();
    const r = await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 1234.5, reference: "bank-0001" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      duplicate: false,
      entry: { kind: "deposit", amount: 1234.5, balanceAfter: 1234.5, reference: "bank-0001", target: null },
      account: { balance: 1234.5, held: 0, available: 1234.5 },
    });
    expect(typeof r.body.entry.seq).toBe("number");
    expect(Date.parse(r.body.entry.createdAt)).not.toBeNaN();
  });

  it("a repeat with the same reference and amount is 200 duplicate, and the balance is unchanged", async () => {
    const c = await aCustomer();
    const first = await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 100, reference: "r-1" });
    const again = await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 100, reference: "r-1" });
    // The same amount written differently is the same amount.
    const asText = await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: "100.00", reference: "r-1" });
    expect(first.status).toBe(201);
    for (const repeat of [again, asText]) {
      expect(repeat.status).toBe(200);
      expect(repeat.body).toMatchObject({ duplicate: true, entry: first.body.entry, account: { balance: 100 } });
    }
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body).toEqual({ dwid: c.dwid, balance: 100, held: 0, available: 100 });
    expect((await storageOf(accountOf(c.dwid))).ledger).toHaveLength(1);
  });

  it("the same reference with a different amount is 409, and the balance is unchanged", async () => {
    const c = await aCustomer();
    await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 100, reference: "r-1" });
    const r = await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 100.01, reference: "r-1" });
    expect(r).toEqual({
      status: 409,
      body: { error: { code: ResultCodes.depositReferenceConflict.code, message: ResultCodes.depositReferenceConflict.message, field: "reference" } },
    });
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body.balance).toBe(100);
  });

  it("decimal yuan add up exactly in fen: 0.1 + 0.2 = 0.3", async () => {
    const c = await aCustomer();
    await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 0.1, reference: "a" });
    await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 0.2, reference: "b" });
    expect((await admin("GET", `/admin/customers/${c.dwid}/account`)).body).toMatchObject({ balance: 0.3, available: 0.3 });
    expect((await storageOf(accountOf(c.dwid))).balanceFen).toBe(30);
  });

  it("accepts the smallest and the largest amount (0.01 and 100000000)", async () => {
    const c = await aCustomer();
    expect((await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 0.01, reference: "min" })).status).toBe(201);
    expect((await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 100_000_000, reference: "max" })).status).toBe(201);
    expect((await storageOf(accountOf(c.dwid))).balanceFen).toBe(10_000_000_001);
  });

  const invalid: [string, unknown, string][] = [
    ["three decimals", { amount: 1.001, reference: "r" }, "amount"],
    ["three decimals as text", { amount: "1.001", reference: "r" }, "amount"],
    ["negative", { amount: -5, reference: "r" }, "amount"],
    ["zero", { amount: 0, reference: "r" }, "amount"],
    ["zero as text", { amount: "0.00", reference: "r" }, "amount"],
    ["not a number", { amount: "abc", reference: "r" }, "amount"],
    ["an exponent", { amount: 1e21, reference: "r" }, "amount"],
    ["above the maximum", { amount: 100_000_000.01, reference: "r" }, "amount"],
    ["a boolean", { amount: true, reference: "r" }, "amount"],
    ["null", { amount: null, reference: "r" }, "amount"],
    ["missing", { reference: "r" }, "amount"],
    ["reference missing", { amount: 1 }, "reference"],
    ["reference empty", { amount: 1, reference: "" }, "reference"],
    ["reference 65 characters", { amount: 1, reference: "r".repeat(65) }, "reference"],
  ];
  it.each(invalid)("refuses an amount/reference that is %s: 400 naming the field; nothing booked", async (_label, body, field) => {
    const c = await aCustomer();
    const r = await admin("POST", `/admin/customers/${c.dwid}/deposits`, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
    expect(r.body.error.message).toContain(field);
    const stored = await storageOf(accountOf(c.dwid));
    expect(stored.ledger).toEqual([]);
    expect(stored.balanceFen).toBe(0);
  });

  it("a deposit for an unknown customer is 404", async () => {
    const r = await admin("POST", `/admin/customers/${uniqueId("none")}/deposits`, { amount: 10, reference: "r" });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.customerNotFound.code);
  });
});

describe("GET /admin/customers/{dwid}/account", () => {
  it("is {dwid, balance, held, available} in yuan", async () => {
    const c = await aCustomer({ depositYuan: 88.88 });
    const r = await admin("GET", `/admin/customers/${c.dwid}/account`);
    expect(r).toEqual({ status: 200, body: { dwid: c.dwid, balance: 88.88, held: 0, available: 88.88 } });
    expect(Object.keys(r.body)).toEqual(["dwid", "balance", "held", "available"]);
  });

  it("is 404 for an unknown customer", async () => {
    const r = await admin("GET", `/admin/customers/${uniqueId("none")}/account`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.customerNotFound.code);
  });
});

describe("GET /admin/customers/{dwid}/ledger", () => {
  const amounts = [10, 0.5, 300, 7.25, 1000, 0.01, 42];

  async function customerWithLedger() {
    const c = await aCustomer();
    for (const [i, amount] of amounts.entries()) {
      expect((await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount, reference: `L${i}` })).status).toBe(201);
    }
    return c;
  }

  it("lists newest first with the running balance after each entry", async () => {
    const c = await customerWithLedger();
    const r = await admin("GET", `/admin/customers/${c.dwid}/ledger`);
    expect(r.status).toBe(200);
    expect(r.body.account).toEqual({ balance: 1359.76, held: 0, available: 1359.76 });
    expect(r.body.nextCursor).toBeNull();
    const items = r.body.items as { seq: number; amount: number; balanceAfter: number; reference: string }[];
    expect(items.map((e) => e.reference)).toEqual(amounts.map((_, i) => `L${i}`).reverse());
    const fen = (yuan: number) => Math.round(yuan * 100);
    let running = 0;
    for (const e of [...items].reverse()) {
      running += fen(e.amount);
      expect(fen(e.balanceAfter)).toBe(running);
    }
    for (let i = 1; i < items.length; i++) expect(items[i]!.seq).toBeLessThan(items[i - 1]!.seq);
  });

  it.each([1, 2, 3, 6, 7, 50])("pages with limit=%i cover every entry exactly once, in order", async (limit) => {
    const c = await customerWithLedger();
    const pages = await allPages(`/admin/customers/${c.dwid}/ledger`, limit);
    const refs = pages.flat().map((e: { reference: string }) => e.reference);
    expect(refs).toEqual(amounts.map((_, i) => `L${i}`).reverse());
    expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
  });

  it.each([
    ["limit 0", "limit=0", "limit"],
    ["limit 201", "limit=201", "limit"],
    ["a cursor that is not a seq", "cursor=abc", "cursor"],
    ["a fractional cursor", "cursor=1.5", "cursor"],
  ])("refuses %s (400)", async (_label, query, field) => {
    const c = await aCustomer({ depositYuan: 1 });
    const r = await admin("GET", `/admin/customers/${c.dwid}/ledger?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
  });

  it("is 404 for an unknown customer", async () => {
    const r = await admin("GET", `/admin/customers/${uniqueId("none")}/ledger`);
    expect(r.status).toBe(404);
  });
});

// ------------------------------------------------------------------ products and calendar
