// The wire layer against the legacy help pages (SPEC §3): the seeds' samples
// read and written back. Every expectation comes from a seed's own sample
// text or from SPEC §3, never from our output. Lenient reading and the other
// formats: wire-lenient.test.ts; refusals and negotiation: wire-refusals.test.ts.
import { describe, expect, it } from "vitest";
import { OrderOperatorResult } from "../../src/schemas/envelopes";
import { OrderAddParm } from "../../src/schemas/order-add";
import { PosBillAddResponse, PosPayWithPrepaymentResponse } from "../../src/schemas/pos";
import { SessionLoginResponse } from "../../src/schemas/session";
import { YearCardOrderAddParm } from "../../src/schemas/yearcard";
import { contractOf } from "../../src/wire/contract";
import { writeJson } from "../../src/wire/encode";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { ENDPOINTS, seedList, seedOf } from "../fixtures/seed-samples";
import { minifyJson, normalizeXml, NS_DT, XSI } from "../helpers/wire";
import { at, decodeShaped, expectNoMemberDropped, expectWireTypes, keyOrder, seedCases } from "../helpers/wire-checks";

// ------------------------------------------------------------------ the seeds


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
