/**
 * The annual-card order's rules (src/domain/yearcard.ts, SPEC §5.3, seed
 * yearcard-add-order.txt), one case a line: the refusals in the order
 * planYearCard checks them, the insurance decision as a grid (the product's
 * mode × BuyInsurance × the client's price and count), the lines and
 * amounts in fen, and the members the server fills in.
 */
import { describe, expect, it } from "vitest";
import { residentIdCheckChar } from "../../src/domain/idcard";
import type { DayRules, RuleRefusal } from "../../src/domain/order-plan";
import { planYearCard, type InsuranceRules, type YearCardInput, type YearCardProduct } from "../../src/domain/yearcard";

const TODAY = "20261202";
const DAY = "20261210";
const rid = (first17: string) => first17 + residentIdCheckChar(first17);
const ID_MALE = rid("11010119900307447"); // born 1990-03-07, 17th digit odd
const ID_FEMALE = rid("11010519491231002"); // born 1949-12-31, 17th digit even (check X)
const ID_WRONG_CHECK = ID_MALE.slice(0, 17) + (ID_MALE[17] === "0" ? "1" : "0");
const PASSPORT = "E12345678";

const insurance = (mode: InsuranceRules["mode"]): InsuranceRules => ({
  mode,
  priceFen: 1230,
  count: 2,
  planCode: "PLAN-A",
  planName: "年卡意外险",
  destZone: "景区",
  timeRange: 365,
  holder: { type: "2", companyName: "景区公司", companyCode: "91110000X", address: "景区路1号", contactName: "王五", contactPhone: "010-1234", email: "a@b.cn" },
});
const card = (over: Partial<YearCardProduct> = {}): YearCardProduct => ({
  productId: "YC",
  kind: "yearcard",
  priceFen: 29_900,
  realName: false,
  maxPerOrder: null,
  limitPerIdPerDay: null,
  limitPerMobilePerDay: null,
  onSale: true,
  insurance: insurance("optional"),
  ...over,
});
/** A card order that buys nothing extra, with a male resident ID. */
const input = (over: Partial<YearCardInput> = {}): YearCardInput => ({
  productid: "YC",
  amount: 1,
  mobile: "13800000000",
  fullname: "张三",
  identificationnumber: ID_MALE,
  effectdate: DAY,
  BuyInsurance: "0",
  ...over,
});
/** BuyInsurance 1 with the configured price (12.30) and count (2). */
const BUY = { BuyInsurance: "1", InsurancePrice: "12.30", InsuranceCount: 2 } as const;
const NO_DAY_PRICE: DayRules = { priceFen: null };

describe("planYearCard: refusals, in the order they are checked", () => {
  it.each<[label: string, product: YearCardProduct | undefined, order: YearCardInput, refusal: RuleRefusal]>([
    ["the visit day is past, before the product", undefined, input({ effectdate: "20261201" }), { key: "effectDatePast" }],
    ["no such product", undefined, input(), { key: "orderProductNotFound" }],
    ["a ticket on the annual-card path", card({ kind: "ticket" }), input(), { key: "productKindMismatch" }],
    ["not on sale", card({ onSale: false }), input(), { key: "productNotOnSale" }],
    ["a type without a number", card(), input({ identificationtype: "1", identificationnumber: " " }), { key: "idNumberMissing" }],
    ["a resident ID with a wrong check character", card(), input({ identificationnumber: ID_WRONG_CHECK }), { key: "residentIdChecksum" }],
    ["real name: no ID number, before the name", card({ realName: true }), input({ identificationnumber: null, fullname: null }), { key: "realNameIdRequired" }],
    ["real name: no full name", card({ realName: true }), input({ fullname: " " }), { key: "realNameFullnameRequired" }],
    ["insurance asked of a card without it", card({ insurance: null }), input(BUY), { key: "insuranceNotOffered" }],
    ["insurance: the price, before the count", card(), input({ ...BUY, InsurancePrice: "12.00", InsuranceCount: 1 }), { key: "insurancePriceMismatch", detail: "当前保险单价为12.30元" }],
    ["insurance: the count", card(), input({ ...BUY, InsuranceCount: 1 }), { key: "insuranceCountMismatch", detail: "当前每张年卡的保险份数为2" }],
    ["insured without a resident ID: the sex, before the birthday", card(), input({ ...BUY, identificationtype: "2", identificationnumber: PASSPORT }), { key: "insuredSexRequired" }],
    ["insured without a resident ID: the birthday", card(), input({ ...BUY, identificationtype: "2", identificationnumber: PASSPORT, XB: "W" }), { key: "insuredBirthdayRequired" }],
    ["insured without any ID: the sex", card(), input({ ...BUY, identificationnumber: null, Birthday: "19800101" }), { key: "insuredSexRequired" }],
  ])("%s", (_label, product, order, refusal) => {
    expect(planYearCard(order, product, NO_DAY_PRICE, TODAY)).toEqual({ ok: false, refusal });
  });
});

