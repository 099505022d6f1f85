// The wire layer's lenient reading (SPEC §3): nulls, absent members, legacy
// number spellings, and form-urlencoded and BSON bodies read like JSON.
import { Decimal128, Double, Int32, Long, serialize } from "bson";
import { describe, expect, it } from "vitest";
import { CommonOperationResult, OrderOperatorResult } from "../../src/schemas/envelopes";
import { OrderAddParm } from "../../src/schemas/order-add";
import { OrderPayAndActivateByPwdParm, PayOrderUsePayPasswordParm } from "../../src/schemas/order-pay";
import { PosPayWithPrepaymentParm, PosPayWithPrepaymentResponse } from "../../src/schemas/pos";
import { YearCardOrderAddParm } from "../../src/schemas/yearcard";
import { contractOf } from "../../src/wire/contract";
import { writeXml } from "../../src/wire/xml";
import { seedOf } from "../fixtures/seed-samples";
import { NS_DT, NS_PARM, NS_PARM_WI, NS_RESULT, NS_RESULT_WI, XSI } from "../helpers/wire";
import { decodeShaped, seedCases } from "../helpers/wire-checks";

describe("(e) nulls and lenient reading", () => {
  it("null and absent members are written as <x i:nil=\"true\" />", () => {
    expect(writeXml(contractOf(OrderOperatorResult), { orderid: null, orderstatus: null, resultcode: 1102, returnmessgage: "orderid 长度不能超过20" })).toBe(
      `<OrderOperatorResult xmlns:i="${XSI}" xmlns="${NS_RESULT_WI}">` +
        `<orderid i:nil="true" /><orderstatus i:nil="true" /><resultcode>1102</resultcode>` +
        `<returnmessgage>orderid 长度不能超过20</returnmessgage><sendid i:nil="true" /></OrderOperatorResult>`,
    );
  });

  it("a null nested object is nil (no namespace declaration); its null members are nil under d2p1", () => {
    const contract = contractOf(PosPayWithPrepaymentResponse);
    const root = `<CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ xmlns:i="${XSI}" xmlns="${NS_DT}">`;
    const end = "</CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ>";
    expect(writeXml(contract, { errcode: -1, errmsg: "单据不存在", tag: null })).toBe(
      `${root}<errcode>-1</errcode><errmsg>单据不存在</errmsg><tag i:nil="true" />${end}`,
    );
    expect(writeXml(contract, { errcode: 1, errmsg: null, tag: { BillNum: "B1", BillState: null } })).toBe(
      `${root}<errcode>1</errcode><errmsg i:nil="true" /><tag xmlns:d2p1="${NS_RESULT}">` +
        `<d2p1:BillNum>B1</d2p1:BillNum><d2p1:BillState i:nil="true" /><d2p1:RndCode i:nil="true" /></tag>${end}`,
    );
  });

  it("text is escaped as XmlWriter escapes it", () => {
    expect(writeXml(contractOf(CommonOperationResult), { errcode: 0, errmsg: 'a<b>&"c\'', tag: "" })).toBe(
      `<CommonOperationResult xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>0</errcode><errmsg>a&lt;b&gt;&amp;"c'</errmsg><tag></tag></CommonOperationResult>`,
    );
  });

  const readCases = [
    {
      name: "members in any order, no namespaces",
      schema: PayOrderUsePayPasswordParm,
      xml: "<PayOrderUsePayPasswordParm><paypassword>P</paypassword><orderid>O</orderid></PayOrderUsePayPasswordParm>",
      expected: { orderid: "O", paypassword: "P" },
    },
    {
      name: "i:nil members read as null",
      schema: PayOrderUsePayPasswordParm,
      xml: `<PayOrderUsePayPasswordParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}"><orderid>O</orderid><paypassword i:nil="true" /></PayOrderUsePayPasswordParm>`,
      expected: { orderid: "O", paypassword: null },
    },
    {
      name: "nested member with the default namespace instead of d2p1",
      schema: OrderPayAndActivateByPwdParm,
      xml: "<OrderPayAndActivateByPwdParm><payparm><orderid>O</orderid><paypassword>P</paypassword></payparm><dwid>D</dwid></OrderPayAndActivateByPwdParm>",
      expected: { payparm: { orderid: "O", paypassword: "P" }, dwid: "D" },
    },
    {
      name: "nested member under another prefix",
      schema: OrderPayAndActivateByPwdParm,
      xml: `<OrderPayAndActivateByPwdParm xmlns="${NS_PARM}"><payparm xmlns:x="${NS_PARM_WI}"><x:paypassword>P</x:paypassword><x:orderid>O</x:orderid></payparm></OrderPayAndActivateByPwdParm>`,
      expected: { payparm: { orderid: "O", paypassword: "P" } },
    },
    {
      name: "integers as .NET reads them: ' 4 ', '+4', '04', '-1'",
      schema: OrderAddParm,
      xml:
        "<OrderAddParm><timespanindex> 4 </timespanindex><otheruserid>+4</otheruserid>" +
        "<orderdetails><OrderAddItemParm><amount>04</amount></OrderAddItemParm><OrderAddItemParm><amount>-1</amount></OrderAddItemParm></orderdetails></OrderAddParm>",
      expected: { timespanindex: 4, otheruserid: 4, orderdetails: [{ amount: 4 }, { amount: -1 }] },
    },
    {
      name: "a list of one item is still a list; an empty or nil list",
      schema: OrderAddParm,
      xml:
        `<OrderAddParm xmlns:i="${XSI}"><orderdetails><OrderAddItemParm><productid>P</productid><seatitems><Order2SeatItem><seatid>S</seatid></Order2SeatItem></seatitems></OrderAddItemParm></orderdetails></OrderAddParm>`,
      expected: { orderdetails: [{ productid: "P", seatitems: [{ seatid: "S" }] }] },
    },
    {
      name: "an empty list element and a nil list",
      schema: OrderAddParm,
      xml:
        `<OrderAddParm xmlns:i="${XSI}"><orderdetails><OrderAddItemParm><seatitems /></OrderAddItemParm><OrderAddItemParm><seatitems i:nil="true" /></OrderAddItemParm></orderdetails></OrderAddParm>`,
      expected: { orderdetails: [{ seatitems: [] }, { seatitems: null }] },
    },
    {
      name: "entities, character references and CDATA; string whitespace kept",
      schema: PayOrderUsePayPasswordParm,
      xml: "<PayOrderUsePayPasswordParm><orderid>&lt;1&amp;2&gt; &#x4E2D;&#25991;</orderid><paypassword><![CDATA[ a<b ]]></paypassword></PayOrderUsePayPasswordParm>",
      expected: { orderid: "<1&2> 中文", paypassword: " a<b " },
    },
    {
      // .NET's reader takes a CDATA section's text as written: '&' and what looks like an
      // entity stay literal, and it joins CDATA with the text around it in order.
      name: "CDATA with '&', entity-like text, ']]' and text around it",
      schema: PayOrderUsePayPasswordParm,
      xml: "<PayOrderUsePayPasswordParm><orderid><![CDATA[A & B &amp; ]]]]>&amp;<![CDATA[>]]>x</orderid><paypassword><![CDATA[<!DOCTYPE x>]]></paypassword></PayOrderUsePayPasswordParm>",
      expected: { orderid: "A & B &amp; ]]&>x", paypassword: "<!DOCTYPE x>" },
    },
    {
      name: "an XML declaration before the root",
      schema: PayOrderUsePayPasswordParm,
      xml: '<?xml version="1.0" encoding="utf-8"?>\n<PayOrderUsePayPasswordParm><orderid>O</orderid></PayOrderUsePayPasswordParm>',
      expected: { orderid: "O" },
    },
  ];
  it.each(readCases)("XML: $name", ({ schema, xml, expected }) => {
    expect(decodeShaped(schema, xml, "application/xml")).toStrictEqual(expected);
  });

  // DataContractSerializer reads an empty element of a class type as an instance with no
  // members set (only i:nil="true" is null), so an empty XML object must shape exactly like
  // JSON's {} — the schema then names the missing members, as it does for JSON.
  const emptyElementCases = [
    {
      name: "a self-closed root element",
      schema: PayOrderUsePayPasswordParm,
      xml: `<PayOrderUsePayPasswordParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}" />`,
      json: "{}",
    },
    {
      name: "a root element with only whitespace inside",
      schema: PayOrderUsePayPasswordParm,
      xml: `<PayOrderUsePayPasswordParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}">\n</PayOrderUsePayPasswordParm>`,
      json: "{}",
    },
    {
      name: "an empty nested object element",
      schema: OrderPayAndActivateByPwdParm,
      xml: `<OrderPayAndActivateByPwdParm xmlns="${NS_PARM}"><dwid>D</dwid><payparm xmlns:d2p1="${NS_PARM_WI}" /></OrderPayAndActivateByPwdParm>`,
      json: '{"dwid":"D","payparm":{}}',
    },
    {
      name: "an empty list element written across lines",
      schema: OrderAddParm,
      xml: "<OrderAddParm><orderdetails>\n  <OrderAddItemParm>\n    <seatitems>\n    </seatitems>\n  </OrderAddItemParm>\n</orderdetails></OrderAddParm>",
      json: '{"orderdetails":[{"seatitems":[]}]}',
    },
  ];
  it.each(emptyElementCases)("XML: $name shapes like JSON's empty object/list", ({ schema, xml, json }) => {
    const fromXml = decodeShaped(schema, xml, "application/xml");
    const fromJson = decodeShaped(schema, json, "application/json");
    expect(fromXml).toStrictEqual(fromJson);
    // And therefore validation says the same thing about both.
    const issues = (value: unknown) => schema.safeParse(value).error?.issues.map((i) => `${i.path.join(".")}:${i.code}`);
    expect(issues(fromXml)).toEqual(issues(fromJson));
  });

  const jsonNameCases = [
    { name: "upper-case member names", schema: PayOrderUsePayPasswordParm, json: { ORDERID: "O", PAYPASSWORD: "P" }, expected: { orderid: "O", paypassword: "P" } },
    {
      name: "mixed-case nested member names",
      schema: OrderPayAndActivateByPwdParm,
      json: { DwId: "D", PayParm: { OrderId: "O", PayPassword: "P" }, SetToTommrowTime: "23:00" },
      expected: { dwid: "D", payparm: { orderid: "O", paypassword: "P" }, settotommrowtime: "23:00" },
    },
    {
      name: "lower-case names of upper-case members",
      schema: PosPayWithPrepaymentParm,
      json: { dwid: "D", dwsx: "1", billnum: "B", payPwd: "X" },
      expected: { DWID: "D", DWSX: "1", BillNum: "B", PayPwd: "X" },
    },
    {
      name: "list items' members",
      schema: OrderAddParm,
      json: { OrderDetails: [{ ProductId: "P", AMOUNT: "+2", SeatItems: [{ SEATID: "S" }] }] },
      expected: { orderdetails: [{ productid: "P", amount: 2, seatitems: [{ seatid: "S" }] }] },
    },
    { name: "unknown members dropped", schema: PayOrderUsePayPasswordParm, json: { orderid: "O", extra: "x" }, expected: { orderid: "O" } },
  ];
  it.each(jsonNameCases)("JSON: $name", ({ schema, json, expected }) => {
    expect(decodeShaped(schema, JSON.stringify(json), "application/json")).toStrictEqual(expected);
  });
});

