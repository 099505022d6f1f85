/**
 * The bench's HTTP client for one server: admin and partner calls for
 * preparing data, and the bench-only routes (src/endpoints/bench.ts).
 */
import { createHash } from "node:crypto";
import { encryptPayPassword } from "../src/crypto/paypassword.ts";
import type { Line } from "./load.ts";

export const ADMIN_TOKEN = "bench-admin-token";
export const PASSWORD_KEY = Buffer.from("bench-password-key-32-bytes-long").toString("base64");
const LOGIN = "bench-login";
const PAY = "123456";

export interface Customer {
  dwid: string;
  token: string;
  sessionKey: string;
  ciphertext: string;
}

export class Client {
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /**
   * One call. A connection the server closed while idle fails the fetch itself
   * ("other side closed", seen once in preparation); such a call is sent again,
   * at most twice. A repeat is harmless here: PUTs and deposits (by reference)
   * are idempotent, and a repeated login or add only leaves one more session,
   * order or bill behind.
   */
  async call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<any> {
    const send = () =>
      fetch(`${this.base}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let response: Response | undefined;
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await send();
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /**
   * A prepared line, sent once: `ok` when the answer is a success (as wrk.lua
   * judges it; an admin read, by its status), and how long it took.
   */
  async send([method, path, token, body]: Line): Promise<{ ok: boolean; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
      body: body || undefined,
    });
    const text = await response.text();
    const ms = performance.now() - started;
    return { ok: response.status === 200 && (path.startsWith("/admin/") || /"resultcode":0,|"errcode":0,|"ok":true/.test(text)), ms };
  }
}

/** Runs `task` over `items` with at most `width` in flight. */
export async function pool<T, R>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i]!, i);
      }
    }),
  );
  return out;
}

const upperMd5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex").toUpperCase();

// ------------------------------------------------------------------ our data

export async function prepareCatalogue(c: Client, day: string): Promise<void> {
  await c.call("PUT", "/admin/products/BENCH-T", { name: "压测门票", kind: "ticket", price: 1 });
  await c.call("PUT", `/admin/products/BENCH-T/calendar/${day}`, { stock: 1_000_000 });
  await c.call("PUT", "/admin/products/BENCH-R", { name: "压测零售", kind: "retail", price: 1 });
}

export async function prepareCustomers(c: Client, count: number, prefix = "BENCH"): Promise<Customer[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);
  return pool(ids, 10, async (dwid) => {
    await c.call("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: `压测旅行社 ${dwid}`, loginPassword: LOGIN, payPassword: PAY });
    await c.call("POST", `/admin/customers/${dwid}/deposits`, { amount: 1_000_000, reference: `bench-${dwid}` });
    return login(c, dwid);
  });
}

export async function login(c: Client, dwid: string): Promise<Customer> {
  const answer = await c.call("POST", "/api/WebInterface/Session/Login", { dwid, dwlx: "1", password: upperMd5(LOGIN) }, "");
  const { token, sessionkey } = answer.tag;
  return { dwid, token, sessionKey: sessionkey, ciphertext: await encryptPayPassword(sessionkey, LOGIN, PAY) };
}

let senderSeq = 0;
export function orderBody(day: string): { orderdetails: { productid: string; amount: number }[]; mobile: string; effectdate: string; senderid: string } {
  return { orderdetails: [{ productid: "BENCH-T", amount: 1 }], mobile: "13800138000", effectdate: day, senderid: `bench-${Date.now()}-${senderSeq++}` };
}

/** `count` unpaid orders, assigned round-robin to `owners`. */
export async function prepareOrders(c: Client, owners: readonly Customer[], count: number, day: string): Promise<{ owner: Customer; orderId: string; senderId: string }[]> {
  const jobs = Array.from({ length: count }, (_, i) => owners[i % owners.length]!);
  return pool(jobs, 32, async (owner) => {
    const body = orderBody(day);
    const r = await c.call("POST", "/api/WebInterface/Order/Add", body, owner.token);
    if (r.resultcode !== 0) throw new Error(`order add refused: ${JSON.stringify(r)}`);
    return { owner, orderId: r.orderid as string, senderId: body.senderid };
  });
}

export async function prepareBills(c: Client, owners: readonly Customer[], count: number): Promise<{ owner: Customer; billNum: string }[]> {
  const jobs = Array.from({ length: count }, (_, i) => owners[i % owners.length]!);
  return pool(jobs, 32, async (owner) => {
    const r = await c.call("POST", "/api/WebInterface/Pos/Sell/Bill/Add", { DWID: owner.dwid, DWSX: "1", Items: [{ ProductId: "BENCH-R", Amount: 1 }] }, owner.token);
    if (r.errcode !== 0) throw new Error(`bill add refused: ${JSON.stringify(r)}`);
    return { owner, billNum: r.tag.BillNum as string };
  });
}

// ------------------------------------------------------------------ request lines

export const VERIFY_PATH = "/api/SpecialOta/DouYin/CalendarTicket/Order/Verify";
export const ADD_PATH = "/api/WebInterface/Order/Add";
export const PAY_PATH = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
export const POS_PAY_PATH = "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment";

export const verifyLine = (c: Customer, day: string): Line => [
  "POST", VERIFY_PATH, c.token, JSON.stringify({ orderdetails: [{ productid: "BENCH-T", amount: 2 }], mobile: "13900139000", effectdate: day }),
];
export const addLine = (c: Customer, day: string): Line => ["POST", ADD_PATH, c.token, JSON.stringify(orderBody(day))];
export const payLine = (owner: Customer, orderId: string): Line => ["POST", PAY_PATH, owner.token, JSON.stringify({ orderid: orderId, paypassword: owner.ciphertext })];
export const posPayLine = (owner: Customer, billNum: string): Line => [
  "POST", POS_PAY_PATH, owner.token, JSON.stringify({ DWID: owner.dwid, DWSX: "1", BillNum: billNum, PayPwd: owner.ciphertext }),
];

// ------------------------------------------------------------------ the floor's data (bench/floor)

/** Verify's request, byte for byte (token included), sent to the floor's POST /body. */
export const floorBodyLine = (c: Customer, day: string): Line => {
  const [, , token, body] = verifyLine(c, day);
  return ["POST", "/body", token, body];
};

export const floorAddLine = (dwid: string, day: string, seq: number): Line => [
  "POST", "/add", "", JSON.stringify({ dwid, productId: "FLOOR-T", day, senderId: `floor-${Date.now()}-${seq}`, amountFen: 100 }),
];

/**
 * `count` unpaid floor orders over `accounts` accounts, each as its pay line.
 * Each account's object is woken first (a pay of no order: voided), as
 * ours are by their customers' deposits and logins.
 */
export async function prepareFloorPays(c: Client, accounts: number, count: number, day: string): Promise<Line[]> {
  await pool(Array.from({ length: accounts }, (_, i) => `FLOOR${String(i).padStart(3, "0")}`), 10, (dwid) => c.call("POST", "/pay", { dwid, orderId: `warm-${dwid}`, amountFen: 0 }, ""));
  return pool(Array.from({ length: count }, (_, i) => i), 32, async (i) => {
    const dwid = `FLOOR${String(i % accounts).padStart(3, "0")}`;
    const added = await c.call("POST", "/add", JSON.parse(floorAddLine(dwid, day, i)[3]), "");
    if (!added.ok) throw new Error(`floor add refused: ${JSON.stringify(added)}`);
    return ["POST", "/pay", "", JSON.stringify({ dwid, orderId: added.orderid, amountFen: 100 })] as Line;
  });
}
