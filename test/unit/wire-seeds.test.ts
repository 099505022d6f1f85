// The wire layer against the legacy help pages (SPEC §3). Every expectation
// comes from a seed's own sample text or from SPEC §3, never from our output.
import { Decimal128, Double, Int32, Long, serialize } from "bson";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { ENDPOINTS, seedList, seedOf } from "../fixtures/seed-samples";
import { CommonOperationResult, OrderOperatorResult } from "../../src/schemas/envelopes";
import { OrderAddParm } from "../../src/schemas/order-add";
import { OrderPayAndActivateByPwdParm, PayOrderUsePayPasswordParm } from "../../src/schemas/order-pay";
import { PosBillAddResponse, PosPayWithPrepaymentParm, PosPayWithPrepaymentResponse } from "../../src/schemas/pos";
import { SessionLoginResponse } from "../../src/schemas/session";
import { YearCardOrderAddParm } from "../../src/schemas/yearcard";
import { contractOf, type Contract } from "../../src/wire/contract";
import { DecodeError, decodeBody, type DecodeFailure } from "../../src/wire/decode";
import { encodeBody, writeJson } from "../../src/wire/encode";
import { MAX_JSON_DEPTH, MAX_XML_DEPTH } from "../../src/wire/limits";
import { negotiate } from "../../src/wire/media";
import { shapeToContract } from "../../src/wire/shape";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { minifyJson, normalizeXml, NS_DT, NS_PARM, NS_PARM_WI, NS_RESULT, NS_RESULT_WI, XSI } from "../helpers/wire";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Every object's key list, by path, recursively: equal lists mean equal key order everywhere. */
function keyOrder(value: unknown, path = "$"): [string, string[]][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyOrder(item, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const entries = Object.entries(value as Record<string, unknown>);
  return [[path, entries.map(([k]) => k)], ...entries.flatMap(([k, v]) => keyOrder(v, `${path}.${k}`))];
}

/** The value at a dotted path ("orderdetails.0.amount"). */
function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

/** Every member of `raw` (recursively) is present in `shaped` under the same name. */
function expectNoMemberDropped(raw: unknown, shaped: unknown, path = "$"): void {
  if (Array.isArray(raw)) {
    expect(Array.isArray(shaped), `${path} is a list`).toBe(true);
    expect((shaped as unknown[]).length, `${path} length`).toBe(raw.length);
    raw.forEach((item, i) => expectNoMemberDropped(item, (shaped as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (raw === null || typeof raw !== "object") return;
  expect(shaped, path).toBeTypeOf("object");
  const shapedKeys = Object.keys(shaped as object);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    expect(shapedKeys, `${path} keeps member ${key}`).toContain(key);
    expectNoMemberDropped(value, (shaped as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

/** Leaves carry the type the contract gives them: int -> integer number, decimal -> decimal text. */
function expectWireTypes(contract: Contract, value: unknown, path = contract.name): number {
  let checked = 0;
  for (const member of contract.members) {
    const v = (value as Record<string, unknown>)[member.name];
    const where = `${path}.${member.name}`;
    if (v === null || v === undefined) continue;
    checked++;
    switch (member.kind) {
      case "int":
        expect(Number.isInteger(v), `${where} = ${JSON.stringify(v)} is an integer`).toBe(true);
        break;
      case "decimal":
        expect(typeof v, `${where} is decimal text`).toBe("string");
        expect(v, where).toMatch(/^-?\d+(\.\d+)?$/);
        break;
      case "string":
        expect(typeof v, `${where} is a string`).toBe("string");
        break;
      case "object":
        checked += expectWireTypes(member.contract, v, where);
        break;
      case "list":
        expect(Array.isArray(v), `${where} is a list`).toBe(true);
        (v as unknown[]).forEach((item, i) => (checked += expectWireTypes(member.item, item, `${where}[${i}]`)));
        break;
    }
  }
  return checked;
}

function decodeError(run: () => unknown): DecodeFailure | "no error" | string {
  try {
    run();
    return "no error";
  } catch (error) {
    return error instanceof DecodeError ? error.reason : `not a DecodeError: ${String(error)}`;
  }
}

const decodeShaped = (schema: z.ZodType, body: string | Uint8Array, contentType: string) =>
  shapeToContract(contractOf(schema), decodeBody(typeof body === "string" ? utf8(body) : body, contentType));

// ------------------------------------------------------------------ the seeds

interface SeedCase {
  endpoint: string;
  request: z.ZodType;
  response: z.ZodType;
  /** Non-string values the seed's samples carry, after shaping (XML writes them as text). */
  typed: Record<string, unknown>;
}

const seedCases: SeedCase[] = [
  { endpoint: ENDPOINTS.orderPayByPassword, request: OrderPayAndActivateByPwdParm, response: OrderOperatorResult, typed: {} },
  { endpoint: ENDPOINTS.payOrderMin, request: PayOrderUsePayPasswordParm, response: OrderOperatorResult, typed: {} },
  {
    endpoint: ENDPOINTS.yearCardAddOrder,
    request: YearCardOrderAddParm,
    response: OrderOperatorResult,
    typed: { amount: 2, otheruserid: 4, InsurancePrice: "1", InsuranceCount: 1, InsuranceTimeRange: 1 },
  },
  { endpoint: ENDPOINTS.posPayBill, request: PosPayWithPrepaymentParm, response: PosPayWithPrepaymentResponse, typed: {} },
  {
    endpoint: ENDPOINTS.douyinVerify,
    request: OrderAddParm,
    response: CommonOperationResult,
    typed: { otheruserid: 2, timespanindex: 10, "orderdetails.0.amount": 2, "orderdetails.1.amount": 2 },
  },
];

describe("seed fixtures", () => {
  it("the parser finds all five seeds with four samples each", () => {
    expect(seedList.map((s) => s.endpoint).sort()).toEqual(Object.values(ENDPOINTS).sort());
    for (const seed of seedList) {
      for (const sample of [seed.request, seed.response]) {
        expect(() => JSON.parse(sample.json), `${seed.file} JSON`).not.toThrow();
        expect(sample.xml.trim(), `${seed.file} XML`).toMatch(new RegExp(`^<${sample.xmlRoot}[\\s>][\\s\\S]*</${sample.xmlRoot}>$`));
      }
    }
  });

  it.each(seedCases)("$endpoint: our contracts carry the seed's root names and namespaces", ({ endpoint, request, response }) => {
    const seed = seedOf(endpoint);
    for (const [schema, sample] of [[request, seed.request], [response, seed.response]] as const) {
      const contract = contractOf(schema);
      expect(contract.name).toBe(sample.xmlRoot);
      const rootTag = /^<[^>]*>/.exec(sample.xml.trim())![0];
      expect(rootTag).toBe(`<${contract.name} xmlns:i="${XSI}" xmlns="${contract.namespace}">`);
    }
  });
});

describe("(a) request samples: JSON and XML shape to the same object", () => {
  it.each(seedCases)("$endpoint", ({ endpoint, request, typed }) => {
    const seed = seedOf(endpoint);
    const contract = contractOf(request);
    const fromJson = decodeShaped(request, seed.request.json, "application/json");
    const fromXml = decodeShaped(request, seed.request.xml, "application/xml");

    expect(fromXml).toEqual(fromJson);
    // Nothing passed silently: every member of the JSON sample survives shaping, in both formats.
    const raw = JSON.parse(seed.request.json);
    expectNoMemberDropped(raw, fromJson);
    expectNoMemberDropped(raw, fromXml);
    expect(Object.keys(fromXml as object).sort()).toEqual(Object.keys(raw).sort());
    // XML's numbers are text on the wire; after shaping they are numbers (decimal: text).
    expect(expectWireTypes(contract, fromXml)).toBeGreaterThan(0);
    for (const [path, expected] of Object.entries(typed)) {
      expect(at(fromXml, path), `XML ${path}`).toStrictEqual(expected);
      expect(at(fromJson, path), `JSON ${path}`).toStrictEqual(expected);
    }
  });

  it("text/json and text/xml read like application/json and application/xml", () => {
    const seed = seedOf(ENDPOINTS.douyinVerify);
    expect(decodeShaped(OrderAddParm, seed.request.json, "text/json")).toEqual(decodeShaped(OrderAddParm, seed.request.json, "application/json"));
    expect(decodeShaped(OrderAddParm, seed.request.xml, "text/xml; charset=utf-8")).toEqual(decodeShaped(OrderAddParm, seed.request.json, "application/json"));
  });
});

describe("(b) XML writer reproduces the seeds' XML samples", () => {
  it.each(seedCases)("$endpoint: response", ({ endpoint, response }) => {
    const seed = seedOf(endpoint);
    expect(writeXml(contractOf(response), JSON.parse(seed.response.json))).toBe(normalizeXml(seed.response.xml));
  });

  it.each(seedCases)("$endpoint: request, from the JSON sample's values", ({ endpoint, request }) => {
    const seed = seedOf(endpoint);
    expect(writeXml(contractOf(request), JSON.parse(seed.request.json))).toBe(normalizeXml(seed.request.xml));
  });

  it.each(seedCases)("$endpoint: request, round trip of the XML sample (read, shape, write)", ({ endpoint, request }) => {
    const seed = seedOf(endpoint);
    const shaped = decodeShaped(request, seed.request.xml, "application/xml") as WireObject;
    expect(writeXml(contractOf(request), shaped)).toBe(normalizeXml(seed.request.xml));
  });

  it("decimal formatting: each sample's own spelling of InsurancePrice is reproduced by its own writer", () => {
    // The yearcard seed writes the same decimal 1 as `1.0` in JSON (Json.NET always writes a
    // decimal point) and as `1` in XML (DataContractSerializer writes decimal.ToString()).
    const seed = seedOf(ENDPOINTS.yearCardAddOrder);
    const jsonText = /"InsurancePrice":\s*([^,\s}]+)/.exec(seed.request.json)![1];
    const xmlText = /<InsurancePrice>([^<]*)<\/InsurancePrice>/.exec(seed.request.xml)![1];
    expect([jsonText, xmlText]).toEqual(["1.0", "1"]);
    const contract = contractOf(YearCardOrderAddParm);
    const base = JSON.parse(seed.request.json) as WireObject;
    // The XML sample's value, written as XML and as JSON, gives each sample's spelling.
    expect(writeXml(contract, { ...base, InsurancePrice: xmlText })).toContain(`<InsurancePrice>1</InsurancePrice>`);
    expect(writeJson(contract, { ...base, InsurancePrice: xmlText })).toContain(`"InsurancePrice":1.0,`);
    // The JSON sample's spelling "1.0" is written as given (decimal keeps its scale, as .NET's
    // 1.0m would): XML then says `1.0` where the seed says `1` — a difference of decimal
    // formatting only, both read back as the same amount.
    expect(writeJson(contract, { ...base, InsurancePrice: jsonText })).toContain(`"InsurancePrice":1.0,`);
    expect(writeXml(contract, { ...base, InsurancePrice: jsonText })).toContain(`<InsurancePrice>1.0</InsurancePrice>`);
  });
});

describe("(c) JSON writer reproduces the seeds' JSON samples", () => {
  const jsonCases = seedCases.flatMap((c) => [
    { name: `${c.endpoint}: request`, schema: c.request, sample: () => seedOf(c.endpoint).request.json },
    { name: `${c.endpoint}: response`, schema: c.response, sample: () => seedOf(c.endpoint).response.json },
  ]);

  it.each(jsonCases)("$name", ({ schema, sample }) => {
    const text = sample();
    const written = writeJson(contractOf(schema), JSON.parse(text));
    expect(JSON.parse(written)).toEqual(JSON.parse(text));
    expect(keyOrder(JSON.parse(written))).toEqual(keyOrder(JSON.parse(text)));
    // Exact text too: this is where `"InsurancePrice": 1.0` must keep its decimal point.
    expect(written).toBe(minifyJson(text));
  });

  it("decimals: Json.NET always writes a decimal point and keeps the scale", () => {
    const contract = contractOf(YearCardOrderAddParm);
    const write = (price: string) => /"InsurancePrice":([^,}]+)/.exec(writeJson(contract, { InsurancePrice: price }))?.[1];
    expect([write("1"), write("12.5"), write("12.50"), write("0")]).toEqual(["1.0", "12.5", "12.50", "0.0"]);
  });

  it("absent members are written as null, in declaration order", () => {
    expect(writeJson(contractOf(OrderOperatorResult), { resultcode: 7 })).toBe(
      '{"orderid":null,"sendid":null,"orderstatus":null,"resultcode":7,"returnmessgage":null}',
    );
  });
});

describe("(d) generic DataContract names", () => {
  it.each([
    { schema: PosPayWithPrepaymentResponse, name: "CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ" },
    { schema: SessionLoginResponse, name: "CommonOperationResultWithTagOfSessionLoginResultldpHZqFJ" },
    { schema: PosBillAddResponse, name: "CommonOperationResultWithTagOfPosBillAddResultldpHZqFJ" },
  ])("$name", ({ schema, name }) => {
    expect(contractOf(schema).name).toBe(name);
    expect(contractOf(schema).namespace).toBe(NS_DT);
  });
});

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

describe("(g) refusals", () => {
  const nested = (depth: number) => `${"<a>".repeat(depth)}x${"</a>".repeat(depth)}`;
  const json = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const refusalCases: { name: string; body: string | Uint8Array; contentType: string | null; reason: DecodeFailure }[] = [
    {
      name: "DOCTYPE with an internal entity",
      body: '<!DOCTYPE PayOrderUsePayPasswordParm [<!ENTITY e "expanded">]><PayOrderUsePayPasswordParm><orderid>&e;</orderid></PayOrderUsePayPasswordParm>',
      contentType: "application/xml",
      reason: "bodyUnreadable",
    },
    {
      name: "billion laughs",
      body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("")}]><lolz>&lol9;</lolz>`,
      contentType: "text/xml",
      reason: "bodyUnreadable",
    },
    {
      name: "external entity (XXE)",
      body: '<?xml version="1.0"?><!doctype r [<!entity x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      contentType: "application/xml",
      reason: "bodyUnreadable",
    },
    { name: "DOCTYPE without entities", body: "<!DOCTYPE r><r><orderid>O</orderid></r>", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "<!ENTITY without DOCTYPE", body: '<r><!ENTITY e "x"><orderid>O</orderid></r>', contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "malformed JSON: truncated", body: '{"orderid":', contentType: "application/json", reason: "bodyUnreadable" },
    { name: "malformed JSON: unquoted names", body: "{orderid:1}", contentType: "text/json", reason: "bodyUnreadable" },
    { name: "malformed JSON: trailing comma", body: '{"orderid":"1",}', contentType: "application/json", reason: "bodyUnreadable" },
    { name: "malformed XML: crossed tags", body: "<r><orderid>O</r></orderid>", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "malformed XML: unclosed root", body: "<r><orderid>O</orderid>", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "malformed XML: not XML at all", body: "orderid=O", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "malformed XML: two roots", body: "<r></r><s></s>", contentType: "application/xml", reason: "bodyUnreadable" },
    // XML knows five named entities; .NET's XmlReader refuses any other reference as undeclared.
    { name: "malformed XML: undeclared entity &nope;", body: "<r><orderid>&nope;</orderid></r>", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "malformed XML: HTML entity &nbsp; (not XML)", body: "<r><orderid>&nbsp;1</orderid></r>", contentType: "application/xml", reason: "bodyUnreadable" },
    { name: "not UTF-8 bytes", body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc4, 0xe3, 0x22, 0x7d]), contentType: "application/json", reason: "bodyUnreadable" },
    { name: "malformed BSON", body: new Uint8Array([1, 2, 3]), contentType: "application/bson", reason: "bodyUnreadable" },
    { name: "XML nested 10000 deep", body: nested(10_000), contentType: "application/xml", reason: "bodyUnreadable" },
    { name: `JSON nested ${MAX_JSON_DEPTH + 1} deep`, body: json(MAX_JSON_DEPTH + 1), contentType: "application/json", reason: "bodyUnreadable" },
    { name: "content type text/plain", body: '{"orderid":"O"}', contentType: "text/plain", reason: "unsupportedMediaType" },
    { name: "content type application/octet-stream", body: '{"orderid":"O"}', contentType: "application/octet-stream", reason: "unsupportedMediaType" },
    { name: "content type multipart/form-data", body: "x", contentType: "multipart/form-data; boundary=b", reason: "unsupportedMediaType" },
    { name: "content type application/json-patch+json", body: "[]", contentType: "application/json-patch+json", reason: "unsupportedMediaType" },
    { name: "no content type", body: '{"orderid":"O"}', contentType: null, reason: "unsupportedMediaType" },
    { name: "charset iso-8859-1", body: '{"orderid":"O"}', contentType: "application/json; charset=iso-8859-1", reason: "unsupportedMediaType" },
    { name: "charset gb2312 (XML)", body: "<r><orderid>O</orderid></r>", contentType: "application/xml; charset=gb2312", reason: "unsupportedMediaType" },
    { name: "charset utf-16 (text/xml)", body: "<r/>", contentType: "text/xml; charset=utf-16", reason: "unsupportedMediaType" },
    { name: "charset gbk (form)", body: "orderid=O", contentType: "application/x-www-form-urlencoded; charset=gbk", reason: "unsupportedMediaType" },
    { name: 'charset "latin1" quoted', body: '{"orderid":"O"}', contentType: 'application/json; charset="latin1"', reason: "unsupportedMediaType" },
  ];
  it.each(refusalCases)("$name → $reason", ({ body, contentType, reason }) => {
    expect(decodeError(() => decodeBody(typeof body === "string" ? utf8(body) : body, contentType))).toBe(reason);
  });

  const acceptedCases = [
    { name: "charset=utf-8", contentType: "application/json; charset=utf-8", body: '{"orderid":"O"}' },
    { name: "charset=UTF-8, upper-case media type", contentType: "Application/JSON; Charset=UTF-8", body: '{"orderid":"O"}' },
    { name: 'charset="utf-8" quoted', contentType: 'application/json; charset="utf-8"', body: '{"orderid":"O"}' },
    { name: "charset=utf8", contentType: "text/json;charset=utf8", body: '{"orderid":"O"}' },
    { name: "UTF-8 byte order mark", contentType: "application/json", body: '\uFEFF{"orderid":"O"}' },
    { name: "XML with byte order mark", contentType: "application/xml", body: "\uFEFF<r><orderid>O</orderid></r>" },
  ];
  it.each(acceptedCases)("accepts $name", ({ contentType, body }) => {
    expect(decodeShaped(PayOrderUsePayPasswordParm, body, contentType)).toStrictEqual({ orderid: "O" });
  });

  it(`XML nested exactly ${MAX_XML_DEPTH} deep (the limit) is read; ${MAX_XML_DEPTH + 1} is not`, () => {
    expect(decodeError(() => decodeBody(utf8(nested(MAX_XML_DEPTH)), "application/xml"))).toBe("no error");
    expect(decodeError(() => decodeBody(utf8(nested(MAX_XML_DEPTH + 1)), "application/xml"))).toBe("bodyUnreadable");
  });

  it(`JSON nested exactly ${MAX_JSON_DEPTH} deep (the limit) is read; ${MAX_JSON_DEPTH + 1} is not`, () => {
    expect(decodeError(() => decodeBody(utf8(json(MAX_JSON_DEPTH)), "application/json"))).toBe("no error");
    expect(decodeError(() => decodeBody(utf8(json(MAX_JSON_DEPTH + 1)), "application/json"))).toBe("bodyUnreadable");
  });

  it("an entity is never expanded: the refusal names the DOCTYPE, not the entity's text", () => {
    try {
      decodeBody(utf8('<!DOCTYPE r [<!ENTITY e "SECRET-EXPANSION">]><r><orderid>&e;</orderid></r>'), "application/xml");
      expect.unreachable("DOCTYPE was accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as Error).message).not.toContain("SECRET-EXPANSION");
    }
  });

  it("an empty body decodes to undefined (the schema then says what is required)", () => {
    expect(decodeBody(new Uint8Array(), "application/json")).toBeUndefined();
    expect(decodeBody(utf8("  \n"), "application/xml")).toBeUndefined();
  });
});

describe("(h) response negotiation", () => {
  const negotiationCases: { name: string; accept: string | null; contentType: string | null; format: string; mediaType: string }[] = [
    { name: "Accept json wins over an XML request", accept: "application/json", contentType: "application/xml", format: "json", mediaType: "application/json" },
    { name: "Accept xml wins over a JSON request", accept: "application/xml", contentType: "application/json", format: "xml", mediaType: "application/xml" },
    { name: "Accept bson wins over a JSON request", accept: "application/bson", contentType: "application/json", format: "bson", mediaType: "application/bson" },
    { name: "Accept text/json echoed", accept: "text/json", contentType: "application/xml", format: "json", mediaType: "text/json" },
    { name: "Accept text/xml echoed as text/xml", accept: "text/xml", contentType: "application/json", format: "xml", mediaType: "text/xml" },
    { name: "Accept upper-case", accept: "APPLICATION/XML", contentType: null, format: "xml", mediaType: "application/xml" },
    { name: "Accept */* falls through to an XML request", accept: "*/*", contentType: "application/xml", format: "xml", mediaType: "application/xml" },
    { name: "Accept */* falls through to a BSON request", accept: "*/*", contentType: "application/bson", format: "bson", mediaType: "application/bson" },
    { name: "no Accept: text/xml request answered as text/xml", accept: null, contentType: "text/xml; charset=utf-8", format: "xml", mediaType: "text/xml" },
    { name: "empty Accept: JSON request", accept: "", contentType: "application/json", format: "json", mediaType: "application/json" },
    { name: "no Accept: form request answered as JSON", accept: null, contentType: "application/x-www-form-urlencoded", format: "json", mediaType: "application/json" },
    { name: "Accept */*: form request answered as JSON", accept: "*/*", contentType: "application/x-www-form-urlencoded", format: "json", mediaType: "application/json" },
    { name: "no Accept, no Content-Type: JSON", accept: null, contentType: null, format: "json", mediaType: "application/json" },
    { name: "unwritable Accept falls through", accept: "text/html", contentType: "application/xml", format: "xml", mediaType: "application/xml" },
    { name: "unwritable Accept, then */*, falls through", accept: "text/html, application/xhtml+xml, */*", contentType: "text/xml", format: "xml", mediaType: "text/xml" },
    { name: "q: higher quality wins regardless of order", accept: "application/json;q=0.1, application/xml;q=0.9", contentType: null, format: "xml", mediaType: "application/xml" },
    { name: "q: implicit 1.0 beats 0.5", accept: "application/xml;q=0.5, application/json", contentType: "application/xml", format: "json", mediaType: "application/json" },
    { name: "q: spaces around parameters", accept: "application/json ; q=0.2 , application/bson ; q=0.8", contentType: null, format: "bson", mediaType: "application/bson" },
    { name: "q=0 means not acceptable", accept: "application/xml;q=0", contentType: "application/json", format: "json", mediaType: "application/json" },
    { name: "equal quality: first listed wins", accept: "application/xml, application/json", contentType: "application/json", format: "xml", mediaType: "application/xml" },
    { name: "parameters other than q ignored", accept: "application/xml; charset=utf-8", contentType: null, format: "xml", mediaType: "application/xml" },
  ];
  it.each(negotiationCases)("$name", ({ accept, contentType, format, mediaType }) => {
    expect(negotiate(accept, contentType)).toEqual({ format, mediaType });
  });

  it.each([
    { format: { format: "json", mediaType: "text/json" } as const, contentType: "text/json; charset=utf-8" },
    { format: { format: "xml", mediaType: "text/xml" } as const, contentType: "text/xml; charset=utf-8" },
    { format: { format: "xml", mediaType: "application/xml" } as const, contentType: "application/xml; charset=utf-8" },
    { format: { format: "bson", mediaType: "application/bson" } as const, contentType: "application/bson" },
  ])("the response Content-Type for $format.mediaType is $contentType", ({ format, contentType }) => {
    expect(encodeBody(contractOf(OrderOperatorResult), { resultcode: 0 }, format).contentType).toBe(contentType);
  });
});
