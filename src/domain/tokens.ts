/**
 * Session tokens carry the customer's dwid so the Worker finds the customer's
 * AccountDO from the token alone (no lookup elsewhere); the object holds only
 * a SHA-256 of the token, so the dwid inside proves nothing by itself.
 *
 *   t1.<base64url(UTF-8 dwid)>.<base64url(32 random bytes)>
 *
 * Pure: randomness comes in as an argument.
 */

export const TOKEN_SECRET_BYTES = 32;

// One of each per isolate: constructing a strict decoder per call was 0.1 ms of an order add's
// JavaScript in a profile (issue 19), and every authenticated call reads its token's dwid twice.
const utf8Encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
export const SESSION_KEY_BYTES = 18; // 24 base64url characters (SPEC §4: at least 16)

export function makeToken(dwid: string, secret: Uint8Array): string {
  if (secret.byteLength !== TOKEN_SECRET_BYTES) throw new Error("token secret must be 32 bytes");
  return `t1.${base64url(utf8Encoder.encode(dwid))}.${base64url(secret)}`;
}

/** The dwid a token names, or null when it is not one of ours. */
export function dwidOfToken(token: string): string | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "t1" || parts[2]!.length !== 43) return null;
  const dwid = utf8OfBase64url(parts[1]!);
  return dwid !== null && dwid.length >= 1 && dwid.length <= 36 ? dwid : null;
}

/** The UTF-8 text a base64url field carries, or null when it is not base64url of valid UTF-8. */
export function utf8OfBase64url(text: string): string | null {
  try {
    return strictUtf8.decode(fromBase64url(text));
  } catch {
    return null;
  }
}

/** The token from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null): string | null {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/** Hex of SHA-256 over the UTF-8 text: how tokens are kept (never the token itself). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
