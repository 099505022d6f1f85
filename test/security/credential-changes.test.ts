/**
 * Changing credentials ends sessions (SPEC §11; reliability issue, item 2).
 * A new login password, a new or removed pay password, or a suspension
 * (PUT /admin/customers/{dwid}) ends every session of the customer at once:
 * every later call with an old token is 401 sessionInvalid, on the pay paths
 * (authenticated inside the AccountDO) and on the session-authenticated ones
 * alike, and charges nothing. A suspended customer cannot log in (2007);
 * unsuspended, it can again, and the old sessions stay ended. Setting a
 * password to the value it already has is not a change and ends nothing.
 *
 * Through the Worker, real objects and D1; the tests run with the isolate's
 * session cache off (vitest.config.ts), which test/api/session-cache.test.ts
 * covers on its own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, admin, partner, uniqueId, upperMd5, loginAs, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, anOrderBody, aProduct, QUERY, VERIFY, YEARCARD } from "../helpers/catalogue";
import { accountOf, storageOf } from "../helpers/durable";
import { expectMoneyInvariants } from "../helpers/invariants";
import { anUnpaidOrder } from "../helpers/orders";

const LOGIN = "/api/WebInterface/Session/Login";
const POS_PAY = "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment";
const BILL_ADD = "/api/WebInterface/Pos/Sell/Bill/Add";

let ticketProduct: string;
let retailProduct: string;

beforeAll(async () => {
  ticketProduct = await aProduct({ price: 10 });
  retailProduct = await aProduct({ kind: "retail", price: 3 }, null);
});

/** A customer with a deposit, two live sessions, an unpaid order and an unpaid POS bill. */
async function aCustomerWithSessions(options: { payPassword?: string | null } = {}) {
  const c = await aCustomer({ depositYuan: 100, loginPassword: "old-login", payPassword: options.payPassword === undefined ? "111111" : options.payPassword });
  const sessions = [await loginAs(c), await loginAs(c)];
  const order = await anUnpaidOrder(c.dwid);
  const bill = await aBill(c, sessions[0]!);
  return { c, sessions, order, bill };
}

async function aBill(c: TestCustomer, s: TestSession): Promise<string> {
  const r = await partner(BILL_ADD, { DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: retailProduct, Amount: 1 }] }, { token: s.token });
  const body = (await r.json()) as { errcode: number; tag: { BillNum: string } };
  expect(body.errcode).toBe(0);
  return body.tag.BillNum;
}

/** PUT /admin/customers/{dwid} with the customer's type and name and the given changes. */
async function change(c: TestCustomer, changes: Record<string, unknown>) {
  const r = await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: c.dwlx, name: `测试旅行社 ${c.dwid}`, ...changes });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function login(c: TestCustomer, loginPassword: string): Promise<{ errcode: number; errmsg: string }> {
  const response = await partner(LOGIN, { dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(loginPassword) });
  expect(response.status).toBe(200);
  return (await response.json()) as { errcode: number; errmsg: string };
}

interface Target {
  c: TestCustomer;
  s: TestSession;
  orderId: string;
  billNum: string;
  /** The pay password the session's client still believes in. */
  payPassword: string;
}

/** An answer's HTTP status and code; POS pay's −1 names its reason in errmsg as "[code] …". */
interface Seen {
  status: number;
  code: number;
}

async function seen(response: Response): Promise<Seen> {
  const body = (await response.json()) as { resultcode?: number; errcode?: number; errmsg?: string };
  if (body.resultcode !== undefined) return { status: response.status, code: body.resultcode };
  const reason = /^\[(\d+)\]/.exec(body.errmsg ?? "")?.[1];
  return { status: response.status, code: body.errcode! < 0 && reason ? Number(reason) : body.errcode! };
}

/** Every endpoint an old token could try, each with a body that would otherwise pass. */
const calls: [string, (t: Target) => Promise<Response>][] = [
  ["order pay (ByPassword)", async (t) =>
    partner("/api/WebInterface/Order/Pay/WithPrepayment/ByPassword", {
      dwid: t.c.dwid, dwlx: t.c.dwlx, sellstationid: "01",
      payparm: { orderid: t.orderId, paypassword: await encryptPayPassword(t.s.sessionKey, t.c.loginPassword, t.payPassword) },
    }, { token: t.s.token })],
  ["order pay (MIN)", async (t) =>
    partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: t.orderId, paypassword: await encryptPayPassword(t.s.sessionKey, t.c.loginPassword, t.payPassword) }, { token: t.s.token })],
  ["POS pay with PayPwd", async (t) =>
    partner(POS_PAY, { DWID: t.c.dwid, DWSX: t.c.dwlx, BillNum: t.billNum, PayPwd: await encryptPayPassword(t.s.sessionKey, t.c.loginPassword, t.payPassword) }, { token: t.s.token })],
  ["POS pay without PayPwd", async (t) => partner(POS_PAY, { DWID: t.c.dwid, DWSX: t.c.dwlx, BillNum: t.billNum }, { token: t.s.token })],
  ["order add", async (t) => partner(ADD, anOrderBody([{ productid: ticketProduct, amount: 1 }], { senderid: uniqueId("S") }), { token: t.s.token })],
  ["order query", async (t) => partner(QUERY, { orderid: t.orderId }, { token: t.s.token })],
  ["Douyin verify", async (t) => partner(VERIFY, anOrderBody([{ productid: ticketProduct, amount: 1 }]), { token: t.s.token })],
  ["POS bill add", async (t) => partner(BILL_ADD, { DWID: t.c.dwid, DWSX: t.c.dwlx, Items: [{ ProductId: retailProduct, Amount: 1 }] }, { token: t.s.token })],
  ["annual-card add", async (t) =>
    partner(YEARCARD, { productid: uniqueId("Y"), amount: 1, mobile: "13800138000", effectdate: "20270101", BuyInsurance: "0" }, { token: t.s.token })],
];

