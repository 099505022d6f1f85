/**
 * Every statement src/db/ prepares stays cheap as the stores grow (issue 19):
 * each db/ function runs once on realistic data through a recording D1
 * binding (test/helpers/recording-d1.ts), and SQLite's EXPLAIN QUERY PLAN of
 * each statement it sent may not SCAN a table that grows with traffic —
 * a statement reaches those rows by an index (SEARCH), or it does not reach
 * them. A list page walks its index from the page key and is never sorted.
 *
 * "Every" is checked too: each exported function of each src/db module is
 * either run here (CASES) or named in NO_STATEMENTS with why it prepares
 * none. A new db/ function fails this test until it is added to one of them.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordingD1, type RecordedStatement } from "../helpers/recording-d1";

/** Tables that grow with sales; the others are configuration (customers, products, calendar, gates). */
const GROWING = new Set([
  "orders", "order_items", "tickets", "payments", "refunds", "outbox", "outbox_deliveries", "ledger_copy", "order_fences", "pos_bills",
  "pos_bill_items", "order_date_changes",
]);

type Db = typeof import("../../src/db/orders") &
  typeof import("../../src/db/payments") &
  typeof import("../../src/db/bills") &
  typeof import("../../src/db/customers") &
  typeof import("../../src/db/products") &
  typeof import("../../src/db/catalogue-cache") &
  typeof import("../../src/db/callback-secrets") &
  typeof import("../../src/db/outbox") &
  typeof import("../../src/db/ledger-copy") &
  typeof import("../../src/db/gates") &
  typeof import("../../src/db/refunds") &
  typeof import("../../src/db/date-changes") &
  typeof import("../../src/db/resends") &
  typeof import("../../src/db/order-search") &
  typeof import("../../src/db/reports") &
  typeof import("../../src/db/calendar-bulk") &
  typeof import("../../src/db/checkins") &
  typeof import("../../src/db/statements") &
  typeof import("../../src/db/ticket-history");

declare global {
  /** Vite's import.meta.glob, which vitest expands at transform time. */
  interface ImportMeta {
    glob<T>(pattern: string, options: { eager: true }): Record<string, T>;
  }
}

const modules = import.meta.glob<Record<string, unknown>>("../../src/db/*.ts", { eager: true });
const fileOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** Exported functions that send no SQL, and why. */
const NO_STATEMENTS: Record<string, string> = {
  "orders.ts:toOrder": "maps a row",
  "orders.ts:orderItemOf": "maps a row",
  "bills.ts:toBill": "maps a row",
  "customers.ts:escapeLike": "escapes a LIKE pattern",
  "checkins.ts:checkinsParams": "binds a range's parameters",
  "order-search.ts:orderPageQuery": "builds the list's statement (listOrders runs it)",
  "order-search.ts:exportPageQuery": "builds the export's statement (exportPage runs it)",
  "order-search.ts:keyOf": "reads a row's page key",
  "reports.ts:dashboardQueries": "builds the dashboard's statements (readDashboard runs them)",
  "statements.ts:recordKey": "names an entry's D1 record",
  "pages.ts:encodeCursor": "encodes a page key",
  "pages.ts:decodeCursor": "decodes a page key",
  "pages.ts:pageOf": "cuts a page",
  "pages.ts:newestFirstAfter": "decodes a page key",
  "pages.ts:parameters": "numbers a statement's parameters",
  "payments.ts:parseOrderLoad": "reads a batch's results",
  "payments.ts:parseBillLoad": "reads a batch's results",
  "payments.ts:parseDecided": "reads a batch's results",
  "refunds.ts:parseRefundLoad": "reads a batch's results",
  "refunds.ts:parseRefundDecided": "reads a batch's results",
  "catalogue-cache.ts:forgetProduct": "forgets cached entries",
  "callback-secrets.ts:callbackSecretContext": "names a sealing context",
};

/**
 * Plans allowed to scan a growing table on this branch, with why. The
 * operators' order list is rebuilt on indexes by the ops-console branch
 * (src/db/order-search.ts, migration 0011, its own test/api/query-plans.test.ts):
 * at the merge this entry goes and that module's functions join CASES.
 */
