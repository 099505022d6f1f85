/**
 * The calendar-ticket order's rules (src/domain/order-plan.ts), one case a
 * line: each refusal with the smallest order that triggers it, in the order
 * planTicketOrder checks them (the date, the order's ID number, then line by
 * line: the product and its day, identification, real name, seats; then the
 * order-wide duplicates and maximums), then the plans it accepts, priced in
 * fen (the day's price, else the product's).
 */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { residentIdCheckChar } from "../../src/domain/idcard";
import { MAX_TICKETS_PER_ORDER } from "../../src/domain/orders";
import {
  blankToNull,
  checkSellable,
  planTicketOrder,
  refusalMessage,
  resolveIdentification,
  type DayRules,
  type OrderInput,
  type OrderLineInput,
  type ProductRules,
  type RuleRefusal,
} from "../../src/domain/order-plan";

const TODAY = "20261202";
const DAY = "20261210";
const MOBILE = "13800000000";

/** A resident ID with its GB 11643 check character. */
const rid = (first17: string) => first17 + residentIdCheckChar(first17);
const ID_A = rid("11010119900307447"); // 110101199003074477
const ID_B = rid("11010519491231002"); // 11010519491231002X
const ID_B_LOWER = ID_B.toLowerCase();
const ID_WRONG_CHECK = ID_A.slice(0, 17) + (ID_A[17] === "0" ? "1" : "0");
const ID_BORN_TOMORROW = rid("11010120261203001");
const PASSPORT = "E12345678";

const ticket = (productId: string, over: Partial<ProductRules> = {}): ProductRules => ({
  productId,
  kind: "ticket",
  priceFen: 5000,
  realName: false,
  maxPerOrder: null,
  limitPerIdPerDay: null,
  limitPerMobilePerDay: null,
  onSale: true,
  ...over,
});

/** The catalogue every row orders from. */
const PRODUCTS = new Map<string, ProductRules>(
  [
    ticket("P"), // 50.00, no price of its own on the day
    ticket("Q", { priceFen: 3000 }), // 30.00, another plain ticket
    ticket("D"), // the day sells it at 45.50
    ticket("FREE"), // the day sells it at 0
    ticket("R", { realName: true }),
    ticket("R2", { realName: true }),
    ticket("MAX2", { maxPerOrder: 2 }),
    ticket("OFF", { onSale: false }),
    ticket("NODAY"),
    ticket("YC", { kind: "yearcard" }),
  ].map((p) => [p.productId, p]),
);
const DAYS = new Map<string, DayRules>([
  ["P", { priceFen: null }],
  ["Q", { priceFen: null }],
  ["D", { priceFen: 4550 }],
  ["FREE", { priceFen: 0 }],
  ["R", { priceFen: null }],
  ["R2", { priceFen: null }],
  ["MAX2", { priceFen: null }],
  ["OFF", { priceFen: null }],
  ["YC", { priceFen: null }],
]);

const line = (productid: string, amount = 1, over: Partial<OrderLineInput> = {}): OrderLineInput => ({ productid, amount, ...over });
const guest = (productid: string, identificationnumber: string, over: Partial<OrderLineInput> = {}) => line(productid, 1, { identificationnumber, fullname: "张三", ...over });
const order = (lines: OrderLineInput[], over: Partial<OrderInput> = {}): OrderInput => ({ orderdetails: lines, mobile: MOBILE, effectdate: DAY, ...over });
const seats = (...ids: (string | null)[]) => ({ seatitems: ids.map((seatid) => ({ seatid })) });