/** The changes that end sessions: [label, PUT body]. */
const endingChanges: [string, Record<string, unknown>][] = [
  ["a new login password", { loginPassword: "new-login" }],
  ["a new pay password", { payPassword: "222222" }],
  ["the pay password removed", { payPassword: null }],
  ["a suspension", { suspended: true }],
];

describe("a change of credentials ends every session of the customer: an old token is 401 on every endpoint", () => {
  describe.each(endingChanges)("after %s", (_label, changes) => {
    it.each(calls)("%s", async (_name, send) => {
      const { c, sessions, order, bill } = await aCustomerWithSessions();
      await change(c, changes);
      for (const s of sessions) {
        const answer = await seen(await send({ c, s, orderId: order.orderId, billNum: bill, payPassword: c.payPassword! }));
        expect(answer).toEqual({ status: 401, code: ResultCodes.sessionInvalid.code });
      }
      // Nothing was charged, held or paid.
      expect(await storageOf(accountOf(c.dwid))).toMatchObject({ balanceFen: 10_000, heldFen: 0, intents: [] });
      await expectMoneyInvariants(c.dwid);
    });
  });
});

describe("removing the pay password", () => {
  it("an old token cannot pay a POS bill without PayPwd: 401, nothing charged, the bill stays unpaid", async () => {
    const { c, sessions, bill } = await aCustomerWithSessions();
    await change(c, { payPassword: null });
    const response = await partner(POS_PAY, { DWID: c.dwid, DWSX: c.dwlx, BillNum: bill }, { token: sessions[0]!.token });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errcode: -1, errmsg: expect.stringContaining(ResultCodes.sessionInvalid.message) });
    expect(await storageOf(accountOf(c.dwid))).toMatchObject({ balanceFen: 10_000, heldFen: 0, ledger: [{ kind: "deposit" }] });
    expect((await admin("GET", `/admin/bills?customer=${c.dwid}`)).body.items).toMatchObject([{ billNum: bill, status: "unpaid" }]);
  });

  it("a session opened after the removal pays a POS bill without PayPwd (the seed's rule), once", async () => {
    const { c, bill } = await aCustomerWithSessions();
    await change(c, { payPassword: null });
    const fresh = await loginAs(c);
    const answer = await partner(POS_PAY, { DWID: c.dwid, DWSX: c.dwlx, BillNum: bill }, { token: fresh.token });
    expect(await answer.json()).toMatchObject({ errcode: 0 });
    expect(await storageOf(accountOf(c.dwid))).toMatchObject({ balanceFen: 10_000 - 300, heldFen: 0 });
    await expectMoneyInvariants(c.dwid);
  });
});

describe("logging in after a change", () => {
  it.each([
    ["a new login password: the new one works, the old one is refused", { loginPassword: "new-login" }, "new-login", "old-login"],
    ["a new pay password: the login password still works", { payPassword: "222222" }, "old-login", null],
    ["the pay password removed: the login password still works", { payPassword: null }, "old-login", null],
  ] as const)("%s", async (_label, changes, works, refused) => {
    const { c, sessions } = await aCustomerWithSessions();
    await change(c, changes);
    expect(await login(c, works)).toMatchObject({ errcode: 0 });
    if (refused) expect(await login(c, refused)).toMatchObject({ errcode: ResultCodes.loginFailed.code });
    // The new session works; the old ones stay ended.
    const fresh = await loginAs({ ...c, loginPassword: works });
    expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: fresh.token })).status).toBe(200);
    expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: sessions[1]!.token })).status).toBe(401);
  });

  it("a new login password pays with the new ciphertext in a new session", async () => {
    const { c, order } = await aCustomerWithSessions();
    await change(c, { loginPassword: "new-login", payPassword: "333333" });
    const fresh = await loginAs({ ...c, loginPassword: "new-login" });
    const paypassword = await encryptPayPassword(fresh.sessionKey, "new-login", "333333");
    const r = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: order.orderId, paypassword }, { token: fresh.token });
    expect(await r.json()).toMatchObject({ resultcode: 0, orderstatus: "paid" });
  });
});

