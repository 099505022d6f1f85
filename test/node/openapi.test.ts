/**
 * GET /openapi.json's document (issue 10, point 4), validated with a real
 * OpenAPI validator (@seriousme/openapi-schema-validator compiles JSON Schemas
 * with ajv, which workerd does not allow: hence the Node project), and checked
 * against the schemas and tables it is generated from: every partner endpoint
 * with both media types and the DataContract XML names, bearer security but on
 * Login, every result code with its meaning, every admin operation.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { ResultCodes } from "../../src/domain/codes";
import { partnerEndpoints } from "../../src/endpoints/partner";
import type { PartnerEndpoint } from "../../src/endpoints/partner-endpoint";
import { apiEntries } from "../../src/help/pages";
import { adminOperations } from "../../src/openapi/admin";
import { buildOpenApiDocument, openApiDocument } from "../../src/openapi/document";
import { fieldsOf, modelName, reachableContracts } from "../../src/schemas/introspect";
import { contractOf } from "../../src/wire/contract";
import { listProbeEndpoint, PROBE_CODE_MAX_LENGTH, PROBE_MAX_CODES, PROBE_PATH } from "../fixtures/string-list-contracts";
import { NS_ARRAYS } from "../helpers/wire";

type Json = Record<string, any>;
const doc = openApiDocument() as unknown as Json;
const schemas = doc.components.schemas as Record<string, Json>;
const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${modelName(schema as z.ZodObject)}` });

describe("the OpenAPI document", () => {
  let validator: Validator;
  beforeAll(() => {
    validator = new Validator();
  });

  it("is valid OpenAPI 3.1", async () => {
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.openapi).toBe("3.1.0");
  });

  it("would be refused by the validator when broken (the check can fail)", async () => {
    const broken = structuredClone(doc);
    broken.paths["/api/WebInterface/Order/Add"].post.responses = "none";
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("survives a JSON round trip (what /openapi.json serves)", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe("partner operations", () => {
  const entries = apiEntries(partnerEndpoints);

  it("documents every partner endpoint, each path and method", () => {
    const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
      ["get", "post"].filter((m) => item[m] && (item[m].tags as string[]).includes("Partner")).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(entries.map((e) => `${e.method} /${e.path}`).sort());
  });

  it.each(entries.map((e) => [e.id, e] as const))("%s: bodies in JSON and XML, from the endpoint's own contracts", (_id, entry) => {
    const op = doc.paths[`/${entry.path}`][entry.method.toLowerCase()];
    expect(op.operationId).toBe(entry.id);
    expect(op.summary).toBe(entry.endpoint.summary);
    for (const media of ["application/json", "application/xml"]) {
      expect(op.responses["200"].content[media].schema).toEqual(ref(entry.endpoint.response));
      if (entry.method === "POST") expect(op.requestBody.content[media].schema).toEqual(ref(entry.endpoint.request));
    }
    if (entry.method === "GET") {
      const names = fieldsOf(entry.endpoint.request as unknown as z.ZodObject).map((f) => f.name);
      expect(op.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual(names.map((n) => `query:${n}`));
    }
  });

  it("asks for the session's bearer token everywhere but Login, and the gate's on the gate's check", () => {
    expect(doc.components.securitySchemes.partnerSession).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.gateToken).toMatchObject({ type: "http", scheme: "bearer" });
    for (const entry of entries) {
      const op = doc.paths[`/${entry.path}`][entry.method.toLowerCase()];
      if (entry.endpoint.auth === "none") {
        expect(op.security, entry.id).toEqual([]);
        expect(op.responses["401"], entry.id).toBeUndefined();
      } else if (entry.endpoint.auth === "gate") {
        expect(op.security, entry.id).toEqual([{ gateToken: [] }]);
        expect(op.responses["401"].description, entry.id).toContain(`${ResultCodes.gateUnauthorized.code} \`gateUnauthorized\``);
      } else {
        expect(op.security, entry.id).toEqual([{ partnerSession: [] }]);
        expect(op.responses["401"].description, entry.id).toContain(`${ResultCodes.sessionInvalid.code} \`sessionInvalid\``);
      }
    }
    expect(entries.filter((e) => e.endpoint.auth === "none").map((e) => e.path)).toEqual(["api/WebInterface/Session/Login"]);
    expect(entries.filter((e) => e.endpoint.auth === "gate").map((e) => e.path)).toEqual(["api/WebInterface/Ticket/Check"]);
  });

  it("lists, in each answer's description, every code an understood request may get", () => {
    const understood = Object.entries(ResultCodes).filter(([, c]) => c.http === 200);
    for (const entry of entries) {
      const text = doc.paths[`/${entry.path}`][entry.method.toLowerCase()].responses["200"].description as string;
      for (const [key, c] of understood) expect(text, `${entry.id} ${key}`).toContain(`${c.code} \`${key}\`: ${c.message}`);
    }
  });
});

describe("schemas", () => {
  const contracts = reachableContracts(partnerEndpoints.flatMap((e) => [e.request, e.response] as unknown as z.ZodObject[]));

  it("has one component per DataContract, with its XML root name and namespace and member order", () => {
    for (const schema of contracts) {
      const contract = contractOf(schema);
      const component = schemas[modelName(schema)]!;
      expect(component, modelName(schema)).toBeDefined();
      expect(component.xml).toEqual({ name: contract.name, namespace: contract.namespace });
      expect(component["x-datacontract-order"]).toEqual(contract.xmlMembers.map((m) => m.name));
      expect(Object.keys(component.properties)).toEqual(contract.members.map((m) => m.name));
    }
    expect(schemas.CommonOperationResultWithTagOfPosPayWithPrepaymentResult!.xml.name).toBe(
      "CommonOperationResultWithTagOfPosPayWithPrepaymentResultldpHZqFJ",
    );
  });

  it("carries the schemas' rules: required members, lengths, descriptions, decimals as numbers", () => {
    const parm = schemas.OrderPayAndActivateByPwdParm!;
    expect(parm.required).toEqual(["dwid", "dwlx", "payparm", "sellstationid"]);
    expect(parm.properties.dwid).toMatchObject({ type: "string", maxLength: 36, description: "客户ID" });
    expect(parm.properties.payparm).toEqual({ $ref: "#/components/schemas/PayOrderUsePayPasswordParm", description: "支付的参数。" });
    expect(schemas.PayOrderUsePayPasswordParm!.description).toBe("使用支付密码支付订单时参数的数据结构。");
    expect(schemas.PosPayWithPrepaymentParm!.properties.DWSX).toMatchObject({ minLength: 1, maxLength: 1 });
    expect(schemas.YearCardOrderAddParm!.properties.InsurancePrice).toMatchObject({ type: ["number", "null"], format: "decimal" });
    expect(schemas.OrderAddParm!.properties.orderdetails).toMatchObject({ type: "array", minItems: 1, xml: { wrapped: true }, items: { $ref: "#/components/schemas/OrderAddItemParm" } });
    // Answers write every member (null included), so every member is required there.
    expect(schemas.OrderOperatorResult!.required).toEqual(["orderid", "sendid", "orderstatus", "resultcode", "returnmessgage"]);
    expect(schemas.CommonOperationResultWithTagOfPosPayWithPrepaymentResult!.properties.tag).toEqual({
      oneOf: [{ $ref: "#/components/schemas/PosPayWithPrepaymentResult" }, { type: "null" }],
      description: "操作同时,服务器端需要返回的其他值。",
    });
  });

  it("has every $ref pointing at a component", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of new Set(refs)) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(r)?.[1];
      expect(name && schemas[name], r).toBeTruthy();
    }
  });
});

describe("a List<string> member (the probe endpoint of test/fixtures/string-list-contracts.ts)", () => {
  const probe = buildOpenApiDocument([listProbeEndpoint] as unknown as PartnerEndpoint[], []) as unknown as Json;
  const probeSchemas = probe.components.schemas as Record<string, Json>;
  /** Each item a DataContract `string` of .NET's Arrays namespace, under the list's own element. */
  const items = (extra: Json = {}) => ({ type: "string", ...extra, xml: { name: "string", namespace: NS_ARRAYS } });

  it("leaves a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(structuredClone(probe));
    expect(result.errors ?? []).toEqual([]);
  });

  it("is an array of strings, with each item's max length and the list's max items, for the JSON and the XML body", () => {
    const body = probe.paths[`/${PROBE_PATH}`].post.requestBody.content;
    for (const media of ["application/json", "application/xml"]) expect(body[media].schema, media).toEqual({ $ref: "#/components/schemas/ListProbeParm" });
    expect(probeSchemas.ListProbeParm!.properties.ticketcodes).toEqual({
      type: ["array", "null"],
      items: items({ maxLength: PROBE_CODE_MAX_LENGTH }),
      maxItems: PROBE_MAX_CODES,
      description: "门票编码;不填则为全部门票。",
      xml: { wrapped: true },
    });
    expect(probeSchemas.ListProbeParm!["x-datacontract-order"]).toEqual(["orderid", "reason", "ticketcodes"]);
  });

  it("in an answer's nested type too", () => {
    expect(probeSchemas.ListProbeResult!.properties.tickets).toEqual({ type: ["array", "null"], items: items(), description: "门票编码", xml: { wrapped: true } });
    expect(probeSchemas.ListProbeResult!.required).toContain("tickets");
  });

  it("says in the document how such a list is written in XML", () => {
    expect(probe.info.description).toContain(`\`${NS_ARRAYS}\``);
  });
});

