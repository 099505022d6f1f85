// The four request formats and three response formats through the real
// Worker (SPEC §3): the same request gives the same answer whatever it was
// sent as, and the answer comes back in the negotiated format, as the legacy
// DataContractSerializer / Json.NET would write it.
import { deserialize } from "bson";
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, loginAs, partner, upperMd5, type TestCustomer, type WireFormat } from "../helpers/api";
import { NS_DT, NS_PARM, NS_PARM_WI, NS_RESULT, NS_RESULT_WI, XSI } from "../helpers/wire";

const LOGIN = "/api/WebInterface/Session/Login";
const PAY_MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const PAY_BY_PASSWORD = "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword";

const LOGIN_RESULT_ROOT = "CommonOperationResultWithTagOfSessionLoginResultldpHZqFJ";

const FORMATS: WireFormat[] = ["json", "xml", "form", "bson"];
const TOO_LONG_ORDERID = "123456789012345678901"; // 21 characters; the seed says "Max length: 20"

/** Escapes text for an XML element written by hand. */
const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Regex source matching `text` literally. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface LoginBody {
  dwid: string;
  dwlx: string;
  password: string;
}
const loginXml = (b: LoginBody) =>
  `<SessionLoginParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}">` +
  `<dwid>${xmlText(b.dwid)}</dwid><dwlx>${xmlText(b.dwlx)}</dwlx><password>${xmlText(b.password)}</password></SessionLoginParm>`;

const payMinXml = (b: { orderid: string; paypassword: string }) =>
  `<PayOrderUsePayPasswordParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}">\n  <orderid>${xmlText(b.orderid)}</orderid>\n  <paypassword>${xmlText(b.paypassword)}</paypassword>\n</PayOrderUsePayPasswordParm>`;

/** As the seed's XML sample writes it: payparm's members under d2p1. */
const payByPasswordXml = (b: { dwid: string; dwlx: string; payparm: { orderid: string; paypassword: string }; sellstationid: string }) =>
  `<OrderPayAndActivateByPwdParm xmlns:i="${XSI}" xmlns="${NS_PARM}"> <dwid>${xmlText(b.dwid)}</dwid> <dwlx>${b.dwlx}</dwlx>` +
  ` <payparm xmlns:d2p1="${NS_PARM_WI}"> <d2p1:orderid>${xmlText(b.payparm.orderid)}</d2p1:orderid> <d2p1:paypassword>${xmlText(b.payparm.paypassword)}</d2p1:paypassword> </payparm>` +
  ` <sellstationid>${b.sellstationid}</sellstationid> </OrderPayAndActivateByPwdParm>`;

/** Sends `json` in `format`; XML bodies are the hand-written `xml`. */
function send(path: string, format: WireFormat, json: object, xml: string, options: { token?: string; accept?: string; contentType?: string } = {}) {
  return format === "xml"
    ? partner(path, xml, { ...options, contentType: options.contentType ?? "application/xml" })
    : partner(path, json, { ...options, format });
}

async function loginBody(customer: TestCustomer, password = customer.loginPassword): Promise<LoginBody> {
  return { dwid: customer.dwid, dwlx: customer.dwlx, password: await upperMd5(password) };
}

