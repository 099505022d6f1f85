/**
 * The stages every partner request goes through (SPEC §3):
 * method → session → media type → body → contract shape → schema → operation
 * → envelope in the negotiated format. Every answer, refusal or not, is the
 * endpoint's own envelope; a 500 never shows internals.
 */
import { clockOf, type Clock } from "../clock";
import { configOf } from "../config";
import { ResultCodes, type ResultKey } from "../domain/codes";
import { constantTimeEqual } from "../crypto/paypassword";
import { getGate, type Gate } from "../db/gates";
import { gateIdOfToken } from "../domain/gate";
import { bearerToken, dwidOfToken, sha256Hex } from "../domain/tokens";
import type { AuthResult, Session } from "../durable/account";
import { withAccount } from "../durable/stubs";
import type { Env } from "../env";
import { systemRandom } from "../random";
import { describeIssues } from "../schemas/errors";
import { contractOf } from "../wire/contract";
import { DecodeError, decodeBody, readBodyBytes } from "../wire/decode";
import { encodeBody } from "../wire/encode";
import { failureValue, type Echo } from "../wire/envelope";
import { negotiate, type ResponseFormat } from "../wire/media";
import { shapeToContract } from "../wire/shape";
import type { WireObject } from "../wire/xml";
import { refuse, type PartnerContext, type PartnerEndpoint, type Refusal } from "./partner-endpoint";
import { isolateSessions } from "./session-cache";
import { isStoreUnavailable, RETRY_AFTER_SECONDS } from "./store-errors";

export async function servePartner(endpoint: PartnerEndpoint, request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const format = negotiate(request.headers.get("accept"), request.headers.get("content-type"));
  const respond = (value: WireObject, status = 200) => envelopeResponse(endpoint, value, format, status);
  const fail = (key: ResultKey, message?: string, echo?: Echo) => respond(failure(endpoint, key, message, echo), ResultCodes[key].http);
  const clock = clockOf(env);
  try {
    if (!endpoint.methods.includes(request.method as "POST" | "GET")) {
      return withAllow(fail("methodNotAllowed"), endpoint.methods);
    }

    let session: PartnerContext["session"] = null;
    let sessionCached = false;
    let gate: PartnerContext["gate"] = null;
    const token = bearerToken(request.headers.get("authorization"));
    const tokenDwid = token ? dwidOfToken(token) : null;
    if (endpoint.auth === "gate") {
      gate = token ? await authenticateGate(env, token) : null;
      if (!gate) return fail("gateUnauthorized");
    } else if (endpoint.auth !== "none") {
      if (!token) return fail("sessionMissing");
      if (!tokenDwid) return fail("sessionInvalid");
    }
    if (endpoint.auth === "session") {
      const auth = await authenticate(env, clock, token!, tokenDwid!, endpoint.sessionCache !== undefined);
      if (!auth.ok) return fail(auth.reason);
      session = auth.session;
      sessionCached = auth.cached && endpoint.sessionCache === "guarded";
    }
    /** A guarded endpoint's cached session, asked about now (at most once per request). */
    let confirmation: Promise<Refusal | null> | null = null;
    const confirmSession = (): Promise<Refusal | null> => {
      if (!sessionCached) return Promise.resolve(null);
      confirmation ??= authenticate(env, clock, token!, tokenDwid!, false).then((auth) => {
        if (!auth.ok) return refuse(auth.reason);
        sessionCached = false;
        return null;
      });
      return confirmation;
    };

    let loose: unknown;
    try {
      loose = request.method === "GET" ? queryFields(request) : decodeBody(await readBodyBytes(request), request.headers.get("content-type"));
    } catch (error) {
      if (error instanceof DecodeError) return fail(error.reason, `${ResultCodes[error.reason].message}: ${error.message}`);
      throw error;
    }

    const shaped = shapeToContract(contractOf(endpoint.request), loose);
    const parsed = endpoint.request.safeParse(shaped, { reportInput: true });
    if (!parsed.success) {
      // An operation that authenticates itself never ran: an expired session still answers 401 first.
      if (endpoint.auth === "in-operation") {
        const auth = await authenticate(env, clock, token!, tokenDwid!, false);
        if (!auth.ok) return fail(auth.reason);
      }
      const { key, message } = describeIssues(parsed.error.issues);
      return fail(key, message);
    }

    const outcome = await endpoint.handle(parsed.data, {
      env,
      session,
      sessionCached,
      confirmSession,
      gate,
      token,
      tokenDwid,
      clientAddress: request.headers.get("cf-connecting-ip"),
      nowMs: clock.nowMs(),
      clock,
      random: systemRandom,
      waitUntil: (promise) => ctx.waitUntil(promise),
    });
    // A guarded endpoint answers from a cached session only what its guarded write proved (sessionCache).
    if (sessionCached && !(outcome.ok && outcome.sessionConfirmed)) {
      const refused = await confirmSession();
      if (refused) return fail(refused.key);
    }
    if (outcome.ok) return respond(outcome.value);
    // A pay refused for its session: this isolate never serves that token from its cache again.
    if (token && (outcome.key === "sessionInvalid" || outcome.key === "customerSuspended")) isolateSessions.forget(token);
    return fail(outcome.key, outcome.message, outcome.echo);
  } catch (error) {
    const unavailable = isStoreUnavailable(error);
    console.error(JSON.stringify({ event: unavailable ? "partner_store_unavailable" : "partner_error", path: new URL(request.url).pathname, error: String(error), stack: unavailable ? undefined : (error as Error)?.stack }));
    if (!unavailable) return fail("internal");
    return fail(endpoint.readOnly ? "storeUnavailable" : "outcomeUnknown");
  }
}