const KNOWN_SCANS: Record<string, string> = {};

/** Searches on a wide key that stay small by nature, and why. */
const WIDE_OK: Record<string, string> = {
  "reports.ts:readDashboard": "counts notifications failed or given up: operators retry or drop them, so they stay few",
};

/** Pages that sort what they matched, and why that is few rows. */
const SORTS_FEW: Record<string, RegExp> = {
  // Matching an order id or senderid prefix: the orders it names, sorted; the other filters walk their index.
  "order-search.ts:listOrders": /sender_id >= /,
};

const now = Date.now();
const uid = (prefix: string) => `${prefix}${now.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`.slice(0, 20);
const C = uid("PC");
const P = uid("PP");
const DAY = "20991230";
const ORDER = uid("2099").padEnd(20, "0").slice(0, 20);
const CANCELLABLE = uid("2098").padEnd(20, "1").slice(0, 20);
const SENDER = uid("S-");
const BILL = uid("B");
const INTENT = uid("I-");
const REFUND_INTENT = uid("R-");
const OUTBOX = `order-paid:${ORDER}`;
const GATE = uid("G");
const TICKET = `9${String(now).padStart(17, "0")}`;
const TICKET2 = `8${String(now).padStart(17, "0")}`;
const ID_NUMBER = "110101199003074477";

type Case = [name: string, run: (db: D1Database, m: Db) => Promise<unknown>, options?: { page?: boolean }];