describe("(f) form-urlencoded and BSON read like JSON", () => {
  const payJson = { dwid: "D1", dwlx: "1", payparm: { orderid: "O1", paypassword: "P+/=" }, sellstationid: "01" };
  const orderJson = {
    orderdetails: [
      { productid: "P1", amount: 2, seatitems: [{ seatid: "S1" }, { seatid: "S2" }] },
      { productid: "P2" },
    ],
    mobile: "13800000000",
    effectdate: "20260101",
    timespanindex: -1,
  };
  const formCases = [
    {
      name: "payparm[orderid]=…",
      schema: OrderPayAndActivateByPwdParm,
      form: "dwid=D1&dwlx=1&payparm[orderid]=O1&payparm[paypassword]=P%2B%2F%3D&sellstationid=01",
      json: payJson,
    },
    {
      name: "payparm.orderid=…",
      schema: OrderPayAndActivateByPwdParm,
      form: "dwid=D1&dwlx=1&payparm.orderid=O1&payparm.paypassword=P%2B%2F%3D&sellstationid=01",
      json: payJson,
    },
    {
      name: "percent-encoded brackets, mixed-case names",
      schema: OrderPayAndActivateByPwdParm,
      form: "DWID=D1&dwlx=1&PayParm%5BOrderId%5D=O1&PayParm%5BPayPassword%5D=P%2B%2F%3D&SellStationId=01",
      json: payJson,
    },
    {
      name: "orderdetails[0][productid]=…&orderdetails[0][amount]=2&orderdetails[1][productid]=…",
      schema: OrderAddParm,
      form:
        "orderdetails[0][productid]=P1&orderdetails[0][amount]=2&orderdetails[0][seatitems][0][seatid]=S1&orderdetails[0][seatitems][1][seatid]=S2" +
        "&orderdetails[1][productid]=P2&mobile=13800000000&effectdate=20260101&timespanindex=-1",
      json: orderJson,
    },
    {
      name: "list indexes out of order",
      schema: OrderAddParm,
      form:
        "orderdetails[1][productid]=P2&orderdetails[0][seatitems][1][seatid]=S2&orderdetails[0][productid]=P1&orderdetails[0][amount]=2&orderdetails[0][seatitems][0][seatid]=S1" +
        "&mobile=13800000000&effectdate=20260101&timespanindex=-1",
      json: orderJson,
    },
    {
      name: "UTF-8 percent-encoding and + for space",
      schema: YearCardOrderAddParm,
      form: "fullname=%E5%BC%A0%E4%B8%89&remark=a+b&InsurancePrice=12.50&amount=1",
      json: { fullname: "张三", remark: "a b", InsurancePrice: "12.50", amount: 1 },
    },
  ];
  it.each(formCases)("form: $name", ({ schema, form, json }) => {
    const fromForm = decodeShaped(schema, form, "application/x-www-form-urlencoded");
    expect(fromForm).toStrictEqual(decodeShaped(schema, JSON.stringify(json), "application/json"));
    expect(fromForm).toStrictEqual(json); // the JSON equivalent is already in contract types
  });

  // Json.NET populates an object member that already has a value (ObjectCreationHandling.Auto
  // reuses it), and ASP.NET's form reader hands the form to Json.NET as a JObject whose keys are
  // case-sensitive: two spellings of one nested member therefore merge, they do not replace.
  it.each([
    {
      format: "JSON",
      body: '{"dwid":"D1","payparm":{"orderid":"O1"},"PayParm":{"paypassword":"P"}}',
      contentType: "application/json",
    },
    { format: "form", body: "dwid=D1&payparm[orderid]=O1&PayParm[paypassword]=P", contentType: "application/x-www-form-urlencoded" },
  ])("$format: two spellings of one nested member merge (no member silently lost)", ({ body, contentType }) => {
    expect(decodeShaped(OrderPayAndActivateByPwdParm, body, contentType)).toStrictEqual({ dwid: "D1", payparm: { orderid: "O1", paypassword: "P" } });
  });

  it("form: twelve list items keep their order (index 10 after 9)", () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ productid: `P${i}`, amount: i + 1 }));
    const form = items.map((item, i) => `orderdetails[${i}][productid]=${item.productid}&orderdetails[${i}][amount]=${item.amount}`).join("&");
    expect(decodeShaped(OrderAddParm, form, "application/x-www-form-urlencoded")).toStrictEqual({ orderdetails: items });
  });

  const bsonCases = [
    { name: "nested object", schema: OrderPayAndActivateByPwdParm, bson: payJson, json: payJson },
    { name: "lists of objects, negative int", schema: OrderAddParm, bson: orderJson, json: orderJson },
    {
      name: "BSON number types: Int32, Long, Double, Decimal128",
      schema: YearCardOrderAddParm,
      bson: { amount: new Int32(1), otheruserid: Long.fromNumber(42), InsuranceCount: new Double(1), InsurancePrice: Decimal128.fromString("12.50") },
      json: { amount: 1, otheruserid: 42, InsuranceCount: 1, InsurancePrice: "12.50" },
    },
    {
      name: "a Double decimal",
      schema: YearCardOrderAddParm,
      bson: { InsurancePrice: new Double(12.5) },
      json: { InsurancePrice: 12.5 },
    },
  ];
  it.each(bsonCases)("BSON: $name", ({ schema, bson, json }) => {
    const fromBson = decodeShaped(schema, serialize(bson as Record<string, unknown>), "application/bson");
    expect(fromBson).toStrictEqual(decodeShaped(schema, JSON.stringify(json), "application/json"));
  });

  it("BSON: the seed's JSON samples, sent as BSON, shape like the JSON samples", () => {
    for (const { endpoint, request } of seedCases) {
      const raw = JSON.parse(seedOf(endpoint).request.json);
      expect(decodeShaped(request, serialize(raw), "application/bson"), endpoint).toStrictEqual(
        decodeShaped(request, seedOf(endpoint).request.json, "application/json"),
      );
    }
  });
});
