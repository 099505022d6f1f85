/**
 * Runs a plan's operations against the real Worker (`exports.default.fetch`:
 * router, pipeline, Durable Objects, D1), as partners and operators would:
 * every wire format, all three pay paths, sessions and ciphertexts as a
 * partner's client keeps them. Resolves the plan's slots (senderids,
 * SenderBillNums) to the ids the server gave, and classifies each answer as
 * a legacy client reads it: from the HTTP status and `resultcode`/`errcode`
 * only, never from message text.
 */
import { serialize } from "bson";
import { stringify as formBody } from "qs";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { testClock } from "../../src/clock";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { partnerEndpoints } from "../../src/endpoints/partner";
import worker from "../../src/index";
import { contractOf } from "../../src/wire/contract";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { upsertCustomer } from "../../src/db/customers";
import { changeProfile } from "../../src/endpoints/admin/customers";
import { ADMIN_TOKEN, fetchWorker, upperMd5 } from "../helpers/api";
import type { Format, Line, Op, OperatorChange, Password, Plan, ProductKey } from "./workload";

export const PATHS = {
  login: "/api/WebInterface/Session/Login",
  add: "/api/WebInterface/Order/Add",
  douyinAdd: "/api/SpecialOta/DouYin/CalendarTicket/Order/Add",
  verify: "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify",
  yearcard: "/api/Order/YearCard/AddOrder",
  query: "/api/WebInterface/Order/Query",
  byPassword: "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
  min: "/api/PayOrder/MIN/UsePrepaymentAndPassword",
  aspx: "/Source/UseAccountToPayByPwd.aspx",
  billAdd: "/api/WebInterface/Pos/Sell/Bill/Add",
  billPay: "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment",
  refund: "/api/WebInterface/Order/Refund",
  check: "/api/WebInterface/Ticket/Check",
  cancel: "/api/WebInterface/Order/Cancel",
  changeDate: "/api/WebInterface/Order/ChangeDate",
  resend: "/api/WebInterface/Order/Resend",
} as const;

/**
 * How a legacy client reads an answer, from the HTTP status and the code alone:
 *  - paid: an order pay answered resultcode 0 (paid, by this request or earlier: the code does not say);
 *  - paid-now / already: a POS pay answered errcode 0 (charged now) / 1 (paid earlier, nothing charged now);
 *  - ok: an add, login, verify, query, refund, cancel, date change, resend, operator change or deposit that succeeded,
 *    a ticket admitted at the gate (errcode 0);
 *    duplicate / conflict: a repeated deposit reference;
 *  - refused: HTTP 200 with any other code (POS: −1), or a 4xx: a definite "no" — nothing was or will be charged;
 *  - unknown: HTTP 503 — the outcome is not yet known, a retry will tell;
 *  - internal: anything else (500, a broken connection): never acceptable.
 */
export type Outcome = "paid" | "paid-now" | "already" | "ok" | "duplicate" | "conflict" | "refused" | "unknown" | "internal";

export interface Answer {
  step: number;
  seq: number;
  op: Op;
  /**
   * What the op resolved to at run time: the order or bill it named, the deposit reference, the refund's
   * order (key: customer and refund number), the ticket code a gate scanned (key: gate and scan id, "-" without one),
   * the order a cancel, a date change or a resend named (each its own kind: its answer not yet known says
   * nothing of a payment).
   */
  target: { kind: "order" | "bill" | "deposit" | "refund" | "ticket" | "cancel" | "move" | "resend"; id: string | null; key: string } | null;
  status: number;
  /** resultcode / errcode (for admin calls, the HTTP status). */
  code: number;
  message: string;
  body: any;
  outcome: Outcome;
}

export interface CustomerRuntime {
  index: number;
  dwid: string;
  dwlx: string;
  /** The passwords as the operator last set them (an operator change moves them on). */
  loginPassword: string;
  payPassword: string | null;
  /** What version k of each password is (workload: OperatorChange). */
  loginPasswordOf: (version: number) => string;
  payPasswordOf: (version: number) => string;
  sessions: { token: string; sessionKey: string }[];
  /** Right ciphertexts a session sent, kept by the client (what a replay resends). */
  sent: Map<string, string>;
}

export interface ProductDay {
  p: ProductKey;
  productId: string;
  date: string;
}

/** The world of one run: names derived from a tag, so several runs share a test file's storage. */
export class World {
  readonly customers: CustomerRuntime[];
  readonly productIds: Record<ProductKey, string>;
  readonly dates = new Map<number, string>();
  /** (customer, sender slot) → the order id the server gave first. */
  readonly orders = new Map<string, string>();
  /** (customer, bill slot) → BillNum. */
  readonly bills = new Map<string, string>();
  /** (customer, refund number) → the order and tickets first asked under it (a repeat asks the same, mostly). */
  readonly refunds = new Map<string, { orderId: string; tickets: string[] | null }>();
  /** The gate devices (workload GATES), registered at setup: index 0 admits every product, 1 only T1. */
  readonly gates: { gateId: string; token: string; products: string[] | null }[] = [];
  /** (gate, scan id) → the ticket code the scan admitted (what the device's retry of that scan sends again). */
  readonly scans = new Map<string, string>();
  /** Each product as the operator last PUT it (an operator change sends it whole). */
  readonly productState: Record<ProductKey, { name: string; kind: string; priceYuan: number; onSale: boolean }>;

