/**
 * Legacy pay-password scheme (SPEC §4, "Sessions and the pay password").
 *
 * Contract
 * --------
 *   UPPER_MD5(s) = upper-case hex of MD5 over UTF-8(s)
 *   KEY2         = SHA-256(UTF-8(sessionKey + UPPER_MD5(loginPassword)))[0..24)
 *   wire value   = Base64(3DES(UTF-8(UPPER_MD5(payPassword)), KEY2))
 *
 * 3DES is EDE with the 24-byte KEY2 (K1|K2|K3) and PKCS7 padding. The default
 * mode is ECB, because the partners' legacy .NET helper sets no IV; a site whose
 * clients used CBC can switch to CBC with an all-zero IV (config PAY_3DES_MODE).
 *
 * The server never sees the plain pay password: it decrypts the wire value and
 * compares the result with the stored UPPER_MD5(pay) using constantTimeEqual.
 *
 * This module is pure: no I/O, no clock, no bindings, no randomness. It runs
 * unchanged in workerd (nodejs_compat) and in Node 24 (scripts/paypassword.ts).
 *
 * Why node:crypto at all: WebCrypto has no DES/3DES. workerd's node:crypto
 * provides `des-ede3-cbc` but not `des-ede3` (ECB), so ECB is derived from the
 * CBC primitive below (see decryptEcbBlocks / encryptEcbBlocks).
 */

// NodeCryptoSubset below types exactly the calls this module makes, so it
// type-checks with or without @types/node in tsconfig "types" (it was absent
// when this was written; @ts-ignore rather than @ts-expect-error so adding it
// is not an error). At run time the import is real in Node and workerd.
// @ts-ignore -- types supplied by NodeCryptoSubset
import * as nodeCryptoUntyped from "node:crypto";

/** The few node:crypto calls used here (a Buffer is a Uint8Array). */
interface NodeCipher {
  setAutoPadding(enabled: boolean): NodeCipher;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}
interface NodeCryptoSubset {
  createHash(algorithm: "md5"): {
    update(data: Uint8Array): { digest(encoding: "hex"): string };
  };
  createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array): NodeCipher;
  createDecipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array): NodeCipher;
}
const nodeCrypto = nodeCryptoUntyped as unknown as NodeCryptoSubset;

export type TripleDesMode = "ecb" | "cbc";

const TRIPLE_DES_ALGORITHM = "des-ede3-cbc";
const TRIPLE_DES_BLOCK_BYTES = 8;
const TRIPLE_DES_KEY_BYTES = 24;
/** SPEC §4: CBC variant uses an all-zero IV. Never mutated (ciphers copy it). */
const ZERO_IV = new Uint8Array(TRIPLE_DES_BLOCK_BYTES);

const utf8Encoder = new TextEncoder();
/** fatal: a decryption that yields invalid UTF-8 is malformed, not "close enough". */
const strictUtf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The wire value is 56 chars (32 hex + a pad block = 40 bytes). Anything far
 * longer is rejected before regex/atob/3DES work, to keep the hot path bounded.
 */
const MAX_CIPHERTEXT_BASE64_CHARS = 1024;

const UPPER_MD5_PATTERN = /^[0-9A-F]{32}$/;
/** Canonical standard Base64 with padding; no whitespace, no URL-safe alphabet. */
const STRICT_BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---------------------------------------------------------------- hashing ---

/** Upper-case hex of MD5 over the UTF-8 bytes of `text` (SPEC §4 UPPER_MD5). */
export async function upperMd5(text: string): Promise<string> {
  const bytes = utf8Encoder.encode(text);
  const digest = await md5Digest(bytes);
  return bytesToHex(digest).toUpperCase();
}

/**
 * workerd implements MD5 in WebCrypto; Node's WebCrypto refuses it, so the CLI
 * (Node 24) falls back to node:crypto. Only a refusal triggers the fallback.
 */
async function md5Digest(bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await crypto.subtle.digest("MD5", bytes));
  } catch {
    const hex = nodeCrypto.createHash("md5").update(bytes).digest("hex");
    return hexToBytes(hex);
  }
}

/**
 * KEY2 = first 24 bytes of SHA-256(UTF-8(sessionKey + UPPER_MD5(login))).
 * The second argument must already be the stored upper-case MD5 (32 hex chars);
 * anything else is a caller bug (e.g. a plain or lower-case hash) and throws,
 * because it would silently derive a key no partner can match.
 */