/** The gate device a token names, while that token is its current one (a new token ends the old at once). */
async function authenticateGate(env: Env, token: string): Promise<Gate | null> {
  const gateId = gateIdOfToken(token);
  if (!gateId) return null;
  const gate = await getGate(env.DB, gateId);
  return gate && constantTimeEqual(await sha256Hex(token), gate.tokenSha256) ? gate : null;
}

/**
 * The session behind a token, from the customer's AccountDO — or, when the
 * endpoint allows it (`sessionCache`), from this isolate's cache (`cached`).
 * Every answer of the object refreshes the cache, so Verify and add find
 * what an earlier call of the same session authenticated.
 */
async function authenticate(
  env: Env,
  clock: Clock,
  token: string,
  dwid: string,
  fromCache: boolean,
): Promise<{ ok: true; session: Session; cached: boolean } | Extract<AuthResult, { ok: false }>> {
  const nowMs = clock.nowMs();
  const ttlMs = configOf(env).sessionCacheMs;
  const cached = fromCache && ttlMs > 0 ? isolateSessions.get(token, nowMs) : null;
  if (cached) return { ok: true, session: cached, cached: true };
  const auth = await withAccount(env, dwid, async (account) => (await account.authenticate(token)) as AuthResult);
  if (!auth.ok) {
    isolateSessions.forget(token);
    return auth;
  }
  isolateSessions.put(token, auth.session, nowMs, ttlMs, auth.expiresAtMs);
  return { ok: true, session: auth.session, cached: false };
}

function failure(endpoint: PartnerEndpoint, key: ResultKey, message?: string, echo?: Echo): WireObject {
  const code = ResultCodes[key].code;
  const text = message ?? ResultCodes[key].message;
  // An outcome not yet known is not a failure: POS's −1 means "nothing was or will be charged" (SPEC §6).
  if (!endpoint.failureCode || ResultCodes[key].http === 503) return failureValue(contractOf(endpoint.response), code, text, echo);
  // An endpoint whose seed folds every failure into one code still names the reason's own code.
  return failureValue(contractOf(endpoint.response), endpoint.failureCode(code), `[${code}] ${text}`, echo);
}

function envelopeResponse(endpoint: PartnerEndpoint, value: WireObject, format: ResponseFormat, status: number): Response {
  const { body, contentType } = encodeBody(contractOf(endpoint.response), value, format);
  const headers: Record<string, string> = { "content-type": contentType };
  if (status === 503) headers["retry-after"] = String(RETRY_AFTER_SECONDS);
  return new Response(body, { status, headers });
}

function withAllow(response: Response, methods: readonly string[]): Response {
  response.headers.set("allow", methods.join(", "));
  return response;
}

/** The WebForms alias reads its fields from the query string on GET. */
function queryFields(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(request.url).searchParams) out[k] = v;
  return out;
}