type Decision = "none" | "bought" | RuleRefusal["key"];

describe("the insurance decision: mode × BuyInsurance × the client's price and count", () => {
  it.each<[mode: InsuranceRules["mode"] | "no settings", buy: "0" | "1", price: string | null, count: number | null, expected: Decision]>([
    ["forced", "1", "12.30", 2, "bought"],
    ["forced", "0", "12.30", 2, "bought"],
    ["forced", "1", "12.3", 2, "bought"],
    ["forced", "0", null, null, "insurancePriceMismatch"],
    ["forced", "1", "12.31", 2, "insurancePriceMismatch"],
    ["forced", "1", "12.30", 1, "insuranceCountMismatch"],
    ["forced", "1", "12.30", null, "insuranceCountMismatch"],
    ["optional", "1", "12.30", 2, "bought"],
    ["optional", "1", "12.29", 2, "insurancePriceMismatch"],
    ["optional", "1", null, 2, "insurancePriceMismatch"],
    ["optional", "1", "12.300", 2, "insurancePriceMismatch"],
    ["optional", "1", "12.30", 3, "insuranceCountMismatch"],
    ["optional", "0", null, null, "none"],
    ["optional", "0", "99.99", 9, "none"],
    ["none", "1", "12.30", 2, "insuranceNotOffered"],
    ["none", "0", "12.30", 2, "none"],
    ["no settings", "1", "12.30", 2, "insuranceNotOffered"],
    ["no settings", "0", null, null, "none"],
  ])("%s, BuyInsurance %s, price %s, count %s → %s", (mode, buy, price, count, expected) => {
    const product = card({ insurance: mode === "no settings" ? null : insurance(mode) });
    const result = planYearCard(input({ BuyInsurance: buy, InsurancePrice: price, InsuranceCount: count }), product, NO_DAY_PRICE, TODAY);
    const decision: Decision = !result.ok ? result.refusal.key : result.plan.lines.length === 2 ? "bought" : "none";
    expect(decision).toBe(expected);
  });

  it.each<[mode: InsuranceRules["mode"], detail: string]>([
    ["forced", "该年卡须同时购买保险，当前保险单价为12.30元"],
    ["optional", "当前保险单价为12.30元"],
  ])("a %s card's price refusal says so", (mode, detail) => {
    expect(planYearCard(input({ ...BUY, InsurancePrice: "1" }), card({ insurance: insurance(mode) }), NO_DAY_PRICE, TODAY)).toEqual({ ok: false, refusal: { key: "insurancePriceMismatch", detail } });
  });

  it("a forced card's count refusal says so", () => {
    expect(planYearCard(input({ ...BUY, InsuranceCount: 1 }), card({ insurance: insurance("forced") }), NO_DAY_PRICE, TODAY)).toEqual({
      ok: false,
      refusal: { key: "insuranceCountMismatch", detail: "该年卡须同时购买保险，当前每张年卡的保险份数为2" },
    });
  });
});

describe("planYearCard: the lines and the amount, in fen", () => {
  const ticketLine = { kind: "ticket", lineNo: 1, productId: "YC", quantity: 1 };
  it.each<[label: string, day: DayRules | undefined, order: YearCardInput, amountFen: number, lines: object[]]>([
    ["the product's price without a calendar day", undefined, input(), 29_900, [{ ...ticketLine, unitPriceFen: 29_900, amountFen: 29_900 }]],
    ["the product's price when the day has none", NO_DAY_PRICE, input(), 29_900, [{ ...ticketLine, unitPriceFen: 29_900 }]],
    ["the day's price over the product's", { priceFen: 25_000 }, input(), 25_000, [{ ...ticketLine, unitPriceFen: 25_000, amountFen: 25_000 }]],
    ["a day priced 0", { priceFen: 0 }, input(), 0, [{ ...ticketLine, unitPriceFen: 0, amountFen: 0 }]],
    [
      "insurance: a second line, price × count",
      { priceFen: 25_000 },
      input(BUY),
      25_000 + 2 * 1230,
      [{ ...ticketLine, amountFen: 25_000 }, { kind: "insurance", lineNo: 2, productId: "YC", quantity: 2, unitPriceFen: 1230, amountFen: 2460 }],
    ],
    ["the holder's ID is the limit ID, upper-cased", undefined, input({ identificationnumber: ID_FEMALE.toLowerCase() }), 29_900, [{ idType: "1", idNumber: ID_FEMALE, limitId: ID_FEMALE }]],
    ["no ID: no limit ID", undefined, input({ identificationnumber: null }), 29_900, [{ idType: null, idNumber: null, limitId: null }]],
    ["the visit day may be today", undefined, input({ effectdate: TODAY }), 29_900, [{ lineNo: 1 }]],
  ])("%s", (_label, day, order, amountFen, lines) => {
    expect(planYearCard(order, card(), day, TODAY)).toMatchObject({ ok: true, plan: { amountFen, lines } });
  });
});