export async function deriveKey2(sessionKey: string, loginPasswordUpperMd5: string): Promise<Uint8Array> {
  if (!UPPER_MD5_PATTERN.test(loginPasswordUpperMd5)) {
    throw new TypeError("deriveKey2: loginPasswordUpperMd5 must be 32 upper-case hex characters (SPEC §4)");
  }
  const material = utf8Encoder.encode(sessionKey + loginPasswordUpperMd5);
  const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", material));
  return sha256.slice(0, TRIPLE_DES_KEY_BYTES);
}

// ------------------------------------------------------------- decryption ---

/**
 * Decrypts the wire value. Returns the UTF-8 plaintext (normally UPPER_MD5 of
 * the pay password) or null when the input is malformed in any way: not strict
 * Base64, empty or over MAX_CIPHERTEXT_BASE64_CHARS, not a multiple of 8 bytes,
 * bad PKCS7 padding, or not UTF-8. Synchronous: it is on the payment hot path.
 * A key that is not 24 bytes or an unknown mode is a caller/config bug and
 * throws (assertKeyAndMode), so it cannot masquerade as "wrong pay password".
 *
 * A wrong key usually fails the padding check (null) but can, with probability
 * about 1/256, produce valid padding and garbage text; callers must still
 * compare the result with the stored hash (constantTimeEqual).
 */
export function decryptPayPassword(ciphertextBase64: string, key2: Uint8Array, mode: TripleDesMode): string | null {
  assertKeyAndMode("decryptPayPassword", key2, mode);
  if (ciphertextBase64.length > MAX_CIPHERTEXT_BASE64_CHARS) return null;
  const ciphertext = decodeBase64Strict(ciphertextBase64);
  if (ciphertext === null || ciphertext.length === 0 || ciphertext.length % TRIPLE_DES_BLOCK_BYTES !== 0) {
    return null;
  }
  const padded = mode === "ecb" ? decryptEcbBlocks(ciphertext, key2) : decryptCbcZeroIv(ciphertext, key2);
  const plaintext = stripPkcs7(padded);
  if (plaintext === null) return null;
  try {
    return strictUtf8Decoder.decode(plaintext);
  } catch {
    return null;
  }
}

/** Raw CBC decryption with zero IV; padding is checked by stripPkcs7, not OpenSSL. */
function decryptCbcZeroIv(ciphertext: Uint8Array, key2: Uint8Array): Uint8Array {
  const decipher = nodeCrypto.createDecipheriv(TRIPLE_DES_ALGORITHM, key2, ZERO_IV);
  decipher.setAutoPadding(false);
  return concatBytes(decipher.update(ciphertext), decipher.final());
}

/**
 * ECB from the CBC primitive in one pass. CBC decryption yields
 * P_i = D(C_i) XOR C_(i-1) with C_(-1) = IV = 0, so XOR-ing block i (i ≥ 1)
 * with ciphertext block i-1 recovers D(C_i), which is exactly ECB. This equals
 * decrypting every block on its own with a zero IV, with one cipher instead of
 * one per block.
 */
function decryptEcbBlocks(ciphertext: Uint8Array, key2: Uint8Array): Uint8Array {
  const chained = decryptCbcZeroIv(ciphertext, key2);
  for (let i = TRIPLE_DES_BLOCK_BYTES; i < chained.length; i++) {
    chained[i] = (chained[i] ?? 0) ^ (ciphertext[i - TRIPLE_DES_BLOCK_BYTES] ?? 0);
  }
  return chained;
}

/**
 * PKCS7: the last byte n is in 1..8 and the last n bytes all equal n. Every pad
 * byte is checked (Node's own check is bypassed so both modes share this one).
 */
function stripPkcs7(padded: Uint8Array): Uint8Array | null {
  const padBytes = padded[padded.length - 1];
  if (padBytes === undefined || padBytes < 1 || padBytes > TRIPLE_DES_BLOCK_BYTES || padBytes > padded.length) {
    return null;
  }
  let mismatch = 0;
  for (let i = padded.length - padBytes; i < padded.length; i++) {
    mismatch |= (padded[i] ?? 0) ^ padBytes;
  }
  return mismatch === 0 ? padded.subarray(0, padded.length - padBytes) : null;
}

// ------------------------------------------------------------- encryption ---