  constructor(readonly plan: Plan, readonly tag: string) {
    this.customers = plan.customers.map((c) => ({
      index: c.index,
      dwid: `${tag}c${c.index}`,
      dwlx: String((c.index % 7) + 1),
      loginPassword: `login${c.index}#${tag}`,
      payPassword: c.payPassword,
      loginPasswordOf: (version) => `login${c.index}#${tag}${version === 0 ? "" : `v${version}`}`,
      payPasswordOf: (version) => `${c.payPassword ?? `pay${c.index}#`}${version === 0 ? "" : `v${version}`}`,
      sessions: [],
      sent: new Map(),
    }));
    this.productIds = Object.fromEntries(plan.products.map((p) => [p.key, `${tag}${p.key}`])) as Record<ProductKey, string>;
    this.productState = Object.fromEntries(plan.products.map((p) => [p.key, { name: `仿真 ${p.key}`, kind: p.kind, priceYuan: p.priceYuan, onSale: true }])) as World["productState"];
    const today = shanghaiDate(testClock.nowMs());
    for (const p of plan.products) for (const d of p.days) this.dates.set(d.day, addDays(today, d.day));
  }

  date(day: number): string {
    const date = this.dates.get(day);
    if (!date) throw new Error(`no calendar day +${day}`);
    return date;
  }

  productDays(): ProductDay[] {
    return this.plan.products.flatMap((p) => p.days.map((d) => ({ p: p.key, productId: this.productIds[p.key], date: this.date(d.day) })));
  }

  senderId(slot: number): string {
    return `S${slot}`;
  }

  senderBillNum(slot: number): string {
    return `B${slot}`;
  }

  depositReference(ref: number): string {
    return `D${ref}`;
  }
}

// ---------------------------------------------------------------- setup

export async function setUpWorld(world: World): Promise<void> {
  for (const p of world.plan.products) {
    await adminOk("PUT", `/admin/products/${world.productIds[p.key]}`, { name: `仿真 ${p.key}`, kind: p.kind, price: p.priceYuan }, [201, 200]);
    for (const d of p.days) {
      await adminOk("PUT", `/admin/products/${world.productIds[p.key]}/calendar/${world.date(d.day)}`, {
        stock: d.stock,
        ...(d.timeslots ? { timeslots: d.timeslots } : {}),
      }, [200]);
    }
  }
  await registerGates(world);
  for (const c of world.customers) {
    const spec = world.plan.customers[c.index]!;
    await adminOk("PUT", `/admin/customers/${c.dwid}`, {
      dwlx: c.dwlx,
      name: `仿真客户 ${c.dwid}`,
      loginPassword: c.loginPassword,
      ...(c.payPassword === null ? {} : { payPassword: c.payPassword }),
    }, [201]);
    await adminOk("POST", `/admin/customers/${c.dwid}/deposits`, { amount: spec.openingDepositFen / 100, reference: "opening" }, [201]);
    // Two sessions each from the start: "other-session" ciphertexts always have a source.
    for (let i = 0; i < 2; i++) {
      const answer = await login(c);
      if (answer.outcome !== "ok") throw new Error(`setup login failed for ${c.dwid}: ${answer.message}`);
    }
  }
}

