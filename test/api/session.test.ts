/**
 * Sessions (SPEC §4; issue 4 point 1): login with UPPER_MD5(login password),
 * bearer tokens on every /api path except Login, idle expiry, several
 * sessions per customer, no token crossing customers. Through the Worker;
 * sessions are aged in the AccountDO's own storage, never by stubbing code.
 */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { base64url } from "../../src/domain/tokens";
import { aCustomer, admin, fetchWorker, loginAs, partner, uniqueId, upperMd5, type TestCustomer } from "../helpers/api";
import { accountOf, ageSession, everyStoredText, sessionLastSeenMs, storageOf } from "../helpers/durable";

const LOGIN = "/api/WebInterface/Session/Login";
const IDLE_MINUTES = 120; // wrangler.toml SESSION_IDLE_MINUTES

const ORDER_KEYS = ["orderid", "sendid", "orderstatus", "resultcode", "returnmessgage"];
const COMMON_KEYS = ["errcode", "errmsg", "tag"];

interface Call {
  name: string;
  family: "order" | "common";
  /** POS pay answers -1 for every failure (seed), naming the reason in errmsg. */
  posPay?: boolean;
  send(c: TestCustomer, authorization: string | undefined): Promise<Response>;
}

const calendarBody = { productid: "P1", begindate: "20991201", enddate: "20991207" };
const orderAddBody = { orderdetails: [{ productid: "P1", amount: 1 }], mobile: "13800138000", effectdate: "20270101" };

function post(path: string, body: (c: TestCustomer) => unknown) {
  return (c: TestCustomer, authorization: string | undefined) =>
    fetchWorker(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body(c)),
    });
}

/** Every /api path that needs a session, each with a body that passes validation. */
const sessionCalls: Call[] = [
  { name: "DouYin Order/Verify", family: "common", send: post("/api/SpecialOta/DouYin/CalendarTicket/Order/Verify", () => orderAddBody) },
  { name: "Product/Calendar", family: "common", send: post("/api/WebInterface/Product/Calendar", () => calendarBody) },
  { name: "WebInterface Order/Add", family: "order", send: post("/api/WebInterface/Order/Add", () => orderAddBody) },
  { name: "DouYin Order/Add", family: "order", send: post("/api/SpecialOta/DouYin/CalendarTicket/Order/Add", () => orderAddBody) },
  { name: "Order/Query", family: "common", send: post("/api/WebInterface/Order/Query", () => ({ orderid: "1" })) },
  { name: "Order/Cancel", family: "order", send: post("/api/WebInterface/Order/Cancel", () => ({ orderid: "1" })) },
  { name: "Order/Refund", family: "common", send: post("/api/WebInterface/Order/Refund", () => ({ orderid: "1", refundid: "R1" })) },
  { name: "Order/ChangeDate", family: "order", send: post("/api/WebInterface/Order/ChangeDate", () => ({ orderid: "1", effectdate: "20991231" })) },
  { name: "Order/Resend", family: "order", send: post("/api/WebInterface/Order/Resend", () => ({ orderid: "1" })) },
  { name: "Account/Balance", family: "common", send: post("/api/WebInterface/Account/Balance", () => ({})) },
  { name: "Account/Statement", family: "common", send: post("/api/WebInterface/Account/Statement", () => ({ begindate: "20270101", enddate: "20270131" })) },
  {
    name: "Order/Pay/WithPrepayment/ByPassword",
    family: "order",
    send: post("/api/WebInterface/Order/Pay/WithPrepayment/ByPassword", (c) => ({
      dwid: c.dwid, dwlx: c.dwlx, payparm: { orderid: "1", paypassword: "x" }, sellstationid: "01",
    })),
  },
  { name: "PayOrder/MIN/UsePrepaymentAndPassword", family: "order", send: post("/api/PayOrder/MIN/UsePrepaymentAndPassword", () => ({ orderid: "1", paypassword: "x" })) },
  {
    name: "Source/UseAccountToPayByPwd.aspx (GET)",
    family: "order",
    send: (_c, authorization) =>
      fetchWorker("/Source/UseAccountToPayByPwd.aspx?orderid=1&paypassword=x", { headers: authorization ? { authorization } : {} }),
  },
  {
    name: "Source/UseAccountToPayByPwd.aspx (POST form)",
    family: "order",
    send: (_c, authorization) =>
      fetchWorker("/Source/UseAccountToPayByPwd.aspx", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(authorization ? { authorization } : {}) },
        body: "orderid=1&paypassword=x",
      }),
  },
  {
    name: "Order/YearCard/AddOrder",
    family: "order",
    send: post("/api/Order/YearCard/AddOrder", () => ({ productid: "Y1", amount: 1, mobile: "13800138000", effectdate: "20270101", BuyInsurance: "0" })),
  },
  {
    name: "Pos/Sell/Bill/Add",
    family: "common",
    send: post("/api/WebInterface/Pos/Sell/Bill/Add", (c) => ({ DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: "R1", Amount: 1 }] })),
  },
  {
    name: "Pos/Sell/PayBill/WithPrepayment",
    family: "common",
    posPay: true,
    send: post("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", (c) => ({ DWID: c.dwid, DWSX: c.dwlx, BillNum: "B1", PayPwd: "x" })),
  },
];

