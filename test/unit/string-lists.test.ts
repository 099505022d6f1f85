// Lists of strings (`List<string>` in the legacy contracts), the member kind
// SPEC §10's refund needs: `textList()` validates each item as `text()` does
// and the list's own size, with messages naming the field, the item index and
// the rule (SPEC §3 "Validation"); each format carries the list as the legacy
// stack does (SPEC §3): Json.NET's array of strings, DataContractSerializer's
// `<d2p1:string>` items in .NET's Arrays namespace, ASP.NET model binding's
// form keys, a BSON array.
//
// How the XML goldens are known. DataContractSerializer's class writer
// (XmlFormatWriterGenerator.WriteMembers, the same in .NET Framework 4.x and
// in dotnet/runtime) starts a member's element, then — when the member's type
// lives in another namespace, as `List<string>` ("ArrayOfstring" in
// http://schemas.microsoft.com/2003/10/Serialization/Arrays) does — declares
// that namespace (XmlWriterDelegator.WriteXmlnsAttribute: prefix
// "d{depth}p{n}", n from 1 per element, depth 2 for the root's members), and
// only then writes the value: `i:nil="true"` for null, else one
// `<string>` element per item in that namespace. So the declaration is there
// for an empty and for a null list too. What .NET's own output shows:
//  - ASP.NET Web API help samples of List<string> members:
//    `<Comments xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">`
//    `<d2p1:string>sample string 1</d2p1:string>` `<d2p1:string>sample string 2</d2p1:string>`;
//  - empty lists in serialized files: `<Variables xmlns:d2p1="…/Arrays" />`;
//  - null lists: `<BannedIPs xmlns:d2p1="…/Arrays" i:nil="true" />`, and one
//    level down `<d2p1:libraryPaths xmlns:d3p1="…/Arrays" i:nil="true" />`;
//    Microsoft's Lync Server documentation prints an ABWQ service answer with
//    `<Values xmlns:d6p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays" i:nil="true" />`.
// Reading: .NET takes only `string` items of the Arrays namespace, under any
// prefix, with whitespace between them, and silently skips any other child
// element (XmlFormatReaderGenerator.HandleUnexpectedItemInCollection ->
// SkipUnknownElement). Our reader is lenient instead (SPEC §3): any prefix or
// none, and every child element is an item — a partner's `<ticketcode>` items
// must not vanish into "no codes given".
import { Double, Int32, deserialize, serialize } from "bson";
import { stringify as formBody } from "qs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ResultKey } from "../../src/domain/codes";
import { describeIssues } from "../../src/schemas/errors";
import { contract, money } from "../../src/schemas/fields";
import { NS } from "../../src/schemas/namespaces";
import { contractOf } from "../../src/wire/contract";
import { decodeBody } from "../../src/wire/decode";
import { encodeBody, writeJson } from "../../src/wire/encode";
import { shapeToContract } from "../../src/wire/shape";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { ListProbeParm, ListProbeResponse, RequiredListParm } from "../fixtures/string-list-contracts";
import { NS_ARRAYS, NS_DT, NS_PARM_WI, NS_RESULT, XSI } from "../helpers/wire";

const utf8 = (text: string) => new TextEncoder().encode(text);
const decodeShaped = (schema: z.ZodType, body: string | Uint8Array, contentType: string) =>
  shapeToContract(contractOf(schema), decodeBody(typeof body === "string" ? utf8(body) : body, contentType));

const PARM = `<ListProbeParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}">`;
const PARM_END = "</ListProbeParm>";
const RESPONSE_ROOT = "CommonOperationResultWithTagOfListProbeResultldpHZqFJ";

/** The result code key and message the pipeline would answer, or "ok". */
function verdict(schema: typeof ListProbeParm | typeof RequiredListParm, value: unknown): { key: ResultKey; message: string } | "ok" {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return "ok";
  const { key, message } = describeIssues(parsed.error.issues);
  return { key, message };
}

