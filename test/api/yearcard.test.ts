/**
 * POST api/Order/YearCard/AddOrder (SPEC §5.3; seed yearcard-add-order.txt)
 * through the real Worker and D1: one card per order, insurance forced /
 * optional / none from the product, InsurancePrice and InsuranceCount equal
 * to the configuration, server-filled plan, holder, sex and birthday,
 * amount = card + insurance, idempotent on senderid.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes, type ResultKey } from "../../src/domain/codes";
import { addDays } from "../../src/domain/dates";
import { aCustomer, loginAs, uniqueId, type TestSession } from "../helpers/api";
import { LATER, QUERY, TODAY, YEARCARD, aProduct, aResidentId, call, d1Rows, inventoryRows, liveStock, withWrongCheck } from "../helpers/catalogue";

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});

const holder = { type: "2", companyName: "黄山旅游公司", companyCode: "91341000MA2N", address: "黄山市屯溪区", contactName: "赵六", contactPhone: "0559-2345678", email: "ins@hs.cn" };
const insurance = (mode: "forced" | "optional" | "none") => ({
  mode, price: 5.5, count: 2, planCode: "HS-YK-2026", planName: "年卡游客意外险", destZone: "安徽黄山", timeRange: 365, holder,
});

const aCard = (mode: "forced" | "optional" | "none" | null = "optional", options: object = {}, day: object | null = null) =>
  aProduct({ kind: "yearcard", price: 199, ...(mode ? { insurance: insurance(mode) } : {}), ...options }, day);

/** A woman born 1992-08-15, as her resident ID says. */
const guestId = aResidentId("19920815", 124);

function aCardOrder(productid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    productid, amount: 1, mobile: "13800138000", fullname: "孙七", identificationtype: "1", identificationnumber: guestId,
    effectdate: LATER(), senderid: uniqueId("Y"), BuyInsurance: "0", ...extra,
  };
}

const insured = { BuyInsurance: "1", InsurancePrice: 5.5, InsuranceCount: 2 };

async function orderRow(orderid: string) {
  const [order] = await d1Rows("SELECT * FROM orders WHERE order_id = ?", orderid);
  const items = await d1Rows("SELECT line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen FROM order_items WHERE order_id = ? ORDER BY line_no", orderid);
  return { order, items, request: JSON.parse(order.request_json) };
}