async function login(body: unknown): Promise<{ status: number; body: any; keys: string[] }> {
  const response = await partner(LOGIN, body);
  const text = await response.text();
  const parsed = JSON.parse(text);
  return { status: response.status, body: parsed, keys: Object.keys(parsed) };
}

/** The envelope's code and message, checking the member names and order of its family. */
async function envelope(call: Call, response: Response): Promise<{ status: number; code: number; message: string }> {
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(call.family === "order" ? ORDER_KEYS : COMMON_KEYS);
  return call.family === "order"
    ? { status: response.status, code: body.resultcode as number, message: body.returnmessgage as string }
    : { status: response.status, code: body.errcode as number, message: body.errmsg as string };
}

/** POS pay's -1 carries the reason only in errmsg, which must name it. */
function refusal(call: Call, key: "sessionMissing" | "sessionInvalid") {
  return { status: 401, code: call.posPay ? -1 : ResultCodes[key].code, message: call.posPay ? expect.stringContaining(ResultCodes[key].message) : ResultCodes[key].message };
}

/** A call that only a live session gets past: any answer but 401. */
async function sessionWorks(token: string): Promise<boolean> {
  const response = await partner("/api/WebInterface/Order/Query", { orderid: "1" }, { token });
  const body = (await response.json()) as { errcode: number };
  return response.status === 200 && body.errcode !== 2001 && body.errcode !== 2002;
}