const mediaType = (response: Response) => (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
const bsonOf = async (response: Response) => deserialize(new Uint8Array(await response.arrayBuffer()));

/** An OrderOperatorResult as DataContractSerializer writes it, from a JSON answer. */
function orderResultXml(answer: Record<string, unknown>): string {
  const member = (name: string) => {
    const v = answer[name];
    return v === null ? `<${name} i:nil="true" />` : `<${name}>${xmlText(String(v))}</${name}>`;
  };
  return `<OrderOperatorResult xmlns:i="${XSI}" xmlns="${NS_RESULT_WI}">${["orderid", "orderstatus", "resultcode", "returnmessgage", "sendid"].map(member).join("")}</OrderOperatorResult>`;
}

/** A failed login envelope as DataContractSerializer writes it, from a JSON answer. */
function loginFailureXml(answer: { errcode: number; errmsg: string }): string {
  return `<${LOGIN_RESULT_ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>${answer.errcode}</errcode><errmsg>${xmlText(answer.errmsg)}</errmsg><tag i:nil="true" /></${LOGIN_RESULT_ROOT}>`;
}

/** A successful login envelope: tag members under d2p1 in ordinal order (expires, sessionkey, token). */
const LOGIN_SUCCESS_XML = new RegExp(
  `^${literal(`<${LOGIN_RESULT_ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>0</errcode>`)}<errmsg>[^<]*</errmsg>` +
    `${literal(`<tag xmlns:d2p1="${NS_RESULT}">`)}<d2p1:expires>([^<]+)</d2p1:expires><d2p1:sessionkey>([^<]{16,})</d2p1:sessionkey><d2p1:token>([^<]+)</d2p1:token></tag>` +
    `${literal(`</${LOGIN_RESULT_ROOT}>`)}$`,
);

/** The token works: a session endpoint does not answer 401 with it. */
async function expectTokenWorks(token: string) {
  const response = await partner(PAY_MIN, { orderid: "1", paypassword: "x" }, { token, accept: "application/json" });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { resultcode: number }).resultcode).not.toBe(ResultCodes.sessionInvalid.code);
}

describe("login in every request format", () => {
  it.each(FORMATS)("%s: succeeds with errcode 0 and a usable session", async (format) => {
    const customer = await aCustomer();
    const body = await loginBody(customer);
    const response = await send(LOGIN, format, body, loginXml(body), { accept: "application/json" });
    expect(response.status).toBe(200);
    expect(mediaType(response)).toBe("application/json");
    const answer = (await response.json()) as { errcode: number; errmsg: string | null; tag: { token: string; sessionkey: string; expires: string } };
    expect(Object.keys(answer)).toEqual(["errcode", "errmsg", "tag"]);
    expect(answer.errcode).toBe(0);
    expect(Object.keys(answer.tag)).toEqual(["token", "sessionkey", "expires"]);
    expect(answer.tag.sessionkey.length).toBeGreaterThanOrEqual(16);
    expect(Number.isNaN(Date.parse(answer.tag.expires))).toBe(false);
    await expectTokenWorks(answer.tag.token);
  });

  it("a wrong password gives the identical envelope in all four formats", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer, "not the password");
    const texts: string[] = [];
    for (const format of FORMATS) {
      const response = await send(LOGIN, format, body, loginXml(body), { accept: "application/json" });
      expect(response.status, format).toBe(200);
      texts.push(await response.text());
    }
    expect(new Set(texts).size, texts.join("\n")).toBe(1);
    const answer = JSON.parse(texts[0]!);
    expect(answer).toEqual({ errcode: ResultCodes.loginFailed.code, errmsg: expect.any(String), tag: null });
    expect(answer.errmsg).not.toBe("");
  });

  it("a wrong password, without Accept, is answered in the request's own format", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer, "not the password");
    const reference = (await (await send(LOGIN, "json", body, "")).json()) as { errcode: number; errmsg: string; tag: null };
    expect(reference.errcode).toBe(ResultCodes.loginFailed.code);

    const xml = await send(LOGIN, "xml", body, loginXml(body));
    expect(mediaType(xml)).toBe("application/xml");
    expect(await xml.text()).toBe(loginFailureXml(reference));

    const bson = await send(LOGIN, "bson", body, "");
    expect(mediaType(bson)).toBe("application/bson");
    const decoded = await bsonOf(bson);
    expect(decoded).toEqual(reference);
    expect(Object.keys(decoded)).toEqual(["errcode", "errmsg", "tag"]);

    const form = await send(LOGIN, "form", body, "");
    expect(mediaType(form)).toBe("application/json");
    expect(await form.json()).toEqual(reference);
  });
});

