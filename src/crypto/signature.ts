/**
 * Signature of the partner callback (issue 6), alone for audit like the
 * other crypto modules. WebCrypto only; no clock, no randomness: the
 * timestamp and the random bytes come in as arguments.
 *
 * Header:  X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 * Signed:  the ASCII timestamp, ".", then the raw request body bytes (UTF-8).
 * Key:     the customer's callback secret, its UTF-8 bytes as they are
 *          ("whsec_..." included), so a partner can check a callback with
 *          `printf '%s' "$t.$body" | openssl dgst -sha256 -hmac "$secret"`.
 *
 * The timestamp lets a partner refuse replays older than a few minutes; the
 * version tag lets a later scheme be sent beside v1 during a migration.
 */

export const SIGNATURE_HEADER = "X-Signature";
export const SIGNATURE_SCHEME = "v1";
export const CALLBACK_SECRET_PREFIX = "whsec_";
/** Random bytes behind a callback secret (256 bits, the HMAC-SHA256 block's worth of entropy). */
export const CALLBACK_SECRET_BYTES = 32;
/** What a partner should accept between the header's time and its own clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const utf8 = new TextEncoder();

/** A new secret from 32 random bytes: "whsec_" + unpadded base64url (43 chars). */
export function newCallbackSecret(random: Uint8Array): string {
  if (random.length !== CALLBACK_SECRET_BYTES) throw new Error(`callback secret needs ${CALLBACK_SECRET_BYTES} random bytes, got ${random.length}`);
  let binary = "";
  for (const byte of random) binary += String.fromCharCode(byte);
  return CALLBACK_SECRET_PREFIX + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Lower-case hex HMAC-SHA256 of `message` under the UTF-8 bytes of `secret`. */
export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The X-Signature value for `body` sent at `timestampSeconds`. */
export async function signatureHeader(secret: string, timestampSeconds: number, body: string): Promise<string> {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new Error("signature timestamp must be whole unix seconds");
  return `t=${timestampSeconds},${SIGNATURE_SCHEME}=${await hmacSha256Hex(secret, `${timestampSeconds}.${body}`)}`;
}

export interface ParsedSignature {
  timestampSeconds: number;
  /** Every v1 value present (several during a secret rotation on the partner's side are allowed). */
  signatures: string[];
}

/** Parses "t=…,v1=…[,v1=…]"; unknown schemes are ignored; null when malformed. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestampSeconds: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t") {
      if (!/^\d{1,12}$/.test(value) || timestampSeconds !== null) return null;
      timestampSeconds = Number(value);
    } else if (name === SIGNATURE_SCHEME) {
      if (!/^[0-9a-f]{64}$/.test(value)) return null;
      signatures.push(value);
    }
  }
  return timestampSeconds === null || signatures.length === 0 ? null : { timestampSeconds, signatures };
}

/**
 * What a partner runs on receipt (shipped for integrators and used by the
 * tests): the header parses, its time is within `toleranceSeconds` of
 * `nowSeconds`, and one v1 value matches, compared in constant time.
 */
export async function verifySignatureHeader(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Promise<boolean> {
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.timestampSeconds) > toleranceSeconds) return false;
  const expected = await hmacSha256Hex(secret, `${parsed.timestampSeconds}.${body}`);
  let match = false;
  for (const candidate of parsed.signatures) match = constantTimeEqualHex(expected, candidate) || match;
  return match;
}

function constantTimeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