/** The world's gates, through the operator's API (SPEC §10): each token is shown once, when the gate is new. */
async function registerGates(world: World): Promise<void> {
  for (const products of [null, [world.productIds.T1]]) {
    const gateId = `${world.tag}G${world.gates.length}`;
    const response = await fetchWorker(`/admin/gates/${gateId}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `仿真闸机 ${gateId}`, products }),
    });
    const body = (await response.json()) as { token?: string };
    if (response.status !== 201 || !body.token) throw new Error(`setup PUT /admin/gates/${gateId}: ${response.status} ${JSON.stringify(body)}`);
    world.gates.push({ gateId, token: body.token, products });
  }
}

async function adminOk(method: string, path: string, body: unknown, expected: number[]): Promise<void> {
  const response = await fetchWorker(path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!expected.includes(response.status)) throw new Error(`setup ${method} ${path}: ${response.status} ${await response.text()}`);
}

// ---------------------------------------------------------------- sending

type Raw = { status: number; body: any };

async function send(path: string, body: WireObject, options: { token?: string; format?: Format | "form" | "query" } = {}): Promise<Raw> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const format = options.format ?? "json";
  let url = path;
  let payload: BodyInit | undefined;
  let method = "POST";
  switch (format) {
    case "json":
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
      break;
    case "xml":
      headers["content-type"] = "application/xml";
      payload = writeXml(contractOf(requestSchema(path)), body);
      break;
    case "bson":
      headers["content-type"] = "application/bson";
      payload = serialize(body as Record<string, unknown>);
      break;
    case "form":
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = formBody(body, { encodeValuesOnly: true });
      break;
    case "query":
      method = "GET";
      url = `${path}?${new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]))}`;
      break;
  }
  try {
    const response = await fetchPartner(url, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { unparsed: text.slice(0, 200) };
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    // The client's connection broke: it does not know what happened.
    return { status: 0, body: { error: String(error) } };
  }
}

/**
 * Partner calls reach the Worker with the isolate's session cache on, as
 * deployed (vitest.config.ts turns it off for the other tests): Verify,
 * Product/Calendar and order add take sessions from it (session-cache.ts).
 */
const PARTNER_ENV = { ...env, SESSION_CACHE_SECONDS: "30" };

function fetchPartner(path: string, init: RequestInit): Promise<Response> {
  const request = new Request(`https://eticket.test${path}`, init) as unknown as Request<unknown, IncomingRequestCfProperties>;
  return worker.fetch(request, PARTNER_ENV, createExecutionContext());
}

function requestSchema(path: string) {
  const route = path.slice(1).toLowerCase();
  const endpoint = partnerEndpoints.find((e) => e.paths.some((p) => p.toLowerCase() === route));
  if (!endpoint) throw new Error(`no endpoint at ${path}`);
  return endpoint.request;
}

// ---------------------------------------------------------------- operations

/** Sessions a client keeps per customer (its newest). */
const KEPT_SESSIONS = 4;

export async function login(c: CustomerRuntime): Promise<Omit<Answer, "step" | "seq" | "op">> {
  const raw = await send(PATHS.login, { dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(c.loginPassword) });
  const common = commonAnswer(raw);
  if (common.outcome === "ok") {
    c.sessions.push({ token: raw.body.tag.token, sessionKey: raw.body.tag.sessionkey });
    if (c.sessions.length > KEPT_SESSIONS) c.sessions.splice(0, c.sessions.length - KEPT_SESSIONS);
  }
  return { ...common, target: null };
}

/**
 * A refund through the operator's admin API (SPEC §10): the client knows its order's tickets (from the
 * pay notification or a query); here they are read from D1. A refund number used before is asked again
 * with what it was first asked for, or — one time in four — with other tickets (refused: conflict).
 */
async function refund(world: World, session: { token: string }, op: Extract<Op, { kind: "refund" }>, prior?: Answer): Promise<Omit<Answer, "step" | "seq" | "op">> {
  const number = `R${op.refund}`;
  const slot = `${op.c}:${number}`;
  // `after`: the order the step's pay paid (a scan race), else the slot's.
  const orderId = op.after !== undefined ? (prior?.target?.id ?? null) : (world.orders.get(`${op.owner}:${op.sender}`) ?? null);
  const first = world.refunds.get(slot);
  let ask: { orderId: string; tickets: string[] | null } | null = first ?? null;
  if (!ask || (orderId && orderId !== ask.orderId && op.pick === "one")) {
    if (!orderId) return { target: null, status: 0, code: 0, message: "no order in the slot yet", body: null, outcome: "refused" };
    const { results } = await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ? AND status = 'valid' ORDER BY ticket_code").bind(orderId).all<{ ticket_code: string }>();
    ask = { orderId, tickets: op.pick === "all" || results.length === 0 ? null : [results[0]!.ticket_code] };
  }
  if (!first) world.refunds.set(slot, ask);
  const target = { kind: "refund" as const, id: ask.orderId, key: slot };
  if (op.via === "partner") {
    const body: WireObject = { orderid: ask.orderId, refundid: number, reason: "行程取消", ...(ask.tickets ? { ticketcodes: ask.tickets } : {}) };
    return { ...commonAnswer(await send(PATHS.refund, body, { token: session.token, format: op.format })), target };
  }
  const response = await fetchWorker(`/admin/orders/${ask.orderId}/refunds`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ refundid: number, reason: "仿真退票", ...(ask.tickets ? { ticketcodes: ask.tickets } : {}) }),
  }).catch(() => null);
  const status = response?.status ?? 0;
  const body: any = response ? await response.json().catch(() => null) : null;
  const outcome: Outcome = status === 200 ? "ok" : status === 503 ? "unknown" : status >= 400 && status < 500 ? "refused" : "internal";
  return { target, status, code: body?.error?.code ?? status, message: JSON.stringify(body)?.slice(0, 120) ?? "", body, outcome };
}

