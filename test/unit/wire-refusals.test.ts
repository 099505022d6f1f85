// What the wire layer refuses (SPEC §3: size, depth, encodings, shapes) and
// how it negotiates the answer's format.
import { describe, expect, it } from "vitest";
import { OrderOperatorResult } from "../../src/schemas/envelopes";
import { PayOrderUsePayPasswordParm } from "../../src/schemas/order-pay";
import { contractOf } from "../../src/wire/contract";
import { DecodeError, decodeBody, type DecodeFailure } from "../../src/wire/decode";
import { encodeBody } from "../../src/wire/encode";
import { MAX_JSON_DEPTH, MAX_XML_DEPTH } from "../../src/wire/limits";
import { negotiate } from "../../src/wire/media";
import { at, decodeError, decodeShaped, utf8 } from "../helpers/wire-checks";

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