describe("suspension", () => {
  it("a suspended customer cannot log in (2007, own message), even with the right password; a wrong one still reads 2003", async () => {
    const { c } = await aCustomerWithSessions();
    await change(c, { suspended: true });
    expect(await login(c, "old-login")).toEqual({ errcode: ResultCodes.customerSuspended.code, errmsg: ResultCodes.customerSuspended.message, tag: null });
    // Suspension is not revealed to someone who does not know the password.
    expect(await login(c, "guess")).toMatchObject({ errcode: ResultCodes.loginFailed.code });
  });

  it("unsuspending lets the customer log in again; the sessions from before the suspension stay ended", async () => {
    const { c, sessions } = await aCustomerWithSessions();
    await change(c, { suspended: true });
    await change(c, { suspended: false });
    const fresh = await loginAs(c);
    expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: fresh.token })).status).toBe(200);
    for (const s of sessions) expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: s.token })).status).toBe(401);
  });

  it("the admin API shows and keeps the state: GET one, the list, and a PUT without the field leaves it", async () => {
    const { c } = await aCustomerWithSessions();
    expect((await admin("GET", `/admin/customers/${c.dwid}`)).body).toMatchObject({ suspended: false });
    expect(await change(c, { suspended: true })).toMatchObject({ dwid: c.dwid, suspended: true });
    expect(await change(c, { callbackUrl: null })).toMatchObject({ suspended: true });
    expect((await admin("GET", `/admin/customers/${c.dwid}`)).body).toMatchObject({ suspended: true });
    expect((await admin("GET", `/admin/customers?q=${c.dwid}`)).body.items).toMatchObject([{ dwid: c.dwid, suspended: true }]);
    expect(await login(c, "old-login")).toMatchObject({ errcode: ResultCodes.customerSuspended.code });
    expect(await change(c, { suspended: false })).toMatchObject({ suspended: false });
    expect(await login(c, "old-login")).toMatchObject({ errcode: 0 });
  });

  it("a new customer can be created suspended, and then cannot log in", async () => {
    const c = await aCustomer({ loginPassword: "x-login" });
    const other = { ...c, dwid: uniqueId("c") };
    const r = await admin("PUT", `/admin/customers/${other.dwid}`, { dwlx: "1", name: "停用的新客户", loginPassword: "x-login", suspended: true });
    expect(r).toMatchObject({ status: 201, body: { suspended: true } });
    expect(await login(other, "x-login")).toMatchObject({ errcode: ResultCodes.customerSuspended.code });
  });

  it("refuses a suspended that is not a boolean (400, field suspended)", async () => {
    const c = await aCustomer();
    const r = await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: "1", name: "x", suspended: "yes" });
    expect(r).toMatchObject({ status: 400, body: { error: { code: ResultCodes.adminInvalid.code, field: "suspended" } } });
  });
});

describe("what is not a change ends nothing", () => {
  it.each([
    ["the same login password again", { loginPassword: "old-login" }],
    ["the same pay password again", { payPassword: "111111" }],
    ["both the same again", { loginPassword: "old-login", payPassword: "111111" }],
    ["a new name and callback URL only", { name: "改名旅行社", callbackUrl: "https://partner.example/cb" }],
    ["suspended: false on an active customer", { suspended: false }],
  ] as const)("%s", async (_label, changes) => {
    const { c, sessions, order } = await aCustomerWithSessions();
    await change(c, changes);
    for (const s of sessions) expect((await partner(QUERY, { orderid: order.orderId }, { token: s.token })).status).toBe(200);
    const paypassword = await encryptPayPassword(sessions[1]!.sessionKey, "old-login", "111111");
    const r = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: order.orderId, paypassword }, { token: sessions[1]!.token });
    expect(await r.json()).toMatchObject({ resultcode: 0 });
  });

  it("removing a pay password that was never set ends nothing", async () => {
    const { c, sessions } = await aCustomerWithSessions({ payPassword: null });
    await change(c, { payPassword: null });
    expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: sessions[0]!.token })).status).toBe(200);
  });

  it("setting a first pay password is a change: sessions end", async () => {
    const { c, sessions } = await aCustomerWithSessions({ payPassword: null });
    await change(c, { payPassword: "444444" });
    expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: sessions[0]!.token })).status).toBe(401);
  });
});

describe("concurrent logins and a change", () => {
  it("no session opened with the old password outlives the change, however the logins interleave with it", async () => {
    const { c } = await aCustomerWithSessions();
    const [opened] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => loginAs(c).catch(() => null))),
      change(c, { loginPassword: "new-login" }),
    ]);
    for (const s of opened) if (s) expect((await partner(QUERY, { orderid: "NOSUCH" }, { token: s.token })).status).toBe(401);
  });
});