describe("an annual-card order", () => {
  it("without insurance: one line, the card's price, nothing insured filled in", async () => {
    const card = await aCard("optional");
    const r = await call(YEARCARD, session, aCardOrder(card, { InsurancePlanCode: "CLIENT", InsuranceSex: "9" }));
    expect(r).toMatchObject({ resultcode: 0, orderstatus: "unpaid" });
    const { order, items, request } = await orderRow(r.orderid);
    expect(order).toMatchObject({ kind: "yearcard", status: "unpaid", amount_fen: 19900, id_number: guestId });
    expect(items).toEqual([{ line_no: 1, item_kind: "ticket", product_id: card, quantity: 1, unit_price_fen: 19900, amount_fen: 19900 }]);
    expect(request).toMatchObject({ BuyInsurance: "0", InsurancePrice: null, InsurancePlanCode: null, InsuranceSex: null, XB: "W", Birthday: "19920815" });
  });

  it("with insurance: amount = card + price × count, the insurance its own line, the server's plan, holder and guest data kept", async () => {
    const card = await aCard("optional");
    const r = await call(YEARCARD, session, aCardOrder(card, {
      ...insured,
      XB: "M", Birthday: "20000101", // the resident ID overrides both
      InsurancePlanCode: "FAKE", InsurancePlanName: "客户端乱填", InsuranceHolderType: "1", InsuranceHolderCompanyName: "某公司",
      InsuranceTimeRange: 1, InsuranceBirthDay: "1900-01-01", InsuranceCertTypeCode: "99",
    }));
    expect(r.resultcode).toBe(0);
    const { order, items, request } = await orderRow(r.orderid);
    expect(order.amount_fen).toBe(19900 + 550 * 2);
    expect(items).toEqual([
      { line_no: 1, item_kind: "ticket", product_id: card, quantity: 1, unit_price_fen: 19900, amount_fen: 19900 },
      { line_no: 2, item_kind: "insurance", product_id: card, quantity: 2, unit_price_fen: 550, amount_fen: 1100 },
    ]);
    expect(request).toMatchObject({
      BuyInsurance: "1", InsurancePrice: "5.50", InsuranceCount: 2,
      InsurancePlanCode: "HS-YK-2026", InsurancePlanName: "年卡游客意外险", InsuranceDestZone: "安徽黄山", InsuranceTimeRange: 365,
      InsuranceHolderType: "2", InsuranceHolderCompanyName: "黄山旅游公司", InsuranceHolderCompanyCode: "91341000MA2N",
      InsuranceHolderAddress: "黄山市屯溪区", InsuranceHolderContactName: "赵六", InsuranceHolderContactPhone: "0559-2345678", InsuranceHolderEmail: "ins@hs.cn",
      XB: "W", Birthday: "19920815", InsuranceSex: "2", InsuranceBirthDay: "1992-08-15",
      InsuranceCertTypeCode: "1", InsuranceCertTypeName: "居民身份证",
    });
    const q = await call(QUERY, session, { orderid: r.orderid });
    expect(q.tag).toMatchObject({ amount: 210, items: [{ productid: card, amount: 1, price: 199 }, { productid: card, amount: 2, price: 5.5 }] });
  });

  it("forced insurance: BuyInsurance becomes 1 whatever the client says", async () => {
    const card = await aCard("forced");
    const r = await call(YEARCARD, session, aCardOrder(card, { BuyInsurance: "0", InsurancePrice: "5.5", InsuranceCount: 2 }));
    expect(r.resultcode).toBe(0);
    const { order, request } = await orderRow(r.orderid);
    expect(order.amount_fen).toBe(21000);
    expect(request.BuyInsurance).toBe("1");
  });

  it("insured without a resident ID: the client's XB and Birthday are kept, the document type named", async () => {
    const card = await aCard("optional");
    const r = await call(YEARCARD, session, aCardOrder(card, { ...insured, identificationtype: "2", identificationnumber: "E12345678", XB: "M", Birthday: "19800202" }));
    expect(r.resultcode).toBe(0);
    expect((await orderRow(r.orderid)).request).toMatchObject({ XB: "M", Birthday: "19800202", InsuranceSex: "1", InsuranceBirthDay: "1980-02-02", InsuranceCertTypeCode: "2", InsuranceCertTypeName: "护照、回乡证、港澳台胞证" });
  });

  it("uses the per-date price and holds stock when the operator set a calendar day", async () => {
    const card = await aCard(null, {}, { stock: 1, price: 150 });
    const r = await call(YEARCARD, session, aCardOrder(card));
    expect((await orderRow(r.orderid)).order.amount_fen).toBe(15000);
    expect(await liveStock(card)).toMatchObject({ held: 1, available: 0 });
    expect((await call(YEARCARD, session, aCardOrder(card))).resultcode).toBe(ResultCodes.stockSoldOut.code);
  });

  it("holds no stock without a calendar day (annual cards are not sold by day)", async () => {
    const card = await aCard(null);
    expect((await call(YEARCARD, session, aCardOrder(card))).resultcode).toBe(0);
    expect((await inventoryRows(card)).holds).toEqual([]);
  });
});

describe("idempotent on senderid", () => {
  it("a repeat answers the existing order, whatever else it carries", async () => {
    const card = await aCard("optional");
    const body = aCardOrder(card);
    const first = await call(YEARCARD, session, body);
    const again = await call(YEARCARD, session, { ...body, ...insured, productid: uniqueId("other") });
    expect(again).toMatchObject({ orderid: first.orderid, sendid: body.senderid, orderstatus: "unpaid", resultcode: 0 });
    expect(await d1Rows("SELECT count(*) AS n FROM orders WHERE sender_id = ?", body.senderid)).toEqual([{ n: 1 }]);
  });

  it("10 concurrent repeats: one order, one hold", async () => {
    const card = await aCard("optional", {}, { stock: 50 });
    const body = aCardOrder(card, insured);
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(YEARCARD, session, body)));
    expect(new Set(answers.map((a) => a.orderid)).size).toBe(1);
    expect(await d1Rows("SELECT count(*) AS n FROM orders WHERE sender_id = ?", body.senderid)).toEqual([{ n: 1 }]);
    expect(await liveStock(card)).toMatchObject({ held: 1 });
  }, 30_000);
});

