/**
 * The operators' /admin API (SPEC §7, §11): bearer ADMIN_TOKEN on every
 * route, customers and their password material (stored only sealed), the
 * customer search. Errors are {error: {code, message, field?}} with
 * 400/401/404/409. Accounts: admin-accounts.test.ts; products and calendars:
 * admin-catalogue.test.ts; orders and bills: admin-orders.test.ts.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { INVALID, adminRaw, allPages, anOrderRow, loginCode } from "../helpers/admin";
import { ADMIN_TOKEN, aCustomer, admin, loginAs, partner, uniqueId, upperMd5 } from "../helpers/api";
import { accountOf, everyD1Text, everyStoredText } from "../helpers/durable";

// ------------------------------------------------------------------ authorization

describe("401 without the admin token, on every admin route", () => {
  let dwid: string;
  let productId: string;
  let orderId: string;
  beforeAll(async () => {
    dwid = (await aCustomer({ depositYuan: 10 })).dwid;
    productId = uniqueId("p");
    expect((await admin("PUT", `/admin/products/${productId}`, { name: "门票", kind: "ticket", price: 10 })).status).toBe(201);
    orderId = await anOrderRow({ dwid });
  });

  const routes: [string, string, () => string, unknown?][] = [
    ["GET", "/admin/customers", () => "/admin/customers"],
    ["PUT", "/admin/customers/{dwid}", () => `/admin/customers/${dwid}`, { dwlx: "1", name: "hijacked", loginPassword: "owned" }],
    ["GET", "/admin/customers/{dwid}", () => `/admin/customers/${dwid}`],
    ["POST", "/admin/customers/{dwid}/deposits", () => `/admin/customers/${dwid}/deposits`, { amount: 1_000, reference: "sneaky" }],
    ["GET", "/admin/customers/{dwid}/account", () => `/admin/customers/${dwid}/account`],
    ["GET", "/admin/customers/{dwid}/ledger", () => `/admin/customers/${dwid}/ledger`],
    ["GET", "/admin/customers/{dwid}/orders", () => `/admin/customers/${dwid}/orders`],
    ["GET", "/admin/products", () => "/admin/products"],
    ["PUT", "/admin/products/{productid}", () => `/admin/products/${productId}`, { name: "hijacked", kind: "ticket", price: 0 }],
    ["GET", "/admin/products/{productid}", () => `/admin/products/${productId}`],
    ["PUT", "/admin/products/{productid}/calendar/{day}", () => `/admin/products/${productId}/calendar/20270101`, { stock: 5 }],
    ["GET", "/admin/products/{productid}/calendar", () => `/admin/products/${productId}/calendar?month=202701`],
    ["GET", "/admin/orders", () => "/admin/orders"],
    ["GET", "/admin/orders/{orderid}", () => `/admin/orders/${orderId}`],
    ["GET", "/admin/bills", () => "/admin/bills"],
  ];
  const credentials: [string, string | undefined][] = [
    ["no Authorization header", undefined],
    ["a wrong token", "Bearer wrong-token"],
    ["the token with a character more", `Bearer ${ADMIN_TOKEN}x`],
    ["a prefix of the token", `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ["the token in another case", `Bearer ${ADMIN_TOKEN.toUpperCase()}`],
    ["the token without the Bearer scheme", ADMIN_TOKEN],
    ["the token as Basic", `Basic ${ADMIN_TOKEN}`],
    ["Bearer and nothing", "Bearer "],
  ];

  describe.each(credentials)("%s", (_label, authorization) => {
    it.each(routes)("%s %s", async (method, _pattern, path, body) => {
      const r = await adminRaw(method, path(), { authorization, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(r).toEqual({ status: 401, body: { error: { code: ResultCodes.adminUnauthorized.code, message: ResultCodes.adminUnauthorized.message } } });
    });
  });

  it("refused writes changed nothing", async () => {
    expect((await admin("GET", `/admin/customers/${dwid}`)).body.name).not.toBe("hijacked");
    expect((await admin("GET", `/admin/customers/${dwid}/account`)).body.balance).toBe(10);
    expect((await admin("GET", `/admin/products/${productId}`)).body).toMatchObject({ name: "门票", price: 10 });
    expect((await admin("GET", `/admin/products/${productId}/calendar?month=202701`)).body.days).toEqual([]);
  });

  it("the right token is accepted (the routes above are reachable)", async () => {
    for (const [method, , path, body] of routes.filter(([m]) => m === "GET")) {
      expect((await admin(method, path(), body)).status).toBe(200);
    }
  });
});

// ------------------------------------------------------------------ customers

describe("PUT /admin/customers/{dwid}", () => {
  it("creates (201) then updates (200); answers carry no password material", async () => {
    const dwid = uniqueId("cu");
    const created = await admin("PUT", `/admin/customers/${dwid}`, {
      dwlx: "2", name: "黄山地接社", loginPassword: "login-A", payPassword: "pay-A", callbackUrl: "https://partner.example/cb",
    });
    expect(created.status).toBe(201);
    // callbackSecret: shown once, when the callback URL is first set (notifications issue).
    expect(Object.keys(created.body)).toEqual(["dwid", "dwlx", "name", "callbackUrl", "suspended", "lowBalanceAlert", "contactMobile", "createdAt", "updatedAt", "callbackSecret"]);
    expect(created.body).toMatchObject({ dwid, dwlx: "2", name: "黄山地接社", callbackUrl: "https://partner.example/cb", suspended: false });

    const updated = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "3", name: "黄山协议单位" });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ dwid, dwlx: "3", name: "黄山协议单位", createdAt: created.body.createdAt });
    // Leaving callbackUrl out keeps it; the login password is kept too.
    expect(updated.body.callbackUrl).toBe("https://partner.example/cb");
    expect(await loginCode(dwid, "3", "login-A")).toBe(0);
    expect(await loginCode(dwid, "2", "login-A")).toBe(2003);

    const read = await admin("GET", `/admin/customers/${dwid}`);
    expect(read).toEqual({ status: 200, body: updated.body });
  });

  it("lowBalanceAlert (yuan, kept in the AccountDO, copied to D1) and contactMobile: set, kept when left out, cleared with null", async () => {
    const dwid = uniqueId("cu");
    const created = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "a", loginPassword: "x", lowBalanceAlert: "1000.5", contactMobile: "13912345678" });
    expect(created.body).toMatchObject({ lowBalanceAlert: 1000.5, contactMobile: "13912345678" });
    const threshold = () => runInDurableObject(accountOf(dwid), (_i, state) => state.storage.sql.exec("SELECT low_balance_fen AS fen FROM profile").one().fen);
    expect(await threshold()).toBe(100_050);
    expect((await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "b" })).body).toMatchObject({ lowBalanceAlert: 1000.5, contactMobile: "13912345678" });
    expect(await threshold()).toBe(100_050);
    const cleared = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "b", lowBalanceAlert: null, contactMobile: null });
    expect(cleared.body).toMatchObject({ lowBalanceAlert: null, contactMobile: null });
    expect(await threshold()).toBeNull();
    expect((await admin("GET", `/admin/customers?q=${dwid}`)).body.items[0]).toMatchObject({ lowBalanceAlert: null, contactMobile: null });
  });

  it("callbackUrl null clears it", async () => {
    const dwid = uniqueId("cu");
    await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "a", loginPassword: "x", callbackUrl: "https://a.example/" });
    const r = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "a", callbackUrl: null });
    expect(r.status).toBe(200);
    expect(r.body.callbackUrl).toBeNull();
  });

  it("a new customer without loginPassword is refused (400, 6004) and not created anywhere", async () => {
    const dwid = uniqueId("cu");
    const r = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "无密码", payPassword: "123456" });
    expect(r).toEqual({ status: 400, body: { error: { code: ResultCodes.loginPasswordRequired.code, message: ResultCodes.loginPasswordRequired.message, field: "loginPassword" } } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE dwid = ?").bind(dwid).first("n")).toBe(0);
    expect(await runInDurableObject(accountOf(dwid), (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM profile").one().n)).toBe(0);
  });

  const longName = "名".repeat(101);
  const invalid: [string, unknown, string, string | undefined][] = [
    ["dwlx out of 1–7", { dwlx: "8", name: "a", loginPassword: "x" }, "dwlx 取值必须是1到7", "dwlx"],
    ["dwlx 0", { dwlx: "0", name: "a", loginPassword: "x" }, "dwlx 取值必须是1到7", "dwlx"],
    ["dwlx missing", { name: "a", loginPassword: "x" }, "dwlx 为必填项", "dwlx"],
    ["dwlx not a string", { dwlx: ["1"], name: "a", loginPassword: "x" }, "dwlx 类型错误", "dwlx"],
    ["name missing", { dwlx: "1", loginPassword: "x" }, "name 为必填项", "name"],
    ["name empty", { dwlx: "1", name: "", loginPassword: "x" }, "name 长度不能少于1", "name"],
    ["name 101 characters", { dwlx: "1", name: longName, loginPassword: "x" }, "name 长度不能超过100", "name"],
    ["loginPassword empty", { dwlx: "1", name: "a", loginPassword: "" }, "loginPassword 长度不能少于1", "loginPassword"],
    ["loginPassword 65 characters", { dwlx: "1", name: "a", loginPassword: "x".repeat(65) }, "loginPassword 长度不能超过64", "loginPassword"],
    ["payPassword 65 characters", { dwlx: "1", name: "a", loginPassword: "x", payPassword: "1".repeat(65) }, "payPassword 长度不能超过64", "payPassword"],
    ["callbackUrl not a URL", { dwlx: "1", name: "a", loginPassword: "x", callbackUrl: "not a url" }, "callbackUrl", "callbackUrl"],
    ["callbackUrl not http(s)", { dwlx: "1", name: "a", loginPassword: "x", callbackUrl: "ftp://example.com/cb" }, "callbackUrl", "callbackUrl"],
    ["callbackUrl 501 characters", { dwlx: "1", name: "a", loginPassword: "x", callbackUrl: `https://a.example/${"x".repeat(483)}` }, "callbackUrl 长度不能超过500", "callbackUrl"],
    ["lowBalanceAlert negative", { dwlx: "1", name: "a", loginPassword: "x", lowBalanceAlert: -1 }, "lowBalanceAlert 必须是不小于0且最多两位小数的金额(元)", "lowBalanceAlert"],
    ["lowBalanceAlert with 3 decimals", { dwlx: "1", name: "a", loginPassword: "x", lowBalanceAlert: "10.001" }, "lowBalanceAlert 必须是不小于0且最多两位小数的金额(元)", "lowBalanceAlert"],
    ["contactMobile 10 digits", { dwlx: "1", name: "a", loginPassword: "x", contactMobile: "1391234567" }, "contactMobile 必须是11位手机号码", "contactMobile"],
    ["contactMobile with a letter", { dwlx: "1", name: "a", loginPassword: "x", contactMobile: "1391234567a" }, "contactMobile 必须是11位手机号码", "contactMobile"],
    ["contactMobile a number", { dwlx: "1", name: "a", loginPassword: "x", contactMobile: 13912345678 }, "contactMobile 类型错误", "contactMobile"],
    ["body is an array", [], "类型错误", undefined],
    ["body is empty", undefined, "为必填项", undefined],
  ];
  it.each(invalid)("refuses %s: 400 {error:{code, message, field}}, nothing created", async (_label, body, message, field) => {
    const dwid = uniqueId("cu");
    const r = await admin("PUT", `/admin/customers/${dwid}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(INVALID);
    expect(r.body.error.message).toContain(message);
    expect(r.body.error.field).toBe(field);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE dwid = ?").bind(dwid).first("n")).toBe(0);
  });

  it.each([
    ["a dot", "a.b"],
    ["a space", "a%20b"],
    ["37 characters", "c".repeat(37)],
    ["Chinese characters", encodeURIComponent("客户")],
  ])("refuses a dwid with %s in the path (400, field dwid)", async (_label, dwid) => {
    const r = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "a", loginPassword: "x" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "dwid" });
  });

  it("refuses a body that is not JSON (400, 1001)", async () => {
    const r = await adminRaw("PUT", `/admin/customers/${uniqueId("cu")}`, { authorization: `Bearer ${ADMIN_TOKEN}`, body: "{dwlx:" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(ResultCodes.bodyUnreadable.code);
  });

  it.each([
    ["nested past the wire's depth limit", `{"dwlx":"1","name":"a","loginPassword":"x","callbackUrl":${"[".repeat(40)}${"]".repeat(40)}}`],
    ["not UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])],
  ])("refuses a body %s like a partner body (400, 1001), and writes nothing", async (_label, body) => {
    const dwid = uniqueId("cu");
    const r = await adminRaw("PUT", `/admin/customers/${dwid}`, { authorization: `Bearer ${ADMIN_TOKEN}`, body });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(ResultCodes.bodyUnreadable.code);
    expect((await admin("GET", `/admin/customers/${dwid}`)).status).toBe(404);
  });

  it("GET of an unknown customer is 404", async () => {
    const r = await admin("GET", `/admin/customers/${uniqueId("none")}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.customerNotFound.code);
  });
});

describe("password material is stored only sealed", () => {
  it("neither the plaintext nor the UPPER_MD5 (nor lower-case MD5) of either password is anywhere in the AccountDO or in D1", async () => {
    const login = `Login-${crypto.randomUUID()}`;
    const pay = `Pay-${crypto.randomUUID()}`;
    const c = await aCustomer({ loginPassword: login, payPassword: pay });
    // Also after a change of both.
    const login2 = `Login2-${crypto.randomUUID()}`;
    const pay2 = `Pay2-${crypto.randomUUID()}`;
    const c2 = await aCustomer({ loginPassword: login, payPassword: pay });
    expect((await admin("PUT", `/admin/customers/${c2.dwid}`, { dwlx: "1", name: "b", loginPassword: login2, payPassword: pay2 })).status).toBe(200);
    await loginAs(c); // sessions exist too

    const secrets: string[] = [];
    for (const p of [login, pay, login2, pay2]) {
      const md5 = await upperMd5(p);
      secrets.push(p, md5, md5.toLowerCase());
    }
    const stored = [...(await everyStoredText(accountOf(c.dwid))), ...(await everyStoredText(accountOf(c2.dwid)))];
    const d1 = await everyD1Text(env.DB);
    expect(stored.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(stored.filter((cell) => cell.toUpperCase().includes(secret.toUpperCase()))).toEqual([]);
      expect(d1.filter((cell) => cell.toUpperCase().includes(secret.toUpperCase()))).toEqual([]);
    }
  });

  it("the profile row holds sealed values, different for two customers with the same passwords", async () => {
    const a = await aCustomer({ loginPassword: "same-login", payPassword: "same-pay" });
    const b = await aCustomer({ loginPassword: "same-login", payPassword: "same-pay" });
    const profile = (dwid: string) =>
      runInDurableObject(accountOf(dwid), (_i, state) => state.storage.sql.exec("SELECT * FROM profile").toArray()[0] as Record<string, string>);
    const [pa, pb] = [await profile(a.dwid), await profile(b.dwid)];
    expect(pa.login_md5_sealed).not.toBe(pb.login_md5_sealed);
    expect(pa.pay_md5_sealed).not.toBe(pb.pay_md5_sealed);
    expect(pa.login_md5_sealed).not.toBe(pa.pay_md5_sealed);
  });

  it("the D1 customers row has no password column", async () => {
    const c = await aCustomer();
    const row = await env.DB.prepare("SELECT * FROM customers WHERE dwid = ?").bind(c.dwid).first<Record<string, unknown>>();
    // The callback signing secret (migration 0003) is sealed like the passwords; see notifications-admin.test.ts.
    // suspended (0005) is a copy of the AccountDO's standing; see test/security/credential-changes.test.ts.
    // low_balance_fen (0010) a copy of its threshold; contact_mobile (0010) the agency's own number (balance-alerts.test.ts).
    // credentials_version (0014) a copy of the object's version, a number and no secret (session-cache.test.ts).
    expect(Object.keys(row!).sort()).toEqual([
      "callback_secret_sealed", "callback_secret_set_at_ms", "callback_url", "contact_mobile", "created_at_ms", "credentials_version", "dwid", "dwlx",
      "low_balance_fen", "name",
      "suspended", "updated_at_ms",
    ]);
  });
});

describe("GET /admin/customers (q search, paging)", () => {
  it("finds by dwid prefix and by name substring, pages through every match exactly once, ordered by dwid", async () => {
    const prefix = uniqueId("cq").slice(0, 20);
    const marker = `标记${crypto.randomUUID().slice(0, 8)}`;
    const dwids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const dwid = `${prefix}-${i}`;
      dwids.push(dwid);
      expect((await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: `旅行社${marker}${i}`, loginPassword: "x" })).status).toBe(201);
    }
    const byPrefix = await allPages(`/admin/customers?q=${encodeURIComponent(prefix)}`, 2);
    expect(byPrefix.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(byPrefix.flat().map((c) => c.dwid)).toEqual(dwids);
    const byName = await allPages(`/admin/customers?q=${encodeURIComponent(marker)}`, 3);
    expect(byName.flat().map((c) => c.dwid)).toEqual(dwids);
  });

  it("treats LIKE wildcards in q literally", async () => {
    const marker = crypto.randomUUID().slice(0, 8);
    const literal = await aCustomer();
    const other = await aCustomer();
    await admin("PUT", `/admin/customers/${literal.dwid}`, { dwlx: "1", name: `x${marker}_%y` });
    await admin("PUT", `/admin/customers/${other.dwid}`, { dwlx: "1", name: `x${marker}abcy` });
    const r = await admin("GET", `/admin/customers?q=${encodeURIComponent(`${marker}_%`)}`);
    expect(r.body.items.map((c: { dwid: string }) => c.dwid)).toEqual([literal.dwid]);
  });

  it.each([
    ["limit 0", "limit=0"],
    ["limit 201", "limit=201"],
    ["limit not a number", "limit=many"],
  ])("refuses %s (400, field limit)", async (_label, query) => {
    const r = await admin("GET", `/admin/customers?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "limit" });
  });
});

// ------------------------------------------------------------------ deposits, account, ledger
