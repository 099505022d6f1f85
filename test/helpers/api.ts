/**
 * Builders in domain words for tests that go through the real Worker
 * (router, Durable Objects, D1): customers with deposits, sessions, partner
 * calls in any wire format.
 */
import { serialize } from "bson";
import { exports } from "cloudflare:workers";
import { stringify as formBody } from "qs";

export const ADMIN_TOKEN = "test-admin-token";
const BASE = "https://eticket.test";

let counter = 0;
/** A name no other test in this file uses (storage is shared per file). */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 36);
}

export async function fetchWorker(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export async function admin<T = any>(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: T }> {
  const response = await fetchWorker(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export interface TestCustomer {
  dwid: string;
  dwlx: string;
  loginPassword: string;
  payPassword: string | null;
}

export async function aCustomer(options: { dwid?: string; dwlx?: string; loginPassword?: string; payPassword?: string | null; depositYuan?: number } = {}): Promise<TestCustomer> {
  const customer: TestCustomer = {
    dwid: options.dwid ?? uniqueId("c"),
    dwlx: options.dwlx ?? "1",
    loginPassword: options.loginPassword ?? "login#1",
    payPassword: options.payPassword === undefined ? "123456" : options.payPassword,
  };
  const put = await admin("PUT", `/admin/customers/${customer.dwid}`, {
    dwlx: customer.dwlx,
    name: `测试旅行社 ${customer.dwid}`,
    loginPassword: customer.loginPassword,
    ...(customer.payPassword === null ? {} : { payPassword: customer.payPassword }),
  });
  if (put.status !== 201) throw new Error(`customer not created: ${put.status} ${JSON.stringify(put.body)}`);
  if (options.depositYuan) {
    const deposit = await admin("POST", `/admin/customers/${customer.dwid}/deposits`, { amount: options.depositYuan, reference: uniqueId("dep") });
    if (deposit.status !== 201) throw new Error(`deposit failed: ${deposit.status}`);
  }
  return customer;
}

export async function upperMd5(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

export interface TestSession {
  token: string;
  sessionKey: string;
}

export async function loginAs(customer: TestCustomer): Promise<TestSession> {
  const response = await partner("/api/WebInterface/Session/Login", {
    dwid: customer.dwid,
    dwlx: customer.dwlx,
    password: await upperMd5(customer.loginPassword),
  });
  const body = (await response.json()) as { errcode: number; tag: { token: string; sessionkey: string } };
  if (body.errcode !== 0) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return { token: body.tag.token, sessionKey: body.tag.sessionkey };
}

export type WireFormat = "json" | "xml" | "form" | "bson";

/** Calls a partner endpoint; `body` is a JSON-shaped object, or a raw string/bytes with `contentType`. */
export async function partner(
  path: string,
  body: unknown,
  options: { token?: string; format?: WireFormat; accept?: string; contentType?: string; method?: string; address?: string } = {},
): Promise<Response> {
  const format = options.format ?? "json";
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  // The client's address as Cloudflare's edge states it (login limits per address, SPEC §11).
  if (options.address) headers["cf-connecting-ip"] = options.address;
  if (options.accept) headers.accept = options.accept;
  let payload: BodyInit | undefined;
  if (typeof body === "string" || body instanceof Uint8Array) {
    payload = body;
    headers["content-type"] = options.contentType ?? "application/json";
  } else if (body !== undefined) {
    switch (format) {
      case "json":
        payload = JSON.stringify(body);
        headers["content-type"] = "application/json";
        break;
      case "form":
        payload = formBody(body, { allowDots: false, encodeValuesOnly: true });
        headers["content-type"] = "application/x-www-form-urlencoded";
        break;
      case "bson":
        payload = serialize(body as Record<string, unknown>);
        headers["content-type"] = "application/bson";
        break;
      case "xml":
        throw new Error("pass XML as a string with contentType application/xml");
    }
  }
  if (options.contentType && typeof body !== "string") headers["content-type"] = options.contentType;
  return fetchWorker(path, { method: options.method ?? "POST", headers, body: payload });
}