/**
 * Partner-side helper (SPEC §4 asks us to ship one): from the PLAIN login and
 * pay passwords and the session key returned by Login, computes the value to
 * send: Base64(3DES(UTF-8(UPPER_MD5(pay)), KEY2(sessionKey, UPPER_MD5(login)))).
 */
export async function encryptPayPassword(
  sessionKey: string,
  loginPassword: string,
  payPassword: string,
  mode: TripleDesMode = "ecb",
): Promise<string> {
  const key2 = await deriveKey2(sessionKey, await upperMd5(loginPassword));
  return encryptWithKey2(await upperMd5(payPassword), key2, mode);
}

/** Base64(3DES-EDE(UTF-8(plaintext) + PKCS7, key2)) in the given mode. */
export function encryptWithKey2(plaintext: string, key2: Uint8Array, mode: TripleDesMode): string {
  assertKeyAndMode("encryptWithKey2", key2, mode);
  const padded = addPkcs7(utf8Encoder.encode(plaintext));
  const ciphertext = mode === "ecb" ? encryptEcbBlocks(padded, key2) : encryptCbcZeroIv(padded, key2);
  return encodeBase64(ciphertext);
}

function encryptCbcZeroIv(padded: Uint8Array, key2: Uint8Array): Uint8Array {
  const cipher = nodeCrypto.createCipheriv(TRIPLE_DES_ALGORITHM, key2, ZERO_IV);
  cipher.setAutoPadding(false);
  return concatBytes(cipher.update(padded), cipher.final());
}

/**
 * ECB encryption: each 8-byte block encrypted on its own with CBC and a zero
 * IV (= plain block encryption). Chaining cannot be undone after the fact on
 * the encrypt side, hence one cipher per block; this path is not hot.
 */
function encryptEcbBlocks(padded: Uint8Array, key2: Uint8Array): Uint8Array {
  const out = new Uint8Array(padded.length);
  for (let offset = 0; offset < padded.length; offset += TRIPLE_DES_BLOCK_BYTES) {
    const block = padded.subarray(offset, offset + TRIPLE_DES_BLOCK_BYTES);
    out.set(encryptCbcZeroIv(block, key2), offset);
  }
  return out;
}

/** PKCS7 to the 3DES block: always 1..8 bytes of value n (a full block if aligned). */
function addPkcs7(data: Uint8Array): Uint8Array {
  const padBytes = TRIPLE_DES_BLOCK_BYTES - (data.length % TRIPLE_DES_BLOCK_BYTES);
  const out = new Uint8Array(data.length + padBytes);
  out.set(data);
  out.fill(padBytes, data.length);
  return out;
}

// ------------------------------------------------------------- comparison ---

/**
 * Compares two strings without an early exit: the loop always runs over the
 * longer length and folds the length difference into the result, so timing
 * does not reveal the position of the first difference. (A JS engine gives no
 * hard guarantee; this removes the obvious leak of `===`.)
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const lengthChars = Math.max(a.length, b.length);
  let difference = a.length ^ b.length;
  for (let i = 0; i < lengthChars; i++) {
    // charCodeAt past the end is NaN; `| 0` turns it into 0 without a branch.
    difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return difference === 0;
}

// ---------------------------------------------------------------- helpers ---

/**
 * Runtime guard for values the type system cannot vouch for (mode comes from
 * the PAY_3DES_MODE var): a typo such as "ECB" must fail loudly, not decrypt
 * every payment in the wrong mode and lock customers out.
 */
function assertKeyAndMode(caller: string, key2: Uint8Array, mode: TripleDesMode): void {
  if (key2.length !== TRIPLE_DES_KEY_BYTES) {
    throw new RangeError(`${caller}: key2 must be ${TRIPLE_DES_KEY_BYTES} bytes, got ${key2.length}`);
  }
  if (mode !== "ecb" && mode !== "cbc") {
    throw new TypeError(`${caller}: 3DES mode must be "ecb" or "cbc", got ${JSON.stringify(mode)}`);
  }
}

/** Strict Base64 → bytes, or null. atob alone is too forgiving (whitespace, no padding). */
function decodeBase64Strict(text: string): Uint8Array | null {
  if (!STRICT_BASE64_PATTERN.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function concatBytes(first: Uint8Array, second: Uint8Array): Uint8Array {
  if (second.length === 0) return new Uint8Array(first);
  const out = new Uint8Array(first.length + second.length);
  out.set(first);
  out.set(second, first.length);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