describe("planYearCard: what the server fills in (orders.request_json)", () => {
  const holderFilled = {
    InsuranceHolderType: "2",
    InsuranceHolderCompanyName: "景区公司",
    InsuranceHolderCompanyCode: "91110000X",
    InsuranceHolderAddress: "景区路1号",
    InsuranceHolderContactName: "王五",
    InsuranceHolderContactPhone: "010-1234",
    InsuranceHolderEmail: "a@b.cn",
  };
  const planFilled = { InsurancePlanCode: "PLAN-A", InsurancePlanName: "年卡意外险", InsuranceDestZone: "景区", InsuranceTimeRange: 365 };
  it.each<[label: string, product: YearCardProduct, order: YearCardInput, filled: Record<string, unknown>]>([
    [
      "bought with a male resident ID: sex and birthday from the ID, over the client's",
      card(),
      input({ ...BUY, InsurancePrice: "12.3", XB: "W", Birthday: "20000101" }),
      { BuyInsurance: "1", InsurancePrice: "12.30", InsuranceCount: 2, XB: "M", Birthday: "19900307", InsuranceSex: "1", InsuranceBirthDay: "1990-03-07", InsuranceCertTypeName: "居民身份证", InsuranceCertTypeCode: "1", ...planFilled, ...holderFilled },
    ],
    [
      "bought with a female resident ID",
      card(),
      input({ ...BUY, identificationnumber: ID_FEMALE }),
      { XB: "W", Birthday: "19491231", InsuranceSex: "2", InsuranceBirthDay: "1949-12-31" },
    ],
    [
      "bought with a passport: the client's sex and birthday",
      card(),
      input({ ...BUY, identificationtype: "2", identificationnumber: PASSPORT, XB: "W", Birthday: "19800102" }),
      { XB: "W", Birthday: "19800102", InsuranceSex: "2", InsuranceBirthDay: "1980-01-02", InsuranceCertTypeName: "护照、回乡证、港澳台胞证", InsuranceCertTypeCode: "2" },
    ],
    [
      "forced, asked not to: BuyInsurance becomes 1",
      card({ insurance: insurance("forced") }),
      input({ ...BUY, BuyInsurance: "0" }),
      { BuyInsurance: "1", InsuranceCount: 2 },
    ],
    [
      "not bought: every insurance member cleared, whatever the client sent",
      card(),
      Object.assign(input({ BuyInsurance: "0", InsurancePrice: "12.30", InsuranceCount: 2 }), { InsurancePlanCode: "X" }),
      {
        BuyInsurance: "0", InsurancePrice: null, InsuranceCount: null, InsurancePlanCode: null, InsurancePlanName: null, InsuranceDestZone: null, InsuranceTimeRange: null,
        InsuranceHolderType: null, InsuranceHolderEmail: null, InsuranceSex: null, InsuranceBirthDay: null, InsuranceCertTypeName: null, InsuranceCertTypeCode: null,
        XB: "M", Birthday: "19900307",
      },
    ],
    [
      "bought from a card without a holder",
      card({ insurance: { ...insurance("optional"), holder: null } }),
      input(BUY),
      { BuyInsurance: "1", InsuranceHolderType: null, InsuranceHolderCompanyName: null, InsuranceHolderEmail: null },
    ],
  ])("%s", (_label, product, order, filled) => {
    const result = planYearCard(order, product, NO_DAY_PRICE, TODAY);
    expect(result.ok && result.plan.filled).toMatchObject({ ...filled, productid: "YC", mobile: "13800000000" });
  });
});