/**
 * A gate device's scan (SPEC §10 核销), with its own bearer token: the device knows the code it scans; here
 * the order's tickets are read from D1 (used and refunded ones too, so repeats happen). A scan id that
 * admitted a ticket at this gate is a retry of that scan when the plan says so: that ticket again.
 */
async function check(world: World, op: Extract<Op, { kind: "check" }>, prior?: Answer): Promise<Omit<Answer, "step" | "seq" | "op">> {
  const gate = world.gates[op.gate]!;
  const orderId = op.after !== undefined ? (prior?.target?.id ?? null) : (world.orders.get(`${op.owner}:${op.sender}`) ?? null);
  const tickets = orderId
    ? (await env.DB.prepare("SELECT ticket_code, status FROM tickets WHERE order_id = ? ORDER BY ticket_code").bind(orderId).all<{ ticket_code: string; status: string }>()).results
    : [];
  const own =
    tickets.length === 0
      ? unknownTicketCode(op.owner, op.sender)
      : op.pick === "valid"
        ? (tickets.find((t) => t.status === "valid") ?? tickets[0]!).ticket_code
        : tickets[op.pick % tickets.length]!.ticket_code;
  const checkid = op.checkid === null ? null : `K${op.checkid}`;
  const key = `${gate.gateId}:${checkid ?? "-"}`;
  const first = checkid === null ? undefined : world.scans.get(key);
  const code = first !== undefined && op.retry ? first : own;
  const raw = await send(PATHS.check, { ticketcode: code, ...(checkid === null ? {} : { checkid }) }, { token: gate.token, format: op.format });
  const answer = commonAnswer(raw);
  if (checkid !== null && answer.outcome === "ok" && answer.code === 0 && !world.scans.has(key)) world.scans.set(key, raw.body.tag.ticketcode);
  return { ...answer, target: { kind: "ticket", id: code, key } };
}

/**
 * Order/Cancel, Order/ChangeDate or Order/Resend of the order (owner, sender), or — `after` — of the order
 * the op it waits for placed or paid; a cancel `via: operator` through the admin API (by order id).
 */
