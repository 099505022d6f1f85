/**
 * POS retail bills: add one from the catalogue, pay it from the deposit
 * (SPEC §5.4, §7; seed pos-sell-paybill-with-prepayment.txt), through the
 * real Worker, AccountDO and D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import type { FaultPoint } from "../../src/durable/faults";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { expectMoneyInvariants } from "../helpers/invariants";
import { ENDPOINTS, seedOf } from "../fixtures/seed-samples";

const ADD = "/api/WebInterface/Pos/Sell/Bill/Add";
const PAY = "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment";

interface PayAnswer {
  errcode: number;
  errmsg: string;
  tag: { BillNum: string; BillState: string; RndCode: string | null } | null;
}

async function aRetailProduct(priceYuan: number, overrides: Record<string, unknown> = {}): Promise<string> {
  const productId = uniqueId("R");
  const put = await admin("PUT", `/admin/products/${productId}`, { name: "矿泉水", kind: "retail", price: priceYuan, ...overrides });
  expect(put.status).toBe(201);
  return productId;
}

async function addBill(c: TestCustomer, s: TestSession, items: { ProductId: string; Amount: number }[], senderBillNum?: string) {
  const response = await partner(ADD, { DWID: c.dwid, DWSX: c.dwlx, SenderBillNum: senderBillNum, Items: items }, { token: s.token });
  return (await response.json()) as { errcode: number; errmsg: string; tag: { BillNum: string; BillState: string; Amount: number } | null };
}

async function payBill(c: TestCustomer, s: TestSession, find: { BillNum?: string; SenderBillNum?: string }, payPassword: string | null = c.payPassword): Promise<PayAnswer> {
  const PayPwd = payPassword === null ? undefined : await encryptPayPassword(s.sessionKey, c.loginPassword, payPassword);
  const response = await partner(PAY, { DWID: c.dwid, DWSX: c.dwlx, ...find, PayPwd }, { token: s.token });
  expect(response.status).toBe(200);
  return response.json();
}

async function balance(dwid: string): Promise<number> {
  return (await admin("GET", `/admin/customers/${dwid}/account`)).body.balance;
}

async function aBill(c: TestCustomer, s: TestSession, unitYuan = 3, quantity = 4) {
  const productId = await aRetailProduct(unitYuan);
  const senderBillNum = uniqueId("SB");
  const added = await addBill(c, s, [{ ProductId: productId, Amount: quantity }], senderBillNum);
  expect(added.errcode).toBe(0);
  return { billNum: added.tag!.BillNum, senderBillNum, amountYuan: unitYuan * quantity };
}

describe("adding a bill", () => {
  it("prices the items from the catalogue and numbers the bill (≤ 20 characters)", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    const water = await aRetailProduct(3);
    const bread = await aRetailProduct(7.5);
    const added = await addBill(c, s, [{ ProductId: water, Amount: 2 }, { ProductId: bread, Amount: 3 }]);
    expect(added.errcode).toBe(0);
    expect(added.tag).toMatchObject({ BillState: "unpaid", Amount: 28.5 });
    expect(added.tag!.BillNum.length).toBeLessThanOrEqual(20);
    const { results } = await env.DB.prepare("SELECT product_id, quantity, unit_price_fen, amount_fen FROM pos_bill_items WHERE bill_num = ? ORDER BY line_no")
      .bind(added.tag!.BillNum)
      .all();
    expect(results).toEqual([
      { product_id: water, quantity: 2, unit_price_fen: 300, amount_fen: 600 },
      { product_id: bread, quantity: 3, unit_price_fen: 750, amount_fen: 2250 },
    ]);
  });

  it("is idempotent on SenderBillNum, even for 20 concurrent adds", async () => {
    const c = await aCustomer();
    const s = await loginAs(c);
    const water = await aRetailProduct(3);
    const sender = uniqueId("SB");
    const answers = await Promise.all(Array.from({ length: 20 }, () => addBill(c, s, [{ ProductId: water, Amount: 1 }], sender)));
    expect(new Set(answers.map((a) => a.tag!.BillNum)).size).toBe(1);
    expect(answers.filter((a) => a.errmsg === "单据已创建")).toHaveLength(1);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM pos_bills WHERE dwid = ? AND sender_bill_num = ?").bind(c.dwid, sender).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    const items = await env.DB.prepare("SELECT count(*) AS n FROM pos_bill_items WHERE bill_num = ?").bind(answers[0]!.tag!.BillNum).first<{ n: number }>();
    expect(items!.n).toBe(1);
  });

  it.each([
    ["a ticket product", async () => {
      const id = uniqueId("TK");
      await admin("PUT", `/admin/products/${id}`, { name: "门票", kind: "ticket", price: 10 });
      return id;
    }, 4104],
    ["an unknown product", async () => "NO-SUCH-PRODUCT", 4104],
    ["a retail product off sale", async () => aRetailProduct(3, { onSale: false }), 4104],
  ])("refuses %s (%i)", async (_name, product, code) => {
    const c = await aCustomer();
    const s = await loginAs(c);
    const answer = await addBill(c, s, [{ ProductId: await product(), Amount: 1 }]);
    expect(answer.errcode).toBe(code);
  });

  it("refuses DWID/DWSX other than the session's customer", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const s = await loginAs(c);
    const water = await aRetailProduct(3);
    const response = await partner(ADD, { DWID: other.dwid, DWSX: other.dwlx, Items: [{ ProductId: water, Amount: 1 }] }, { token: s.token });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(2004);
  });
});

describe("paying a bill", () => {
  it("errcode 0: debits, marks paid and gives a 6-digit pickup code; found by BillNum", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const paid = await payBill(c, s, { BillNum: bill.billNum });
    expect(paid.errcode).toBe(0);
    expect(paid.tag).toMatchObject({ BillNum: bill.billNum, BillState: "paid" });
    expect(paid.tag!.RndCode).toMatch(/^\d{6}$/);
    expect(await balance(c.dwid)).toBe(100 - bill.amountYuan);
    await expectMoneyInvariants(c.dwid);
  });

  it("errcode 1: paid earlier, nothing charged, the current BillNum/BillState/RndCode returned; found by SenderBillNum", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const first = await payBill(c, s, { SenderBillNum: bill.senderBillNum });
    const second = await payBill(c, s, { BillNum: bill.billNum });
    expect(first.errcode).toBe(0);
    expect(second).toEqual({ errcode: 1, errmsg: "单据以前已支付,本次未扣款", tag: first.tag });
    expect(await balance(c.dwid)).toBe(100 - bill.amountYuan);
    await expectMoneyInvariants(c.dwid);
  });

  it("50 concurrent pays of one bill: one 0, forty-nine 1s, one debit", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => payBill(c, s, i % 2 ? { BillNum: bill.billNum } : { SenderBillNum: bill.senderBillNum })));
    const codes = answers.map((a) => a.errcode);
    expect(codes.filter((code) => code === 0)).toHaveLength(1);
    expect(codes.filter((code) => code === 1)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.tag!.RndCode)).size).toBe(1);
    expect(await balance(c.dwid)).toBe(100 - bill.amountYuan);
    await expectMoneyInvariants(c.dwid);
  });

  it("a customer without a pay password pays without PayPwd", async () => {
    const c = await aCustomer({ depositYuan: 100, payPassword: null });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    expect((await payBill(c, s, { BillNum: bill.billNum }, null)).errcode).toBe(0);
  });

  it.each([
    ["insufficient balance", 5001, { deposit: 5, password: "ok" as const }],
    ["wrong pay password", 3001, { deposit: 100, password: "wrong" as const }],
    ["PayPwd missing when the customer has one", 1101, { deposit: 100, password: "none" as const }],
  ])("-1 for %s, with the reason (%i) named, and nothing changes", async (_name, reason, setup) => {
    const c = await aCustomer({ depositYuan: setup.deposit });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const answer = await payBill(c, s, { BillNum: bill.billNum }, setup.password === "ok" ? c.payPassword : setup.password === "wrong" ? "654321" : null);
    expect(answer.errcode).toBe(-1);
    expect(answer.errmsg.startsWith(`[${reason}]`)).toBe(true);
    expect(await balance(c.dwid)).toBe(setup.deposit);
    const row = await env.DB.prepare("SELECT status, rnd_code FROM pos_bills WHERE bill_num = ?").bind(bill.billNum).first();
    expect(row).toEqual({ status: "unpaid", rnd_code: null });
    await expectMoneyInvariants(c.dwid);
  });

  it("-1 naming both fields when neither BillNum nor SenderBillNum is given", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const answer = await payBill(c, s, {});
    expect(answer).toEqual({ errcode: -1, errmsg: "[4103] BillNum 与 SenderBillNum 不能同时为空", tag: null });
  });

  it("-1 for another customer's bill, which stays unpaid", async () => {
    const owner = await aCustomer({ depositYuan: 100 });
    const thief = await aCustomer({ depositYuan: 100 });
    const so = await loginAs(owner);
    const st = await loginAs(thief);
    const bill = await aBill(owner, so);
    const byNum = await payBill(thief, st, { BillNum: bill.billNum });
    const bySender = await payBill(thief, st, { SenderBillNum: bill.senderBillNum });
    expect(byNum.errcode).toBe(-1);
    expect(byNum.errmsg.startsWith("[4101]")).toBe(true);
    expect(bySender.errcode).toBe(-1);
    expect(await balance(thief.dwid)).toBe(100);
    const row = await env.DB.prepare("SELECT status FROM pos_bills WHERE bill_num = ?").bind(bill.billNum).first();
    expect(row).toEqual({ status: "unpaid" });
  });

  it("-1 when DWID/DWSX are not the session's customer", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const other = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const response = await partner(PAY, { DWID: other.dwid, DWSX: other.dwlx, BillNum: bill.billNum, PayPwd: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
    const answer = (await response.json()) as PayAnswer;
    expect(answer.errcode).toBe(-1);
    expect(answer.errmsg.startsWith("[2004]")).toBe(true);
    expect(await balance(other.dwid)).toBe(100);
  });

  it("answers XML with the seed's generic root and d2p1 tag namespace", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    const pwd = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const xml =
      `<PosPayWithPrepaymentParm xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm">` +
      `<BillNum>${bill.billNum}</BillNum><PayPwd>${pwd}</PayPwd><SenderBillNum i:nil="true" /><DWID>${c.dwid}</DWID><DWSX>${c.dwlx}</DWSX></PosPayWithPrepaymentParm>`;
    const text = await (await partner(PAY, xml, { token: s.token, contentType: "text/xml" })).text();
    const rnd = /<d2p1:RndCode>(\d{6})<\/d2p1:RndCode>/.exec(text)?.[1];
    expect(text).toBe(
      `<CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer">` +
        `<errcode>0</errcode><errmsg>支付成功</errmsg><tag xmlns:d2p1="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result">` +
        `<d2p1:BillNum>${bill.billNum}</d2p1:BillNum><d2p1:BillState>paid</d2p1:BillState><d2p1:RndCode>${rnd}</d2p1:RndCode></tag>` +
        `</CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ>`,
    );
  });

  it.each(["json", "xml"] as const)("the seed's %s request sample is understood and refused by its placeholder values", async (format) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const sample = seedOf(ENDPOINTS.posPayBill).request[format];
    const response = await partner(PAY, sample, { token: s.token, contentType: format === "json" ? "application/json" : "application/xml" });
    const text = await response.text();
    // DWSX "sample string 2" breaks Max length 1: the answer names the field and rule, errcode -1.
    if (format === "json") expect(JSON.parse(text)).toEqual({ errcode: -1, errmsg: "[1102] DWSX 长度不能超过1；DWSX 取值必须是1到7", tag: null });
    else expect(text).toContain("<errcode>-1</errcode><errmsg>[1102] DWSX 长度不能超过1；DWSX 取值必须是1到7</errmsg><tag i:nil=\"true\" />");
  });
});

describe("faults while paying a bill", () => {
  it.each([
    ["d1-batch-reject", -1],
    ["d1-reply-lost", 0],
    ["abort-after-hold", 0],
    ["abort-after-batch", 0],
  ] as [FaultPoint, number][])("%s → errcode %i, and the answer is true of the stores", async (point, expected) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const bill = await aBill(c, s);
    await env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid)).armFault(point);
    const answer = await payBill(c, s, { BillNum: bill.billNum });
    expect(answer.errcode).toBe(expected);
    const row = await env.DB.prepare("SELECT status FROM pos_bills WHERE bill_num = ?").bind(bill.billNum).first<{ status: string }>();
    expect(row!.status).toBe(expected === 0 ? "paid" : "unpaid");
    expect(await balance(c.dwid)).toBe(expected === 0 ? 100 - bill.amountYuan : 100);
    await expectMoneyInvariants(c.dwid);
  });
});