describe("textList(): validation", () => {
  const thirty = "T".repeat(30);
  const cases: { name: string; schema: typeof ListProbeParm | typeof RequiredListParm; value: unknown; expected: { key: ResultKey; message: string } | "ok" }[] = [
    { name: "absent optional list", schema: ListProbeParm, value: { orderid: "O" }, expected: "ok" },
    { name: "null optional list", schema: ListProbeParm, value: { orderid: "O", ticketcodes: null }, expected: "ok" },
    { name: "empty list", schema: ListProbeParm, value: { orderid: "O", ticketcodes: [] }, expected: "ok" },
    { name: "items at their longest, the most items", schema: ListProbeParm, value: { orderid: "O", ticketcodes: [thirty, "A", "B"] }, expected: "ok" },
    {
      name: "an item one over its max length",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", "B", `${thirty}X`] },
      expected: { key: "fieldTooLong", message: "ticketcodes[2] 长度不能超过30" },
    },
    {
      name: "one item more than the list's max items",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", "B", "C", "D"] },
      expected: { key: "fieldRange", message: "ticketcodes 不能超过3项" },
    },
    {
      name: "a null item",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", null] },
      expected: { key: "fieldRequired", message: "ticketcodes[1] 为必填项" },
    },
    {
      name: "a blank item ([Required] refuses whitespace-only)",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: [" ", "A"] },
      expected: { key: "fieldRequired", message: "ticketcodes[0] 为必填项" },
    },
    {
      name: "an item that is not a string",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", { code: "B" }] },
      expected: { key: "fieldType", message: "ticketcodes[1] 类型错误,应为string" },
    },
    {
      name: "a list that is not a list",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: { code: "A" } },
      expected: { key: "fieldType", message: "ticketcodes 类型错误,应为Collection" },
    },
    {
      name: "every failure named, the first one's code",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: [`${thirty}X`, null] },
      expected: { key: "fieldTooLong", message: "ticketcodes[0] 长度不能超过30；ticketcodes[1] 为必填项" },
    },
    { name: "required list present", schema: RequiredListParm, value: { codes: ["AB", "C9"] }, expected: "ok" },
    { name: "required list absent", schema: RequiredListParm, value: {}, expected: { key: "fieldRequired", message: "codes 为必填项" } },
    { name: "required list null", schema: RequiredListParm, value: { codes: null }, expected: { key: "fieldRequired", message: "codes 为必填项" } },
    { name: "fewer items than minItems", schema: RequiredListParm, value: { codes: [] }, expected: { key: "fieldRequired", message: "codes 至少需要1项" } },
    { name: "an item under its min length", schema: RequiredListParm, value: { codes: ["AB", "C"] }, expected: { key: "fieldTooShort", message: "codes[1] 长度不能少于2" } },
    {
      name: "an item breaking its format",
      schema: RequiredListParm,
      value: { codes: ["AB", "cd"] },
      expected: { key: "fieldFormat", message: "codes[1] 只能包含大写字母和数字" },
    },
  ];
  it.each(cases)("$name", ({ schema, value, expected }) => {
    expect(verdict(schema, value)).toEqual(expected);
  });
});

describe("the contract: a list of strings is its own member kind", () => {
  it("in declaration order for JSON, in ordinal order for XML", () => {
    const contract = contractOf(ListProbeParm);
    expect(contract.members).toEqual([
      { name: "orderid", kind: "string" },
      { name: "ticketcodes", kind: "stringList" },
      { name: "reason", kind: "string" },
    ]);
    expect(contract.xmlMembers.map((m) => m.name)).toEqual(["orderid", "reason", "ticketcodes"]);
  });

  it("refuses a list of anything but contracts and strings (no wire form is defined for it)", () => {
    const numbers = contract({ name: "Numbers", clrNamespace: NS.parm }, { n: z.array(z.number()) });
    const amounts = contract({ name: "Amounts", clrNamespace: NS.parm }, { a: z.array(money({ description: "金额", required: true })) });
    expect(() => contractOf(numbers)).toThrow(/list/);
    expect(() => contractOf(amounts)).toThrow(/list/);
  });
});

