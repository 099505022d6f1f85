/**
 * Builders and observers for notification tests. The only thing replaced is
 * the outbound HTTP to partners (hosts under `.partner.test`) and to the SMS
 * gateway (`sms.gateway.test`): the Worker's global fetch is spied, every
 * other request passes through untouched. The queue, its consumer, D1 and
 * the sealing crypto are the real ones; the consumer runs in this isolate,
 * so the spy sees its requests (vitest-plugin runs the main module here).
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, expect, vi } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { admin, uniqueId, type TestCustomer, type TestSession } from "./api";

export interface OutboundCall {
  url: string;
  host: string;
  method: string;
  headers: Headers;
  body: string;
  atMs: number;
}

/** What a fake partner answers: a Response, or a promise that settles when the caller gives up (timeouts). */
export type PartnerBehaviour = (call: OutboundCall, signal: AbortSignal) => Response | Promise<Response>;

export class OutboundHttp {
  readonly calls: OutboundCall[] = [];
  private readonly behaviours = new Map<string, PartnerBehaviour>();
  private spy: ReturnType<typeof vi.spyOn> | null = null;

  install(): void {
    const original = globalThis.fetch.bind(globalThis);
    this.spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (!url.hostname.endsWith(".partner.test") && !url.hostname.endsWith(".gateway.test")) return original(input, init);
      const call: OutboundCall = { url: request.url, host: url.hostname, method: request.method, headers: request.headers, body: await request.text(), atMs: Date.now() };
      this.calls.push(call);
      const behaviour = this.behaviours.get(url.hostname);
      if (!behaviour) return new Response("no such partner", { status: 404 });
      return behaviour(call, init?.signal ?? request.signal);
    });
  }

  restore(): void {
    this.spy?.mockRestore();
    this.spy = null;
  }

  /** A fresh partner host answering with `behaviour`. */
  partner(behaviour: PartnerBehaviour = () => new Response("ok")): string {
    const host = `${uniqueId("p").toLowerCase()}.partner.test`;
    this.behaviours.set(host, behaviour);
    return host;
  }

  answer(host: string, behaviour: PartnerBehaviour): void {
    this.behaviours.set(host, behaviour);
  }

  callsTo(host: string): OutboundCall[] {
    return this.calls.filter((c) => c.host === host);
  }
}

/** Structured log lines ({"event": ...}) written by the Worker, e.g. the SMS of local dev. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  private spy: ReturnType<typeof vi.spyOn> | null = null;

  install(): void {
    const original = console.log.bind(console);
    this.spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === "string" && args[0].startsWith("{")) {
        try {
          this.lines.push(JSON.parse(args[0]) as Record<string, unknown>);
          return;
        } catch {
          // not one of ours
        }
      }
      original(...args);
    });
  }

  restore(): void {
    this.spy?.mockRestore();
    this.spy = null;
  }

  sms(reference: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === "sms" && l.reference === reference);
  }
}

/** Sets the customer's callback URL through the admin API; answers the signing secret shown once. */
export async function withCallback(customer: TestCustomer, url: string): Promise<string> {
  const put = await admin("PUT", `/admin/customers/${customer.dwid}`, { dwlx: customer.dwlx, name: `测试旅行社 ${customer.dwid}`, callbackUrl: url });
  if (put.status !== 200 || typeof put.body.callbackSecret !== "string") throw new Error(`callback not set: ${put.status} ${JSON.stringify(put.body)}`);
  return put.body.callbackSecret;
}

export interface OutboxSeen {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export async function outboxRow(id: string): Promise<OutboxSeen | null> {
  return env.DB.prepare("SELECT id, status, attempts, last_error FROM outbox WHERE id = ?").bind(id).first<OutboxSeen>();
}

export async function deliveriesOf(id: string): Promise<Record<string, { status: string; attempts: number; target: string | null; last_error: string | null }>> {
  const { results } = await env.DB.prepare("SELECT channel, status, attempts, target, last_error FROM outbox_deliveries WHERE outbox_id = ?")
    .bind(id)
    .all<{ channel: string; status: string; attempts: number; target: string | null; last_error: string | null }>();
  return Object.fromEntries(results.map(({ channel, ...rest }) => [channel, rest]));
}

/** Independent of src/crypto/signature.ts: WebCrypto HMAC-SHA256 over "t.body", lower-case hex. */
export async function expectedSignature(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A payment whose endpoint never enqueued its notification: the AccountDO
 * paid (D1 committed the outbox row) and the Worker died before its
 * waitUntil ran. The row stays 'pending' until the sweep.
 */
export async function paidBehindTheEndpoint(c: TestCustomer, s: TestSession, orderId: string): Promise<void> {
  const account = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
  const result = await account.payOrder({
    token: s.token, requestId: crypto.randomUUID(), claimedDwid: c.dwid, claimedDwlx: c.dwlx,
    ciphertext: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    orderId, sellStationId: null, marketAreaId: null, teamTypeCode: null, rollOverAt: null,
  });
  expect(result.ok).toBe(true);
}

/**
 * The outbound HTTP spy and the log capture, installed for the whole test
 * file (call at the top level of the file).
 */
export function observeOutbound(): { http: OutboundHttp; logs: LogLines } {
  const http = new OutboundHttp();
  const logs = new LogLines();
  beforeAll(() => {
    http.install();
    logs.install();
  });
  afterAll(() => {
    http.restore();
    logs.restore();
  });
  return { http, logs };
}