/** Run in this order on one database: each finds what the ones before wrote. */
const CASES: Case[] = [
  ["customers.ts:upsertCustomer", (db, m) => m.upsertCustomer(db, { dwid: C, dwlx: "1", name: "计划旅行社", callbackUrl: "https://partner.example/cb", contactMobile: "13900139000", suspended: false, lowBalanceFen: 50_000, credentialsVersion: 1 }, now)],
  ["customers.ts:forgetCredentialsVersion", async (db, m) => {
    await m.forgetCredentialsVersion(db, C);
    await m.upsertCustomer(db, { dwid: C, dwlx: "1", name: "计划旅行社", callbackUrl: undefined, contactMobile: undefined, suspended: false, lowBalanceFen: 50_000, credentialsVersion: 1 }, now);
  }],
  ["callback-secrets.ts:storeCallbackSecret", (db, m) => m.storeCallbackSecret(db, C, "sealed", now, true)],
  ["customers.ts:getCustomer", (db, m) => m.getCustomer(db, C)],
  ["customers.ts:customersWithThreshold", (db, m) => m.customersWithThreshold(db, 201)],
  ["customers.ts:listCustomers", async (db, m) => [await m.listCustomers(db, { limit: 10 }), await m.listCustomers(db, { search: "计划", limit: 10 })]],
  ["products.ts:upsertProduct", (db, m) =>
    m.upsertProduct(db, { productId: P, name: "计划门票", kind: "ticket", priceFen: 100, realName: true, maxPerOrder: null, limitPerIdPerDay: 5, limitPerMobilePerDay: 5, insurance: null, onSale: true, refund: null }, now)],
  ["products.ts:getProduct", (db, m) => m.getProduct(db, P)],
  ["products.ts:getProducts", (db, m) => m.getProducts(db, [P])],
  ["products.ts:listProducts", async (db, m) => [await m.listProducts(db, { limit: 10 }), await m.listProducts(db, { kind: "ticket", limit: 10 })]],
  ["products.ts:upsertCalendarDay", (db, m) => m.upsertCalendarDay(db, { productId: P, day: DAY, stock: 100, priceFen: null, timeslots: null, updatedAtMs: now })],
  ["products.ts:getCalendarDay", (db, m) => m.getCalendarDay(db, P, DAY)],
  ["products.ts:listCalendarMonth", (db, m) => m.listCalendarMonth(db, P, DAY.slice(0, 6))],
  ["products.ts:productDaysBetween", (db, m) => m.productDaysBetween(db, "20990101", DAY, 1000)],
  ["products.ts:getCatalogue", (db, m) => m.getCatalogue(db, [P], DAY)],
  ["products.ts:getProductCalendar", (db, m) => m.getProductCalendar(db, P, `${DAY.slice(0, 6)}01`, DAY)],
  ["catalogue-cache.ts:readCatalogue", (db, m) => m.readCatalogue(db, [P], DAY, 0, now)],
  ["catalogue-cache.ts:readProductCalendar", (db, m) => m.readProductCalendar(db, P, `${DAY.slice(0, 6)}01`, DAY, 0, now)],
  ["orders.ts:insertOrder", async (db, m) => {
    // The first under a session guard (a session from the isolate's cache), the second without.
    for (const [orderId, senderId, sessionVersion] of [[ORDER, SENDER, 1], [CANCELLABLE, null, null]] as const) {
      await m.insertOrder(db, {
        orderId, dwid: C, senderId, kind: "ticket", effectDate: DAY, timespanIndex: null, amountFen: 200, mobile: "13800138000", idNumber: ID_NUMBER,
        requestJson: "{}", createdAtMs: now, expiresAtMs: now + 1_800_000, sessionVersion,
        items: [{ lineNo: 1, itemKind: "ticket", productId: P, quantity: 2, unitPriceFen: 100, fullname: "张三", idType: "1", idNumber: ID_NUMBER, mobile: "13800138000", timespanIndex: null, seatIds: [] }],
      });
    }
  }],
  ["orders.ts:findOrderBySender", (db, m) => m.findOrderBySender(db, C, SENDER)],
  ["orders.ts:getOrder", (db, m) => m.getOrder(db, ORDER)],
  ["orders.ts:getOrderDetail", (db, m) => m.getOrderDetail(db, ORDER)],
  ["orders.ts:getOwnOrderDetail", async (db, m) => [
    await m.getOwnOrderDetail(db, C, { orderId: ORDER, senderId: null }),
    await m.getOwnOrderDetail(db, C, { orderId: null, senderId: SENDER }),
    await m.getOwnOrderDetail(db, C, { orderId: ORDER, senderId: SENDER }),
  ]],
  ["order-search.ts:listOrders", async (db, m) => {
    for (const f of [{}, { dwid: C }, { effectDate: DAY }, { status: "unpaid" as const }, { q: ORDER.slice(0, 10) }]) await m.listOrders(db, { ...f, limit: 50 });
  }, { page: true }],
  ["order-search.ts:exportPage", async (db, m) => {
    for (const f of [{}, { dwid: C }, { status: "unpaid" as const }]) await m.exportPage(db, f, null, 50);
  }],
  ["orders.ts:countLiveUnits", (db, m) => m.countLiveUnits(db, { productId: P, effectDate: DAY, nowMs: now, idNumbers: [ID_NUMBER], mobiles: ["13800138000"] })],
  ["orders.ts:cancelUnpaidOrder", (db, m) => m.cancelUnpaidOrder(db, CANCELLABLE, now)],
  ["orders.ts:readFates", (db, m) => m.readFates(db, [ORDER, CANCELLABLE, uid("F")])],
  ["orders.ts:expireAndReadFates", (db, m) => m.expireAndReadFates(db, [uid("F"), CANCELLABLE], now)],
  ["payments.ts:orderLoadStatements", (db, m) => db.batch(m.orderLoadStatements(db, ORDER))],
  ["payments.ts:orderPaymentStatements", (db, m) =>
    db.batch(m.orderPaymentStatements(db, {
      intentId: INTENT, dwid: C, orderId: ORDER, amountFen: 200, paidAtMs: now + 1, businessDate: DAY, sellStationId: null, marketAreaId: null, teamTypeCode: null,
      tickets: [{ code: TICKET, lineNo: 1, productId: P }, { code: TICKET2, lineNo: 1, productId: P }], outboxId: OUTBOX, outboxPayload: "{}",
    }))],
  ["payments.ts:settleDecision", (db, m) => m.settleDecision(db, { intentId: INTENT, dwid: C, targetKind: "order", targetId: ORDER, amountFen: 200 }, now + 2)],
  ["bills.ts:insertBill", async (db, m) => [
    await m.insertBill(db, { billNum: BILL, dwid: C, senderBillNum: `${BILL}-s`, amountFen: 100, createdAtMs: now, items: [{ productId: P, quantity: 1, unitPriceFen: 100 }] }),
    await m.insertBill(db, { billNum: `${BILL}2`, dwid: C, senderBillNum: null, amountFen: 100, createdAtMs: now, items: [{ productId: P, quantity: 1, unitPriceFen: 100 }] }),
  ]],
  ["bills.ts:findOwnBill", (db, m) => m.findOwnBill(db, C, BILL, `${BILL}-s`)],
  ["bills.ts:listBills", async (db, m) => [await m.listBills(db, { limit: 50 }), await m.listBills(db, { dwid: C, limit: 50 })], { page: true }],
  ["payments.ts:billLoadStatements", async (db, m) => [
    await db.batch(m.billLoadStatements(db, { billNum: BILL, senderBillNum: null }, C)),
    await db.batch(m.billLoadStatements(db, { billNum: null, senderBillNum: `${BILL}-s` }, C)),
  ]],
  ["payments.ts:billPaymentStatements", (db, m) =>
    db.batch(m.billPaymentStatements(db, { intentId: `${INTENT}b`, dwid: C, billNum: BILL, amountFen: 100, paidAtMs: now + 3, rndCode: "123456", outboxId: `bill-paid:${BILL}`, outboxPayload: "{}" }))],
  ["outbox.ts:getOutbox", (db, m) => m.getOutbox(db, OUTBOX)],
  ["outbox.ts:listOutbox", async (db, m) => [await m.listOutbox(db, { limit: 50 }), await m.listOutbox(db, { status: "pending", limit: 50 })], { page: true }],
  ["outbox.ts:listDue", (db, m) => m.listDue(db, { pendingBeforeMs: now + 10, staleBeforeMs: now - 600_000, limit: 100 })],
  ["outbox.ts:markEnqueued", (db, m) => m.markEnqueued(db, [OUTBOX], ["pending"], now + 4)],
  ["outbox.ts:loadDeliveryView", (db, m) => m.loadDeliveryView(db, OUTBOX)],
  ["outbox.ts:loadDeliveryViews", (db, m) => m.loadDeliveryViews(db, [OUTBOX, `bill-paid:${BILL}`])],
  ["outbox.ts:recordAttempt", (db, m) => m.recordAttempt(db, OUTBOX, [{ channel: "sms", status: "logged", target: "138****8000", error: null }], { status: "enqueued", error: "callback 500" }, now + 5)],
  ["outbox.ts:recordAttempts", (db, m) => m.recordAttempts(db, [{ id: OUTBOX, channels: [{ channel: "callback", status: "sent", target: "https://partner.example/cb", error: null }], outcome: { status: "sent" } }], now + 6)],
  ["outbox.ts:requeue", (db, m) => m.requeue(db, `bill-paid:${BILL}`, now + 7)],
  ["outbox.ts:purgeSent", (db, m) => m.purgeSent(db, now - 30 * 86_400_000, 500)],
  ["outbox.ts:markDeadLettered", (db, m) => m.markDeadLettered(db, [`bill-paid:${BILL}`], now + 8)],
  ["ledger-copy.ts:insertLedgerCopies", (db, m) =>
    m.insertLedgerCopies(db, C, [{ seq: 1, kind: "deposit", amountFen: 1000, balanceAfterFen: 1000, reference: "dep-1", createdAtMs: now }, { seq: 2, kind: "debit", amountFen: 200, balanceAfterFen: 800, reference: INTENT, createdAtMs: now }])],
  ["gates.ts:putGate", (db, m) => m.putGate(db, { gateId: GATE, name: "东门", products: [P], tokenSha256: uid("h") }, now)],
  ["gates.ts:getGate", (db, m) => m.getGate(db, GATE)],
  ["gates.ts:rotateGateToken", (db, m) => m.rotateGateToken(db, GATE, uid("h2"), now)],
  ["gates.ts:listGates", (db, m) => m.listGates(db, { limit: 10 })],
  ["gates.ts:ticketByCode", (db, m) => m.ticketByCode(db, TICKET)],
  ["gates.ts:ticketsOfHolder", (db, m) => m.ticketsOfHolder(db, ID_NUMBER, DAY, "20980101")],
  ["gates.ts:checkTicket", (db, m) =>
    m.checkTicket(db, { ticketCode: TICKET, holdKey: ORDER, gateId: GATE, checkId: "scan-1", nowMs: now + 9, outboxId: `ticket-used:${TICKET}`, outboxPayload: "{}", dwid: C })],
  ["gates.ts:ticketByCheck", (db, m) => m.ticketByCheck(db, GATE, "scan-1")],
  ["resends.ts:insertResendIfAllowed", (db, m) => m.insertResendIfAllowed(db, { orderId: ORDER, dwid: C, mobile: "13800138000", nowMs: now + 10 })],
  ["refunds.ts:refundLoadStatements", async (db, m) => [
    await db.batch(m.refundLoadStatements(db, C, { orderId: ORDER, senderId: null })),
    await db.batch(m.refundLoadStatements(db, C, { orderId: null, senderId: SENDER })),
  ]],
  ["refunds.ts:refundStatements", (db, m) =>
    db.batch(m.refundStatements(db, {
      intentId: REFUND_INTENT, dwid: C, refundNo: "RF-1", orderId: ORDER, amountFen: 100, feeFen: 0, tickets: [TICKET2], reason: null, requestedBy: "partner", holdKey: ORDER,
    }, { id: `order-refunded:${REFUND_INTENT}`, payload: "{}" }, now + 11))],
  ["refunds.ts:settleRefundDecision", (db, m) =>
    m.settleRefundDecision(db, { intentId: `${REFUND_INTENT}x`, dwid: C, refundNo: "RF-2", orderId: ORDER, amountFen: 100, feeFen: 0, tickets: [TICKET], reason: null, requestedBy: "operator", holdKey: ORDER }, now + 12)],
  ["refunds.ts:refundsOfOrder", (db, m) => m.refundsOfOrder(db, ORDER)],
  ["refunds.ts:listRefunds", async (db, m) => [
    await m.listRefunds(db, { limit: 50 }),
    await m.listRefunds(db, { dwid: C, limit: 50 }),
    await m.listRefunds(db, { fromMs: now - 86_400_000, toMs: now + 86_400_000, limit: 50 }),
    await m.listRefunds(db, { dwid: C, fromMs: now - 86_400_000, toMs: now + 86_400_000, limit: 50 }),
  ], { page: true }],
  ["date-changes.ts:changeOrderDate", (db, m) =>
    m.changeOrderDate(db, { changeId: uid("CH"), orderId: ORDER, dwid: C, fromHoldKey: ORDER, fromDate: DAY, fromTimespan: null, toDate: "20991231", toTimespan: null, slotByProduct: new Map([[P, null]]), decidedAtMs: now + 13 })],
  ["date-changes.ts:dateChangesOfOrder", (db, m) => m.dateChangesOfOrder(db, ORDER)],
  ["ticket-history.ts:ticketRecordByCode", (db, m) => m.ticketRecordByCode(db, TICKET)],
  ["ticket-history.ts:ticketRecordsOfHolder", (db, m) => m.ticketRecordsOfHolder(db, ID_NUMBER, 50)],
  ["ticket-history.ts:dateChangesOfOrders", (db, m) => m.dateChangesOfOrders(db, [ORDER])],
  ["checkins.ts:checkinGroups", async (db, m) => [
    await m.checkinGroups(db, { fromMs: now - 86_400_000, toMs: now + 86_400_000 }),
    await m.checkinGroups(db, { fromMs: now - 86_400_000, toMs: now + 86_400_000, productId: P, gateId: GATE }),
  ]],
  ["reports.ts:readDashboard", (db, m) => m.readDashboard(db, { fromMs: now - 30 * 86_400_000, dayMs: now - 3_600_000, toMs: now + 86_400_000 })],
  ["calendar-bulk.ts:commitCalendarBulk", (db, m) =>
    m.commitCalendarBulk(db, { token: uid("BK"), productId: P, stock: 100, priceFen: null, timeslots: null, days: [{ day: "20991229", version: now }] }, now)],
  ["calendar-bulk.ts:settleCalendarBulk", (db, m) => m.settleCalendarBulk(db, uid("BK"), P, now)],
  ["statements.ts:d1RecordsOf", (db, m) =>
    m.d1RecordsOf(db, C, [
      { seq: 1, kind: "deposit", amountFen: 1000, balanceAfterFen: 1000, reference: "dep-1", target: null, refundNo: null, createdAtMs: now },
      { seq: 2, kind: "debit", amountFen: 200, balanceAfterFen: 800, reference: INTENT, target: `order:${ORDER}`, refundNo: null, createdAtMs: now },
      { seq: 3, kind: "refund", amountFen: 100, balanceAfterFen: 900, reference: REFUND_INTENT, target: `order:${ORDER}`, refundNo: "RF-1", createdAtMs: now },
    ])],
  ["statements.ts:d1CommitsPage", async (db, m) => [
    await m.d1CommitsPage(db, { dwid: C, kind: "debit", fromMs: now - 86_400_000, toMs: now + 86_400_000, cursor: null, limit: 500 }),
    await m.d1CommitsPage(db, { dwid: C, kind: "refund", fromMs: now - 86_400_000, toMs: now + 86_400_000, cursor: null, limit: 500 }),
  ]],
  ["outbox.ts:insertBalanceLow", (db, m) =>
    m.insertBalanceLow(db, { id: `balance-low:${C}:1`, dwid: C, balanceFen: 100, availableFen: 100, thresholdFen: 50_000, atMs: now, cause: "debit", ledgerSeq: 2 }, now)],
];