describe("result codes and admin operations", () => {
  it("gives every result code with its meaning", () => {
    expect(doc["x-result-codes"]).toEqual(
      Object.entries(ResultCodes).sort(([, a], [, b]) => a.code - b.code).map(([key, c]) => ({ code: c.code, key, http: c.http, message: c.message })),
    );
    for (const [key, c] of Object.entries(ResultCodes)) expect(doc.info.description).toContain(`| ${c.code} | \`${key}\` | ${c.http} | ${c.message} |`);
  });

  it("documents every admin operation with the admin token, JSON bodies and the error shape", () => {
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
    for (const operation of adminOperations) {
      const op = doc.paths[operation.path]?.[operation.method];
      expect(op, `${operation.method} ${operation.path}`).toBeDefined();
      expect(op.security).toEqual([{ adminToken: [] }]);
      expect(op.responses["401"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AdminError" });
      for (const status of Object.keys(operation.ok)) expect(op.responses[status].content["application/json"].schema).toBeDefined();
      if (operation.body) expect(op.requestBody.content["application/json"].schema).toBeDefined();
      const pathParams = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op.parameters.filter((p: Json) => p.in === "path").map((p: Json) => p.name)).toEqual(pathParams);
    }
    expect(schemas.AdminError!.properties.error.properties).toHaveProperty("code");
  });

  it("documents the order list's CSV export beside its JSON page", () => {
    const ok = doc.paths["/admin/orders"].get.responses["200"].content;
    expect(Object.keys(ok).sort()).toEqual(["application/json", "text/csv"]);
    expect(ok["text/csv"].schema).toMatchObject({ type: "string" });
    expect(doc.paths["/admin/orders"].get.parameters.find((p: Json) => p.name === "format").schema.enum).toEqual(["json", "csv"]);
  });
});
