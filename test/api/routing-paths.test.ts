/**
 * Routing (SPEC §3): case-insensitive paths with or without a trailing
 * slash, and 404/405/413/415/400 and 500 in the endpoint's own envelope.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { partnerEndpoints } from "../../src/endpoints/partner";
import { refuse } from "../../src/endpoints/partner-endpoint";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../../src/wire/limits";
import { ADMIN_TOKEN, fetchWorker, partner } from "../helpers/api";

import { answerOf, countingStream, credentialFor, endpoints, loggedIn, patched, registerGate, send, wireCode, x } from "../helpers/partner-endpoints";

beforeAll(registerGate);

const byPath = endpoints.filter((e, i) => endpoints.findIndex((o) => o.path === e.path) === i);

describe.each(byPath.map((e) => [e.path, e] as const))("%s is matched case-insensitively, with or without a trailing slash", (_path, spec) => {
  const mixed = (p: string) => [...p].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join("");
  const spellings: [string, (p: string) => string][] = [
    ["lower case", (p) => p.toLowerCase()],
    ["UPPER CASE", (p) => p.toUpperCase()],
    ["mixed case", mixed],
    ["trailing slash", (p) => `${p}/`],
    ["UPPER CASE with trailing slash", (p) => `${p.toUpperCase()}/`],
  ];
  it.each(spellings)("%s", async (_label, spell) => {
    const { c, token } = await loggedIn();
    // A body this endpoint refuses with its own message: the answer proves which endpoint served it
    // (an endpoint with nothing to refuse: its own answer to the valid body).
    const [, change] = spec.invalid[0] ?? [];
    const body = patched(await spec.valid(c), change ?? {});
    const canonical = await answerOf(spec, await send(spec, body, token));
    const spelled = await answerOf(spec, await send(spec, body, token, spell(spec.path)));
    expect(canonical.status).toBe(200);
    expect(spelled).toEqual(canonical);
  });
});

describe("unknown paths are 404", () => {
  it.each([
    "/api/Nope",
    "/api/WebInterface/Session",
    "/api/WebInterface/Session/LoginX",
    "/api/WebInterface/Session/Login/extra",
    "/api/WebInterface/Session/Login.aspx",
    "/Source/UseAccountToPayByPwdXaspx",
    "/Source/UseAccountToPayByPwd.asp",
    "/apii/WebInterface/Session/Login",
    "/",
  ])("POST %s", async (path) => {
    const response = await partner(path, {});
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: ResultCodes.notFound.code, message: ResultCodes.notFound.message } });
  });
});

describe("other methods than POST on /api paths are 405 in the endpoint's envelope, with Allow", () => {
  const postOnly = byPath.filter((e) => e.path.startsWith("/api/"));
  const cases = postOnly.flatMap((spec) => ["GET", "PUT", "DELETE", "PATCH"].map((method) => [`${method} ${spec.path}`, method, spec] as const));

  it.each(cases)("%s", async (_label, method, spec) => {
    const response = await fetchWorker(spec.path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    const answer = await answerOf(spec, response);
    expect(answer.code).toBe(wireCode(spec, ResultCodes.methodNotAllowed.code));
    expect(answer.message).toContain(ResultCodes.methodNotAllowed.message);
  });

  it("the WebForms alias allows GET and POST only", async () => {
    const spec = endpoints.find((e) => e.path.startsWith("/Source/"))!;
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const response = await fetchWorker(spec.path, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, POST");
      expect((await answerOf(spec, response)).code).toBe(ResultCodes.methodNotAllowed.code);
    }
  });

  it("the 405 speaks XML when asked: OrderOperatorResult members in DataContract order", async () => {
    const response = await fetchWorker("/api/WebInterface/Order/Add", { method: "GET", headers: { accept: "application/xml" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("content-type")).toMatch(/^application\/xml/);
    const text = await response.text();
    expect(text).toMatch(/^<OrderOperatorResult /);
    const members = [...text.matchAll(/<(\w+)[ >/]/g)].map((m) => m[1]).slice(1);
    expect(members).toEqual(["orderid", "orderstatus", "resultcode", "returnmessgage", "sendid"]);
    expect(text).toContain("<resultcode>1004</resultcode>");
  });

  it("the 405 of a CommonOperationResult endpoint in XML has errcode, errmsg, tag", async () => {
    const response = await fetchWorker("/api/WebInterface/Session/Login", { method: "GET", headers: { accept: "text/xml" } });
    expect(response.status).toBe(405);
    const text = await response.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfSessionLoginResult\w+ /);
    expect([...text.matchAll(/<(\w+)[ >/]/g)].map((m) => m[1]).slice(1)).toEqual(["errcode", "errmsg", "tag"]);
  });
});

// ------------------------------------------------------------------ media types, bodies, limits

describe("unsupported Content-Type is 415 in the envelope", () => {
  const mediaTypes: [string, string | undefined, BodyInit][] = [
    ["text/plain", "text/plain", '{"a":1}'],
    ["multipart/form-data", "multipart/form-data; boundary=xyz", '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n'],
    ["application/octet-stream", "application/octet-stream", new Uint8Array([1, 2, 3])],
    ["JSON in GBK", "application/json; charset=gbk", '{"a":1}'],
    ["no Content-Type at all", undefined, new TextEncoder().encode('{"a":1}')],
  ];
  const cases = byPath.filter((e) => e.via !== "query").flatMap((spec) => mediaTypes.map(([label, type, body]) => [`${spec.path}: ${label}`, spec, type, body] as const));
  // The WebForms alias is POSTed too.
  cases.push(...mediaTypes.map(([label, type, body]) => [`/Source/UseAccountToPayByPwd.aspx: ${label}`, endpoints.find((e) => e.via === "form")!, type, body] as const));

  it.each(cases)("%s", async (_label, spec, type, body) => {
    const { token } = await loggedIn();
    const headers: Record<string, string> = { authorization: `Bearer ${credentialFor(spec, token)}` };
    if (type) headers["content-type"] = type;
    const response = await fetchWorker(spec.path, { method: "POST", headers, body });
    expect(response.status).toBe(415);
    const answer = await answerOf(spec, response);
    expect(answer.code).toBe(wireCode(spec, ResultCodes.unsupportedMediaType.code));
    expect(answer.message).toContain(ResultCodes.unsupportedMediaType.message);
  });
});

describe("an unparseable body is 400 in the envelope", () => {
  const deepJson = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
  const bodies: [string, string, BodyInit, "json" | "xml"][] = [
    ["truncated JSON", "application/json", '{"dwid": "a",', "json"],
    ["JSON with a trailing comma", "text/json", '{"dwid": "a",}', "json"],
    ["JSON that is not UTF-8", "application/json", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), "json"],
    [`JSON nested deeper than ${MAX_JSON_DEPTH}`, "application/json", deepJson, "json"],
    ["garbage BSON", "application/bson", new Uint8Array([5, 0, 0, 0, 9, 9, 9]), "json"],
    ["an unclosed XML element", "application/xml", "<OrderAddParm><mobile>13800138000</OrderAddParm>", "xml"],
    ["XML that is not XML", "text/xml", "not <xml", "xml"],
    ["XML with a DOCTYPE", "application/xml", '<!DOCTYPE a [<!ENTITY e "x">]><OrderAddParm><mobile>&e;</mobile></OrderAddParm>', "xml"],
  ];
  const cases = byPath.filter((e) => e.via !== "query").flatMap((spec) => bodies.map(([label, type, body, answerFormat]) => [`${spec.path}: ${label}`, spec, type, body, answerFormat] as const));

  it.each(cases)("%s", async (_label, spec, type, body, answerFormat) => {
    const { token } = await loggedIn();
    const response = await fetchWorker(spec.path, { method: "POST", headers: { authorization: `Bearer ${credentialFor(spec, token)}`, "content-type": type }, body });
    expect(response.status).toBe(400);
    const expectedCode = wireCode(spec, ResultCodes.bodyUnreadable.code);
    if (answerFormat === "json") {
      const answer = await answerOf(spec, response);
      expect(answer.code).toBe(expectedCode);
      expect(answer.message).toContain(ResultCodes.bodyUnreadable.message);
    } else {
      // The answer follows the request's media type (SPEC §3 negotiation).
      expect(response.headers.get("content-type")).toMatch(/xml/);
      const text = await response.text();
      expect(text).toMatch(spec.family === "order" ? /^<OrderOperatorResult / : /^<CommonOperationResult/);
      expect(text).toContain(spec.family === "order" ? `<resultcode>${expectedCode}</resultcode>` : `<errcode>${expectedCode}</errcode>`);
    }
  });
});

describe(`a body over MAX_BODY_BYTES (${MAX_BODY_BYTES}) is 413 in the envelope, without being read`, () => {
  const cases = byPath.filter((e) => e.via !== "query").map((spec) => [spec.path, spec] as const);

  it.each(cases)("%s: one byte over the limit", async (_path, spec) => {
    const { token } = await loggedIn();
    const response = await partner(spec.path, `{"a":"${"x".repeat(MAX_BODY_BYTES - 7)}"}`, { token: credentialFor(spec, token) });
    expect(response.status).toBe(413);
    const answer = await answerOf(spec, response);
    expect(answer.code).toBe(wireCode(spec, ResultCodes.bodyTooLarge.code));
  });

  it.each(cases)("%s: exactly the limit is read", async (_path, spec) => {
    const { token } = await loggedIn();
    const body = `${" ".repeat(MAX_BODY_BYTES - 2)}{}`;
    const response = await partner(spec.path, body, { token: credentialFor(spec, token) });
    expect(response.status).not.toBe(413);
    await response.arrayBuffer();
  });

  it("a declared Content-Length over the limit is refused before the body is read", async () => {
    const { token } = await loggedIn();
    const total = 10 * 1024 * 1024;
    const { stream, seen } = countingStream(total);
    const response = await fetchWorker("/api/WebInterface/Order/Add", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(total) },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { resultcode: number }).resultcode).toBe(ResultCodes.bodyTooLarge.code);
    expect(seen.pulledBytes).toBeLessThan(MAX_BODY_BYTES);
  });

  it("an undeclared streamed body stops being read just past the limit", async () => {
    const total = 10 * 1024 * 1024;
    const { stream, seen } = countingStream(total);
    const response = await fetchWorker("/api/WebInterface/Session/Login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errcode: number }).errcode).toBe(ResultCodes.bodyTooLarge.code);
    expect(seen.pulledBytes).toBeLessThanOrEqual(MAX_BODY_BYTES + 4 * 8 * 1024);
  });

  it("the admin API refuses an oversized body with 413 too", async () => {
    const response = await fetchWorker("/admin/customers/big", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ dwlx: "1", name: "x".repeat(MAX_BODY_BYTES), loginPassword: "x" }),
    });
    expect(response.status).toBe(413);
  });
});

// ------------------------------------------------------------------ internal errors

describe("a 500 never shows internals", () => {
  // No partner request reaching a 500 was found: every malformed input met so
  // far is refused by a stage (400/413/415/11xx). The admin API's path
  // parameters are percent-decoded by the handler and a malformed escape throws.
  it.each(["/admin/customers/%E0%A4%A/account", "/admin/orders/%ZZ", "/admin/products/%/calendar?month=202701"])(
    "GET %s answers without a stack, an exception name or a source path",
    async (path) => {
      const response = await fetchWorker(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const text = await response.text();
      expect([400, 404, 500]).toContain(response.status);
      expect(text).not.toMatch(/URIError|TypeError|Error:|\bat \w|\.ts\b|\.js\b|stack|malformed/i);
      const body = JSON.parse(text) as { error: { code: number; message: string } };
      expect(typeof body.error.code).toBe("number");
      if (response.status === 500) expect(body.error).toEqual({ code: ResultCodes.internal.code, message: expect.any(String) });
    },
  );
});

beforeAll(() => {
  // Every partner endpoint of the route table is covered above.
  const covered = new Set(endpoints.map((e) => e.path.slice(1).toLowerCase()));
  const served = partnerEndpoints.flatMap((e) => e.paths.map((p) => p.toLowerCase()));
  expect(served.filter((p) => !covered.has(p))).toEqual([]);
});
