// A List<string> through the real partner pipeline (SPEC §3: decode → shape →
// validate → operation → envelope in the negotiated format), on the probe
// endpoint of test/fixtures/string-list-contracts.ts, which answers the codes
// it was sent as SPEC §10's refund answers `tag.tickets`: the same list in
// every request format, every answer format written as the legacy stack
// writes it, and the same validation answer whatever the format.
// The XML bodies and answers are written by hand; test/unit/string-lists.test.ts
// says how DataContractSerializer's form is known.
import { deserialize, serialize } from "bson";
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { servePartner } from "../../src/endpoints/partner-pipeline";
import type { PartnerEndpoint } from "../../src/endpoints/partner-endpoint";
import { listProbeEndpoint, PROBE_PATH } from "../fixtures/string-list-contracts";
import { NS_ARRAYS, NS_DT, NS_PARM_WI, NS_RESULT, XSI } from "../helpers/wire";

const ROOT = "CommonOperationResultWithTagOfListProbeResultldpHZqFJ";
const CODES = ["T20260101A", "票-2"];

async function serve(body: string | Uint8Array, contentType: string, accept?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (accept) headers.accept = accept;
  const request = new Request(`https://eticket.test/${PROBE_PATH}`, { method: "POST", headers, body });
  return servePartner(listProbeEndpoint as unknown as PartnerEndpoint, request, env, createExecutionContext());
}

/** A ListProbeParm as DataContractSerializer writes it: members in ordinal order, the list's items d2p1:string. */
const parmXml = (ticketcodes: string) =>
  `<ListProbeParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}"><orderid>O1</orderid><reason i:nil="true" />${ticketcodes}</ListProbeParm>`;
const itemsXml = (codes: string[], prefix = "d2p1") => codes.map((c) => `<${prefix}:string>${c}</${prefix}:string>`).join("");

/** The same request (orderid O1, the two CODES) in each request format and each way a format can carry a list. */
const requests: { name: string; body: string | Uint8Array; contentType: string }[] = [
  { name: "JSON", body: JSON.stringify({ orderid: "O1", ticketcodes: CODES }), contentType: "application/json" },
  { name: "text/json, other member case", body: JSON.stringify({ OrderId: "O1", TicketCodes: CODES }), contentType: "text/json" },
  { name: "XML", body: parmXml(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}">${itemsXml(CODES)}</ticketcodes>`), contentType: "application/xml" },
  {
    name: "XML, indented, another prefix",
    body: parmXml(`\n  <ticketcodes xmlns:a="${NS_ARRAYS}">\n    ${itemsXml(CODES, "a").replace("</a:string><", "</a:string>\n    <")}\n  </ticketcodes>\n`),
    contentType: "text/xml; charset=utf-8",
  },
  { name: "form, indexed keys", body: "orderid=O1&ticketcodes[0]=T20260101A&ticketcodes[1]=%E7%A5%A8-2", contentType: "application/x-www-form-urlencoded" },
  { name: "form, a repeated key", body: "orderid=O1&ticketcodes=T20260101A&ticketcodes=%E7%A5%A8-2", contentType: "application/x-www-form-urlencoded" },
  { name: "BSON", body: serialize({ orderid: "O1", ticketcodes: CODES }), contentType: "application/bson" },
];

describe("the same list in every request format", () => {
  it.each(requests)("$name: answered with the same tickets", async ({ body, contentType }) => {
    const response = await serve(body, contentType, "application/json");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`{"errcode":0,"errmsg":null,"tag":{"orderid":"O1","tickets":["T20260101A","票-2"],"refundedat":null}}`);
  });
});