describe("planTicketOrder: refusals, in the order they are checked", () => {
  it.each<[label: string, input: OrderInput, refusal: RuleRefusal]>([
    ["the visit day is past, before anything else", order([line("MISSING")], { effectdate: "20261201" }), { key: "effectDatePast" }],
    ["the order's ID number: a wrong check character", order([line("MISSING")], { identificationnumber: ID_WRONG_CHECK }), { key: "residentIdChecksum", detail: "订单证件号码" }],
    ["the order's ID number: not 18 characters", order([line("P")], { identificationnumber: PASSPORT }), { key: "residentIdFormat", detail: "订单证件号码" }],
    ["the order's ID number: born after today", order([line("P")], { identificationnumber: ID_BORN_TOMORROW }), { key: "residentIdBirthDate", detail: "订单证件号码" }],
    ["no such product", order([line("MISSING")]), { key: "orderProductNotFound", lineNo: 1 }],
    ["an annual card on the ticket path", order([line("YC")]), { key: "productKindMismatch", lineNo: 1 }],
    ["not on sale", order([line("OFF")]), { key: "productNotOnSale", lineNo: 1 }],
    ["no calendar day for the visit day", order([line("NODAY")]), { key: "productNotOnSaleThatDay", lineNo: 1 }],
    ["a type without a number", order([line("P", 1, { identificationtype: "2" })]), { key: "idNumberMissing", lineNo: 1 }],
    ["a number without a type is a resident ID", order([line("P", 1, { identificationnumber: PASSPORT })]), { key: "residentIdFormat", lineNo: 1 }],
    ["a resident ID with a wrong check character", order([line("P", 1, { identificationtype: "1", identificationnumber: ID_WRONG_CHECK })]), { key: "residentIdChecksum", lineNo: 1 }],
    ["another document's number out of shape", order([line("P", 1, { identificationtype: "2", identificationnumber: "E1" })]), { key: "idNumberFormat", lineNo: 1 }],
    ["real name: no ID number (before one-per-line)", order([line("R", 2, { fullname: "张三" })]), { key: "realNameIdRequired", lineNo: 1 }],
    ["real name: two units on one line (before the name)", order([line("R", 2, { identificationnumber: ID_A })]), { key: "realNameOnePerLine", lineNo: 1 }],
    ["real name: no full name", order([line("R", 1, { identificationnumber: ID_A, fullname: "  " })]), { key: "realNameFullnameRequired", lineNo: 1 }],
    ["seats: fewer than units", order([line("P", 2, seats("A1"))]), { key: "seatCountMismatch", lineNo: 1 }],
    ["seats: more than units", order([line("P", 1, seats("A1", "A2"))]), { key: "seatCountMismatch", lineNo: 1 }],
    ["seats: a blank seat id", order([line("P", 2, seats("A1", " "))]), { key: "seatCountMismatch", lineNo: 1 }],
    ["seats: a missing seat id", order([line("P", 1, seats(null))]), { key: "seatCountMismatch", lineNo: 1 }],
    ["the first bad line is named, not a later one", order([line("P"), line("OFF"), line("MISSING")]), { key: "productNotOnSale", lineNo: 2 }],
    ["a line's own rule before an order-wide one", order([guest("R", ID_A), guest("R", ID_A), line("P", 2, seats("A1"))]), { key: "seatCountMismatch", lineNo: 3 }],
    ["real name: one ID twice for one product", order([guest("R", ID_A), guest("R", ID_A)]), { key: "realNameIdDuplicate", lineNo: 2 }],
    ["real name: x and X are one ID", order([guest("R", ID_B), guest("R", ` ${ID_B_LOWER} `)]), { key: "realNameIdDuplicate", lineNo: 2 }],
    ["a seat twice for one product", order([line("P", 1, seats("A1")), line("P", 1, seats(" A1 "))]), { key: "seatDuplicate", lineNo: 2, detail: "A1" }],
    ["a duplicate before the order's size", order([guest("R", ID_A), guest("R", ID_A), line("P", MAX_TICKETS_PER_ORDER)]), { key: "realNameIdDuplicate", lineNo: 2 }],
    ["more units than an order may hold", order([line("P", MAX_TICKETS_PER_ORDER), line("Q")]), { key: "orderTooLarge", detail: "最多1000张" }],
    ["the order's size before a product's maximum", order([line("MAX2", 3), line("P", MAX_TICKETS_PER_ORDER)]), { key: "orderTooLarge", detail: "最多1000张" }],
    ["a product's maximum, on one line", order([line("MAX2", 3)]), { key: "maxPerOrderExceeded", detail: "MAX2每单限购2张" }],
    ["a product's maximum, added up over lines", order([line("MAX2", 1), line("P"), line("MAX2", 2)]), { key: "maxPerOrderExceeded", detail: "MAX2每单限购2张" }],
  ])("%s", (_label, input, refusal) => {
    expect(planTicketOrder(input, PRODUCTS, DAYS, TODAY)).toEqual({ ok: false, refusal });
  });
});

