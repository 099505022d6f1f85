/**
 * The two outbound channels of a notification, one HTTP request each, with
 * a bounded wait. A channel never throws: it answers its outcome, which the
 * consumer records per channel (db/outbox.ts).
 *
 * Partner callback: POST the JSON body to the customer's callbackUrl, signed
 * (crypto/signature.ts). 2xx is delivered; any other status, a redirect (not
 * followed), a network error or no answer within the timeout is a failed
 * attempt, retried by the queue.
 *
 * Guest SMS: POST {to, text, reference} to SMS_GATEWAY_URL (Bearer
 * SMS_GATEWAY_TOKEN when set); 2xx is sent. Without a gateway (local dev)
 * the SMS is one JSON log line: {"event":"sms", reference, to (masked), text}.
 */
import { SIGNATURE_HEADER, signatureHeader } from "../crypto/signature";
import { maskMobile, truncateError, type ChannelStatus } from "../domain/notifications";

export interface ChannelResult {
  status: ChannelStatus;
  /** Where it went: the callback URL, or the masked mobile. */
  target: string | null;
  error: string | null;
}

const USER_AGENT = "scenic-eticket-notifier/1";

export interface Callback {
  url: string;
  secret: string;
  /** The outbox id, repeated in a header so a partner can drop duplicates before parsing. */
  id: string;
  body: string;
  nowMs: number;
  timeoutMs: number;
}

export async function postCallback(callback: Callback): Promise<ChannelResult> {
  const timestamp = Math.floor(callback.nowMs / 1000);
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": USER_AGENT,
    "x-notification-id": callback.id,
    [SIGNATURE_HEADER.toLowerCase()]: await signatureHeader(callback.secret, timestamp, callback.body),
  };
  const outcome = await post(callback.url, headers, callback.body, callback.timeoutMs);
  return { status: outcome === null ? "sent" : "failed", target: callback.url, error: outcome };
}

export interface Sms {
  to: string;
  text: string;
  reference: string;
}

export async function sendSms(gateway: { url: string; token: string | null } | null, sms: Sms, timeoutMs: number): Promise<ChannelResult> {
  const target = maskMobile(sms.to);
  if (!gateway) {
    console.log(JSON.stringify({ event: "sms", reference: sms.reference, to: target, text: sms.text }));
    return { status: "logged", target, error: null };
  }
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT };
  if (gateway.token) headers.authorization = `Bearer ${gateway.token}`;
  const outcome = await post(gateway.url, headers, JSON.stringify(sms), timeoutMs);
  return { status: outcome === null ? "sent" : "failed", target, error: outcome === null ? null : `sms gateway: ${outcome}` };
}

/** null when the peer answered 2xx in time; otherwise why not. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") return `timeout: no answer within ${timeoutMs} ms`;
    return truncateError(`network error: ${String(error)}`);
  }
  // The answer's body is not needed; release the connection.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return null;
  return truncateError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
}
