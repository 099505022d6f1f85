/**
 * Every string member of every partner request type, generated from the
 * schemas themselves (src/schemas/introspect.ts: members, types, max
 * lengths), sent with SQL metacharacters, emoji (astral characters count two
 * UTF-16 units, as .NET counts them), control characters (NUL included), the
 * longest value the length rule allows and one character more — in JSON and in DataContract XML (the
 * WebForms alias by query string and form). Each answer is never an
 * internal error: the value is accepted — and where the endpoint stores or
 * returns it, stored and returned intact — or refused by that member's own
 * rule, naming it (SPEC §3 "Validation").
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { ResultCodes } from "../../src/domain/codes";
import { partnerEndpoints } from "../../src/endpoints/partner";
import type { PartnerEndpoint } from "../../src/endpoints/partner-endpoint";
import { fieldsOf, type FieldInfo } from "../../src/schemas/introspect";
import { contractOf } from "../../src/wire/contract";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { aCustomer, admin, loginAs, partner, uniqueId, upperMd5, type TestCustomer, type TestSession } from "../helpers/api";
import { LATER, aProduct } from "../helpers/catalogue";
import { aGate } from "../helpers/gates";
import { anUnpaidOrder } from "../helpers/orders";

type Path = (string | number)[];

/** Every string member reachable from a request type: nested members and the first item of lists. */
export function stringMembers(schema: z.ZodObject, prefix: Path = []): { path: Path; info: FieldInfo }[] {
  const out: { path: Path; info: FieldInfo }[] = [];
  for (const info of fieldsOf(schema)) {
    const path = [...prefix, info.name];
    if (info.type.kind === "object") out.push(...stringMembers(info.type.contract, path));
    else if (info.type.kind === "list") out.push(...stringMembers(info.type.item, [...path, 0]));
    else if (info.type.kind === "stringList") out.push({ path: [...path, 0], info: { ...info, maxLength: info.type.item.maxLength ?? undefined } });
    else if (info.type.kind === "string") out.push({ path, info });
  }
  return out;
}

/** As validation messages name a member: `orderdetails[0].productid`, `payparm.orderid`. */
const displayPath = (path: Path) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("").replace(".[", "[");