describe("login answered in the negotiated format", () => {
  it("Accept: application/xml gives the generic envelope's root, namespace and d2p1 tag", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer);
    const response = await send(LOGIN, "json", body, "", { accept: "application/xml" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const text = await response.text();
    const match = LOGIN_SUCCESS_XML.exec(text);
    expect(match, text).not.toBeNull();
    await expectTokenWorks(match![3]!);
  });

  it("an XML request without Accept is answered in XML", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer);
    const response = await send(LOGIN, "xml", body, loginXml(body));
    expect(mediaType(response)).toBe("application/xml");
    expect(await response.text()).toMatch(LOGIN_SUCCESS_XML);
  });

  it("a text/xml request without Accept is answered as text/xml", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer);
    const response = await send(LOGIN, "xml", body, loginXml(body), { contentType: "text/xml; charset=utf-8" });
    expect(response.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(await response.text()).toMatch(LOGIN_SUCCESS_XML);
  });

  it("Accept: application/bson gives a BSON document with the JSON field names", async () => {
    const customer = await aCustomer();
    const body = await loginBody(customer);
    const response = await send(LOGIN, "xml", body, loginXml(body), { accept: "application/bson" });
    expect(mediaType(response)).toBe("application/bson");
    const answer = await bsonOf(response);
    expect(Object.keys(answer)).toEqual(["errcode", "errmsg", "tag"]);
    expect(answer.errcode).toBe(0);
    expect(Object.keys(answer.tag)).toEqual(["token", "sessionkey", "expires"]);
    await expectTokenWorks(answer.tag.token);
  });
});

describe("a session endpoint's validation failure in every format", () => {
  it("PayOrder/MIN: orderid longer than 20 gives the same resultcode and message in all four formats", async () => {
    const session = await loginAs(await aCustomer());
    const body = { orderid: TOO_LONG_ORDERID, paypassword: "x" };
    const texts: string[] = [];
    for (const format of FORMATS) {
      const response = await send(PAY_MIN, format, body, payMinXml(body), { token: session.token, accept: "application/json" });
      expect(response.status, format).toBe(200);
      texts.push(await response.text());
    }
    expect(new Set(texts).size, texts.join("\n")).toBe(1);
    const answer = JSON.parse(texts[0]!);
    expect(Object.keys(answer)).toEqual(["orderid", "sendid", "orderstatus", "resultcode", "returnmessgage"]);
    expect(answer.resultcode).toBe(ResultCodes.fieldTooLong.code);
    expect(answer.returnmessgage).toBe("orderid 长度不能超过20");
  });

  it("Pay/WithPrepayment/ByPassword: payparm.orderid longer than 20, nested in each format's own way", async () => {
    const customer = await aCustomer();
    const session = await loginAs(customer);
    const body = { dwid: customer.dwid, dwlx: customer.dwlx, payparm: { orderid: TOO_LONG_ORDERID, paypassword: "x" }, sellstationid: "01" };
    const answers: unknown[] = [];
    for (const format of FORMATS) {
      const response = await send(PAY_BY_PASSWORD, format, body, payByPasswordXml(body), { token: session.token, accept: "application/json" });
      expect(response.status, format).toBe(200);
      answers.push(await response.json());
    }
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    const first = answers[0] as { resultcode: number; returnmessgage: string };
    expect(first.resultcode).toBe(ResultCodes.fieldTooLong.code);
    expect(first.returnmessgage).toMatch(/orderid 长度不能超过20/);
  });

  // Form bodies cannot say "an object with no members" (an empty form is an empty body), so
  // this compares the three formats that can.
  it("PayOrder/MIN: an empty parameter object (JSON {}, XML empty root, BSON {}) gives the same answer", async () => {
    const session = await loginAs(await aCustomer());
    const json = await (await partner(PAY_MIN, {}, { token: session.token, accept: "application/json" })).json();
    const xml = await (
      await partner(PAY_MIN, `<PayOrderUsePayPasswordParm xmlns:i="${XSI}" xmlns="${NS_PARM_WI}" />`, { token: session.token, contentType: "application/xml", accept: "application/json" })
    ).json();
    const bson = await (await partner(PAY_MIN, {}, { token: session.token, format: "bson", accept: "application/json" })).json();
    expect(json).toMatchObject({ resultcode: ResultCodes.fieldRequired.code, returnmessgage: expect.stringContaining("orderid") });
    expect(bson).toEqual(json);
    expect(xml).toEqual(json);
  });

  it("Accept: application/xml gives OrderOperatorResult in its namespace, members in DataContract order", async () => {
    const session = await loginAs(await aCustomer());
    const body = { orderid: TOO_LONG_ORDERID, paypassword: "x" };
    const reference = (await (await send(PAY_MIN, "json", body, "", { token: session.token })).json()) as Record<string, unknown>;
    expect(reference.resultcode).toBe(ResultCodes.fieldTooLong.code);
    for (const format of FORMATS) {
      const response = await send(PAY_MIN, format, body, payMinXml(body), { token: session.token, accept: "application/xml" });
      expect(response.headers.get("content-type"), format).toBe("application/xml; charset=utf-8");
      expect(await response.text(), format).toBe(orderResultXml(reference));
    }
  });

  it("an XML request without Accept is answered in XML; Accept: application/bson in BSON", async () => {
    const session = await loginAs(await aCustomer());
    const body = { orderid: TOO_LONG_ORDERID, paypassword: "x" };
    const reference = (await (await send(PAY_MIN, "form", body, "", { token: session.token })).json()) as Record<string, unknown>;

    const xml = await send(PAY_MIN, "xml", body, payMinXml(body), { token: session.token });
    expect(mediaType(xml)).toBe("application/xml");
    expect(await xml.text()).toBe(orderResultXml(reference));

    for (const format of FORMATS) {
      const bson = await send(PAY_MIN, format, body, payMinXml(body), { token: session.token, accept: "application/bson" });
      expect(mediaType(bson), format).toBe("application/bson");
      const decoded = await bsonOf(bson);
      expect(decoded, format).toEqual(reference);
      expect(Object.keys(decoded), format).toEqual(["orderid", "sendid", "orderstatus", "resultcode", "returnmessgage"]);
    }
  });
});