describe("the answer's list in every answer format", () => {
  const json = (ticketcodes: unknown) => JSON.stringify({ orderid: "O1", ...(ticketcodes === undefined ? {} : { ticketcodes }) });
  const xmlAnswer = (tickets: string) =>
    `<${ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>0</errcode><errmsg i:nil="true" />` +
    `<tag xmlns:d2p1="${NS_RESULT}"><d2p1:orderid>O1</d2p1:orderid><d2p1:refundedat i:nil="true" />${tickets}</tag></${ROOT}>`;

  it.each([
    { name: "two items", ticketcodes: CODES, tickets: `<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}">${itemsXml(CODES, "d3p1")}</d2p1:tickets>` },
    { name: "an empty list", ticketcodes: [], tickets: `<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}" />` },
    { name: "no list", ticketcodes: undefined, tickets: `<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}" i:nil="true" />` },
  ])("XML, $name: the nested list's items under d3p1", async ({ ticketcodes, tickets }) => {
    const response = await serve(json(ticketcodes), "application/json", "application/xml");
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await response.text()).toBe(xmlAnswer(tickets));
  });

  it("an XML request without Accept is answered in XML", async () => {
    const response = await serve(parmXml(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}">${itemsXml(CODES)}</ticketcodes>`), "application/xml");
    expect(await response.text()).toBe(xmlAnswer(`<d2p1:tickets xmlns:d3p1="${NS_ARRAYS}">${itemsXml(CODES, "d3p1")}</d2p1:tickets>`));
  });

  it("BSON: an array of strings under the JSON names", async () => {
    const response = await serve(json(CODES), "application/json", "application/bson");
    const answer = deserialize(new Uint8Array(await response.arrayBuffer()));
    expect(answer).toEqual({ errcode: 0, errmsg: null, tag: { orderid: "O1", tickets: CODES, refundedat: null } });
    expect(Object.keys(answer.tag)).toEqual(["orderid", "tickets", "refundedat"]);
  });

  it("JSON: null for no list, [] for an empty one", async () => {
    expect((await (await serve(json(undefined), "application/json")).json()) as object).toMatchObject({ tag: { tickets: null } });
    expect((await (await serve(json([]), "application/json")).json()) as object).toMatchObject({ tag: { tickets: [] } });
  });
});

describe("validation answers the same in every format", () => {
  const overlong = "X".repeat(31);
  const cases = [
    {
      name: "an item over its max length",
      code: ResultCodes.fieldTooLong.code,
      message: "ticketcodes[1] 长度不能超过30",
      bodies: {
        json: JSON.stringify({ orderid: "O1", ticketcodes: ["A", overlong] }),
        xml: parmXml(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}">${itemsXml(["A", overlong])}</ticketcodes>`),
        form: `orderid=O1&ticketcodes=A&ticketcodes=${overlong}`,
        bson: serialize({ orderid: "O1", ticketcodes: ["A", overlong] }),
      },
    },
    {
      name: "more items than the list may have",
      code: ResultCodes.fieldRange.code,
      message: "ticketcodes 不能超过3项",
      bodies: {
        json: JSON.stringify({ orderid: "O1", ticketcodes: ["A", "B", "C", "D"] }),
        xml: parmXml(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}">${itemsXml(["A", "B", "C", "D"])}</ticketcodes>`),
        form: "orderid=O1&ticketcodes[0]=A&ticketcodes[1]=B&ticketcodes[2]=C&ticketcodes[3]=D",
        bson: serialize({ orderid: "O1", ticketcodes: ["A", "B", "C", "D"] }),
      },
    },
    {
      name: "a null (or empty) item",
      code: ResultCodes.fieldRequired.code,
      message: "ticketcodes[1] 为必填项",
      bodies: {
        json: JSON.stringify({ orderid: "O1", ticketcodes: ["A", null] }),
        xml: parmXml(`<ticketcodes xmlns:d2p1="${NS_ARRAYS}"><d2p1:string>A</d2p1:string><d2p1:string i:nil="true" /></ticketcodes>`),
        form: "orderid=O1&ticketcodes[0]=A&ticketcodes[1]=",
        bson: serialize({ orderid: "O1", ticketcodes: ["A", null] }),
      },
    },
  ];
  const contentTypes = { json: "application/json", xml: "application/xml", form: "application/x-www-form-urlencoded", bson: "application/bson" } as const;

  it.each(cases)("$name", async ({ code, message, bodies }) => {
    for (const [format, body] of Object.entries(bodies)) {
      const response = await serve(body, contentTypes[format as keyof typeof contentTypes], "application/json");
      expect(response.status, format).toBe(200);
      expect(await response.json(), format).toEqual({ errcode: code, errmsg: message, tag: null });
    }
  });

  it("an item that is not text is a type error naming the item", async () => {
    const response = await serve(JSON.stringify({ orderid: "O1", ticketcodes: ["A", ["B"]] }), "application/json");
    expect(await response.json()).toEqual({ errcode: ResultCodes.fieldType.code, errmsg: "ticketcodes[1] 类型错误,应为string", tag: null });
  });
});