interface Planned extends RecordedStatement {
  plan: string[];
}

/** Alias → table, as the statement's FROM, JOIN, UPDATE and INTO clauses name them. */
function tablesOf(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  const keyword = /^(where|on|join|left|inner|cross|group|order|limit|indexed|using|set|values|union|and|or|select|as)$/i;
  for (const m of sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_]+)(?:\s+(?:AS\s+)?([a-z_]+))?/gi)) {
    const table = m[1]!.toLowerCase();
    out.set(table, table);
    if (m[2] && !keyword.test(m[2])) out.set(m[2].toLowerCase(), table);
  }
  return out;
}

/** The plan's lines that read a growing table whole: "SCAN <table or alias>" (a virtual table, json_each, is one value). */
function growingScans(s: Planned): string[] {
  const tables = tablesOf(s.sql);
  return s.plan.filter((line) => {
    const m = /^SCAN (\w+)/.exec(line);
    if (!m || / VIRTUAL TABLE /.test(line)) return false;
    return GROWING.has(tables.get(m[1]!.toLowerCase()) ?? m[1]!.toLowerCase());
  });
}

/** Columns one value of which names one row or a handful (an order, a buyer, a ticket's scan). */
const NARROW = new Set([
  "order_id", "ticket_code", "intent_id", "id", "bill_num", "change_id", "outbox_id", "sender_id", "sender_bill_num", "mobile", "id_number",
  "refund_no", "check_id", "target_id", "token_sha256", "gate_id", "seq", "reference", "rowid",
]);

