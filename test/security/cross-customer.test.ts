/**
 * Every /api endpoint called by one customer with another customer's ids
 * and identity (SPEC §5.1 "no paying another customer's orders", §7 "own
 * orders only"): the victim's orders, senderids, bills, SenderBillNums and
 * dwid, with the attacker's own valid session — and, worst case, the same
 * login and pay passwords as the victim. No answer carries anything of the
 * victim's, and nothing the victim has changes: its D1 rows and its
 * AccountDO (balance, ledger, holds, sessions, lockout) are byte-for-byte
 * what they were.
 *
 * Complements what already existed: order-pay.test.ts (BOLA on the two pay
 * endpoints), orders-query.test.ts (another's order reads as unknown),
 * pos.test.ts (another's bill, another's DWID), orders.test.ts (senderids are
 * per customer), session.test.ts (tokens relabelled for another customer).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { shanghaiDate } from "../../src/domain/dates";
import { partnerEndpoints } from "../../src/endpoints/partner";
import { aCustomer, admin, loginAs, partner, uniqueId, upperMd5, type TestCustomer, type TestSession } from "../helpers/api";
import { LATER, aProduct } from "../helpers/catalogue";

interface Victim {
  c: TestCustomer;
  s: TestSession;
  paidOrder: string;
  paidTicket: string;
  unpaidOrder: string;
  cardOrder: string;
  paidBill: string;
  unpaidBill: string;
  /** The reference of the victim's deposit (its ledger's first entry). */
  depositReference: string;
  /** Everything that identifies the victim's data and must never reach the attacker. */
  secrets: string[];
}

const TODAY = () => shanghaiDate(testClock.nowMs());
const SHARED = { paid: "SHARED-PAID", unpaid: "SHARED-UNPAID", card: "SHARED-CARD", paidBill: "SB-PAID", unpaidBill: "SB-UNPAID" };

let victim: Victim;
let attacker: { c: TestCustomer; s: TestSession };
let products: { ticket: string; card: string; retail: string };

async function json(path: string, body: unknown, token: string, init: { method?: string; format?: "form" } = {}): Promise<{ status: number; text: string; body: any }> {
  const response = await partner(path, body, { token, method: init.method, format: init.format, accept: "application/json" });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

/** The victim's rows in every D1 table that holds customer data, and its AccountDO's tables. */
async function victimState(dwid: string) {
  const q = (sql: string) => env.DB.prepare(sql).bind(dwid).all().then((r) => r.results);
  const d1 = {
    customer: await q("SELECT * FROM customers WHERE dwid = ?"),
    orders: await q("SELECT * FROM orders WHERE dwid = ? ORDER BY order_id"),
    items: await q("SELECT i.* FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE o.dwid = ? ORDER BY i.order_id, i.line_no"),
    tickets: await q("SELECT t.* FROM tickets t JOIN orders o ON o.order_id = t.order_id WHERE o.dwid = ? ORDER BY t.ticket_code"),
    bills: await q("SELECT * FROM pos_bills WHERE dwid = ? ORDER BY bill_num"),
    billItems: await q("SELECT i.* FROM pos_bill_items i JOIN pos_bills b ON b.bill_num = i.bill_num WHERE b.dwid = ? ORDER BY i.bill_num, i.line_no"),
    payments: await q("SELECT * FROM payments WHERE dwid = ? ORDER BY intent_id"),
    outbox: await q("SELECT id, kind, dwid, target_id, payload_json, created_at_ms FROM outbox WHERE dwid = ? ORDER BY id"),
  };
  const object = await runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid)), (_i, state) => {
    const sql = state.storage.sql;
    return {
      totals: sql.exec("SELECT * FROM totals").toArray(),
      ledger: sql.exec("SELECT seq, kind, amount_fen, balance_after_fen, reference, target FROM ledger ORDER BY seq").toArray(),
      intents: sql.exec("SELECT * FROM intents ORDER BY intent_id").toArray(),
      sessions: sql.exec("SELECT token_sha256, session_key, created_at_ms FROM sessions ORDER BY token_sha256").toArray(),
      payFailures: sql.exec("SELECT * FROM pay_failures").toArray(),
    };
  });
  return { d1, object };
}