describe("planTicketOrder: accepted plans, in fen", () => {
  it.each<[label: string, input: OrderInput, plan: { amountFen: number; lines: object[]; stock?: object[] }]>([
    ["the product's price when the day has none", order([line("P", 2)]), { amountFen: 10_000, lines: [{ unitPriceFen: 5000, amountFen: 10_000, quantity: 2 }] }],
    ["the day's price over the product's", order([line("D", 3)]), { amountFen: 13_650, lines: [{ unitPriceFen: 4550, amountFen: 13_650 }] }],
    ["a day priced 0 is free, not the product's price", order([line("FREE", 2)]), { amountFen: 0, lines: [{ unitPriceFen: 0, amountFen: 0 }] }],
    ["the visit day may be today", order([line("P")], { effectdate: TODAY }), { amountFen: 5000, lines: [{ lineNo: 1 }] }],
    [
      "lines of one product add up to one stock request",
      order([line("P", 1), line("Q", 2), line("P", 2)]),
      {
        amountFen: 5000 + 6000 + 10_000,
        lines: [{ lineNo: 1, amountFen: 5000 }, { lineNo: 2, amountFen: 6000 }, { lineNo: 3, amountFen: 10_000 }],
        stock: [{ productId: "P", quantity: 3, seatIds: [] }, { productId: "Q", quantity: 2, seatIds: [] }],
      },
    ],
    [
      "no identification: no type, no number, no limit ID",
      order([line("P", 1, { identificationtype: " ", identificationnumber: "" })]),
      { amountFen: 5000, lines: [{ idType: null, idNumber: null, limitId: null, fullname: null }] },
    ],
    ["a number alone is a resident ID (type 1)", order([line("P", 1, { identificationnumber: ID_A })]), { amountFen: 5000, lines: [{ idType: "1", idNumber: ID_A, limitId: ID_A }] }],
    ["another document with its type", order([line("P", 1, { identificationtype: "2", identificationnumber: ` ${PASSPORT} ` })]), { amountFen: 5000, lines: [{ idType: "2", idNumber: PASSPORT }] }],
    ["a real-name guest: ID upper-cased, name trimmed", order([guest("R", ID_B_LOWER, { fullname: " 李四 " })]), { amountFen: 5000, lines: [{ idNumber: ID_B, limitId: ID_B, fullname: "李四" }] }],
    ["one ID on two real-name products", order([guest("R", ID_A), guest("R2", ID_A)]), { amountFen: 10_000, lines: [{ productId: "R" }, { productId: "R2" }] }],
    ["the order's ID number counts for lines without one", order([line("P"), line("Q", 1, { identificationnumber: ID_B })], { identificationnumber: ID_A }), { amountFen: 8000, lines: [{ idNumber: null, limitId: ID_A }, { idNumber: ID_B, limitId: ID_B }] }],
    ["a blank order ID number is none", order([line("P")], { identificationnumber: "  " }), { amountFen: 5000, lines: [{ limitId: null }] }],
    ["the line's mobile over the order's; a blank one is none", order([line("P", 1, { mobile: "13900000000" }), line("P", 1, { mobile: " " })]), { amountFen: 10_000, lines: [{ mobile: "13900000000" }, { mobile: MOBILE }] }],
    ["seats, trimmed, one per unit", order([line("P", 2, seats(" A1", "A2 "))]), { amountFen: 10_000, lines: [{ seatIds: ["A1", "A2"] }], stock: [{ productId: "P", quantity: 2, seatIds: ["A1", "A2"] }] }],
    ["an empty seat list is no seats", order([line("P", 2, { seatitems: [] })]), { amountFen: 10_000, lines: [{ seatIds: [] }] }],
    ["one seat id on two products", order([line("P", 1, seats("A1")), line("Q", 1, seats("A1"))]), { amountFen: 8000, lines: [{ seatIds: ["A1"] }, { seatIds: ["A1"] }] }],
    ["exactly the units an order may hold", order([line("P", MAX_TICKETS_PER_ORDER - 1), line("Q")]), { amountFen: 999 * 5000 + 3000, lines: [{ quantity: 999 }, { quantity: 1 }] }],
    ["exactly a product's maximum", order([line("MAX2", 1), line("MAX2", 1)]), { amountFen: 10_000, lines: [{}, {}], stock: [{ productId: "MAX2", quantity: 2, seatIds: [] }] }],
  ])("%s", (_label, input, plan) => {
    expect(planTicketOrder(input, PRODUCTS, DAYS, TODAY)).toMatchObject({ ok: true, plan });
  });
});

