/**
 * The operators' /admin API (SPEC §7; foundation issue, point 7): bearer
 * ADMIN_TOKEN, customers and their password material, deposits, accounts and
 * ledgers, products and calendars, orders and bills. Errors are
 * {error: {code, message, field?}} with 400/401/404/409.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { ADMIN_TOKEN, aCustomer, admin, fetchWorker, loginAs, partner, uniqueId, upperMd5 } from "../helpers/api";
import { accountOf, everyD1Text, everyStoredText, storageOf } from "../helpers/durable";

const INVALID = ResultCodes.adminInvalid.code;

async function adminRaw(method: string, path: string, options: { authorization?: string; body?: string | Uint8Array } = {}) {
  const response = await fetchWorker(path, {
    method,
    headers: {
      ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: options.body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Follows nextCursor until the end; returns every page. */
async function allPages<T = any>(path: string, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const r: { status: number; body: any } = await admin("GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    pages.push(r.body.items);
    cursor = r.body.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error("paging never ended");
}

async function loginCode(dwid: string, dwlx: string, loginPassword: string): Promise<number> {
  const r = await partner("/api/WebInterface/Session/Login", { dwid, dwlx, password: await upperMd5(loginPassword) });
  return ((await r.json()) as { errcode: number }).errcode;
}

// ------------------------------------------------------------------ D1 rows the partner endpoints will write

interface OrderSeed {
  orderId?: string;
  dwid: string;
  senderId?: string | null;
  status?: "unpaid" | "paid" | "expired" | "cancelled";
  effectDate?: string;
  amountFen?: number;
  createdAtMs?: number;
  items?: { productId: string; quantity: number; unitPriceFen: number }[];
  tickets?: string[];
}

async function anOrderRow(seed: OrderSeed): Promise<string> {
  const orderId = seed.orderId ?? uniqueId("o").slice(0, 20);
  const status = seed.status ?? "unpaid";
  const createdAtMs = seed.createdAtMs ?? Date.now();
  const items = seed.items ?? [{ productId: "P1", quantity: 2, unitPriceFen: 5_000 }];
  const statements = [
    env.DB.prepare(
      `INSERT INTO orders (order_id, dwid, sender_id, kind, status, effect_date, timespan_index, amount_fen, mobile, id_number,
         request_json, created_at_ms, expires_at_ms, payment_id, paid_at_ms, business_date, sell_station_id, market_area_id, team_type_code)
       VALUES (?, ?, ?, 'ticket', ?, ?, NULL, ?, '13800138000', NULL, '{}', ?, ?, ?, ?, ?, ?, NULL, NULL)`,
    ).bind(
      orderId, seed.dwid, seed.senderId ?? null, status, seed.effectDate ?? "20270101",
      seed.amountFen ?? items.reduce((t, i) => t + i.quantity * i.unitPriceFen, 0),
      createdAtMs, createdAtMs + 30 * 60_000,
      status === "paid" ? `pay-${orderId}` : null, status === "paid" ? createdAtMs + 1 : null,
      status === "paid" ? "20270101" : null, status === "paid" ? "01" : null,
    ),
    ...items.map((item, i) =>
      env.DB.prepare(
        `INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_fen, amount_fen) VALUES (?, ?, ?, ?, ?, ?)`,
      ).bind(orderId, i + 1, item.productId, item.quantity, item.unitPriceFen, item.quantity * item.unitPriceFen),
    ),
    ...(seed.tickets ?? []).map((code) =>
      env.DB.prepare(`INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms) VALUES (?, ?, 1, ?, 'valid', ?)`).bind(
        code, orderId, items[0]!.productId, createdAtMs + 1,
      ),
    ),
  ];
  await env.DB.batch(statements);
  return orderId;
}

async function aBillRow(seed: { dwid: string; billNum?: string; senderBillNum?: string | null; status?: "unpaid" | "paid"; amountFen?: number; createdAtMs?: number }): Promise<string> {
  const billNum = seed.billNum ?? uniqueId("b").slice(0, 20);
  const status = seed.status ?? "unpaid";
  const createdAtMs = seed.createdAtMs ?? Date.now();
  await env.DB.prepare(
    `INSERT INTO pos_bills (bill_num, dwid, sender_bill_num, status, amount_fen, rnd_code, payment_id, created_at_ms, paid_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(billNum, seed.dwid, seed.senderBillNum ?? null, status, seed.amountFen ?? 1_250,
      status === "paid" ? "123456" : null, status === "paid" ? `pay-${billNum}` : null, createdAtMs, status === "paid" ? createdAtMs + 1 : null)
    .run();
  return billNum;
}

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
    expect(Object.keys(row!).sort()).toEqual([
      "callback_secret_sealed", "callback_secret_set_at_ms", "callback_url", "contact_mobile", "created_at_ms", "dwid", "dwlx", "low_balance_fen", "name",
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

describe("products", () => {
  const insurance = {
    mode: "optional", price: 5.5, count: 1, planCode: "PLAN-A", planName: "游客意外险",
    destZone: "黄山", timeRange: 365,
    holder: { type: "2", companyName: "景区公司", companyCode: "91340000", address: "黄山", contactName: "张三", contactPhone: "0559-1234567", email: "a@b.cn" },
  };

  it("PUT creates (201) and updates (200); GET reads it back; insurance round-trips in yuan", async () => {
    const id = uniqueId("pr");
    const created = await admin("PUT", `/admin/products/${id}`, { name: "年卡", kind: "yearcard", price: 199.9, realName: true, maxPerOrder: 1, insurance });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      productId: id, name: "年卡", kind: "yearcard", price: 199.9, realName: true, maxPerOrder: 1,
      limitPerIdPerDay: null, limitPerMobilePerDay: null, onSale: true, insurance,
    });
    const updated = await admin("PUT", `/admin/products/${id}`, { name: "年卡(新)", kind: "yearcard", price: 209, onSale: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "年卡(新)", price: 209, onSale: false, insurance: null, realName: false });
    expect(await admin("GET", `/admin/products/${id}`)).toEqual({ status: 200, body: updated.body });
  });

  it("GET of an unknown product is 404 (6005)", async () => {
    const r = await admin("GET", `/admin/products/${uniqueId("none")}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.productNotFound.code);
  });

  const invalid: [string, unknown, string][] = [
    ["kind unknown", { name: "a", kind: "food", price: 1 }, "kind"],
    ["price with 3 decimals", { name: "a", kind: "ticket", price: 1.234 }, "price"],
    ["price negative", { name: "a", kind: "ticket", price: -1 }, "price"],
    ["name missing", { kind: "ticket", price: 1 }, "name"],
    ["maxPerOrder 0", { name: "a", kind: "ticket", price: 1, maxPerOrder: 0 }, "maxPerOrder"],
    ["insurance mode unknown", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, mode: "sometimes" } }, "insurance.mode"],
    ["insurance price with 3 decimals", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, price: 0.001 } }, "insurance.price"],
    ["insurance holder type 3", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, holder: { ...insurance.holder, type: "3" } } }, "insurance.holder.type"],
  ];
  it.each(invalid)("PUT refuses %s (400 naming the field); nothing stored", async (_label, body, field) => {
    const id = uniqueId("pr");
    const r = await admin("PUT", `/admin/products/${id}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
    expect((await admin("GET", `/admin/products/${id}`)).status).toBe(404);
  });

  it("PUT refuses a product id with a dot (400, field productid)", async () => {
    const r = await admin("PUT", "/admin/products/a.b", { name: "a", kind: "ticket", price: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "productid" });
  });

  it("the list filters by kind and pages through every product exactly once", async () => {
    const prefix = uniqueId("pl");
    const mine = { yearcard: [] as string[], retail: [] as string[] };
    for (let i = 0; i < 5; i++) {
      const kind = i < 3 ? "yearcard" : "retail";
      const id = `${prefix}-${i}`;
      mine[kind].push(id);
      expect((await admin("PUT", `/admin/products/${id}`, { name: `p${i}`, kind, price: i + 1 })).status).toBe(201);
    }
    const yearcards = (await allPages("/admin/products?kind=yearcard", 2)).flat();
    expect(yearcards.every((p) => p.kind === "yearcard")).toBe(true);
    expect(yearcards.filter((p) => p.productId.startsWith(prefix)).map((p) => p.productId)).toEqual(mine.yearcard);
    const everything = (await allPages("/admin/products", 3)).flat().map((p) => p.productId);
    expect(new Set(everything).size).toBe(everything.length);
    expect(everything.filter((id) => id.startsWith(prefix))).toEqual([...mine.yearcard, ...mine.retail]);
    expect([...everything].sort()).toEqual(everything);
  });

  it("the list refuses an unknown kind (400, field kind)", async () => {
    const r = await admin("GET", "/admin/products?kind=food");
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "kind" });
  });
});

describe("calendar", () => {
  async function aProduct(): Promise<string> {
    const id = uniqueId("cal");
    expect((await admin("PUT", `/admin/products/${id}`, { name: "门票", kind: "ticket", price: 100 })).status).toBe(201);
    return id;
  }
  const timeslots = [
    { index: 1, start: "08:00", end: "12:00", capacity: 60 },
    { index: 2, start: "12:00", end: "17:00", capacity: 60 },
  ];

  it("PUT a day then GET its month: days of that month only, in date order", async () => {
    const id = await aProduct();
    const put = await admin("PUT", `/admin/products/${id}/calendar/20270215`, { stock: 100, price: 88.8, timeslots });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ day: "20270215", stock: 100, price: 88.8, timeslots });
    for (const day of ["20270131", "20270201", "20270228", "20270301"]) {
      expect((await admin("PUT", `/admin/products/${id}/calendar/${day}`, { stock: 5 })).status).toBe(200);
    }
    const month = await admin("GET", `/admin/products/${id}/calendar?month=202702`);
    expect(month.status).toBe(200);
    expect(month.body.productId).toBe(id);
    expect(month.body.month).toBe("202702");
    expect(month.body.days.map((d: { day: string }) => d.day)).toEqual(["20270201", "20270215", "20270228"]);
    expect(month.body.days[1]).toMatchObject({ stock: 100, price: 88.8, timeslots });
    expect(month.body.days[0]).toMatchObject({ stock: 5, price: null, timeslots: null });
  });

  it("PUT again replaces the day", async () => {
    const id = await aProduct();
    await admin("PUT", `/admin/products/${id}/calendar/20270510`, { stock: 100, price: 50, timeslots });
    const again = await admin("PUT", `/admin/products/${id}/calendar/20270510`, { stock: 7 });
    expect(again.body).toMatchObject({ day: "20270510", stock: 7, price: null, timeslots: null });
    expect((await admin("GET", `/admin/products/${id}/calendar?month=202705`)).body.days).toHaveLength(1);
  });

  const invalid: [string, string, unknown, string | undefined][] = [
    ["a day that does not exist", "20270230", { stock: 1 }, undefined],
    ["a day not in yyyyMMdd", "2027-02-01", { stock: 1 }, undefined],
    ["negative stock", "20270201", { stock: -1 }, "stock"],
    ["fractional stock", "20270201", { stock: 1.5 }, "stock"],
    ["price with 3 decimals", "20270201", { stock: 1, price: 1.005 }, "price"],
    ["slot capacities below the stock", "20270201", { stock: 121, timeslots }, "timeslots"],
    ["two slots with one index", "20270201", { stock: 1, timeslots: [timeslots[0], { ...timeslots[1], index: 1 }] }, "timeslots"],
    ["a slot ending before it starts", "20270201", { stock: 1, timeslots: [{ index: 1, start: "12:00", end: "08:00", capacity: 5 }] }, "timeslots[0].end"],
    ["a slot time that is not HH:mm", "20270201", { stock: 1, timeslots: [{ index: 1, start: "8:00", end: "12:00", capacity: 5 }] }, "timeslots[0].start"],
  ];
  it.each(invalid)("PUT refuses %s (400)", async (_label, day, body, field) => {
    const id = await aProduct();
    const r = await admin("PUT", `/admin/products/${id}/calendar/${day}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(INVALID);
    if (field) expect(r.body.error.field).toBe(field);
    else expect(r.body.error.message).toContain("yyyyMMdd");
  });

  it("a bad day in the path is named as the path's day, not as the body", async () => {
    const id = await aProduct();
    const r = await admin("PUT", `/admin/products/${id}/calendar/20270230`, { stock: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).not.toContain("请求体");
    expect(r.body.error.field).toBe("day");
  });

  it.each([
    ["a month that does not exist", "month=202713"],
    ["no month", ""],
    ["a month with a day", "month=20270201"],
  ])("GET refuses %s (400, field month)", async (_label, query) => {
    const id = await aProduct();
    const r = await admin("GET", `/admin/products/${id}/calendar?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "month" });
  });

  it("PUT and GET for an unknown product are 404", async () => {
    const id = uniqueId("none");
    expect((await admin("PUT", `/admin/products/${id}/calendar/20270201`, { stock: 1 })).status).toBe(404);
    expect((await admin("GET", `/admin/products/${id}/calendar?month=202702`)).status).toBe(404);
  });
});

// ------------------------------------------------------------------ orders and bills

describe("orders", () => {
  it("GET /admin/orders/{orderid} shows the order with its items and tickets, amounts in yuan", async () => {
    const c = await aCustomer();
    const orderId = await anOrderRow({
      dwid: c.dwid, senderId: "TC-1", status: "paid",
      items: [{ productId: "P1", quantity: 2, unitPriceFen: 6_050 }, { productId: "P2", quantity: 1, unitPriceFen: 1 }],
      tickets: [`T${crypto.randomUUID()}`, `T${crypto.randomUUID()}`],
    });
    const r = await admin("GET", `/admin/orders/${orderId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orderId, dwid: c.dwid, senderId: "TC-1", status: "paid", amount: 121.01, sellStationId: "01" });
    expect(r.body.items).toEqual([
      expect.objectContaining({ lineNo: 1, productId: "P1", quantity: 2, unitPrice: 60.5, amount: 121 }),
      expect.objectContaining({ lineNo: 2, productId: "P2", quantity: 1, unitPrice: 0.01, amount: 0.01 }),
    ]);
    expect(r.body.tickets).toHaveLength(2);
  });

  it("GET of an unknown order is 404", async () => {
    const r = await admin("GET", `/admin/orders/${uniqueId("none").slice(0, 20)}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.orderNotFound.code);
  });

  it("GET of an order id longer than 20 characters is 400", async () => {
    const r = await admin("GET", `/admin/orders/${"9".repeat(21)}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "orderid" });
  });

  it("the list filters by customer, date, status and q, newest first, and pages through ties exactly once", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const t = Date.now();
    const ids: string[] = [];
    // Four orders created in the same millisecond: the cursor must break the tie.
    for (let i = 0; i < 4; i++) ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}T${i}`, createdAtMs: t, senderId: `S-${c.dwid}-${i}` }));
    ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}N`, createdAtMs: t + 5, status: "paid", effectDate: "20270202" }));
    ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}O`, createdAtMs: t - 5, status: "cancelled" }));
    await anOrderRow({ dwid: other.dwid, createdAtMs: t });

    const expected = [`${c.dwid.slice(-8)}N`, ...[3, 2, 1, 0].map((i) => `${c.dwid.slice(-8)}T${i}`), `${c.dwid.slice(-8)}O`];
    for (const limit of [1, 2, 4, 10]) {
      const pages = await allPages(`/admin/orders?customer=${c.dwid}`, limit);
      expect(pages.flat().map((o) => o.orderId)).toEqual(expected);
    }
    const perCustomer = await allPages(`/admin/customers/${c.dwid}/orders`, 2);
    expect(perCustomer.flat().map((o) => o.orderId)).toEqual(expected);

    const paid = await admin("GET", `/admin/orders?customer=${c.dwid}&status=paid`);
    expect(paid.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}N`]);
    const onDate = await admin("GET", `/admin/orders?customer=${c.dwid}&date=20270202`);
    expect(onDate.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}N`]);
    const byOrderId = await admin("GET", `/admin/orders?q=${encodeURIComponent(`${c.dwid.slice(-8)}T2`)}`);
    expect(byOrderId.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}T2`]);
    const bySender = await admin("GET", `/admin/orders?q=${encodeURIComponent(`S-${c.dwid}-1`)}`);
    expect(bySender.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}T1`]);
    const wildcard = await admin("GET", `/admin/orders?customer=${c.dwid}&q=${encodeURIComponent("%")}`);
    expect(wildcard.body.items).toEqual([]);
  });

  it.each([
    ["an unknown status", "status=lost", "status"],
    ["a date that does not exist", "date=20270230", "date"],
  ])("the list refuses %s (400)", async (_label, query, field) => {
    const r = await admin("GET", `/admin/orders?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
  });
});