/**
 * The plan's lines that reach a growing table by an index but on a key that
 * names a share of the whole table — a customer (dwid=?), a day
 * (effect_date=?), a status — with no range to bound it: as costly as a scan
 * once a customer or a day is big. A range (a time window, a page key) bounds it.
 */
function wideSearches(s: Planned): string[] {
  const tables = tablesOf(s.sql);
  return s.plan.filter((line) => {
    const m = /^SEARCH (\w+) (?:EXISTS )?USING (?:COVERING )?(?:INDEX \w+|INTEGER PRIMARY KEY) \((.*)\)( LEFT-JOIN)?$/.exec(line);
    if (!m || !GROWING.has(tables.get(m[1]!.toLowerCase()) ?? m[1]!.toLowerCase())) return false;
    const terms = m[2]!.split(" AND ");
    const narrow = terms.some((t) => NARROW.has(/^(\w+)=\?$/.exec(t)?.[1] ?? ""));
    const ranged = terms.some((t) => /[<>]/.test(t));
    return !narrow && !ranged;
  });
}

describe("every statement src/db/ prepares", async () => {
  const recorded: RecordedStatement[] = [];
  let caller = "";
  const db = recordingD1(env.DB, recorded, () => caller);
  const all = Object.assign({}, ...Object.values(modules)) as Db;
  for (const [name, run] of CASES) {
    caller = name;
    await run(db, all);
  }
  const planned: Planned[] = [];
  const seen = new Set<string>();
  for (const s of recorded) {
    if (seen.has(`${s.caller}\u0000${s.sql}`)) continue;
    seen.add(`${s.caller}\u0000${s.sql}`);
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).bind(...s.params).all<{ detail: string }>();
    planned.push({ ...s, plan: results.map((r) => r.detail) });
  }

  it("is sent by some case: every exported db/ function is run here or said to send none", () => {
    const exported = Object.entries(modules).flatMap(([path, exports]) =>
      Object.entries(exports).filter(([, v]) => typeof v === "function").map(([fn]) => `${fileOf(path)}:${fn}`),
    );
    const covered = new Set([...CASES.map(([name]) => name), ...Object.keys(NO_STATEMENTS)]);
    expect(exported.filter((name) => !covered.has(name)), "db/ functions with no case: add each to CASES (or NO_STATEMENTS, saying why)").toEqual([]);
    const stale = [...covered, ...Object.keys(KNOWN_SCANS)].filter((name) => !exported.includes(name));
    expect(stale, "cases naming no exported db/ function (renamed or moved?)").toEqual([]);
    const silent = CASES.map(([name]) => name).filter((name) => !recorded.some((s) => s.caller === name));
    expect(silent, "cases that sent no statement").toEqual([]);
  });

  it("reaches growing tables by an index, never by a scan", () => {
    const broken = planned
      .filter((s) => !(s.caller in KNOWN_SCANS))
      .map((s) => ({ caller: s.caller, sql: s.sql.replace(/\s+/g, " ").slice(0, 160), scans: growingScans(s) }))
      .filter((s) => s.scans.length > 0);
    expect(broken).toEqual([]);
  });

  it("reaches them on a key that names a few rows, or within a range", () => {
    const broken = planned
      .filter((s) => !(s.caller in KNOWN_SCANS) && !(s.caller in WIDE_OK))
      .map((s) => ({ caller: s.caller, sql: s.sql.replace(/\s+/g, " ").slice(0, 160), searches: wideSearches(s) }))
      .filter((s) => s.searches.length > 0);
    expect(broken).toEqual([]);
  });

  it("pages a list from its index: no sort of the rows it walks", () => {
    const pages = new Set(CASES.filter(([, , o]) => o?.page).map(([name]) => name));
    const sorted = planned
      .filter((s) => pages.has(s.caller) && !(s.caller in KNOWN_SCANS) && !SORTS_FEW[s.caller]?.test(s.sql))
      .filter((s) => s.plan.some((line) => /USE TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/.test(line)))
      .map((s) => ({ caller: s.caller, plan: s.plan }));
    expect(sorted).toEqual([]);
  });

  it("the known exceptions still scan (each is removed once its statement no longer does)", () => {
    for (const name of Object.keys(KNOWN_SCANS)) {
      expect(planned.filter((s) => s.caller === name).some((s) => growingScans(s).length > 0), name).toBe(true);
    }
  });
});