describe("checkSellable (SPEC §5.5 'exists and is on sale for effectdate')", () => {
  const yearcard = ticket("YC", { kind: "yearcard" });
  it.each<[label: string, product: ProductRules | undefined, day: DayRules | undefined, kind: "ticket" | "yearcard", expected: string | null]>([
    ["missing, whatever else", undefined, undefined, "ticket", "orderProductNotFound"],
    ["the other kind, before on sale", ticket("YC", { kind: "yearcard", onSale: false }), undefined, "ticket", "productKindMismatch"],
    ["a retail product is neither", ticket("S", { kind: "retail" }), { priceFen: null }, "ticket", "productKindMismatch"],
    ["not on sale, before the day", ticket("OFF", { onSale: false }), undefined, "ticket", "productNotOnSale"],
    ["a ticket without its day", ticket("P"), undefined, "ticket", "productNotOnSaleThatDay"],
    ["a ticket with its day", ticket("P"), { priceFen: null }, "ticket", null],
    ["an annual card needs no day", yearcard, undefined, "yearcard", null],
    ["an annual card not on sale", { ...yearcard, onSale: false }, undefined, "yearcard", "productNotOnSale"],
  ])("%s", (_label, product, day, kind, expected) => {
    expect(checkSellable(product, day, kind)).toBe(expected);
  });
});

describe("resolveIdentification: a type needs a number; a number alone is a resident ID", () => {
  it.each<[label: string, type: string | null | undefined, number: string | null | undefined, expected: ReturnType<typeof resolveIdentification>]>([
    ["neither", undefined, null, { ok: true, type: null, number: null }],
    ["both blank", " ", " ", { ok: true, type: null, number: null }],
    ["a type alone", "1", "", { ok: false, key: "idNumberMissing" }],
    ["a resident ID alone", null, ID_A, { ok: true, type: "1", number: ID_A }],
    ["a resident ID alone, lower x, spaces", null, ` ${ID_B_LOWER} `, { ok: true, type: "1", number: ID_B }],
    ["a resident ID's check character", "1", ID_WRONG_CHECK, { ok: false, key: "residentIdChecksum" }],
    ["a resident ID born after today", "1", ID_BORN_TOMORROW, { ok: false, key: "residentIdBirthDate" }],
    ["a passport alone reads as a resident ID", null, PASSPORT, { ok: false, key: "residentIdFormat" }],
    ["a passport with its type", "2", PASSPORT, { ok: true, type: "2", number: PASSPORT }],
    ["another document too short", "9", "E12", { ok: false, key: "idNumberFormat" }],
  ])("%s", (_label, type, number, expected) => {
    expect(resolveIdentification(type, number, TODAY)).toEqual(expected);
  });

  it("asserts a type the schema admits (a programmer error, not a partner's)", () => {
    expect(() => resolveIdentification("7", ID_A, TODAY)).toThrow(/passed the schema/);
  });
});

describe("the refusal's words and blank text", () => {
  it.each<[label: string, refusal: RuleRefusal, message: string]>([
    ["order-wide, no detail", { key: "orderTooLarge" }, "单笔订单门票数量过多"],
    ["order-wide, with a detail", { key: "orderTooLarge", detail: "最多1000张" }, "单笔订单门票数量过多（最多1000张）"],
    ["a line's", { key: "productNotOnSale", lineNo: 2 }, "第2条明细：该产品已停售"],
    ["a line's, with a detail", { key: "seatDuplicate", lineNo: 3, detail: "A1" }, "第3条明细：同一订单中不能重复选择同一座位（A1）"],
  ])("%s", (_label, refusal, message) => {
    expect(refusalMessage(refusal, ResultCodes[refusal.key].message)).toBe(message);
  });

  it.each<[string | null | undefined, string | null]>([
    [undefined, null],
    [null, null],
    ["", null],
    [" \t ", null],
    [" a b ", "a b"],
  ])("blankToNull(%j) = %j", (text, expected) => {
    expect(blankToNull(text)).toBe(expected);
  });
});