describe("transport refusals carry the endpoint's envelope in the negotiated format", () => {
  it("no session, Accept: application/xml: 401 with an XML OrderOperatorResult", async () => {
    const body = { orderid: "1", paypassword: "x" };
    const response = await send(PAY_MIN, "json", body, "", { accept: "application/xml" });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toMatch(new RegExp(`^${literal(`<OrderOperatorResult xmlns:i="${XSI}" xmlns="${NS_RESULT_WI}"><orderid`)}`));
    expect(text).toContain(`<resultcode>${ResultCodes.sessionMissing.code}</resultcode>`);
  });

  it("malformed XML: 400 answered in XML (the request's format)", async () => {
    const response = await partner(LOGIN, "<SessionLoginParm><dwid>x</SessionLoginParm>", { contentType: "application/xml" });
    expect(response.status).toBe(400);
    expect(mediaType(response)).toBe("application/xml");
    expect(await response.text()).toMatch(
      new RegExp(`^${literal(`<${LOGIN_RESULT_ROOT} xmlns:i="${XSI}" xmlns="${NS_DT}"><errcode>${ResultCodes.bodyUnreadable.code}</errcode>`)}<errmsg>[^<]+</errmsg><tag i:nil="true" /></${LOGIN_RESULT_ROOT}>$`),
    );
  });

  it("an XML body with a DOCTYPE: 400, nothing expanded", async () => {
    const body = `<!DOCTYPE SessionLoginParm [<!ENTITY e "EXPANDED-ENTITY">]><SessionLoginParm><dwid>&e;</dwid><dwlx>1</dwlx><password>${"0".repeat(32)}</password></SessionLoginParm>`;
    const response = await partner(LOGIN, body, { contentType: "application/xml", accept: "application/json" });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { errcode: number; errmsg: string };
    expect(answer.errcode).toBe(ResultCodes.bodyUnreadable.code);
    expect(answer.errmsg).not.toContain("EXPANDED-ENTITY");
  });

  it.each([
    { name: "text/plain", contentType: "text/plain" },
    { name: "a charset other than UTF-8", contentType: "application/json; charset=gb2312" },
  ])("$name: 415 with the envelope", async ({ contentType }) => {
    const customer = await aCustomer();
    const response = await partner(LOGIN, JSON.stringify(await loginBody(customer)), { contentType });
    expect(response.status).toBe(415);
    expect(mediaType(response)).toBe("application/json");
    expect(await response.json()).toEqual({ errcode: ResultCodes.unsupportedMediaType.code, errmsg: expect.any(String), tag: null });
  });
});
