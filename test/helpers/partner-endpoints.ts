/**
 * Every partner endpoint as the routing tests send it (test/api/routing-*.test.ts):
 * a valid body, the field rules it must refuse with their 11xx code and
 * message, its envelope family and credential; and the helpers that send a
 * body and read the envelope back.
 */
import { deserialize } from "bson";
import { beforeAll, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { ResultCodes } from "../../src/domain/codes";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { partnerEndpoints } from "../../src/endpoints/partner";
import { refuse } from "../../src/endpoints/partner-endpoint";
import { ADMIN_TOKEN, aCustomer, fetchWorker, loginAs, partner, uniqueId, upperMd5, type TestCustomer } from "./api";


export const ORDER_KEYS = ["orderid", "sendid", "orderstatus", "resultcode", "returnmessgage"];
export const COMMON_KEYS = ["errcode", "errmsg", "tag"];
export const POS_PAY_FAILED = -1;

export type Body = Record<string, unknown>;
/** label, change to the valid body ({"a.b": value}; undefined deletes), expected code, fragment of the message */
export type Case = [label: string, change: Record<string, unknown>, code: number, message: string];

export interface EndpointSpec {
  name: string;
  path: string;
  family: "order" | "common";
  /** The seed of POS pay answers -1 for every failure and names the reason in errmsg. */
  posPay?: boolean;
  session: boolean;
  /** Called with a gate device's token instead of a session (Ticket/Check). */
  gate?: boolean;
  /** How the body travels: JSON by default; the WebForms alias also by query string. */
  via?: "query" | "form";
  valid(c: TestCustomer): Promise<Body> | Body;
  invalid: Case[];
}

export const REQUIRED = ResultCodes.fieldRequired.code; // 1101
export const TOO_LONG = ResultCodes.fieldTooLong.code; // 1102
export const FORMAT = ResultCodes.fieldFormat.code; // 1104
export const RANGE = ResultCodes.fieldRange.code; // 1105
export const TYPE = ResultCodes.fieldType.code; // 1106

export const x = (n: number) => "x".repeat(n);
export const digits = (n: number) => "1".repeat(n);

export const orderAddCases: Case[] = [
  ["mobile missing", { mobile: undefined }, REQUIRED, "mobile 为必填项"],
  ["mobile blank", { mobile: "   " }, REQUIRED, "mobile 为必填项"],
  ["mobile 12 digits", { mobile: "138001380001" }, TOO_LONG, "mobile 长度不能超过11"],
  ["mobile with a letter", { mobile: "1380013800a" }, FORMAT, "mobile 必须是11位手机号码"],
  ["mobile not starting with 1", { mobile: "23800138000" }, FORMAT, "mobile 必须是11位手机号码"],
  ["effectdate missing", { effectdate: undefined }, REQUIRED, "effectdate 为必填项"],
  ["effectdate 30 February", { effectdate: "20270230" }, FORMAT, "effectdate 必须是yyyyMMdd格式的有效日期"],
  ["effectdate 29 February of a common year", { effectdate: "20270229" }, FORMAT, "effectdate 必须是yyyyMMdd格式的有效日期"],
  ["effectdate month 13", { effectdate: "20271301" }, FORMAT, "effectdate 必须是yyyyMMdd格式的有效日期"],
  ["effectdate 7 digits", { effectdate: "2027011" }, FORMAT, "effectdate 必须是yyyyMMdd格式的有效日期"],
  ["effectdate 9 digits", { effectdate: "202701011" }, TOO_LONG, "effectdate 长度不能超过8"],
  ["orderdetails missing", { orderdetails: undefined }, REQUIRED, "orderdetails 为必填项"],
  ["orderdetails empty", { orderdetails: [] }, REQUIRED, "orderdetails 至少需要1项"],
  ["orderdetails[0].productid missing", { "orderdetails.0.productid": undefined }, REQUIRED, "orderdetails[0].productid 为必填项"],
  ["orderdetails[0].amount missing", { "orderdetails.0.amount": undefined }, REQUIRED, "orderdetails[0].amount 为必填项"],
  ["orderdetails[0].amount 0", { "orderdetails.0.amount": 0 }, RANGE, "orderdetails[0].amount 不能小于1"],
  ["orderdetails[0].amount above Int32", { "orderdetails.0.amount": 2147483648 }, RANGE, "orderdetails[0].amount 不能大于2147483647"],
  ["orderdetails[0].amount not a number", { "orderdetails.0.amount": "two" }, TYPE, "orderdetails[0].amount 类型错误"],
  ["orderdetails[0].amount fractional", { "orderdetails.0.amount": 1.5 }, TYPE, "orderdetails[0].amount 类型错误"],
  ["orderdetails[0].mobile 12 digits", { "orderdetails.0.mobile": "138001380001" }, TOO_LONG, "orderdetails[0].mobile 长度不能超过11"],
  ["orderdetails[0].identificationnumber 21", { "orderdetails.0.identificationnumber": digits(21) }, TOO_LONG, "orderdetails[0].identificationnumber 长度不能超过20"],
  ["orderdetails[0].fullname 21", { "orderdetails.0.fullname": "名".repeat(21) }, TOO_LONG, "orderdetails[0].fullname 长度不能超过20"],
  ["orderdetails[0].identificationtype 2", { "orderdetails.0.identificationtype": "12" }, TOO_LONG, "orderdetails[0].identificationtype 长度不能超过1"],
  ["identificationnumber 21", { identificationnumber: digits(21) }, TOO_LONG, "identificationnumber 长度不能超过20"],
  ["needinvoice 2", { needinvoice: "10" }, TOO_LONG, "needinvoice 长度不能超过1"],
  ["invoicetitle 101", { invoicetitle: x(101) }, TOO_LONG, "invoicetitle 长度不能超过100"],
  ["invoicecode 31", { invoicecode: x(31) }, TOO_LONG, "invoicecode 长度不能超过30"],
  ["senderid 51", { senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
  ["servicecode 3", { servicecode: "123" }, TOO_LONG, "servicecode 长度不能超过2"],
  ["otheruserid not a number", { otheruserid: "abc" }, TYPE, "otheruserid 类型错误"],
  ["timespanindex not a number", { timespanindex: "first" }, TYPE, "timespanindex 类型错误"],
  ["mobile an object", { mobile: { n: 1 } }, TYPE, "mobile 类型错误"],
];

export const orderAddValid = () => ({ orderdetails: [{ productid: "P1", amount: 1 }], mobile: "13800138000", effectdate: "20270101" });

export const payMinCases: Case[] = [
  ["orderid missing", { orderid: undefined }, REQUIRED, "orderid 为必填项"],
  ["orderid blank", { orderid: "  " }, REQUIRED, "orderid 为必填项"],
  ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
  ["paypassword missing", { paypassword: undefined }, REQUIRED, "paypassword 为必填项"],
  ["paypassword empty", { paypassword: "" }, REQUIRED, "paypassword 为必填项"],
];

/** Product/Calendar's dates must not be past (Asia/Shanghai): a month from now. */
export const calendarBegin = addDays(shanghaiDate(testClock.nowMs()), 30);

export const endpoints: EndpointSpec[] = [
  {
    name: "Session/Login",
    path: "/api/WebInterface/Session/Login",
    family: "common",
    session: false,
    valid: async (c) => ({ dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(c.loginPassword) }),
    invalid: [
      ["dwid missing", { dwid: undefined }, REQUIRED, "dwid 为必填项"],
      ["dwid blank", { dwid: "  " }, REQUIRED, "dwid 为必填项"],
      ["dwid 37", { dwid: x(37) }, TOO_LONG, "dwid 长度不能超过36"],
      ["dwid an object", { dwid: { a: 1 } }, TYPE, "dwid 类型错误"],
      ["dwlx 8", { dwlx: "8" }, FORMAT, "dwlx 取值必须是1到7"],
      ["dwlx 0", { dwlx: "0" }, FORMAT, "dwlx 取值必须是1到7"],
      ["dwlx 2 characters", { dwlx: "12" }, TOO_LONG, "dwlx 长度不能超过1"],
      ["dwlx missing", { dwlx: undefined }, REQUIRED, "dwlx 为必填项"],
      ["password missing", { password: undefined }, REQUIRED, "password 为必填项"],
      ["password not hex", { password: "G".repeat(32) }, FORMAT, "password 必须是32位十六进制的MD5值"],
      ["password 33 hex digits", { password: "A".repeat(33) }, TOO_LONG, "password 长度不能超过32"],
    ],
  },
  {
    name: "DouYin CalendarTicket Order/Verify",
    path: "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify",
    family: "common",
    session: true,
    valid: orderAddValid,
    invalid: orderAddCases,
  },
  {
    name: "Product/Calendar",
    path: "/api/WebInterface/Product/Calendar",
    family: "common",
    session: true,
    valid: () => ({ productid: "P1", begindate: calendarBegin, enddate: addDays(calendarBegin, 6) }),
    invalid: [
      ["productid missing", { productid: undefined }, REQUIRED, "productid 为必填项"],
      ["productid 37", { productid: x(37) }, TOO_LONG, "productid 长度不能超过36"],
      ["begindate missing", { begindate: undefined }, REQUIRED, "begindate 为必填项"],
      ["begindate 31 April", { begindate: "20270431" }, FORMAT, "begindate 必须是yyyyMMdd格式的有效日期"],
      ["enddate 9 digits", { enddate: "202701011" }, TOO_LONG, "enddate 长度不能超过8"],
      ["enddate an array", { enddate: [calendarBegin] }, TYPE, "enddate 类型错误"],
      ["enddate before begindate", { enddate: addDays(calendarBegin, -1) }, RANGE, "enddate 不能早于 begindate"],
      ["91 days", { enddate: addDays(calendarBegin, 90) }, RANGE, "enddate 与 begindate 之间不能超过90天(含首尾两天)"],
    ],
  },
  { name: "WebInterface Order/Add", path: "/api/WebInterface/Order/Add", family: "order", session: true, valid: orderAddValid, invalid: orderAddCases },
  {
    name: "DouYin CalendarTicket Order/Add",
    path: "/api/SpecialOta/DouYin/CalendarTicket/Order/Add",
    family: "order",
    session: true,
    valid: orderAddValid,
    invalid: orderAddCases,
  },
  {
    name: "Order/Query",
    path: "/api/WebInterface/Order/Query",
    family: "common",
    session: true,
    valid: () => ({ orderid: "1" }),
    invalid: [
      ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
      ["senderid 51", { orderid: undefined, senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
      ["orderid an array", { orderid: ["1"] }, TYPE, "orderid 类型错误"],
    ],
  },
  {
    name: "Order/Cancel",
    path: "/api/WebInterface/Order/Cancel",
    family: "order",
    session: true,
    valid: () => ({ orderid: "1" }),
    invalid: [
      ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
      ["senderid 51", { orderid: undefined, senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
      ["orderid an array", { orderid: ["1"] }, TYPE, "orderid 类型错误"],
      ["senderid an object", { senderid: { a: 1 } }, TYPE, "senderid 类型错误"],
    ],
  },
  {
    name: "Order/ChangeDate",
    path: "/api/WebInterface/Order/ChangeDate",
    family: "order",
    session: true,
    valid: () => ({ orderid: "1", effectdate: "20991231" }),
    invalid: [
      ["effectdate missing", { effectdate: undefined }, REQUIRED, "effectdate 为必填项"],
      ["effectdate not a date", { effectdate: "2099-1-1" }, FORMAT, "effectdate"],
      ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
      ["senderid 51", { orderid: undefined, senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
      ["timespanindex -2", { timespanindex: -2 }, RANGE, "timespanindex"],
      ["timespanindex a word", { timespanindex: "one" }, TYPE, "timespanindex 类型错误"],
    ],
  },
  {
    name: "Order/Refund",
    path: "/api/WebInterface/Order/Refund",
    family: "common",
    session: true,
    valid: () => ({ orderid: "1", refundid: "R1" }),
    invalid: [
      ["refundid missing", { refundid: undefined }, REQUIRED, "refundid 为必填项"],
      ["refundid 51", { refundid: x(51) }, TOO_LONG, "refundid 长度不能超过50"],
      ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
      ["a ticket code of 31", { ticketcodes: [digits(18), digits(31)] }, TOO_LONG, "ticketcodes[1] 长度不能超过30"],
      ["ticketcodes empty", { ticketcodes: [] }, REQUIRED, "ticketcodes 至少需要1项"],
      ["reason 201", { reason: x(201) }, TOO_LONG, "reason 长度不能超过200"],
    ],
  },
  {
    name: "Ticket/Check",
    path: "/api/WebInterface/Ticket/Check",
    family: "common",
    session: true,
    gate: true,
    valid: () => ({ ticketcode: "000000000000000000", checkid: "scan-1" }),
    invalid: [
      ["ticketcode 31", { ticketcode: digits(31) }, TOO_LONG, "ticketcode 长度不能超过30"],
      ["idnumber 31", { ticketcode: undefined, idnumber: digits(31) }, TOO_LONG, "idnumber 长度不能超过30"],
      ["checkid 51", { checkid: x(51) }, TOO_LONG, "checkid 长度不能超过50"],
      ["ticketcode an object", { ticketcode: { a: 1 } }, TYPE, "ticketcode 类型错误"],
    ],
  },
  {
    name: "Order/Resend",
    path: "/api/WebInterface/Order/Resend",
    family: "order",
    session: true,
    valid: () => ({ orderid: "1", mobile: "13912345678" }),
    invalid: [
      ["orderid 21", { orderid: digits(21) }, TOO_LONG, "orderid 长度不能超过20"],
      ["senderid 51", { orderid: undefined, senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
      ["mobile 12 digits", { mobile: "139123456789" }, TOO_LONG, "mobile 长度不能超过11"],
      ["mobile 10 digits", { mobile: "1391234567" }, FORMAT, "mobile 必须是11位手机号码"],
      ["mobile with a letter", { mobile: "1391234567a" }, FORMAT, "mobile 必须是11位手机号码"],
      ["mobile an object", { mobile: { n: 1 } }, TYPE, "mobile 类型错误"],
    ],
  },
  {
    name: "Account/Balance",
    path: "/api/WebInterface/Account/Balance",
    family: "common",
    session: true,
    // No members: {} is the whole request, and nothing in it can be wrong.
    valid: () => ({}),
    invalid: [],
  },
  {
    name: "Account/Statement",
    path: "/api/WebInterface/Account/Statement",
    family: "common",
    session: true,
    valid: () => ({ begindate: "20270101", enddate: "20270131", pageindex: 2, pagesize: 50 }),
    invalid: [
      ["begindate missing", { begindate: undefined }, REQUIRED, "begindate 为必填项"],
      ["begindate 31 April", { begindate: "20270431" }, FORMAT, "begindate 必须是yyyyMMdd格式的有效日期"],
      ["enddate 9 digits", { enddate: "202701311" }, TOO_LONG, "enddate 长度不能超过8"],
      ["enddate an array", { enddate: ["20270131"] }, TYPE, "enddate 类型错误"],
      ["enddate before begindate", { enddate: "20261231" }, RANGE, "enddate 不能早于 begindate"],
      ["367 days", { enddate: "20280102" }, RANGE, "enddate 与 begindate 之间不能超过366天(含首尾两天)"],
      ["pageindex 0", { pageindex: 0 }, RANGE, "pageindex 不能小于1"],
      ["pagesize 501", { pagesize: 501 }, RANGE, "pagesize 不能大于500"],
      ["pagesize fractional", { pagesize: 1.5 }, TYPE, "pagesize 类型错误"],
    ],
  },
  {
    name: "Order/Pay/WithPrepayment/ByPassword",
    path: "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
    family: "order",
    session: true,
    valid: (c) => ({ dwid: c.dwid, dwlx: c.dwlx, payparm: { orderid: "1", paypassword: "x" }, sellstationid: "01" }),
    invalid: [
      ["dwid missing", { dwid: undefined }, REQUIRED, "dwid 为必填项"],
      ["dwid 37", { dwid: x(37) }, TOO_LONG, "dwid 长度不能超过36"],
      ["dwlx 0", { dwlx: "0" }, FORMAT, "dwlx 取值必须是1到7"],
      ["dwlx missing", { dwlx: undefined }, REQUIRED, "dwlx 为必填项"],
      ["payparm missing", { payparm: undefined }, REQUIRED, "payparm 为必填项"],
      ["payparm a string", { payparm: "1" }, TYPE, "payparm 类型错误"],
      ["payparm.orderid missing", { "payparm.orderid": undefined }, REQUIRED, "payparm.orderid 为必填项"],
      ["payparm.orderid 21", { "payparm.orderid": digits(21) }, TOO_LONG, "payparm.orderid 长度不能超过20"],
      ["payparm.paypassword empty", { "payparm.paypassword": "" }, REQUIRED, "payparm.paypassword 为必填项"],
      ["sellstationid missing", { sellstationid: undefined }, REQUIRED, "sellstationid 为必填项"],
      ["sellstationid 3", { sellstationid: "123" }, TOO_LONG, "sellstationid 长度不能超过2"],
      ["marketareaid 9", { marketareaid: x(9) }, TOO_LONG, "marketareaid 长度不能超过8"],
      ["teamtypecode 3", { teamtypecode: "123" }, TOO_LONG, "teamtypecode 长度不能超过2"],
      ["settotommrowtime 24:00", { settotommrowtime: "24:00" }, FORMAT, "settotommrowtime 必须是HH:mm格式的时间"],
      ["settotommrowtime 9:30", { settotommrowtime: "9:30" }, FORMAT, "settotommrowtime 必须是HH:mm格式的时间"],
      ["settotommrowtime 6 characters", { settotommrowtime: "23:000" }, TOO_LONG, "settotommrowtime 长度不能超过5"],
    ],
  },
  {
    name: "PayOrder/MIN/UsePrepaymentAndPassword",
    path: "/api/PayOrder/MIN/UsePrepaymentAndPassword",
    family: "order",
    session: true,
    valid: () => ({ orderid: "1", paypassword: "x" }),
    invalid: payMinCases,
  },
  {
    name: "Source/UseAccountToPayByPwd.aspx (GET, query string)",
    path: "/Source/UseAccountToPayByPwd.aspx",
    family: "order",
    session: true,
    via: "query",
    valid: () => ({ orderid: "1", paypassword: "x" }),
    invalid: payMinCases.filter(([label]) => label !== "orderid blank"),
  },
  {
    name: "Source/UseAccountToPayByPwd.aspx (POST form)",
    path: "/Source/UseAccountToPayByPwd.aspx",
    family: "order",
    session: true,
    via: "form",
    valid: () => ({ orderid: "1", paypassword: "x" }),
    invalid: payMinCases,
  },
  {
    name: "Order/YearCard/AddOrder",
    path: "/api/Order/YearCard/AddOrder",
    family: "order",
    session: true,
    valid: () => ({ productid: "Y1", amount: 1, mobile: "13800138000", effectdate: "20270101", BuyInsurance: "0" }),
    invalid: [
      ["productid missing", { productid: undefined }, REQUIRED, "productid 为必填项"],
      ["amount missing", { amount: undefined }, REQUIRED, "amount 为必填项"],
      ["amount 2 (one card per order)", { amount: 2 }, RANGE, "amount 不能大于1"],
      ["amount 0", { amount: 0 }, RANGE, "amount 不能小于1"],
      ["mobile 12 digits", { mobile: "138001380001" }, TOO_LONG, "mobile 长度不能超过11"],
      ["mobile with a letter", { mobile: "1380013800a" }, FORMAT, "mobile 必须是11位手机号码"],
      ["effectdate 29 February 2027", { effectdate: "20270229" }, FORMAT, "effectdate 必须是yyyyMMdd格式的有效日期"],
      ["BuyInsurance missing", { BuyInsurance: undefined }, REQUIRED, "BuyInsurance 为必填项"],
      ["BuyInsurance 2", { BuyInsurance: "2" }, FORMAT, "BuyInsurance 取值必须是0或1"],
      ["InsurancePrice with 3 decimals", { InsurancePrice: "1.234" }, FORMAT, "InsurancePrice 必须是不小于0且最多两位小数的金额"],
      ["InsurancePrice negative", { InsurancePrice: -1 }, FORMAT, "InsurancePrice 必须是不小于0且最多两位小数的金额"],
      ["InsuranceCount not a number", { InsuranceCount: "one" }, TYPE, "InsuranceCount 类型错误"],
      ["XB 2 characters", { XB: "MM" }, TOO_LONG, "XB 长度不能超过1"],
      ["Birthday 31 February", { Birthday: "19900231" }, FORMAT, "Birthday 必须是yyyyMMdd格式的有效日期"],
      ["fullname 21", { fullname: "名".repeat(21) }, TOO_LONG, "fullname 长度不能超过20"],
      ["identificationnumber 21", { identificationnumber: digits(21) }, TOO_LONG, "identificationnumber 长度不能超过20"],
      ["senderid 51", { senderid: x(51) }, TOO_LONG, "senderid 长度不能超过50"],
      ["remark 101", { remark: x(101) }, TOO_LONG, "remark 长度不能超过100"],
      ["reserve1 51", { reserve1: x(51) }, TOO_LONG, "reserve1 长度不能超过50"],
      ["AdditonalReduceId 31", { AdditonalReduceId: x(31) }, TOO_LONG, "AdditonalReduceId 长度不能超过30"],
      ["AdditonalReduceIdType 2", { AdditonalReduceIdType: "12" }, TOO_LONG, "AdditonalReduceIdType 长度不能超过1"],
    ],
  },
  {
    name: "Pos/Sell/Bill/Add",
    path: "/api/WebInterface/Pos/Sell/Bill/Add",
    family: "common",
    session: true,
    valid: (c) => ({ DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: "R1", Amount: 1 }] }),
    invalid: [
      ["DWID missing", { DWID: undefined }, REQUIRED, "DWID 为必填项"],
      ["DWID 37", { DWID: x(37) }, TOO_LONG, "DWID 长度不能超过36"],
      ["DWSX 9", { DWSX: "9" }, FORMAT, "DWSX 取值必须是1到7"],
      ["DWSX empty", { DWSX: "" }, REQUIRED, "DWSX 为必填项"],
      ["SenderBillNum 33", { SenderBillNum: x(33) }, TOO_LONG, "SenderBillNum 长度不能超过32"],
      ["Items missing", { Items: undefined }, REQUIRED, "Items 为必填项"],
      ["Items empty", { Items: [] }, REQUIRED, "Items 至少需要1项"],
      ["Items[0].ProductId missing", { "Items.0.ProductId": undefined }, REQUIRED, "Items[0].ProductId 为必填项"],
      ["Items[0].ProductId 37", { "Items.0.ProductId": x(37) }, TOO_LONG, "Items[0].ProductId 长度不能超过36"],
      ["Items[0].Amount 0", { "Items.0.Amount": 0 }, RANGE, "Items[0].Amount 不能小于1"],
      ["Items[0].Amount 10000", { "Items.0.Amount": 10000 }, RANGE, "Items[0].Amount 不能大于9999"],
    ],
  },
  {
    name: "Pos/Sell/PayBill/WithPrepayment",
    path: "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
    family: "common",
    posPay: true,
    session: true,
    valid: (c) => ({ DWID: c.dwid, DWSX: c.dwlx, BillNum: "B1", PayPwd: "x" }),
    invalid: [
      ["DWID missing", { DWID: undefined }, REQUIRED, "DWID 为必填项"],
      ["DWSX 8", { DWSX: "8" }, FORMAT, "DWSX 取值必须是1到7"],
      ["DWSX missing", { DWSX: undefined }, REQUIRED, "DWSX 为必填项"],
      ["BillNum 21", { BillNum: digits(21) }, TOO_LONG, "BillNum 长度不能超过20"],
      ["SenderBillNum 33", { BillNum: undefined, SenderBillNum: x(33) }, TOO_LONG, "SenderBillNum 长度不能超过32"],
      ["PayPwd an object", { PayPwd: { a: 1 } }, TYPE, "PayPwd 类型错误"],
    ],
  },
];

// ------------------------------------------------------------------ helpers

/** A copy of `body` with the changes applied ("a.0.b" paths; undefined deletes). */
export function patched(body: Body, change: Record<string, unknown>): Body {
  const copy = structuredClone(body);
  for (const [path, value] of Object.entries(change)) {
    const keys = path.split(".");
    let node: any = copy;
    for (const key of keys.slice(0, -1)) node = node[key];
    const last = keys[keys.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}

/** The same body with every member name upper-cased (Json.NET matches names case-insensitively). */
export function upperCasedNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(upperCasedNames);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toUpperCase(), upperCasedNames(v)]));
  return value;
}

/** A gate device's token, for the gate's endpoint: each test file registers one (`registerGate` in its beforeAll). */
let gateToken = "";
export async function registerGate(): Promise<void> {
  const put = await fetchWorker(`/admin/gates/${uniqueId("ROUTING")}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "路由测试闸机" }),
  });
  gateToken = ((await put.json()) as { token?: string }).token ?? "";
}

/** The credential this endpoint takes, for a caller that has one. */
export const credentialFor = (spec: EndpointSpec, token: string | undefined) => (token === undefined ? undefined : spec.gate ? gateToken : token);

export function send(spec: EndpointSpec, body: Body, sessionToken: string | undefined, path = spec.path): Promise<Response> {
  const token = credentialFor(spec, sessionToken);
  if (spec.via === "query") {
    const query = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]));
    return partner(`${path}?${query}`, undefined, { method: "GET", token });
  }
  return partner(path, body, { token, format: spec.via === "form" ? "form" : "json" });
}

export interface Answer {
  status: number;
  code: number;
  message: string;
  body: Record<string, unknown>;
}

/**
 * Reads the envelope (JSON, or BSON when the request was BSON: SPEC §3
 * negotiation), checking its member names and their order.
 */
export async function answerOf(spec: EndpointSpec, response: Response): Promise<Answer> {
  const type = response.headers.get("content-type") ?? "";
  expect(type).toMatch(/^(application\/json|text\/json|application\/bson)/);
  const body = type.startsWith("application/bson")
    ? (deserialize(new Uint8Array(await response.arrayBuffer())) as Record<string, unknown>)
    : ((await response.json()) as Record<string, unknown>);
  expect(Object.keys(body)).toEqual(spec.family === "order" ? ORDER_KEYS : COMMON_KEYS);
  return spec.family === "order"
    ? { status: response.status, code: body.resultcode as number, message: body.returnmessgage as string, body }
    : { status: response.status, code: body.errcode as number, message: body.errmsg as string, body };
}

export const wireCode = (spec: EndpointSpec, code: number) => (spec.posPay ? POS_PAY_FAILED : code);

export function endpointOf(spec: EndpointSpec) {
  const route = spec.path.slice(1).toLowerCase();
  const endpoint = partnerEndpoints.find((e) => e.paths.some((p) => p.toLowerCase() === route));
  if (!endpoint) throw new Error(`no endpoint serves ${spec.path}`);
  return endpoint;
}

/** An operation that only says it ran: what the pipeline's stages are tested around. */
export const placeholderOperation = async () => refuse("notYetAvailable");

export async function loggedIn(): Promise<{ c: TestCustomer; token: string }> {
  const c = await aCustomer();
  return { c, token: (await loginAs(c)).token };
}

export function countingStream(totalBytes: number, chunkBytes = 8 * 1024) {
  const seen = { pulledBytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulledBytes >= totalBytes) return controller.close();
        const n = Math.min(chunkBytes, totalBytes - seen.pulledBytes);
        seen.pulledBytes += n;
        controller.enqueue(new Uint8Array(n).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}
