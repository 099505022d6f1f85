// The legacy help page of a contract with List<string> members, as ASP.NET's
// Web API help page generator would show it: "Collection of string" in the
// field table (its ModelDescriptionLink template writes "Collection of " and
// the element's description, `string` for System.String), and samples filled
// by its ObjectGenerator, which fills a collection with two items from a
// fresh generator — so the items are "sample string 1" and "sample string 2"
// and the owner's own count goes on as if the list were not there. Published
// help pages show exactly that, e.g. `"Comments": ["sample string 1",
// "sample string 2"]` and, next to `<Email>sample string 1</Email>`,
// `<Companies xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">`
// `<d2p1:string>sample string 1</d2p1:string><d2p1:string>sample string 2</d2p1:string></Companies>`.
import { describe, expect, it } from "vitest";
import type { PartnerEndpoint } from "../../src/endpoints/partner-endpoint";
import { apiEntries, apiPage, modelPage } from "../../src/help/pages";
import { apiPageHtml, apiPageText, modelPageText } from "../../src/help/render";
import { listProbeEndpoint } from "../fixtures/string-list-contracts";
import { NS_ARRAYS, NS_DT, NS_PARM_WI, NS_RESULT, XSI } from "../helpers/wire";

const endpoints = [listProbeEndpoint] as unknown as PartnerEndpoint[];
const page = apiPage(apiEntries(endpoints)[0]!);
const text = apiPageText(page);
const ROOT = "CommonOperationResultWithTagOfListProbeResultldpHZqFJ";

describe("help page of a contract with List<string> members", () => {
  it("the field table says Collection of string, with the list's own rules only", () => {
    expect(text).toContain(
      [
        "ListProbeParm",
        "| Name | Description | Type | Additional information |",
        "|---|---|---|---|",
        "| orderid | 订单号 | string | Required Max length: 20 |",
        "| ticketcodes | 门票编码;不填则为全部门票。 | Collection of string | None. |",
        "| reason | 原因 | string | Max length: 200 |",
      ].join("\n"),
    );
  });

  it("the HTML shows the type as text: string has no model page to link to", () => {
    const html = apiPageHtml(page);
    expect(html).toContain('<td class="parameter-name">ticketcodes</td><td class="parameter-documentation"><p>门票编码;不填则为全部门票。</p></td><td class="parameter-type">Collection of string</td>');
    expect(html).not.toContain("modelName=string");
  });

  it("the request's JSON sample: two sample strings, numbered afresh; the owner's count skips the list", () => {
    expect(page.requestFormats[0]!.text).toBe(
      ["{", '  "orderid": "sample string 1",', '  "ticketcodes": [', '    "sample string 1",', '    "sample string 2"', "  ],", '  "reason": "sample string 2"', "}"].join("\n"),
    );
  });

  it("the request's XML sample: the Arrays namespace on the member, d2p1:string items", () => {
    expect(page.requestFormats[1]!.text).toBe(
      [
        `<ListProbeParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}">`,
        "  <orderid>sample string 1</orderid>",
        "  <reason>sample string 2</reason>",
        `  <ticketcodes xmlns:d2p1="${NS_ARRAYS}">`,
        "    <d2p1:string>sample string 1</d2p1:string>",
        "    <d2p1:string>sample string 2</d2p1:string>",
        "  </ticketcodes>",
        "</ListProbeParm>",
      ].join("\n"),
    );
  });

  it("the answer's samples: a list inside the tag, its items one namespace level deeper (d3p1)", () => {
    expect(page.responseFormats[0]!.text).toBe(
      [
        "{",
        '  "errcode": 1,',
        '  "errmsg": "sample string 2",',
        '  "tag": {',
        '    "orderid": "sample string 1",',
        '    "tickets": [',
        '      "sample string 1",',
        '      "sample string 2"',
        "    ],",
        '    "refundedat": "sample string 2"',
        "  }",
        "}",
      ].join("\n"),
    );
    expect(page.responseFormats[1]!.text).toBe(
      [
        `<${ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}">`,
        "  <errcode>1</errcode>",
        "  <errmsg>sample string 2</errmsg>",
        `  <tag xmlns:d2p1="${NS_RESULT}">`,
        "    <d2p1:orderid>sample string 1</d2p1:orderid>",
        "    <d2p1:refundedat>sample string 2</d2p1:refundedat>",
        `    <d2p1:tickets xmlns:d3p1="${NS_ARRAYS}">`,
        "      <d3p1:string>sample string 1</d3p1:string>",
        "      <d3p1:string>sample string 2</d3p1:string>",
        "    </d2p1:tickets>",
        "  </tag>",
        `</${ROOT}>`,
      ].join("\n"),
    );
  });

  it("the nested type's model page lists its list member; string itself has no model page", () => {
    const model = modelPage(endpoints, "ListProbeResult");
    expect(model && modelPageText(model)).toContain("| tickets | 门票编码 | Collection of string | None. |");
    expect(modelPage(endpoints, "string")).toBeUndefined();
  });
});
