/**
 * The operators' API speaks plain JSON (SPEC §7): bodies validated by the
 * zod schemas of `schemas/admin.ts`, errors as {error: {code, message, field?}}
 * with 400/401/404/409, amounts as decimal yuan.
 */
import type { IRequest } from "itty-router";
import type { z } from "zod";
import { constantTimeEqual } from "../../crypto/paypassword";
import { ResultCodes, type ResultKey } from "../../domain/codes";
import { bearerToken } from "../../domain/tokens";
import type { Env } from "../../env";
import { describeIssues } from "../../schemas/errors";
import { DecodeError, decodeBody, readBodyBytes } from "../../wire/decode";

export type AdminHandler = (request: IRequest, env: Env, ctx: ExecutionContext) => Promise<Response>;

/** An instant of the stores (Unix ms) as the admin API writes it: ISO 8601, UTC. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

/** Partner-facing codes answer 200 in their envelope; here each maps to its REST status (SPEC §7: 400/401/404/409). */
const NOT_FOUND: ReadonlySet<ResultKey> = new Set(["customerNotFound", "orderNotFound", "billNotFound", "productNotFound", "adminNotFound", "notFound"]);
/** Refused because of the order's or its tickets' state (SPEC §10: a cancel, a refund): the request was fine, the state says no. */
const CONFLICT: ReadonlySet<ResultKey> = new Set([
  "orderPaidUseRefund", "orderNotPaid", "orderCancelled", "orderExpired", "refundNotAllowed", "refundDeadlinePassed", "ticketNotInOrder",
  "ticketUsed", "ticketRefunded", "nothingToRefund", "refundIdConflict",
]);

export function adminStatus(key: ResultKey): number {
  if (NOT_FOUND.has(key)) return 404;
  if (CONFLICT.has(key)) return 409;
  const http = ResultCodes[key].http;
  return http === 200 ? 400 : http;
}

/** `detail`: the refusal's numbers for programs (a 409 stockBelowUsage: the day, the slot, capacity, sold and held). */
export function adminError(key: ResultKey, message?: string, field?: string, detail?: Record<string, unknown>): Response {
  const entry = ResultCodes[key];
  return json({ error: { code: entry.code, message: message ?? entry.message, ...(field ? { field } : {}), ...(detail ? { detail } : {}) } }, adminStatus(key));
}

/** itty `before`-style guard: answers 401 unless the bearer is ADMIN_TOKEN. */
export function requireAdmin(request: IRequest, env: Env): Response | undefined {
  const token = bearerToken(request.headers.get("authorization"));
  if (!token || !env.ADMIN_TOKEN || !constantTimeEqual(token, env.ADMIN_TOKEN)) return adminError("adminUnauthorized");
  return undefined;
}

export class AdminInputError extends Error {
  constructor(readonly response: Response) {
    super("invalid admin input");
  }
}

/**
 * Reads and validates a JSON body through the wire layer's reader (the
 * partner endpoints' limits: size, nesting depth, strict UTF-8, a BOM
 * allowed); throws AdminInputError carrying the 400.
 */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  let value: unknown;
  try {
    value = decodeBody(await readBodyBytes(request), "application/json");
  } catch (error) {
    if (error instanceof DecodeError && error.reason === "bodyTooLarge") throw new AdminInputError(adminError("bodyTooLarge"));
    throw new AdminInputError(adminError("bodyUnreadable", "请求体不是有效的JSON"));
  }
  return validate(schema, value);
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const failure = describeIssues(parsed.error.issues);
    throw new AdminInputError(adminError("adminInvalid", failure.message, failure.field || undefined));
  }
  return parsed.data;
}

/** A path parameter, percent-decoded; a malformed escape is the client's error (400). */
export function param(request: IRequest, name: string): string {
  try {
    return decodeURIComponent(request.params[name] ?? "");
  } catch {
    throw new AdminInputError(adminError("adminInvalid", `${name} 不是有效的URL编码`, name));
  }
}