describe("XML: written as DataContractSerializer writes a List<string>", () => {
  const write = (value: WireObject) => writeXml(contractOf(ListProbeParm), value);

  it.each([
    {
      name: "two items: the Arrays namespace declared on the member as d2p1, items d2p1:string",
      value: { orderid: "O1", ticketcodes: ["A", "B"] },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string><d2p1:string>B</d2p1:string></ticketcodes>`,
    },
    {
      name: "an empty list: the declaration, no items, shortened as .NET's writer does",
      value: { orderid: "O1", ticketcodes: [] },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}" />`,
    },
    {
      name: "a null list: the declaration comes before i:nil, as .NET writes it",
      value: { orderid: "O1", ticketcodes: null },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}" i:nil="true" />`,
    },
    {
      name: "an absent list is written as null (every member always written)",
      value: { orderid: "O1" },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}" i:nil="true" />`,
    },
    {
      name: "a null item is a nil item",
      value: { orderid: "O1", ticketcodes: ["A", null] },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string><d2p1:string i:nil="true" /></ticketcodes>`,
    },
    {
      name: "item text escaped as XmlWriter escapes it",
      value: { orderid: "O1", ticketcodes: ['a<b>&"c\'', "中文"] },
      xml: `<orderid>O1</orderid><reason i:nil="true" /><ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>a&lt;b&gt;&amp;"c'</d2p1:string><d2p1:string>中文</d2p1:string></ticketcodes>`,
    },
  ])("$name", ({ value, xml }) => {
    expect(write(value)).toBe(`${PARM}${xml}${PARM_END}`);
  });

  it("inside a nested type of another namespace: the list's element is d2p1, its items one level deeper, d3p1", () => {
    const contract = contractOf(ListProbeResponse);
    expect(contract.name).toBe(RESPONSE_ROOT);
    const root = `<${RESPONSE_ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>0</errcode><errmsg i:nil="true" />`;
    const end = `</${RESPONSE_ROOT}>`;
    expect(writeXml(contract, { errcode: 0, errmsg: null, tag: { orderid: "O1", tickets: ["T1", "T2"], refundedat: "2026-01-01" } })).toBe(
      `${root}<tag xmlns:d2p1="${NS_RESULT}"><d2p1:orderid>O1</d2p1:orderid><d2p1:refundedat>2026-01-01</d2p1:refundedat>` +
        `<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}"><d3p1:string>T1</d3p1:string><d3p1:string>T2</d3p1:string></d2p1:tickets></tag>${end}`,
    );
    expect(writeXml(contract, { errcode: 0, errmsg: null, tag: { orderid: "O1", tickets: null } })).toBe(
      `${root}<tag xmlns:d2p1="${NS_RESULT}"><d2p1:orderid>O1</d2p1:orderid><d2p1:refundedat i:nil="true" />` +
        `<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}" i:nil="true" /></tag>${end}`,
    );
  });
});

