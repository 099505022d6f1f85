/**
 * Every request sample of the two seeds this issue serves
 * (douyin-calendarticket-order-verify.txt, yearcard-add-order.txt), sent as
 * the seed writes it in each of its media types. The samples' values are
 * placeholders ("sample string 4" as a date), so each must fail validation
 * in specific, named ways; with the placeholders that break a format
 * replaced, the next rule in line refuses them by name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { ENDPOINTS, seedOf } from "../fixtures/seed-samples";
import { aCustomer, loginAs, partner, type TestSession } from "../helpers/api";
import { LATER } from "../helpers/catalogue";

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});

const verifySeed = seedOf(ENDPOINTS.douyinVerify);
const yearCardSeed = seedOf(ENDPOINTS.yearCardAddOrder);

const ORDER_ADD_FAILURES = [
  "orderdetails[0].identificationtype 长度不能超过1",
  "orderdetails[0].identificationtype 取值必须是1、2、3、4、5、6、9之一",
  "orderdetails[0].mobile 长度不能超过11",
  "orderdetails[0].mobile 必须是11位手机号码",
  "orderdetails[1].identificationtype 长度不能超过1",
  "orderdetails[1].identificationtype 取值必须是1、2、3、4、5、6、9之一",
  "orderdetails[1].mobile 长度不能超过11",
  "orderdetails[1].mobile 必须是11位手机号码",
  "mobile 长度不能超过11",
  "mobile 必须是11位手机号码",
  "effectdate 长度不能超过8",
  "effectdate 必须是yyyyMMdd格式的有效日期",
  "needinvoice 长度不能超过1",
  "needinvoice 取值必须是0或1",
  "servicecode 长度不能超过2",
];

const YEAR_CARD_FAILURES = [
  "amount 不能大于1",
  "mobile 长度不能超过11",
  "mobile 必须是11位手机号码",
  "identificationtype 长度不能超过1",
  "identificationtype 取值必须是1、2、3、4、5、6、9之一",
  "effectdate 长度不能超过8",
  "effectdate 必须是yyyyMMdd格式的有效日期",
  "needinvoice 长度不能超过1",
  "needinvoice 取值必须是0或1",
  "BuyInsurance 长度不能超过1",
  "BuyInsurance 取值必须是0或1",
  "InsuranceHolderType 长度不能超过1",
  "XB 长度不能超过1",
  "XB 取值必须是M(男)或W(女)",
  "Birthday 长度不能超过8",
  "Birthday 必须是yyyyMMdd格式的有效日期",
  "AdditonalReduceIdType 长度不能超过1",
  "InsuranceSex 长度不能超过1",
  "InsuranceBirthDay 长度不能超过10",
];

const MEDIA = [
  ["JSON", "application/json"],
  ["text/json", "text/json"],
  ["XML", "application/xml"],
  ["text/xml", "text/xml"],
] as const;

const sampleOf = (seed: typeof verifySeed, contentType: string) => (contentType.endsWith("json") ? seed.request.json : seed.request.xml);

/** The answer as a plain object (JSON asked for, so one assertion shape serves every request format). */
async function send(path: string, body: string, contentType: string): Promise<any> {
  const response = await partner(`/${path}`, body, { token: session.token, contentType, accept: "application/json" });
  expect(response.status).toBe(200);
  return response.json();
}

describe.each(MEDIA)("the seeds' request samples as %s", (_name, contentType) => {
  it.each([
    ["Verify", ENDPOINTS.douyinVerify, "errcode", "errmsg"],
    ["Order/Add", "api/WebInterface/Order/Add", "resultcode", "returnmessgage"],
    ["Douyin Order/Add", "api/SpecialOta/DouYin/CalendarTicket/Order/Add", "resultcode", "returnmessgage"],
  ] as const)("OrderAddParm at %s: 1102, naming each field and rule", async (_label, path, code, message) => {
    const r = await send(path, sampleOf(verifySeed, contentType), contentType);
    expect(r[code]).toBe(ResultCodes.fieldTooLong.code);
    expect(r[message].split("；")).toEqual(ORDER_ADD_FAILURES);
  });

  it("YearCardOrderAddParm: 1105 (amount 2 comes first), naming each field and rule", async () => {
    const r = await send(ENDPOINTS.yearCardAddOrder, sampleOf(yearCardSeed, contentType), contentType);
    expect(r).toMatchObject({ orderid: null, sendid: null, orderstatus: null, resultcode: ResultCodes.fieldRange.code });
    expect(r.returnmessgage.split("；")).toEqual(YEAR_CARD_FAILURES);
  });

  it("OrderAddParm with formats repaired: the order's 身份证号 'sample string 3' is refused, then the unknown product", async () => {
    const repaired = repair(sampleOf(verifySeed, contentType), contentType, {
      identificationtype: "2", mobile: "13800138000", effectdate: LATER(), needinvoice: "1", servicecode: "01",
    });
    const first = await send(ENDPOINTS.douyinVerify, repaired, contentType);
    expect(first).toEqual({ errcode: ResultCodes.residentIdFormat.code, errmsg: "身份证号码格式不正确，应为18位有效号码（订单证件号码）", tag: null });
    const withoutOrderId = repair(repaired, contentType, { identificationnumber: "" }, { onlyTopLevel: true });
    const second = await send(ENDPOINTS.douyinVerify, withoutOrderId, contentType);
    expect(second).toEqual({ errcode: ResultCodes.orderProductNotFound.code, errmsg: "第1条明细：产品不存在", tag: null });
  });

  it("YearCardOrderAddParm with formats repaired: the unknown product 'sample string 1'", async () => {
    const repaired = repair(sampleOf(yearCardSeed, contentType), contentType, {
      amount: "1", mobile: "13800138000", identificationtype: "2", effectdate: LATER(), needinvoice: "0", BuyInsurance: "1",
      InsuranceHolderType: "1", XB: "M", Birthday: "19900101", AdditonalReduceIdType: "4", InsuranceSex: "1", InsuranceBirthDay: "1990-01-01",
    });
    const r = await send(ENDPOINTS.yearCardAddOrder, repaired, contentType);
    expect(r).toEqual({ orderid: null, sendid: "sample string 12", orderstatus: null, resultcode: ResultCodes.orderProductNotFound.code, returnmessgage: "产品不存在" });
  });
});

/**
 * Sets members of a sample, wherever they occur (top level and every line),
 * keeping the rest of the sample as the seed wrote it.
 */
function repair(sample: string, contentType: string, values: Record<string, string>, options: { onlyTopLevel?: boolean } = {}): string {
  if (contentType.endsWith("json")) {
    const value = JSON.parse(sample) as Record<string, unknown>;
    const set = (target: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(values)) if (k in target) target[k] = /^\d+$/.test(v) && typeof target[k] === "number" ? Number(v) : v;
    };
    set(value);
    if (!options.onlyTopLevel) for (const line of (value.orderdetails as Record<string, unknown>[] | undefined) ?? []) set(line);
    return JSON.stringify(value);
  }
  const setAll = (text: string) =>
    Object.entries(values).reduce((out, [k, v]) => out.replace(new RegExp(`<${k}>[^<]*</${k}>`, "g"), `<${k}>${v}</${k}>`), text);
  if (!options.onlyTopLevel) return setAll(sample);
  // Top-level members are those outside the <orderdetails> list.
  const from = sample.indexOf("<orderdetails>");
  const to = sample.indexOf("</orderdetails>") + "</orderdetails>".length;
  return setAll(sample.slice(0, from)) + sample.slice(from, to) + setAll(sample.slice(to));
}