/** A token of the right shape naming `dwid`, with a secret nobody was given. */
function forgedToken(dwid: string): string {
  return `t1.${base64url(new TextEncoder().encode(dwid))}.${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The same secret, relabelled for another customer. */
function relabelled(token: string, dwid: string): string {
  const [, , secret] = token.split(".");
  return `t1.${base64url(new TextEncoder().encode(dwid))}.${secret}`;
}

describe("login", () => {
  it("answers CommonOperationResult with tag {token, sessionkey, expires}", async () => {
    const c = await aCustomer();
    const before = Date.now();
    const r = await login({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(c.loginPassword) });
    expect(r.status).toBe(200);
    expect(r.keys).toEqual(COMMON_KEYS);
    expect(r.body.errcode).toBe(0);
    expect(Object.keys(r.body.tag)).toEqual(["token", "sessionkey", "expires"]);
    expect(r.body.tag.token).toMatch(/^\S{20,}$/);
    expect(r.body.tag.sessionkey.length).toBeGreaterThanOrEqual(16);
    const expiresMs = Date.parse(r.body.tag.expires);
    expect(expiresMs).toBeGreaterThanOrEqual(before + (IDLE_MINUTES - 1) * 60_000);
    expect(expiresMs).toBeLessThanOrEqual(Date.now() + (IDLE_MINUTES + 1) * 60_000);
    expect(await sessionWorks(r.body.tag.token)).toBe(true);
  });

  it("accepts the MD5 in lower-case hex too (the server compares UPPER_MD5 case-insensitively)", async () => {
    const c = await aCustomer();
    const r = await login({ dwid: c.dwid, dwlx: c.dwlx, password: (await upperMd5(c.loginPassword)).toLowerCase() });
    expect(r.body.errcode).toBe(0);
    expect(await sessionWorks(r.body.tag.token)).toBe(true);
  });

  it("matches request member names case-insensitively (Json.NET)", async () => {
    const c = await aCustomer();
    const r = await login({ DWID: c.dwid, DwLx: c.dwlx, PassWord: await upperMd5(c.loginPassword) });
    expect(r.body.errcode).toBe(0);
  });

  it("accepts a login body in XML and answers in XML", async () => {
    const c = await aCustomer();
    const xml = `<SessionLoginParm><dwid>${c.dwid}</dwid><dwlx>${c.dwlx}</dwlx><password>${await upperMd5(c.loginPassword)}</password></SessionLoginParm>`;
    const response = await partner(LOGIN, xml, { contentType: "application/xml" });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfSessionLoginResult/);
    expect(text).toContain("<errcode>0</errcode>");
    expect(text).toMatch(/<d2p1:sessionkey>[^<]{16,}<\/d2p1:sessionkey>/);
  });

  it("ignores an Authorization header (Login is the one path without a session)", async () => {
    const c = await aCustomer();
    const response = await partner(LOGIN, { dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(c.loginPassword) }, { token: "garbage" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errcode: number }).errcode).toBe(0);
  });

  describe("every wrong credential gets the same answer: 2003, one message, HTTP 200, no tag", () => {
    const wrong: [string, (c: TestCustomer, other: TestCustomer) => Promise<unknown>][] = [
      ["wrong password", async (c) => ({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(`${c.loginPassword}x`) })],
      ["wrong dwlx", async (c) => ({ dwid: c.dwid, dwlx: "2", password: await upperMd5(c.loginPassword) })],
      ["unknown dwid", async (c) => ({ dwid: uniqueId("nobody"), dwlx: c.dwlx, password: await upperMd5(c.loginPassword) })],
      ["another customer's password", async (c, other) => ({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(other.loginPassword) })],
      ["another customer's dwid with my password", async (c, other) => ({ dwid: other.dwid, dwlx: other.dwlx, password: await upperMd5(c.loginPassword) })],
      ["the dwid in another case", async (c) => ({ dwid: c.dwid.toUpperCase(), dwlx: c.dwlx, password: await upperMd5(c.loginPassword) })],
    ];
    it.each(wrong)("%s", async (_label, body) => {
      const c = await aCustomer({ loginPassword: "right-one" });
      const other = await aCustomer({ loginPassword: "someone-else" });
      const before = (await storageOf(accountOf(c.dwid))).sessionCount;
      const r = await login(await body(c, other));
      expect(r).toEqual({
        status: 200,
        keys: COMMON_KEYS,
        body: { errcode: 2003, errmsg: ResultCodes.loginFailed.message, tag: null },
      });
      // A refused login leaves no session behind.
      expect((await storageOf(accountOf(c.dwid))).sessionCount).toBe(before);
    });
  });

  it("a changed login password takes effect at once: the old one is refused", async () => {
    const c = await aCustomer({ loginPassword: "old-pass" });
    expect((await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: c.dwlx, name: "x", loginPassword: "new-pass" })).status).toBe(200);
    expect((await login({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5("old-pass") })).body.errcode).toBe(2003);
    expect((await login({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5("new-pass") })).body.errcode).toBe(0);
  });

  it("each session gets its own token and session key; several sessions of one customer all work", async () => {
    const c = await aCustomer();
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await loginAs(c));
    expect(new Set(sessions.map((s) => s.token)).size).toBe(5);
    expect(new Set(sessions.map((s) => s.sessionKey)).size).toBe(5);
    for (const s of sessions) {
      expect(s.sessionKey.length).toBeGreaterThanOrEqual(16);
      expect(await sessionWorks(s.token)).toBe(true);
    }
  });

  it("concurrent logins of one customer all get live, distinct sessions", async () => {
    const c = await aCustomer();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => loginAs(c)));
    expect(new Set(sessions.map((s) => s.token)).size).toBe(20);
    const works = await Promise.all(sessions.map((s) => sessionWorks(s.token)));
    expect(works.every(Boolean)).toBe(true);
  });

  it("the object keeps a digest of the token, never the token itself", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    const stored = await everyStoredText(accountOf(c.dwid));
    expect(stored.some((cell) => cell.includes(s.token) || cell.includes(s.token.split(".")[2]!))).toBe(false);
  });
});

describe("every /api path except Login refuses a call without a live session (401, the endpoint's envelope)", () => {
  const cases: [string, "sessionMissing" | "sessionInvalid", (c: TestCustomer, other: TestCustomer) => Promise<string | undefined>][] = [
    ["no Authorization header", "sessionMissing", async () => undefined],
    ["not a Bearer credential", "sessionMissing", async (c) => `Basic ${btoa(`${c.dwid}:${c.loginPassword}`)}`],
    ["Bearer with nothing after it", "sessionMissing", async () => "Bearer "],
    ["a garbage token", "sessionInvalid", async () => "Bearer not-a-token"],
    ["a token of the right shape for another customer, never issued", "sessionInvalid", async (_c, other) => `Bearer ${forgedToken(other.dwid)}`],
    ["a token of the right shape for me, never issued", "sessionInvalid", async (c) => `Bearer ${forgedToken(c.dwid)}`],
    ["a token of the right shape for an unknown customer", "sessionInvalid", async () => `Bearer ${forgedToken(uniqueId("nobody"))}`],
    ["another customer's live token relabelled with my dwid", "sessionInvalid", async (c, other) => `Bearer ${relabelled((await loginAs(other)).token, c.dwid)}`],
    ["my live token with one character changed", "sessionInvalid", async (c) => {
      const t = (await loginAs(c)).token;
      return `Bearer ${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`;
    }],
    ["my token, idle past SESSION_IDLE_MINUTES", "sessionInvalid", async (c) => {
      const t = (await loginAs(c)).token;
      await ageSession(c.dwid, t, IDLE_MINUTES + 1);
      return `Bearer ${t}`;
    }],
  ];

  describe.each(cases)("%s", (_label, key, authorization) => {
    it.each(sessionCalls.map((call) => [call.name, call] as const))("%s", async (_name, call) => {
      const c = await aCustomer();
      const other = await aCustomer();
      const header = await authorization(c, other);
      expect(await envelope(call, await call.send(c, header))).toEqual(refusal(call, key));
    });
  });

  it("Login itself needs no session", async () => {
    const c = await aCustomer();
    const r = await login({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(c.loginPassword) });
    expect(r.status).toBe(200);
    expect(r.body.errcode).toBe(0);
  });
});

describe("idle expiry (SESSION_IDLE_MINUTES = 120)", () => {
  it("a session idle for 119 minutes still works, and using it restarts the idle clock", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    await ageSession(c.dwid, s.token, IDLE_MINUTES - 1);
    const before = Date.now();
    expect(await sessionWorks(s.token)).toBe(true);
    expect(await sessionLastSeenMs(c.dwid, s.token)).toBeGreaterThanOrEqual(before - 1_000);
    // Another 119 idle minutes: 238 since login, but only 119 since last use.
    await ageSession(c.dwid, s.token, IDLE_MINUTES - 1);
    expect(await sessionWorks(s.token)).toBe(true);
  });

  it("a session idle for 121 minutes is refused with 2002, and stays refused", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    await ageSession(c.dwid, s.token, IDLE_MINUTES + 1);
    expect(await sessionWorks(s.token)).toBe(false);
    const response = await partner("/api/WebInterface/Order/Query", { orderid: "1" }, { token: s.token });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errcode: 2002, errmsg: ResultCodes.sessionInvalid.message, tag: null });
    expect(await sessionWorks(s.token)).toBe(false);
  });

  it("one session expiring leaves the customer's other sessions alive", async () => {
    const c = await aCustomer();
    const stale = await loginAs(c);
    const live = await loginAs(c);
    await ageSession(c.dwid, stale.token, IDLE_MINUTES + 1);
    expect(await sessionWorks(stale.token)).toBe(false);
    expect(await sessionWorks(live.token)).toBe(true);
  });

  it("logging in again after expiry gives a new, working session", async () => {
    const c = await aCustomer();
    const old = await loginAs(c);
    await ageSession(c.dwid, old.token, IDLE_MINUTES + 1);
    const renewed = await loginAs(c);
    expect(renewed.token).not.toBe(old.token);
    expect(await sessionWorks(renewed.token)).toBe(true);
    expect(await sessionWorks(old.token)).toBe(false);
  });
});

describe("tokens stay with their customer", () => {
  it("another customer's AccountDO does not accept my token", async () => {
    const a = await aCustomer();
    const b = await aCustomer();
    const s = await loginAs(a);
    expect(await accountOf(b.dwid).authenticate(s.token)).toEqual({ ok: false, reason: "sessionInvalid" });
    expect(await accountOf(b.dwid).authenticate(relabelled(s.token, b.dwid))).toEqual({ ok: false, reason: "sessionInvalid" });
    expect(await accountOf(a.dwid).authenticate(s.token)).toMatchObject({ ok: true, session: { dwid: a.dwid, sessionKey: s.sessionKey } });
  });
});