describe("XML: read leniently", () => {
  const body = (members: string) => `${PARM}<orderid>O</orderid>${members}${PARM_END}`;
  const readCases: { name: string; xml: string; expected: unknown }[] = [
    { name: "the writer's own form", xml: body(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string><d2p1:string>B</d2p1:string></ticketcodes>`), expected: ["A", "B"] },
    { name: "items under another prefix", xml: body(`<ticketcodes xmlns:a="${NS_ARRAYS}"><a:string>A</a:string><a:string>B</a:string></ticketcodes>`), expected: ["A", "B"] },
    { name: "items with no namespace at all", xml: body("<ticketcodes><string>A</string><string>B</string></ticketcodes>"), expected: ["A", "B"] },
    {
      name: "indented as the help sample shows it; one item is still a list",
      xml: body(`\n  <ticketcodes xmlns:d2p1="${NS_ARRAYS}">\n    <d2p1:string>A</d2p1:string>\n  </ticketcodes>\n`),
      expected: ["A"],
    },
    {
      name: "item text as written: whitespace kept, entities and CDATA decoded",
      xml: body(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string> A </d2p1:string><d2p1:string>a&lt;b&#x4E2D;</d2p1:string><d2p1:string><![CDATA[x&y]]></d2p1:string></ticketcodes>`),
      expected: [" A ", "a<b中", "x&y"],
    },
    { name: "an empty element with the declaration", xml: body(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}" />`), expected: [] },
    { name: "an empty element written across lines", xml: body("<ticketcodes>\n  </ticketcodes>"), expected: [] },
    { name: "nil with the declaration", xml: body(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}" i:nil="true" />`), expected: null },
    { name: "nil without it", xml: body('<ticketcodes i:nil="true" />'), expected: null },
    { name: "a nil item reads as null (validation then names it)", xml: body(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string><d2p1:string i:nil="true" /></ticketcodes>`), expected: ["A", null] },
    // .NET would skip these items silently (they are not Arrays:string); a refund would then lose its codes.
    { name: "item elements of another name are items", xml: body("<ticketcodes><ticketcode>A</ticketcode><ticketcode>B</ticketcode></ticketcodes>"), expected: ["A", "B"] },
    { name: "the member's name in another case", xml: body(`<TicketCodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string></TicketCodes>`), expected: ["A"] },
    // DataContractSerializer refuses text where items belong; a lone value is read as one item (as a form's is).
    { name: "text where items belong: one item", xml: body("<ticketcodes>A</ticketcodes>"), expected: ["A"] },
  ];
  it.each(readCases)("$name", ({ xml, expected }) => {
    expect(decodeShaped(ListProbeParm, xml, "application/xml")).toStrictEqual({ orderid: "O", ticketcodes: expected });
  });

  it("absent stays absent", () => {
    expect(decodeShaped(ListProbeParm, body(""), "application/xml")).toStrictEqual({ orderid: "O" });
  });

  it("a response's nested list reads back (the writer's d2p1/d3p1 form)", () => {
    const value = { errcode: 0, errmsg: "ok", tag: { orderid: "O1", tickets: ["T1", "T2"], refundedat: null } };
    expect(decodeShaped(ListProbeResponse, writeXml(contractOf(ListProbeResponse), value), "application/xml")).toStrictEqual(value);
  });
});

describe("JSON: Json.NET's array of strings", () => {
  const write = (value: WireObject) => writeJson(contractOf(ListProbeParm), value);

  it.each([
    { name: "two items, in declaration order", value: { orderid: "O", ticketcodes: ["A", "B"], reason: "r" }, json: '{"orderid":"O","ticketcodes":["A","B"],"reason":"r"}' },
    { name: "empty", value: { orderid: "O", ticketcodes: [] }, json: '{"orderid":"O","ticketcodes":[],"reason":null}' },
    { name: "null", value: { orderid: "O", ticketcodes: null }, json: '{"orderid":"O","ticketcodes":null,"reason":null}' },
    { name: "absent is null", value: { orderid: "O" }, json: '{"orderid":"O","ticketcodes":null,"reason":null}' },
    { name: "escaped items, a null item", value: { orderid: "O", ticketcodes: ['a"b\\c', "中", null] }, json: '{"orderid":"O","ticketcodes":["a\\"b\\\\c","中",null],"reason":null}' },
  ])("writes $name", ({ value, json }) => {
    expect(write(value)).toBe(json);
  });

  it.each([
    { name: "member names in any case", json: '{"ORDERID":"O","TicketCodes":["A","B"]}', expected: { orderid: "O", ticketcodes: ["A", "B"] } },
    { name: "numbers as items read as their text (Json.NET reads a number token into a string)", json: '{"ticketcodes":[12,"B",1.5]}', expected: { ticketcodes: ["12", "B", "1.5"] } },
    { name: "null", json: '{"ticketcodes":null}', expected: { ticketcodes: null } },
    { name: "empty", json: '{"ticketcodes":[]}', expected: { ticketcodes: [] } },
    { name: "a null item stays (validation names it)", json: '{"ticketcodes":["A",null]}', expected: { ticketcodes: ["A", null] } },
    { name: "an object item passes through (validation names it)", json: '{"ticketcodes":[{"code":"A"}]}', expected: { ticketcodes: [{ code: "A" }] } },
    { name: "a lone string is one item", json: '{"ticketcodes":"A"}', expected: { ticketcodes: ["A"] } },
    // Json.NET populates a list member that already holds a list (ObjectCreationHandling.Auto): the items add up.
    { name: "two spellings of the member: the items add up, none lost", json: '{"ticketcodes":["A"],"TicketCodes":["B","C"]}', expected: { ticketcodes: ["A", "B", "C"] } },
  ])("reads $name", ({ json, expected }) => {
    expect(decodeShaped(ListProbeParm, json, "application/json")).toStrictEqual(expected);
  });
});

describe("form-urlencoded: as ASP.NET model binding reads a List<string>", () => {
  const FORM = "application/x-www-form-urlencoded";
  it.each([
    { name: "indexed keys ticketcodes[0]=…&ticketcodes[1]=…", form: "orderid=O&ticketcodes[0]=A&ticketcodes[1]=B", expected: ["A", "B"] },
    { name: "percent-encoded brackets", form: "orderid=O&ticketcodes%5B0%5D=A&ticketcodes%5B1%5D=B", expected: ["A", "B"] },
    { name: "a repeated key ticketcodes=…&ticketcodes=…", form: "orderid=O&ticketcodes=A&ticketcodes=B", expected: ["A", "B"] },
    { name: "jQuery's ticketcodes[]=…", form: "orderid=O&ticketcodes[]=A&ticketcodes[]=B", expected: ["A", "B"] },
    { name: "a single key is a list of one", form: "orderid=O&ticketcodes=A", expected: ["A"] },
    { name: "indexes out of order", form: "orderid=O&ticketcodes[1]=B&ticketcodes[0]=A", expected: ["A", "B"] },
    { name: "the member's name in another case", form: "orderid=O&TicketCodes[0]=A&TicketCodes[1]=B", expected: ["A", "B"] },
    { name: "UTF-8 and + for space", form: "orderid=O&ticketcodes=%E7%A5%A8+1&ticketcodes=a%26b", expected: ["票 1", "a&b"] },
  ])("$name", ({ form, expected }) => {
    expect(decodeShaped(ListProbeParm, form, FORM)).toStrictEqual({ orderid: "O", ticketcodes: expected });
  });

  it("twelve indexed items keep their order (index 10 after 9)", () => {
    const codes = Array.from({ length: 12 }, (_, i) => `T${i}`);
    const form = codes.map((code, i) => `ticketcodes[${i}]=${code}`).join("&");
    expect(decodeShaped(ListProbeParm, form, FORM)).toStrictEqual({ ticketcodes: codes });
  });
});

describe("BSON: an array of strings", () => {
  it("reads an array, null, and number items as their text", () => {
    const read = (doc: Record<string, unknown>) => decodeShaped(ListProbeParm, serialize(doc), "application/bson");
    expect(read({ orderid: "O", ticketcodes: ["A", "B"] })).toStrictEqual({ orderid: "O", ticketcodes: ["A", "B"] });
    expect(read({ ticketcodes: null })).toStrictEqual({ ticketcodes: null });
    expect(read({ ticketcodes: [new Int32(7), new Double(1.5), "C"] })).toStrictEqual({ ticketcodes: ["7", "1.5", "C"] });
  });

  it("writes an array of strings under the JSON names, in declaration order", () => {
    const { body } = encodeBody(contractOf(ListProbeParm), { orderid: "O", ticketcodes: ["A", "B"] }, { format: "bson", mediaType: "application/bson" });
    const decoded = deserialize(body as Uint8Array);
    expect(decoded).toEqual({ orderid: "O", ticketcodes: ["A", "B"], reason: null });
    expect(Object.keys(decoded)).toEqual(["orderid", "ticketcodes", "reason"]);
    const empty = deserialize(encodeBody(contractOf(ListProbeParm), { ticketcodes: [] }, { format: "bson", mediaType: "application/bson" }).body as Uint8Array);
    expect(empty.ticketcodes).toEqual([]);
  });
});

describe("round trips: written in each format, read back, validated", () => {
  const values: { name: string; ticketcodes: string[] | null; form: boolean }[] = [
    { name: "two codes", ticketcodes: ["T20260101A", "T20260101B"], form: true },
    { name: "text that needs escaping", ticketcodes: ['中文 & <x> "q"', " spaced ", "a+b=c&d"], form: true },
    // A form cannot say "empty list" or "null": no key is all it has.
    { name: "an empty list", ticketcodes: [], form: false },
    { name: "null", ticketcodes: null, form: false },
  ];
  const contract = contractOf(ListProbeParm);
  const formats: { format: string; contentType: string; body: (value: WireObject) => string | Uint8Array }[] = [
    { format: "JSON", contentType: "application/json", body: (value) => writeJson(contract, value) },
    { format: "XML", contentType: "application/xml", body: (value) => writeXml(contract, value) },
    { format: "BSON", contentType: "application/bson", body: (value) => encodeBody(contract, value, { format: "bson", mediaType: "application/bson" }).body as Uint8Array },
    // As test/helpers/api.ts's partner() sends forms: ticketcodes[0]=…&ticketcodes[1]=…
    { format: "form", contentType: "application/x-www-form-urlencoded", body: (value) => formBody(value, { allowDots: false, encodeValuesOnly: true }) },
  ];
  const cases = values.flatMap((v) => formats.filter((f) => f.format !== "form" || v.form).map((f) => ({ ...f, ...v, label: `${f.format}: ${v.name}` })));
  it.each(cases)("$label", ({ contentType, body, ticketcodes }) => {
    const value = { orderid: "O1", ticketcodes, reason: "r" };
    const shaped = decodeShaped(ListProbeParm, body(value), contentType);
    expect(shaped).toStrictEqual(value);
    const parsed = ListProbeParm.safeParse(shaped);
    expect(parsed.success ? parsed.data : parsed.error.issues).toStrictEqual(value);
  });
});