async function orderAction(
  world: World,
  session: { token: string },
  op: Extract<Op, { kind: "cancel" | "change-date" | "resend" }>,
  prior?: Answer,
): Promise<Omit<Answer, "step" | "seq" | "op">> {
  const key = `${op.owner}:${op.sender}`;
  const chained = "after" in op && op.after !== undefined;
  const orderId = chained ? (prior?.target?.id ?? null) : (world.orders.get(key) ?? null);
  const target = { kind: op.kind === "cancel" ? ("cancel" as const) : op.kind === "resend" ? ("resend" as const) : ("move" as const), id: orderId, key };
  if (chained && orderId === null) return { target, status: 0, code: 0, message: "the order was not placed", body: null, outcome: "refused" };
  if (op.kind === "cancel" && op.via === "operator") {
    if (orderId === null) return { target, status: 0, code: 0, message: "no order in the slot yet", body: null, outcome: "refused" };
    const response = await fetchWorker(`/admin/orders/${orderId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).catch(() => null);
    const status = response?.status ?? 0;
    const body: any = response ? await response.json().catch(() => null) : null;
    const outcome: Outcome = status === 200 ? "ok" : status === 503 ? "unknown" : status >= 400 && status < 500 ? "refused" : "internal";
    return { target, status, code: body?.error?.code ?? status, message: JSON.stringify(body)?.slice(0, 120) ?? "", body, outcome };
  }
  // By senderid only one's own order can be named; a chained op knows the order id.
  const name: WireObject =
    "by" in op && op.by === "senderid" && op.owner === op.c && !chained
      ? { senderid: world.senderId(op.sender) }
      : { orderid: orderId ?? unknownOrderId(op.owner, op.sender) };
  let path: string;
  let body: WireObject;
  switch (op.kind) {
    case "cancel":
      [path, body] = [PATHS.cancel, name];
      break;
    case "change-date":
      [path, body] = [PATHS.changeDate, { ...name, effectdate: world.date(op.day), ...(op.timespan === null ? {} : { timespanindex: op.timespan }) }];
      break;
    case "resend":
      [path, body] = [PATHS.resend, { ...name, ...(op.mobile ? { mobile: `1390013${String(9000 + op.c).padStart(4, "0")}` } : {}) }];
      break;
  }
  const answer = orderAnswer(await send(path, body, { token: session.token, format: op.format }));
  // By senderid: the order the answer names (one placed by an add whose answer never came).
  return { ...answer, target: { ...target, id: target.id ?? answer.body?.orderid ?? null } };
}

/** A ticket code of the right shape that no ticket has (an order not paid yet, or never placed). */
function unknownTicketCode(owner: number, sender: number): string {
  return `00${String(owner).padStart(8, "0")}${String(sender).padStart(8, "0")}`;
}

/** An operator's change through the admin API; the world keeps what it set. */
async function operatorChange(world: World, change: OperatorChange): Promise<Omit<Answer, "step" | "seq" | "op">> {
  let path: string;
  let body: Record<string, unknown>;
  let apply = () => {};
  switch (change.what) {
    case "price":
    case "on-sale": {
      const current = world.productState[change.p];
      const next = change.what === "price" ? { ...current, priceYuan: change.priceYuan } : { ...current, onSale: change.onSale };
      path = `/admin/products/${world.productIds[change.p]}`;
      body = { name: next.name, kind: next.kind, price: next.priceYuan, onSale: next.onSale };
      apply = () => (world.productState[change.p] = next);
      break;
    }
    case "stock":
      path = `/admin/products/${world.productIds[change.p]}/calendar/${world.date(change.day)}`;
      body = { stock: change.stock, ...(change.p === "TS" ? { timeslots: world.plan.products.find((p) => p.key === "TS")!.days[0]!.timeslots } : {}) };
      break;
    case "login-password":
    case "pay-password":
    case "suspend": {
      const customer = world.customers[change.c]!;
      path = `/admin/customers/${customer.dwid}`;
      const login = change.what === "login-password" ? customer.loginPasswordOf(change.version) : null;
      const pay = change.what === "pay-password" ? (change.version === null ? null : customer.payPasswordOf(change.version)) : undefined;
      const suspended = change.what === "suspend" ? change.suspended : undefined;
      body = {
        dwlx: customer.dwlx,
        name: `仿真客户 ${customer.dwid}`,
        ...(login ? { loginPassword: login } : {}),
        ...(pay !== undefined ? { payPassword: pay } : {}),
        ...(suspended !== undefined ? { suspended } : {}),
      };
      apply = () => {
        if (login) customer.loginPassword = login;
        if (pay !== undefined) customer.payPassword = pay;
        customer.sent.clear();
      };
      // Odd customers' changes come from another isolate: this one's session cache never hears of them,
      // so only the session guard ends their cached sessions for order add (session-cache.ts).
      if (change.c % 2 === 1) return changedElsewhere(customer, { login, pay, suspended }, apply);
      break;
    }
  }
  const method = "PUT";
  const response = await fetchWorker(path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) }).catch(() => null);
  const status = response?.status ?? 0;
  const answerBody = response ? await response.json().catch(() => null) : null;
  if (status === 200 || status === 201) apply();
  const outcome: Outcome = status === 200 || status === 201 ? "ok" : status === 503 ? "unknown" : status >= 400 && status < 500 ? "refused" : "internal";
  return { target: null, status, code: status, message: JSON.stringify(answerBody)?.slice(0, 120) ?? "", body: answerBody, outcome };
}

/** What PUT /admin/customers does in another isolate: the object's change and D1's copy, without this isolate's forgetting. */
async function changedElsewhere(
  customer: CustomerRuntime,
  change: { login: string | null; pay: string | null | undefined; suspended: boolean | undefined },
  apply: () => void,
): Promise<Omit<Answer, "step" | "seq" | "op">> {
  let status = 200;
  try {
    const profile = await changeProfile(env, {
      dwid: customer.dwid,
      dwlx: customer.dwlx,
      ...(change.login ? { loginMd5: await upperMd5(change.login) } : {}),
      ...(change.pay !== undefined ? { payMd5: change.pay === null ? null : await upperMd5(change.pay) } : {}),
      ...(change.suspended !== undefined ? { suspended: change.suspended } : {}),
    });
    if (!profile.ok) throw new Error(profile.reason);
    const copy = { dwid: customer.dwid, dwlx: customer.dwlx, name: `仿真客户 ${customer.dwid}`, callbackUrl: undefined, contactMobile: undefined };
    await upsertCustomer(env.DB, { ...copy, suspended: profile.suspended, lowBalanceFen: profile.lowBalanceFen, credentialsVersion: profile.credentialsVersion }, testClock.nowMs());
    apply();
  } catch {
    status = 503;
  }
  return { target: null, status, code: status, message: "changed elsewhere", body: null, outcome: status === 200 ? "ok" : "unknown" };
}

/** `prior`: the answer of the op this one waits for (`after`), whose order or bill it pays. */
export async function runOp(world: World, op: Op, step: number, seq: number, prior?: Answer): Promise<Answer> {
  const answer = await dispatch(world, op, prior);
  return { step, seq, op, ...answer };
}

async function dispatch(world: World, op: Op, prior?: Answer): Promise<Omit<Answer, "step" | "seq" | "op">> {
  // A gate device has its own token, no customer session.
  if (op.kind === "check") return check(world, op, prior);
  const c = world.customers[op.c]!;
  if (c.sessions.length === 0) await login(c);
  const session = c.sessions[("session" in op ? op.session : 0) % Math.max(1, c.sessions.length)] ?? { token: "t1.none.none", sessionKey: "none" };
  const answer = await dispatchWith(world, c, session, op, prior);
  // A client whose session ended (idle, evicted, a password change) logs in again before its next call.
  if (answer.status === 401) {
    c.sessions = c.sessions.filter((x) => x.token !== session.token);
    await login(c);
  }
  return answer;
}

async function dispatchWith(
  world: World,
  c: CustomerRuntime,
  session: { token: string; sessionKey: string },
  op: Op,
  prior?: Answer,
): Promise<Omit<Answer, "step" | "seq" | "op">> {
  switch (op.kind) {
    case "operator":
      return operatorChange(world, op.change);
    case "refund":
      return refund(world, session, op, prior);
    case "cancel":
    case "change-date":
    case "resend":
      return orderAction(world, session, op, prior);
    case "check":
      throw new Error("a gate device's scan runs without a customer session (dispatch)");
    case "login-storm": {
      // Another application of the same customer logs in again and again; the sessions this client
      // keeps are the oldest, and the object evicts them past its limit.
      const password = await upperMd5(c.loginPassword);
      const answers = await Promise.all(Array.from({ length: op.logins }, () => send(PATHS.login, { dwid: c.dwid, dwlx: c.dwlx, password })));
      const classified = answers.map(commonAnswer);
      const failed = classified.find((a) => a.outcome !== "ok");
      return { ...(failed ?? { ...classified[0]!, message: `${op.logins} logins` }), target: null };
    }
    case "login":
      return login(c);
    case "deposit": {
      const reference = world.depositReference(op.ref);
      const response = await fetchWorker(`/admin/customers/${c.dwid}/deposits`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ amount: op.amountFen / 100, reference }),
      }).catch(() => null);
      const status = response?.status ?? 0;
      const body = response ? await response.json().catch(() => null) : null;
      const outcome: Outcome = status === 201 ? "ok" : status === 200 ? "duplicate" : status === 409 ? "conflict" : status === 503 ? "unknown" : status >= 400 && status < 500 ? "refused" : "internal";
      return { target: { kind: "deposit", id: null, key: `${op.c}:${reference}` }, status, code: status, message: JSON.stringify(body)?.slice(0, 120) ?? "", body, outcome };
    }
    case "add":
    case "verify": {
      const body: WireObject = {
        orderdetails: op.lines.map((l) => ({ productid: world.productIds[l.p], amount: l.qty })),
        mobile: `1380013${String(8000 + op.c).padStart(4, "0")}`,
        effectdate: world.date(op.day),
        ...(op.timespan === null ? {} : { timespanindex: op.timespan }),
      };
      if (op.kind === "verify") return { ...commonAnswer(await send(PATHS.verify, body, { token: session.token, format: op.format })), target: null };
      if (op.sender !== null) body.senderid = world.senderId(op.sender);
      const raw = await send(op.path === "douyin" ? PATHS.douyinAdd : PATHS.add, body, { token: session.token, format: op.format });
      return addAnswer(world, op.c, op.sender, raw);
    }
    case "yearcard": {
      const body: WireObject = {
        productid: world.productIds.Y0,
        amount: 1,
        mobile: "13900139000",
        effectdate: world.date(30),
        BuyInsurance: "0",
        ...(op.sender === null ? {} : { senderid: world.senderId(op.sender) }),
      };
      return addAnswer(world, op.c, op.sender, await send(PATHS.yearcard, body, { token: session.token, format: op.format }));
    }
    case "query": {
      const key = `${op.owner}:${op.sender}`;
      const orderId = world.orders.get(key) ?? null;
      const body: WireObject = op.by === "senderid" && op.owner === op.c ? { senderid: world.senderId(op.sender) } : { orderid: orderId ?? unknownOrderId(op.owner, op.sender) };
      const raw = await send(PATHS.query, body, { token: session.token });
      return { ...commonAnswer(raw), target: { kind: "order", id: orderId, key } };
    }
    case "pay":
      return payOrder(world, c, session, op, prior);
    case "bill-add": {
      const body: WireObject = {
        DWID: c.dwid,
        DWSX: c.dwlx,
        Items: op.items.map((i) => ({ ProductId: world.productIds[i.p], Amount: i.qty })),
        ...(op.bill === null ? {} : { SenderBillNum: world.senderBillNum(op.bill) }),
      };
      const raw = await send(PATHS.billAdd, body, { token: session.token, format: op.format });
      const answer = commonAnswer(raw);
      const key = op.bill === null ? null : `${op.c}:${op.bill}`;
      const billNum: string | null = answer.outcome === "ok" ? raw.body.tag.BillNum : null;
      if (key && billNum && !world.bills.has(key)) world.bills.set(key, billNum);
      return { ...answer, target: { kind: "bill", id: billNum, key: key ?? `${op.c}:-` } };
    }
    case "bill-pay":
      return payBill(world, c, session, op, prior);
  }
}

function addAnswer(world: World, c: number, sender: number | null, raw: Raw): Omit<Answer, "step" | "seq" | "op"> {
  const answer = orderAnswer(raw);
  const orderId: string | null = answer.outcome === "ok" ? raw.body.orderid : null;
  const key = sender === null ? `${c}:-` : `${c}:${sender}`;
  if (sender !== null && orderId && !world.orders.has(key)) world.orders.set(key, orderId);
  return { ...answer, target: { kind: "order", id: orderId, key } };
}

/** An order id of the right shape that no order has (a slot never filled). */
function unknownOrderId(owner: number, sender: number): string {
  return `T9${String(owner).padStart(9, "0")}${String(sender).padStart(9, "0")}`;
}

async function cipherFor(world: World, c: CustomerRuntime, session: { token: string; sessionKey: string }, kind: Password): Promise<string> {
  const pay = c.payPassword ?? "unset#1";
  switch (kind) {
    case "right":
    case "replay": {
      const kept = c.sent.get(session.token);
      if (kind === "replay" && kept) return kept;
      const fresh = await encryptPayPassword(session.sessionKey, c.loginPassword, pay);
      c.sent.set(session.token, fresh);
      return fresh;
    }
    case "wrong":
      return encryptPayPassword(session.sessionKey, c.loginPassword, `${pay}x`);
    case "other-session": {
      const other = c.sessions.find((s) => s.token !== session.token) ?? session;
      return encryptPayPassword(other.sessionKey, c.loginPassword, pay);
    }
    case "garbage":
      return "not a ciphertext!";
  }
}

async function payOrder(world: World, c: CustomerRuntime, session: { token: string; sessionKey: string }, op: Extract<Op, { kind: "pay" }>, prior?: Answer) {
  const chained: string | null = op.after !== undefined ? (prior?.body?.orderid ?? null) : null;
  const key = chained ? prior!.target!.key : `${op.owner}:${op.sender}`;
  const orderId = chained ?? world.orders.get(key) ?? null;
  const orderid = orderId ?? unknownOrderId(op.owner, op.sender);
  const paypassword = await cipherFor(world, c, session, op.password);
  let raw: Raw;
  switch (op.path) {
    case "bypassword": {
      const claimed = op.claim === "other" ? world.customers[(op.c + 1) % world.customers.length]! : c;
      raw = await send(
        PATHS.byPassword,
        { dwid: claimed.dwid, dwlx: claimed.dwlx, payparm: { orderid, paypassword }, sellstationid: "01", marketareaid: "MA01", teamtypecode: "T1" },
        { token: session.token, format: op.format },
      );
      break;
    }
    case "min":
      raw = await send(PATHS.min, { orderid, paypassword }, { token: session.token, format: op.format });
      break;
    case "aspx-get":
      raw = await send(PATHS.aspx, { orderid, paypassword }, { token: session.token, format: "query" });
      break;
    case "aspx-form":
      raw = await send(PATHS.aspx, { orderid, paypassword }, { token: session.token, format: "form" });
      break;
  }
  const answer = orderAnswer(raw, true);
  return { ...answer, target: { kind: "order" as const, id: orderId, key } };
}

async function payBill(world: World, c: CustomerRuntime, session: { token: string; sessionKey: string }, op: Extract<Op, { kind: "bill-pay" }>, prior?: Answer) {
  const chained: string | null = op.after !== undefined ? (prior?.body?.tag?.BillNum ?? null) : null;
  const key = chained ? prior!.target!.key : `${op.owner}:${op.bill}`;
  const billNum = chained ?? world.bills.get(key) ?? null;
  // Another customer's bill: its BillNum (or our own SenderBillNum, which names our bill, not theirs).
  const find: WireObject = {};
  if (op.by !== "sender") find.BillNum = billNum ?? `P9${String(op.owner).padStart(9, "0")}${String(op.bill).padStart(9, "0")}`;
  if (op.by !== "billnum") find.SenderBillNum = world.senderBillNum(op.bill);
  const omitPassword = c.payPassword === null && op.password === "right";
  const body: WireObject = { DWID: c.dwid, DWSX: c.dwlx, ...find, ...(omitPassword ? {} : { PayPwd: await cipherFor(world, c, session, op.password) }) };
  const raw = await send(PATHS.billPay, body, { token: session.token, format: op.format });
  const answer = commonAnswer(raw);
  // Seed: errcode 0 paid now, 1 paid earlier (nothing charged now), −1 failed. A 503 keeps its own code.
  const outcome: Outcome = answer.outcome !== "ok" && answer.outcome !== "refused" ? answer.outcome : answer.code === 0 ? "paid-now" : answer.code === 1 ? "already" : "refused";
  // By SenderBillNum alone, the bill named is the caller's own with that number.
  const named = op.by === "sender" && !chained ? `${op.c}:${op.bill}` : key;
  return { ...answer, outcome, target: { kind: "bill" as const, id: op.by === "sender" && !chained ? (world.bills.get(named) ?? null) : billNum, key: named } };
}

/** How the HTTP status reads before any code: 503 not yet known; another 5xx or no answer at all is never acceptable. */
function statusOutcome(status: number): Outcome | null {
  if (status === 503) return "unknown";
  if (status === 0 || status >= 500) return "internal";
  if (status >= 400) return "refused";
  return null;
}

function orderAnswer(raw: Raw, paying = false): Omit<Answer, "step" | "seq" | "op" | "target"> {
  const code = typeof raw.body?.resultcode === "number" ? raw.body.resultcode : -9;
  const message = String(raw.body?.returnmessgage ?? raw.body?.error ?? "");
  const outcome = statusOutcome(raw.status) ?? (code === 0 ? (paying ? "paid" : "ok") : code === -9 ? "internal" : "refused");
  return { status: raw.status, code, message, body: raw.body, outcome };
}

function commonAnswer(raw: Raw): Omit<Answer, "step" | "seq" | "op" | "target"> {
  const code = typeof raw.body?.errcode === "number" ? raw.body.errcode : -9;
  const message = String(raw.body?.errmsg ?? raw.body?.error ?? "");
  const outcome = statusOutcome(raw.status) ?? (code === 0 ? "ok" : code === -9 ? "internal" : "refused");
  return { status: raw.status, code, message, body: raw.body, outcome };
}

/** One line of the trace: what was asked and what came back. */
export function describeAnswer(a: Answer): string {
  const op = a.op;
  const who = `c${op.c}`;
  let what: string;
  switch (op.kind) {
    case "pay":
      what = `pay ${op.path}/${op.format} ${op.password}${op.claim === "other" ? " claim-other" : ""} order ${a.target?.key}=${a.target?.id ?? "?"}`;
      break;
    case "bill-pay":
      what = `bill-pay by ${op.by} ${op.password} bill ${a.target?.key}=${a.target?.id ?? "?"}`;
      break;
    case "add":
      what = `add ${op.path}/${op.format} S${op.sender ?? "-"} ${lines(op.lines)} +${op.day}${op.timespan === null ? "" : ` slot ${op.timespan}`} → ${a.target?.id ?? "-"}`;
      break;
    case "yearcard":
      what = `yearcard S${op.sender ?? "-"} → ${a.target?.id ?? "-"}`;
      break;
    case "verify":
      what = `verify ${lines(op.lines)} +${op.day}`;
      break;
    case "bill-add":
      what = `bill-add B${op.bill ?? "-"} ${lines(op.items)} → ${a.target?.id ?? "-"}`;
      break;
    case "deposit":
      what = `deposit D${op.ref} ${op.amountFen / 100}`;
      break;
    case "query":
      what = `query ${op.by} ${a.target?.key}=${a.target?.id ?? "?"}`;
      break;
    case "login":
      what = "login";
      break;
    case "login-storm":
      what = `${op.logins} logins at once`;
      break;
    case "operator":
      what = `operator ${JSON.stringify(op.change)}`;
      break;
    case "refund":
      what = `refund ${op.via}${op.via === "partner" ? `/${op.format}` : ""} R${op.refund} ${op.pick} of ${a.target?.id ?? "?"}${op.after === undefined ? "" : ` (paid by #${op.after})`}`;
      break;
    case "cancel":
      what = `cancel ${op.via}${op.via === "partner" ? `/${op.format} by ${op.by}` : ""} order ${a.target?.key}=${a.target?.id ?? "?"}${op.after === undefined ? "" : ` (placed by #${op.after})`}`;
      break;
    case "change-date":
      what = `change-date/${op.format} order ${a.target?.key}=${a.target?.id ?? "?"} to +${op.day}${op.timespan === null ? "" : ` slot ${op.timespan}`}${op.after === undefined ? "" : ` (paid by #${op.after})`}`;
      break;
    case "resend":
      what = `resend/${op.format} order ${a.target?.key}=${a.target?.id ?? "?"}${op.mobile ? " to another mobile" : ""}`;
      break;
    case "check": {
      const scan = op.checkid === null ? "" : ` K${op.checkid}${op.retry ? "" : " (counter repeats)"}`;
      const tag = a.body?.tag;
      what = `check/${op.format} at ${a.target?.key.split(":")[0] ?? `G${op.gate}`}${scan} ${op.pick === "valid" ? "first valid" : `#${op.pick}`} ticket ${a.target?.id ?? "?"} of ${tag?.orderid ?? (op.after === undefined ? `S${op.sender}` : "the order paid in this step")}${tag?.usedat ? ` (used ${tag.usedat} at ${tag.gateid})` : ""}`;
      break;
    }
  }
  return `  #${a.seq} ${who} ${what} ⇒ ${a.status} ${a.code} ${a.outcome} ${a.message.slice(0, 60)}`;
}

function lines(ls: readonly Line[]): string {
  return ls.map((l) => `${l.p}×${l.qty}`).join("+");
}
