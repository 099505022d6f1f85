/**
 * One scan at the gate, as the device speaks to POST
 * api/WebInterface/Ticket/Check (SPEC §10 核销): the scanned text becomes
 * `ticketcode` or `idnumber`, with a `checkid` made once per scan and sent
 * again by every retry of it, so a retry after a lost answer is told the
 * same admission instead of 已使用. An 18-digit text may be either a ticket
 * code or a resident ID without an X: it is tried as a code first and, when
 * no such ticket exists, as an ID — under the same checkid.
 *
 * Outcomes: pass (errcode 0), refuse (any other errcode: the ticket was not
 * admitted by this request), retry (no answer: timeout, network, HTTP 503
 * or 5xx, 9002 — the scan may be sent again as it is), signIn (HTTP 401).
 */
import { residentId } from "./idcard.js";

export const CHECK_PATH = "/api/WebInterface/Ticket/Check";
/** A check that has not answered by then is shown as 网络异常 (never as a refusal, never a hang). */
export const CHECK_TIMEOUT_MS = 5_000;
const TICKET_UNKNOWN = 4801;
const STORE_UNAVAILABLE = 9002;
const FIELD_REQUIRED = 1101;

/** A scan: what was read, and the id every attempt of it carries. */
export function newScan(text) {
  const id = residentId(text);
  const tries = id === null ? [{ ticketcode: text }] : /X$/.test(id) ? [{ idnumber: id }] : [{ ticketcode: text }, { idnumber: id }];
  return { text, checkid: crypto.randomUUID(), tries };
}

/** Runs the scan's tries in order; resolves to {kind: "pass"|"refuse"|"retry"|"signIn", ...}. */
export async function runScan(scan, token) {
  let refusal = null;
  for (const fields of scan.tries) {
    const outcome = await postCheck(token, { ...fields, checkid: scan.checkid });
    if (outcome.kind !== "refuse" || outcome.errcode !== TICKET_UNKNOWN) return outcome;
    // Unknown as a code: try it as an ID number; if that is unknown too, the code's refusal stands.
    refusal ??= outcome;
  }
  return refusal;
}

/**
 * Whether `token` is a gate's current token: an empty check is refused for
 * its missing field (1101) only after the token is accepted, and changes
 * nothing. Resolves "ok", "unauthorized" or "unreachable".
 */
export async function probeToken(token) {
  const outcome = await postCheck(token, {});
  if (outcome.kind === "signIn") return "unauthorized";
  return outcome.kind === "refuse" && outcome.errcode === FIELD_REQUIRED ? "ok" : "unreachable";
}

async function postCheck(token, body) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CHECK_TIMEOUT_MS);
  try {
    const response = await fetch(CHECK_PATH, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: abort.signal,
      cache: "no-store",
    });
    if (response.status === 401) return { kind: "signIn" };
    // 503: the outcome is not known yet; any other failure status: treat it the same (README: HTTP 500).
    if (!response.ok) return { kind: "retry", reason: "unknown", status: response.status };
    const answer = await response.json();
    if (answer.errcode === 0) return { kind: "pass", tag: answer.tag };
    if (answer.errcode === STORE_UNAVAILABLE) return { kind: "retry", reason: "busy", errmsg: answer.errmsg };
    return { kind: "refuse", errcode: answer.errcode, errmsg: answer.errmsg, tag: answer.tag ?? null };
  } catch {
    return { kind: "retry", reason: abort.signal.aborted ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
}
