/**
 * What a partner endpoint is: its legacy paths, its request and response
 * contracts (zod schemas from `schemas/`), whether it needs a session, and
 * the operation. The pipeline in `partner-pipeline.ts` does everything else
 * (routing, decoding, validation, authentication, negotiation, envelopes).
 */
import type { z } from "zod";
import type { Clock } from "../clock";
import type { Random } from "../random";
import type { ResultKey } from "../domain/codes";
import type { Gate } from "../db/gates";
import type { Session } from "../durable/account";
import type { Echo } from "../wire/envelope";
import type { Env } from "../env";
import type { WireObject } from "../wire/xml";

export interface PartnerContext {
  env: Env;
  /** The caller's session, when the pipeline authenticated (`auth: "session"`). */
  session: Session | null;
  /**
   * `sessionCache: "guarded"` only: the session came from the isolate's
   * cache, not confirmed by the customer's AccountDO for this request. A
   * write then carries `session.credentialsVersion` as its guard.
   */
  sessionCached: boolean;
  /** Asks the customer's AccountDO about the session now: null when it is live, else the refusal to answer. */
  confirmSession(): Promise<Refusal | null>;
  /** The gate device calling (`auth: "gate"`). */
  gate: Gate | null;
  /** The bearer token and the customer it names (`auth: "in-operation"` calls pass it on). */
  token: string | null;
  tokenDwid: string | null;
  /** The client's address as Cloudflare's edge states it (CF-Connecting-IP); null when absent (local tools). */
  clientAddress: string | null;
  /** The request's start on `clock`. */
  nowMs: number;
  clock: Clock;
  random: Random;
  waitUntil(promise: Promise<unknown>): void;
}

export interface PartnerEndpoint<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** Paths as the legacy system spells them, without a leading slash. */
  paths: readonly string[];
  /** HTTP methods served (SPEC §3: POST only for /api). */
  methods: readonly ("POST" | "GET")[];
  /** One line for the help index. */
  summary: string;
  /** The help page's description (the seed's text where there is one). */
  description: string;
  request: Req;
  response: Res;
  /**
   * "session": the pipeline authenticates with the AccountDO first;
   * "in-operation": the operation's own AccountDO call authenticates (pay:
   * one round trip instead of two), the pipeline only requires a token that
   * names a customer; "gate": a gate device's token (SPEC §10: it calls the
   * check and nothing else; a partner's session cannot call the check);
   * "none": Login.
   */
  auth: "session" | "in-operation" | "gate" | "none";
  /**
   * With `auth: "session"`, the session may come from the isolate's cache
   * (session-cache.ts) instead of the customer's AccountDO:
   * - "unguarded": a session ended in another isolate can still pass for up
   *   to SESSION_CACHE_SECONDS. Only for an operation that changes nothing
   *   and shows nothing of the customer's own (Verify, Product/Calendar).
   * - "guarded": the operation's write carries the session's credentials
   *   version as its guard in D1 (Order/Add: db/orders.ts `insertOrder`)
   *   and says so in its answer (`sessionConfirmed`); before any other
   *   answer the pipeline asks the object, so an ended session is refused
   *   at once, as without the cache (SPEC §11).
   */
  sessionCache?: "unguarded" | "guarded";
  /**
   * Changes nothing (Verify, Query): a store that is briefly down is answered
   * "not done, retry" (storeUnavailable). Otherwise its outcome is unknown
   * (outcomeUnknown, HTTP 503) unless the operation says what happened.
   */
  readOnly?: boolean;
  /**
   * The seed of POS pay imposes errcode -1 for every failure; other
   * endpoints answer each reason's own code.
   */
  failureCode?: (code: number) => number;
  handle(input: z.infer<Req>, ctx: PartnerContext): Promise<Outcome>;
}

/** A handler's answer: the full response value, or a refusal the pipeline wraps in the envelope. */
export type Outcome = { ok: true; value: WireObject; sessionConfirmed?: boolean } | Refusal;
export interface Refusal {
  ok: false;
  key: ResultKey;
  /** Replaces the code table's message when the reason needs detail. */
  message?: string;
  echo?: Echo;
}

export const answer = (value: WireObject): Extract<Outcome, { ok: true }> => ({ ok: true, value });
export const refuse = (key: ResultKey, message?: string, echo?: Echo): Refusal => ({ ok: false, key, message, echo });

export function definePartnerEndpoint<Req extends z.ZodType, Res extends z.ZodType>(
  endpoint: PartnerEndpoint<Req, Res>,
): PartnerEndpoint<Req, Res> {
  return endpoint;
}