function setAt(body: WireObject, path: Path, value: string): WireObject {
  const copy = structuredClone(body) as any;
  let node = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    node[key] ??= typeof path[i + 1] === "number" ? [] : {};
    node = node[key];
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

function getAt(value: any, path: Path): unknown {
  return path.reduce((node, key) => (node == null ? undefined : node[key]), value);
}

/** At most `max` UTF-16 units, never half a surrogate pair. */
function fit(text: string, max: number): string {
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out || "'";
}

const SQL = `'; DROP TABLE orders; --" OR '1'='1' /* \\ % _ <x>&amp;`;
const EMOJI = "🎫😀票👩‍👩‍👧🇨🇳";
/** No length rule: long enough to matter, inside the 64 KB body limit even percent-encoded (9 bytes a character). */
const UNBOUNDED = 4_000;

interface Value {
  label: string;
  value: string;
  formats: ("json" | "xml")[];
  overlong: boolean;
}

function valuesFor(info: FieldInfo): Value[] {
  const max = info.maxLength;
  const values: Value[] = [
    { label: "SQL metacharacters", value: fit(SQL, max ?? SQL.length), formats: ["json", "xml"], overlong: false },
    { label: "emoji", value: fit(EMOJI.repeat(8), max ?? 40), formats: ["json", "xml"], overlong: false },
    // NUL, other controls and a line separator: D1 binds them as text, stored as sent.
    { label: "control characters", value: fit("a\u0000b\u0001c\u007f\u2028z", max ?? 20), formats: ["json"], overlong: false },
  ];
  if (max !== undefined) {
    values.push({ label: `the longest allowed (${max})`, value: "票".repeat(max), formats: ["json"], overlong: false });
    values.push({ label: `one over (${max + 1})`, value: "x".repeat(max + 1), formats: ["json"], overlong: true });
  } else {
    values.push({ label: `${UNBOUNDED} characters (no length rule)`, value: "長".repeat(UNBOUNDED), formats: ["json"], overlong: false });
  }
  return values;
}

// ------------------------------------------------------------------ the endpoints, each with a body that reaches its operation

interface World {
  c: TestCustomer;
  s: TestSession;
  gateToken: string;
  ticket: string;
  card: string;
  retail: string;
}

interface Target {
  path: string;
  /** GET (query string) or POST form: the WebForms alias. */
  via?: "query" | "form";
  /** "order": OrderOperatorResult; "common": CommonOperationResult; "pos": errcode -1 + "[code] …". */
  family: "order" | "common" | "pos";
  auth: boolean;
  /** Called with a gate device's token (Ticket/Check) instead of the session. */
  gate?: boolean;
  base(w: World, path: Path, value: string): Promise<WireObject>;
  /** Where an accepted value is kept: read it back. */
  stored?(w: World, answer: any, path: Path, value: string): Promise<void>;
}

const cipher = (w: World) => encryptPayPassword(w.s.sessionKey, w.c.loginPassword, w.c.payPassword!);
const orderAddBase = async (w: World) => ({ orderdetails: [{ productid: w.ticket, amount: 1 }], mobile: "13800138000", effectdate: LATER(), senderid: uniqueId("S") });

/**
 * The body naming an order by the field being tried: for a senderid, an order placed under that very
 * text first (the endpoint must find it by it), the body then empty; else an unpaid order by its id.
 */
async function orderNamed(w: World, path: Path, value: string): Promise<WireObject> {
  if (path[0] === "senderid" && value.length <= 50) {
    await partner("/api/WebInterface/Order/Add", { ...(await orderAddBase(w)), senderid: value }, { token: w.s.token });
    return {};
  }
  return { orderid: (await anUnpaidOrder(w.c.dwid)).orderId };
}

async function orderRequest(orderId: string): Promise<any> {
  const row = await env.DB.prepare("SELECT request_json, sender_id FROM orders WHERE order_id = ?").bind(orderId).first<{ request_json: string; sender_id: string | null }>();
  return row && { request: JSON.parse(row.request_json), senderId: row.sender_id };
}

async function storedOrderAdd(_w: World, answer: any, path: Path, value: string) {
  // Only an order this request placed carries this request's members.
  if (answer.resultcode !== 0 || !String(answer.returnmessgage).startsWith("下单成功")) return;
  const order = await orderRequest(answer.orderid);
  expect(getAt(order.request, path), `stored ${displayPath(path)}`).toBe(value);
  if (path[0] === "senderid") {
    expect(order.senderId).toBe(value);
    expect(answer.sendid, "returned senderid").toBe(value);
  }
}

/** Members of the annual card the server fills or overwrites (SPEC §5.3): not the client's to store. */
const YEARCARD_FILLED = /^(Insurance|BuyInsurance$|XB$|Birthday$)/;

const TARGETS: Target[] = [
  {
    path: "/api/WebInterface/Session/Login",
    family: "common",
    auth: false,
    base: async (w) => ({ dwid: w.c.dwid, dwlx: w.c.dwlx, password: await upperMd5(w.c.loginPassword) }),
  },
  { path: "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify", family: "common", auth: true, base: orderAddBase },
  {
    path: "/api/WebInterface/Product/Calendar",
    family: "common",
    auth: true,
    // An unknown productid is refused 4201 after validation: every value reaches the D1 read.
    base: async (w) => ({ productid: w.ticket, begindate: LATER(), enddate: LATER() }),
  },
  { path: "/api/WebInterface/Order/Add", family: "order", auth: true, base: orderAddBase, stored: storedOrderAdd },
  { path: "/api/SpecialOta/DouYin/CalendarTicket/Order/Add", family: "order", auth: true, base: orderAddBase, stored: storedOrderAdd },
  {
    path: "/api/WebInterface/Order/Query",
    family: "common",
    auth: true,
    async base(w, path, value) {
      // Place an order under the senderid first: the query must find it by the very same text.
      if (path[0] === "senderid" && value.length <= 50) {
        await partner("/api/WebInterface/Order/Add", { ...(await orderAddBase(w)), senderid: value }, { token: w.s.token });
      }
      return { orderid: (await anUnpaidOrder(w.c.dwid)).orderId };
    },
    async stored(_w, answer, path, value) {
      if (path[0] === "senderid" && answer.errcode === 0) expect(answer.tag.senderid, "returned senderid").toBe(value);
    },
  },
  {
    path: "/api/WebInterface/Order/Cancel",
    family: "order",
    auth: true,
    base: orderNamed,
    async stored(_w, answer, path, value) {
      if (path[0] === "senderid" && answer.resultcode === 0) expect(answer.sendid, "returned senderid").toBe(value);
    },
  },
  {
    path: "/api/WebInterface/Order/ChangeDate",
    family: "order",
    auth: true,
    // An unpaid order: every string reaches the change, which refuses it (4901) after validation; nothing moves.
    base: async (w) => ({ orderid: (await anUnpaidOrder(w.c.dwid)).orderId, effectdate: "20991230" }),
  },
  {
    path: "/api/WebInterface/Order/Refund",
    family: "common",
    auth: true,
    // An unpaid order: every string reaches the refund, which refuses it (4005) after validation; nothing is refunded.
    base: async (w) => ({ orderid: (await anUnpaidOrder(w.c.dwid)).orderId, refundid: uniqueId("R") }),
  },
  {
    path: "/api/WebInterface/Ticket/Check",
    family: "common",
    auth: true,
    gate: true,
    // A code no ticket has: every string reaches the check, which answers "unknown ticket"; nothing is used.
    base: async (_w, path) => (path[0] === "idnumber" ? { checkid: uniqueId("scan") } : { ticketcode: "000000000000000000", checkid: uniqueId("scan") }),
  },
  {
    path: "/api/WebInterface/Order/Resend",
    family: "order",
    auth: true,
    // An unpaid order: every string reaches the resend, which refuses it (4005) after validation; nothing is queued.
    base: orderNamed,
    async stored(_w, answer, path, value) {
      if (path[0] === "senderid" && answer.resultcode === 4005) expect(answer.sendid, "returned senderid").toBe(value);
    },
  },
  {
    path: "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
    family: "order",
    auth: true,
    base: async (w) => ({ dwid: w.c.dwid, dwlx: w.c.dwlx, payparm: { orderid: (await anUnpaidOrder(w.c.dwid)).orderId, paypassword: await cipher(w) }, sellstationid: "01" }),
    async stored(_w, answer, path, value) {
      if (answer.resultcode !== 0) return;
      const column = { sellstationid: "sell_station_id", marketareaid: "market_area_id", teamtypecode: "team_type_code" }[String(path[0])];
      if (!column) return;
      const row = await env.DB.prepare(`SELECT ${column} AS v FROM orders WHERE order_id = ?`).bind(answer.orderid).first<{ v: string }>();
      expect(row!.v, `stored ${column}`).toBe(value);
    },
  },
  {
    path: "/api/PayOrder/MIN/UsePrepaymentAndPassword",
    family: "order",
    auth: true,
    base: async (w) => ({ orderid: (await anUnpaidOrder(w.c.dwid)).orderId, paypassword: await cipher(w) }),
  },
  {
    path: "/Source/UseAccountToPayByPwd.aspx",
    via: "query",
    family: "order",
    auth: true,
    base: async (w) => ({ orderid: (await anUnpaidOrder(w.c.dwid)).orderId, paypassword: await cipher(w) }),
  },
  {
    path: "/Source/UseAccountToPayByPwd.aspx",
    via: "form",
    family: "order",
    auth: true,
    base: async (w) => ({ orderid: (await anUnpaidOrder(w.c.dwid)).orderId, paypassword: await cipher(w) }),
  },
  {
    path: "/api/Order/YearCard/AddOrder",
    family: "order",
    auth: true,
    base: async (w) => ({ productid: w.card, amount: 1, mobile: "13800138000", effectdate: LATER(), BuyInsurance: "0", senderid: uniqueId("Y") }),
    async stored(w, answer, path, value) {
      if (YEARCARD_FILLED.test(String(path[0]))) return;
      await storedOrderAdd(w, answer, path, value);
    },
  },
  {
    path: "/api/WebInterface/Pos/Sell/Bill/Add",
    family: "common",
    auth: true,
    base: async (w) => ({ DWID: w.c.dwid, DWSX: w.c.dwlx, SenderBillNum: uniqueId("SB"), Items: [{ ProductId: w.retail, Amount: 1 }] }),
    async stored(_w, answer, path, value) {
      if (answer.errcode !== 0 || path[0] !== "SenderBillNum") return;
      const row = await env.DB.prepare("SELECT sender_bill_num FROM pos_bills WHERE bill_num = ?").bind(answer.tag.BillNum).first<{ sender_bill_num: string }>();
      expect(row!.sender_bill_num, "stored SenderBillNum").toBe(value);
    },
  },
  // No string members: no cases, listed so every endpoint is accounted for.
  { path: "/api/WebInterface/Account/Balance", family: "common", auth: true, base: async () => ({}) },
  {
    path: "/api/WebInterface/Account/Statement",
    family: "common",
    auth: true,
    // Every value reaches the date rules; a real period reads the customer's own ledger.
    base: async () => ({ begindate: "20270101", enddate: "20270131" }),
  },
  {
    path: "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
    family: "pos",
    auth: true,
    async base(w) {
      const added = await partner(
        "/api/WebInterface/Pos/Sell/Bill/Add",
        { DWID: w.c.dwid, DWSX: w.c.dwlx, Items: [{ ProductId: w.retail, Amount: 1 }] },
        { token: w.s.token },
      );
      const bill = (await added.json()) as { tag: { BillNum: string } };
      return { DWID: w.c.dwid, DWSX: w.c.dwlx, BillNum: bill.tag.BillNum, PayPwd: await cipher(w) };
    },
  },
];

function endpointAt(target: Target): PartnerEndpoint {
  const route = target.path.slice(1).toLowerCase();
  const endpoint = partnerEndpoints.find((e) => e.paths.some((p) => p.toLowerCase() === route));
  if (!endpoint) throw new Error(`no endpoint at ${target.path}`);
  return endpoint;
}

async function send(target: Target, w: World, body: WireObject, format: "json" | "xml"): Promise<{ status: number; answer: any }> {
  const token = target.gate ? w.gateToken : target.auth ? w.s.token : undefined;
  let response: Response;
  if (target.via === "query") {
    response = await partner(`${target.path}?${new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]))}`, undefined, { method: "GET", token, accept: "application/json" });
  } else if (target.via === "form" && format === "json") {
    response = await partner(target.path, body, { token, format: "form", accept: "application/json" });
  } else if (format === "xml") {
    const xml = writeXml(contractOf(endpointAt(target).request), body);
    response = await partner(target.path, xml, { token, contentType: "application/xml", accept: "application/json" });
  } else {
    response = await partner(target.path, body, { token, accept: "application/json" });
  }
  return { status: response.status, answer: await response.json() };
}

/** The reason's own code, and its message (POS pay folds failures into -1 "[code] …"). */
function codeOf(target: Target, answer: any): { code: number; message: string } {
  if (target.family === "order") return { code: answer.resultcode, message: answer.returnmessgage };
  const message = String(answer.errmsg ?? "");
  if (target.family === "pos" && answer.errcode === -1) {
    const reason = /^\[(\d+)\] /.exec(message);
    return { code: Number(reason?.[1] ?? -1), message: reason ? message.slice(reason[0].length) : message };
  }
  return { code: answer.errcode, message };
}

const isValidation = (code: number) => code >= 1100 && code < 1200;

// ------------------------------------------------------------------ the sweep

let shared: { ticket: string; card: string; retail: string; gateToken: string };
beforeAll(async () => {
  const retail = uniqueId("R");
  expect((await admin("PUT", `/admin/products/${retail}`, { name: "零售", kind: "retail", price: 2 })).status).toBe(201);
  shared = {
    ticket: await aProduct({ price: 1 }, { stock: 100_000 }),
    card: await aProduct({ kind: "yearcard", price: 5 }, { stock: 100_000 }),
    retail,
    gateToken: (await aGate()).token,
  };
});

const cases = TARGETS.flatMap((target) =>
  stringMembers(endpointAt(target).request as z.ZodObject).map(({ path, info }) => [`${target.path}${target.via ? ` (${target.via})` : ""} ${displayPath(path)}`, target, path, info] as const),
);

describe("every string member of every partner request: metacharacters, emoji and length", () => {
  it("covers every partner endpoint", () => {
    const covered = new Set(TARGETS.map((t) => t.path.slice(1).toLowerCase()));
    expect(partnerEndpoints.flatMap((e) => e.paths.map((p) => p.toLowerCase())).filter((p) => !covered.has(p))).toEqual([]);
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases)("%s", async (_label, target, path, info) => {
    // A customer per member: wrong pay passwords here must not lock the next member's payments.
    const c = await aCustomer({ depositYuan: 10_000 });
    const w: World = { c, s: await loginAs(c), ...shared };
    for (const v of valuesFor(info)) {
      for (const format of v.formats) {
        if (format === "xml" && target.via === "query") continue;
        const body = setAt(await target.base(w, path, v.value), path, v.value);
        const { status, answer } = await send(target, w, body, format);
        const { code, message } = codeOf(target, answer);
        const what = `${displayPath(path)} = ${v.label} (${format}): ${status} ${code} ${message}`;
        expect(status, what).not.toBe(500);
        expect(code, what).not.toBe(ResultCodes.internal.code);
        expect(status, what).toBe(200);
        if (v.overlong) {
          expect(code, what).toBe(ResultCodes.fieldTooLong.code);
          expect(message, what).toContain(`${displayPath(path)} 长度不能超过${info.maxLength}`);
          continue;
        }
        // Within the length rule: accepted, or refused by this member's own rule (a format), naming it.
        if (isValidation(code)) {
          expect(code, what).not.toBe(ResultCodes.fieldTooLong.code);
          expect(message.split("；").every((m) => m.startsWith(`${displayPath(path)} `)), what).toBe(true);
        } else {
          await target.stored?.(w, answer, path, v.value);
        }
      }
    }
  });
});