beforeAll(async () => {
  const retail = uniqueId("R");
  expect((await admin("PUT", `/admin/products/${retail}`, { name: "零售", kind: "retail", price: 3 })).status).toBe(201);
  products = { ticket: await aProduct({ price: 20 }, { stock: 1000 }), card: await aProduct({ kind: "yearcard", price: 50 }, { stock: 1000 }), retail };

  // The attacker shares the victim's passwords: only the session may tell them apart.
  const vc = await aCustomer({ depositYuan: 1000, loginPassword: "same-login", payPassword: "same-pay" });
  const vs = await loginAs(vc);
  const order = async (senderid: string) => (await json("/api/WebInterface/Order/Add", { orderdetails: [{ productid: products.ticket, amount: 2 }], mobile: "13800138000", effectdate: LATER(), senderid }, vs.token)).body.orderid as string;
  const bill = async (SenderBillNum: string) => (await json("/api/WebInterface/Pos/Sell/Bill/Add", { DWID: vc.dwid, DWSX: vc.dwlx, SenderBillNum, Items: [{ ProductId: retail, Amount: 2 }] }, vs.token)).body.tag.BillNum as string;
  const paidOrder = await order(SHARED.paid);
  const unpaidOrder = await order(SHARED.unpaid);
  const cardOrder = (await json("/api/Order/YearCard/AddOrder", { productid: products.card, amount: 1, mobile: "13800138000", effectdate: LATER(), BuyInsurance: "0", senderid: SHARED.card }, vs.token)).body.orderid as string;
  const paidBill = await bill(SHARED.paidBill);
  const unpaidBill = await bill(SHARED.unpaidBill);
  const cipher = await encryptPayPassword(vs.sessionKey, vc.loginPassword, vc.payPassword!);
  expect((await json("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: paidOrder, paypassword: cipher }, vs.token)).body.resultcode).toBe(0);
  const paid = await json("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: vc.dwid, DWSX: vc.dwlx, BillNum: paidBill, PayPwd: cipher }, vs.token);
  expect(paid.body.errcode).toBe(0);
  const { results: tickets } = await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ?").bind(paidOrder).all<{ ticket_code: string }>();
  const ledger = (await victimState(vc.dwid)).object.ledger;
  victim = {
    c: vc,
    s: vs,
    paidOrder,
    paidTicket: tickets[0]!.ticket_code,
    unpaidOrder,
    cardOrder,
    paidBill,
    unpaidBill,
    depositReference: ledger[0]!.reference as string,
    secrets: [
      paidOrder, unpaidOrder, cardOrder, paidBill, unpaidBill, paid.body.tag.RndCode, vs.token, vs.sessionKey, ...tickets.map((t) => t.ticket_code),
      // Its ledger: the deposit's reference, the payment intents of its debits.
      ...ledger.map((e) => e.reference as string),
    ],
  };
  const ac = await aCustomer({ depositYuan: 1000, loginPassword: "same-login", payPassword: "same-pay" });
  attacker = { c: ac, s: await loginAs(ac) };
});

/** One attack: the attacker's request naming the victim's ids; `expect` checks the answer's shape. */
type Attack = [label: string, path: string, send: () => Promise<{ status: number; text: string; body: any }>, check: (body: any) => void];

const attackerCipher = () => encryptPayPassword(attacker.s.sessionKey, attacker.c.loginPassword, attacker.c.payPassword!);
const victimCipher = () => encryptPayPassword(victim.s.sessionKey, victim.c.loginPassword, victim.c.payPassword!);
const notFoundOrder = (b: any) => expect(b).toMatchObject({ orderid: null, resultcode: 4001 });
const mismatch = (b: any) => expect(b.resultcode ?? b.errcode).toBeOneOf([2004, -1]);

function attacks(): Attack[] {
  const t = () => attacker.s.token;
  const a = () => attacker.c;
  const addBody = (senderid: string) => ({ orderdetails: [{ productid: products.ticket, amount: 1 }], mobile: "13900139000", effectdate: LATER(), senderid });
  return [
    ["Login as the victim with a guessed password, carrying the attacker's token", "/api/WebInterface/Session/Login",
      async () => json("/api/WebInterface/Session/Login", { dwid: victim.c.dwid, dwlx: victim.c.dwlx, password: await upperMd5("guess") }, t()),
      (b) => expect(b).toEqual({ errcode: 2003, errmsg: expect.any(String), tag: null })],
    ["Verify with the victim's senderid", "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify",
      () => json("/api/SpecialOta/DouYin/CalendarTicket/Order/Verify", addBody(SHARED.unpaid), t()),
      (b) => expect(b.errcode).toBe(0)],
    ["Product/Calendar of the product the victim bought shows the catalogue, nothing of the victim's", "/api/WebInterface/Product/Calendar",
      () => json("/api/WebInterface/Product/Calendar", { productid: products.ticket, begindate: LATER(), enddate: LATER() }, t()),
      (b) => expect(b).toMatchObject({ errcode: 0, tag: { productid: products.ticket, days: [{ date: LATER() }] } })],
    ["Order/Add with the victim's senderid places the attacker's own order", "/api/WebInterface/Order/Add",
      () => json("/api/WebInterface/Order/Add", addBody(SHARED.paid), t()),
      (b) => expect(b).toMatchObject({ resultcode: 0, sendid: SHARED.paid, orderstatus: "unpaid" })],
    ["Douyin Order/Add with the victim's senderid places the attacker's own order", "/api/SpecialOta/DouYin/CalendarTicket/Order/Add",
      () => json("/api/SpecialOta/DouYin/CalendarTicket/Order/Add", addBody(SHARED.unpaid), t()),
      (b) => expect(b).toMatchObject({ resultcode: 0, sendid: SHARED.unpaid, orderstatus: "unpaid" })],
    ["Query the victim's paid order by orderid", "/api/WebInterface/Order/Query",
      () => json("/api/WebInterface/Order/Query", { orderid: victim.paidOrder }, t()),
      (b) => expect(b).toEqual({ errcode: 4001, errmsg: expect.any(String), tag: null })],
    ["Query the victim's order by orderid and the victim's senderid", "/api/WebInterface/Order/Query",
      () => json("/api/WebInterface/Order/Query", { orderid: victim.paidOrder, senderid: SHARED.paid }, t()),
      (b) => expect(b.errcode).toBe(4001)],
    ["Query by a senderid only the victim has", "/api/WebInterface/Order/Query",
      () => json("/api/WebInterface/Order/Query", { senderid: SHARED.card }, t()),
      (b) => expect(b.errcode).toBe(4001)],
    ["Cancel the victim's unpaid order by orderid", "/api/WebInterface/Order/Cancel",
      () => json("/api/WebInterface/Order/Cancel", { orderid: victim.unpaidOrder }, t()),
      (b) => expect(b).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: 4001, returnmessgage: expect.any(String) })],
    ["Cancel the victim's unpaid order by orderid and the victim's senderid", "/api/WebInterface/Order/Cancel",
      () => json("/api/WebInterface/Order/Cancel", { orderid: victim.unpaidOrder, senderid: SHARED.unpaid }, t()),
      notFoundOrder],
    ["Cancel the victim's annual-card order by orderid", "/api/WebInterface/Order/Cancel",
      () => json("/api/WebInterface/Order/Cancel", { orderid: victim.cardOrder }, t()),
      notFoundOrder],
    ["Refund the victim's paid order by orderid", "/api/WebInterface/Order/Refund",
      () => json("/api/WebInterface/Order/Refund", { orderid: victim.paidOrder, refundid: uniqueId("R") }, t()),
      (b) => expect(b).toEqual({ errcode: 4001, errmsg: expect.any(String), tag: null })],
    ["Refund by a senderid only the victim has", "/api/WebInterface/Order/Refund",
      () => json("/api/WebInterface/Order/Refund", { senderid: SHARED.card, refundid: uniqueId("R") }, t()),
      (b) => expect(b.errcode).toBe(4001)],
    ["Move the victim's paid order to another day by orderid", "/api/WebInterface/Order/ChangeDate",
      () => json("/api/WebInterface/Order/ChangeDate", { orderid: victim.paidOrder, effectdate: LATER() }, t()),
      notFoundOrder],
    ["Move the victim's order by a senderid only the victim has", "/api/WebInterface/Order/ChangeDate",
      () => json("/api/WebInterface/Order/ChangeDate", { senderid: SHARED.card, effectdate: LATER() }, t()),
      notFoundOrder],
    ["Ticket/Check of the victim's ticket with a partner's session: only a gate device's token is let in", "/api/WebInterface/Ticket/Check",
      () => json("/api/WebInterface/Ticket/Check", { ticketcode: victim.paidTicket }, t()),
      (b) => expect(b).toEqual({ errcode: 2009, errmsg: expect.any(String), tag: null })],
    ["Resend the victim's paid order's tickets to the attacker's mobile, by orderid", "/api/WebInterface/Order/Resend",
      () => json("/api/WebInterface/Order/Resend", { orderid: victim.paidOrder, mobile: "13900139000" }, t()),
      notFoundOrder],
    ["Resend by the victim's paid order's senderid: not found, or the attacker's own unpaid order of that senderid (4005)", "/api/WebInterface/Order/Resend",
      () => json("/api/WebInterface/Order/Resend", { senderid: SHARED.paid, mobile: "13900139000" }, t()),
      (b) => expect(b.resultcode).toBeOneOf([4001, 4005])],
    ["ByPassword on the victim's unpaid order", "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
      async () => json("/api/WebInterface/Order/Pay/WithPrepayment/ByPassword", { dwid: a().dwid, dwlx: a().dwlx, payparm: { orderid: victim.unpaidOrder, paypassword: await attackerCipher() }, sellstationid: "01" }, t()),
      notFoundOrder],
    ["ByPassword claiming the victim's dwid, paying the attacker's own order from the victim's deposit", "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
      async () => {
        const own = (await json("/api/WebInterface/Order/Add", addBody(uniqueId("own")), t())).body.orderid;
        return json("/api/WebInterface/Order/Pay/WithPrepayment/ByPassword", { dwid: victim.c.dwid, dwlx: victim.c.dwlx, payparm: { orderid: own, paypassword: await victimCipher() }, sellstationid: "01" }, t());
      },
      mismatch],
    ["MIN on the victim's unpaid order, with the victim's own ciphertext", "/api/PayOrder/MIN/UsePrepaymentAndPassword",
      async () => json("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: victim.unpaidOrder, paypassword: await victimCipher() }, t()),
      (b) => expect(b.resultcode).toBeOneOf([3001, 3004, 4001])],
    ["MIN on the victim's unpaid order", "/api/PayOrder/MIN/UsePrepaymentAndPassword",
      async () => json("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: victim.unpaidOrder, paypassword: await attackerCipher() }, t()),
      notFoundOrder],
    ["the WebForms alias (GET) on the victim's annual-card order", "/Source/UseAccountToPayByPwd.aspx",
      async () => json(`/Source/UseAccountToPayByPwd.aspx?${new URLSearchParams({ orderid: victim.cardOrder, paypassword: await attackerCipher() })}`, undefined, t(), { method: "GET" }),
      notFoundOrder],
    ["the WebForms alias (POST form) on the victim's unpaid order", "/Source/UseAccountToPayByPwd.aspx",
      async () => json("/Source/UseAccountToPayByPwd.aspx", { orderid: victim.unpaidOrder, paypassword: await attackerCipher() }, t(), { format: "form" }),
      notFoundOrder],
    ["YearCard/AddOrder with the victim's senderid places the attacker's own card", "/api/Order/YearCard/AddOrder",
      () => json("/api/Order/YearCard/AddOrder", { productid: products.card, amount: 1, mobile: "13900139000", effectdate: LATER(), BuyInsurance: "0", senderid: SHARED.card }, t()),
      (b) => expect(b).toMatchObject({ resultcode: 0, sendid: SHARED.card, orderstatus: "unpaid" })],
    ["Bill/Add as the victim (DWID)", "/api/WebInterface/Pos/Sell/Bill/Add",
      () => json("/api/WebInterface/Pos/Sell/Bill/Add", { DWID: victim.c.dwid, DWSX: victim.c.dwlx, SenderBillNum: uniqueId("SB"), Items: [{ ProductId: products.retail, Amount: 1 }] }, t()),
      (b) => expect(b).toEqual({ errcode: 2004, errmsg: expect.any(String), tag: null })],
    ["Bill/Add with the victim's SenderBillNum adds the attacker's own bill", "/api/WebInterface/Pos/Sell/Bill/Add",
      () => json("/api/WebInterface/Pos/Sell/Bill/Add", { DWID: a().dwid, DWSX: a().dwlx, SenderBillNum: SHARED.paidBill, Items: [{ ProductId: products.retail, Amount: 1 }] }, t()),
      (b) => expect(b).toMatchObject({ errcode: 0, tag: { BillState: "unpaid" } })],
    ["Account/Balance naming the victim's dwid (not a member: ignored) answers the attacker's own account", "/api/WebInterface/Account/Balance",
      () => json("/api/WebInterface/Account/Balance", { dwid: victim.c.dwid, DWID: victim.c.dwid }, t()),
      (b) => {
        expect(b).toMatchObject({ errcode: 0, tag: { dwid: a().dwid } });
        expect(JSON.stringify(b)).not.toContain(victim.c.dwid);
      }],
    ["Account/Statement of today naming the victim's dwid answers the attacker's own entries only", "/api/WebInterface/Account/Statement",
      () => json("/api/WebInterface/Account/Statement", { begindate: TODAY(), enddate: TODAY(), dwid: victim.c.dwid }, t()),
      (b) => {
        expect(b).toMatchObject({ errcode: 0, tag: { dwid: a().dwid, openingbalance: 0 } });
        expect(b.tag.entries.length).toBeGreaterThan(0);
        expect(JSON.stringify(b)).not.toContain(victim.c.dwid);
        expect(b.tag.entries.filter((e: any) => e.reference === victim.depositReference)).toEqual([]);
      }],
    ["PayBill on the victim's unpaid bill by BillNum", "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
      async () => json("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: a().dwid, DWSX: a().dwlx, BillNum: victim.unpaidBill, PayPwd: await attackerCipher() }, t()),
      (b) => expect(b).toMatchObject({ errcode: -1, tag: null, errmsg: expect.stringContaining("[4101]") })],
    ["PayBill on the victim's paid bill by BillNum and the victim's SenderBillNum", "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
      async () => json("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: a().dwid, DWSX: a().dwlx, BillNum: victim.paidBill, SenderBillNum: SHARED.paidBill, PayPwd: await attackerCipher() }, t()),
      (b) => expect(b).toMatchObject({ errcode: -1, tag: null })],
    ["PayBill by a SenderBillNum only the victim has", "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
      async () => json("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: a().dwid, DWSX: a().dwlx, SenderBillNum: SHARED.unpaidBill, PayPwd: await attackerCipher() }, t()),
      (b) => expect(b).toMatchObject({ errcode: -1, tag: null, errmsg: expect.stringContaining("[4101]") })],
    ["PayBill as the victim (DWID) on the victim's bill", "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
      async () => json("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: victim.c.dwid, DWSX: victim.c.dwlx, BillNum: victim.unpaidBill, PayPwd: await victimCipher() }, t()),
      (b) => expect(b).toMatchObject({ errcode: -1, errmsg: expect.stringContaining("[2004]") })],
  ];
}

describe("another customer's token and ids, on every /api endpoint", () => {
  it("covers every partner endpoint", () => {
    const attacked = new Set(attacks().map(([, path]) => path.slice(1).toLowerCase()));
    expect(partnerEndpoints.flatMap((e) => e.paths.map((p) => p.toLowerCase())).filter((p) => !attacked.has(p))).toEqual([]);
  });

  it("no answer carries anything of the victim's, and nothing of the victim's changes", async () => {
    const before = await victimState(victim.c.dwid);
    for (const [label, , send, check] of attacks()) {
      const answer = await send();
      // A partner's session at the gate is refused before anything is read: 401, like a missing session.
      expect(answer.status, label).toBe(label.startsWith("Ticket/Check") ? 401 : 200);
      check(answer.body);
      for (const secret of victim.secrets) expect(answer.text.includes(secret), `${label}: the answer shows ${secret}`).toBe(false);
    }
    // The same attacks, all at once.
    const answers = await Promise.all(attacks().map(([, , send]) => send()));
    for (const answer of answers) for (const secret of victim.secrets) expect(answer.text.includes(secret)).toBe(false);
    expect(await victimState(victim.c.dwid)).toEqual(before);
  });
});