describe("refusals", () => {
  type Case = [label: string, key: ResultKey, mode: "forced" | "optional" | "none" | null, extra: Record<string, unknown>, message?: string];
  const cases: Case[] = [
    ["insurance on a card that offers none", "insuranceNotOffered", "none", insured],
    ["insurance on a card with no insurance configured", "insuranceNotOffered", null, insured],
    ["a different insurance price", "insurancePriceMismatch", "optional", { ...insured, InsurancePrice: 5 }, "当前保险单价为5.50元"],
    ["no insurance price when buying", "insurancePriceMismatch", "optional", { ...insured, InsurancePrice: null }],
    ["forced insurance and no price sent", "insurancePriceMismatch", "forced", {}, "该年卡须同时购买保险"],
    ["a different insurance count", "insuranceCountMismatch", "optional", { ...insured, InsuranceCount: 1 }, "当前每张年卡的保险份数为2"],
    ["insured, no resident ID, no XB", "insuredSexRequired", "optional", { ...insured, identificationtype: null, identificationnumber: null, Birthday: "19800101" }],
    ["insured, a passport, no Birthday", "insuredBirthdayRequired", "optional", { ...insured, identificationtype: "2", identificationnumber: "E1234567", XB: "W" }],
    ["a resident ID with a wrong check character", "residentIdChecksum", "optional", { identificationnumber: withWrongCheck(guestId) }],
    ["a document type without a number", "idNumberMissing", "optional", { identificationnumber: "" }],
    ["a date in the past", "effectDatePast", "optional", { effectdate: addDays(TODAY(), -1) }],
    ["two cards in one order", "fieldRange", "optional", { amount: 2 }, "amount 不能大于1"],
    ["XB that is neither M nor W", "fieldFormat", "optional", { XB: "F" }, "XB 取值必须是M(男)或W(女)"],
    ["BuyInsurance missing", "fieldRequired", "optional", { BuyInsurance: null }, "BuyInsurance 为必填项"],
  ];
  it.each(cases)("%s → %s", async (_label, key, mode, extra, message) => {
    const card = await aCard(mode);
    const body = aCardOrder(card, extra);
    const r = await call(YEARCARD, session, body);
    expect(r.resultcode, JSON.stringify(r)).toBe(ResultCodes[key].code);
    expect(r.returnmessgage).toContain(message ?? ResultCodes[key].message);
    expect(await d1Rows("SELECT count(*) AS n FROM orders WHERE sender_id = ?", body.senderid)).toEqual([{ n: 0 }]);
  });

  it.each([
    ["an unknown product", "orderProductNotFound", async () => uniqueId("nope")],
    ["a ticket product", "productKindMismatch", () => aProduct({ kind: "ticket" })],
    ["a card off sale", "productNotOnSale", () => aProduct({ kind: "yearcard", onSale: false })],
    ["a real-name card without an ID", "realNameIdRequired", () => aProduct({ kind: "yearcard", realName: true })],
  ] as const)("%s → %s", async (_label, key, product) => {
    const body = aCardOrder(await product(), key === "realNameIdRequired" ? { identificationtype: null, identificationnumber: null } : {});
    const r = await call(YEARCARD, session, body);
    expect(r).toMatchObject({ resultcode: ResultCodes[key].code, sendid: body.senderid });
  });

  it("a daily limit per ID applies to cards too", async () => {
    const card = await aProduct({ kind: "yearcard", limitPerIdPerDay: 1 });
    expect((await call(YEARCARD, session, aCardOrder(card))).resultcode).toBe(0);
    expect((await call(YEARCARD, session, aCardOrder(card))).resultcode).toBe(ResultCodes.idDailyLimitExceeded.code);
    expect((await call(YEARCARD, session, aCardOrder(card, { effectdate: addDays(LATER(), 1) }))).resultcode).toBe(0);
  });
});
