/**
 * The request stages every partner endpoint shares (SPEC §3; foundation
 * issue, points 3 and 8): validation with the 11xx codes and a Chinese
 * message naming the field — before any operation runs — and the rules that
 * span two fields. Paths, methods and bodies the router refuses:
 * routing-paths.test.ts; the endpoint table: test/helpers/partner-endpoints.ts.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { servePartner } from "../../src/endpoints/partner-pipeline";
import { partner } from "../helpers/api";

import { type Answer, type Body, type EndpointSpec, POS_PAY_FAILED, REQUIRED, TYPE, answerOf, credentialFor, endpointOf, endpoints, loggedIn, patched, placeholderOperation, registerGate, send, upperCasedNames, wireCode } from "../helpers/partner-endpoints";

beforeAll(registerGate);

// ------------------------------------------------------------------ validation, per endpoint

describe.each(endpoints.map((e) => [e.name, e] as const))("%s: validation before the operation", (_name, spec) => {
  it.each(spec.invalid)("%s → %i", async (_label, change, code, message) => {
    const { c, token } = await loggedIn();
    const answer = await answerOf(spec, await send(spec, patched(await spec.valid(c), change), spec.session ? token : undefined));
    expect(answer.status).toBe(200);
    expect(answer.code).toBe(wireCode(spec, code));
    expect(answer.message).toContain(message);
  });

  // The GET alias has no body.
  if (spec.via !== "query") it.each([
    ["an empty body", "", REQUIRED, "请求体 为必填项"],
    ["JSON null", "null", REQUIRED, "请求体 为必填项"],
    ["a JSON array", "[]", TYPE, "请求体 类型错误"],
    ["a JSON string", '"hello"', TYPE, "请求体 类型错误"],
  ] as const)("%s → %i", async (_label, raw, code, message) => {
    const { token } = await loggedIn();
    const answer = await answerOf(spec, await partner(spec.path, raw, { token: credentialFor(spec, token), contentType: "application/json" }));
    expect(answer.status).toBe(200);
    expect(answer.code).toBe(wireCode(spec, code));
    expect(answer.message).toContain(message);
  });

  it("a valid body passes validation: the operation's own answer", async () => {
    const { c, token } = await loggedIn();
    const answer = await answerOf(spec, await send(spec, await spec.valid(c), spec.session ? token : undefined));
    expect(answer.status).toBe(200);
    expect(answer.code === POS_PAY_FAILED ? answer.message : answer.code).not.toSatisfy(
      (code: number | string) => typeof code === "number" && code >= 1000 && code < 2000,
    );
    expect(answer.message).not.toContain(ResultCodes.internal.message);
    if (spec.posPay) expect(answer.message).not.toMatch(/为必填项|长度不能超过|必须是|类型错误/);
  });

  if (spec.via !== "query") it("member names are matched case-insensitively: the upper-cased valid body gets the same code", async () => {
    const { c, token } = await loggedIn();
    const t = spec.session ? token : undefined;
    const valid = await spec.valid(c);
    const plain = await answerOf(spec, await send(spec, valid, t));
    const upper = await answerOf(spec, await send(spec, upperCasedNames(valid) as Body, t));
    expect(upper.code).toBe(plain.code);
  });
});

describe("an operation runs only after every stage of the pipeline passed", () => {
  // The pipeline is run with each endpoint's own contracts and an operation that only says it ran.
  async function viaPlaceholder(spec: EndpointSpec, body: Body, sessionToken: string | undefined): Promise<Answer> {
    const placeholder = { ...endpointOf(spec), handle: placeholderOperation };
    const token = credentialFor(spec, sessionToken);
    const request =
      spec.via === "query"
        ? new Request(`https://eticket.test${spec.path}?${new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]))}`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
          })
        : new Request(`https://eticket.test${spec.path}`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(body),
          });
    return answerOf(spec, await servePartner(placeholder, request, env, createExecutionContext()));
  }

  it.each(endpoints.filter((e) => e.session && e.via !== "form").map((e) => [e.name, e] as const))("%s", async (_name, spec) => {
    const { c, token } = await loggedIn();
    const valid = await spec.valid(c);
    const ok = await viaPlaceholder(spec, valid, token);
    expect(ok).toMatchObject({ status: 200, code: wireCode(spec, ResultCodes.notYetAvailable.code) });
    expect(ok.message).toContain(ResultCodes.notYetAvailable.message);
    for (const [label, change, code, message] of spec.invalid) {
      const refused = await viaPlaceholder(spec, patched(valid, change), token);
      expect({ label, status: refused.status, code: refused.code }).toEqual({ label, status: 200, code: wireCode(spec, code) });
      expect(refused.message).toContain(message);
    }
    const anonymous = await viaPlaceholder(spec, valid, undefined);
    expect(anonymous).toMatchObject({ status: 401, code: wireCode(spec, (spec.gate ? ResultCodes.gateUnauthorized : ResultCodes.sessionMissing).code) });
  });
});

describe("rules that span two fields", () => {
  it("Order/Query needs orderid or senderid (seed: 与senderid至少提供一个)", async () => {
    const { token } = await loggedIn();
    const response = await partner("/api/WebInterface/Order/Query", {}, { token });
    const body = (await response.json()) as { errcode: number; errmsg: string };
    expect([ResultCodes.fieldRequired.code, ResultCodes.fieldConflict.code]).toContain(body.errcode);
    expect(body.errmsg).toMatch(/orderid/);
    expect(body.errmsg).toMatch(/senderid/);
  });

  it("Order/Cancel needs orderid or senderid, like Order/Query", async () => {
    const { token } = await loggedIn();
    const response = await partner("/api/WebInterface/Order/Cancel", {}, { token });
    const body = (await response.json()) as { resultcode: number; returnmessgage: string };
    expect(body.resultcode).toBe(ResultCodes.fieldRequired.code);
    expect(body.returnmessgage).toMatch(/orderid/);
    expect(body.returnmessgage).toMatch(/senderid/);
  });

  it("Order/Resend needs orderid or senderid, like Order/Cancel", async () => {
    const { token } = await loggedIn();
    const response = await partner("/api/WebInterface/Order/Resend", { mobile: "13912345678" }, { token });
    const body = (await response.json()) as { resultcode: number; returnmessgage: string };
    expect(body.resultcode).toBe(ResultCodes.fieldRequired.code);
    expect(body.returnmessgage).toMatch(/orderid/);
    expect(body.returnmessgage).toMatch(/senderid/);
  });

  it("POS pay needs BillNum or SenderBillNum (seed: 不能与SenderBillNum同时为空)", async () => {
    const { c, token } = await loggedIn();
    const response = await partner("/api/WebInterface/Pos/Sell/PayBill/WithPrepayment", { DWID: c.dwid, DWSX: c.dwlx }, { token });
    const body = (await response.json()) as { errcode: number; errmsg: string };
    expect(body.errcode).toBe(POS_PAY_FAILED);
    expect(body.errmsg).toMatch(/BillNum/);
    expect(body.errmsg).toMatch(/SenderBillNum/);
  });
});

// ------------------------------------------------------------------ paths

/** One spec per distinct path (the WebForms alias once). */