describe("bills", () => {
  it("the list filters by customer, newest first, and pages through every bill exactly once", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const t = Date.now();
    const nums: string[] = [];
    for (let i = 0; i < 5; i++) {
      nums.push(await aBillRow({ dwid: c.dwid, billNum: `${c.dwid.slice(-8)}B${i}`, createdAtMs: t + (i < 3 ? 0 : i), status: i % 2 ? "paid" : "unpaid", amountFen: 100 * (i + 1) }));
    }
    await aBillRow({ dwid: other.dwid, createdAtMs: t });
    const expected = [nums[4], nums[3], nums[2], nums[1], nums[0]];
    for (const limit of [1, 2, 5]) {
      const pages = await allPages(`/admin/bills?customer=${c.dwid}`, limit);
      expect(pages.flat().map((b) => b.billNum)).toEqual(expected);
    }
    const r = await admin("GET", `/admin/bills?customer=${c.dwid}&limit=1`);
    expect(r.body.items[0]).toMatchObject({ billNum: nums[4], dwid: c.dwid, status: "unpaid", amount: 5, rndCode: null, paidAt: null });
    const second = await admin("GET", `/admin/bills?customer=${c.dwid}&limit=1&cursor=${encodeURIComponent(r.body.nextCursor)}`);
    expect(second.body.items[0]).toMatchObject({ billNum: nums[3], status: "paid", amount: 4, rndCode: "123456" });
  });
});
