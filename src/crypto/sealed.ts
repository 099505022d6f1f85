/**
 * Encryption at rest of password material (SPEC §4: the server keeps only
 * UPPER_MD5(login) and UPPER_MD5(pay), "encrypted at rest with a key from a
 * Worker secret"). The secret (PASSWORD_KEY) is 32 bytes of standard Base64.
 *
 * Format: "v1." + Base64(iv(12 bytes) || AES-256-GCM ciphertext || tag(16 bytes)).
 * A fresh random IV per seal; the version prefix lets a later scheme coexist.
 * Optional `context` is bound as GCM additional data: a value sealed for one
 * context (e.g. "pay:<customer id>") does not open under another, so rows
 * cannot be swapped in the database undetected. WebCrypto only.
 */

const SEALED_VERSION_PREFIX = "v1.";
const AES_KEY_BYTES = 32;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Canonical standard Base64 with padding; no whitespace, no URL-safe alphabet. */
const STRICT_BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Imports the Worker secret as a non-extractable AES-GCM-256 key. Throws a
 * message naming the problem (never the secret) so a misconfigured deploy is
 * diagnosed at once, e.g. with `openssl rand -base64 32`.
 */
export async function importSealingKey(base64Key32: string): Promise<CryptoKey> {
  const keyBytes = decodeBase64Strict(base64Key32.trim());
  if (keyBytes === null) {
    throw new Error("sealing key: secret is not valid Base64 (generate one with `openssl rand -base64 32`)");
  }
  if (keyBytes.length !== AES_KEY_BYTES) {
    throw new Error(`sealing key: secret must decode to ${AES_KEY_BYTES} bytes, got ${keyBytes.length}`);
  }
  return crypto.subtle.importKey("raw", keyBytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** Seals UTF-8 text; each call yields a different string (random IV). */
export async function seal(key: CryptoKey, plaintext: string, context = ""): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(GCM_IV_BYTES));
  const ciphertextAndTag = new Uint8Array(
    await crypto.subtle.encrypt(gcmParams(iv, context), key, utf8Encoder.encode(plaintext)),
  );
  const packed = new Uint8Array(GCM_IV_BYTES + ciphertextAndTag.length);
  packed.set(iv);
  packed.set(ciphertextAndTag, GCM_IV_BYTES);
  return SEALED_VERSION_PREFIX + encodeBase64(packed);
}

/**
 * Opens a value from seal. Throws on an unknown version, malformed Base64,
 * a truncated value, or failed authentication (tampering, wrong key, or a
 * different context): the stored value must never be trusted partially.
 */
export async function open(key: CryptoKey, sealed: string, context = ""): Promise<string> {
  if (!sealed.startsWith(SEALED_VERSION_PREFIX)) {
    throw new Error("sealed value: unknown version (expected prefix \"v1.\")");
  }
  const packed = decodeBase64Strict(sealed.slice(SEALED_VERSION_PREFIX.length));
  if (packed === null || packed.length < GCM_IV_BYTES + GCM_TAG_BYTES) {
    throw new Error("sealed value: malformed or truncated");
  }
  const iv = packed.subarray(0, GCM_IV_BYTES);
  const ciphertextAndTag = packed.subarray(GCM_IV_BYTES);
  let plaintextBytes: ArrayBuffer;
  try {
    plaintextBytes = await crypto.subtle.decrypt(gcmParams(iv, context), key, ciphertextAndTag);
  } catch {
    throw new Error("sealed value: authentication failed (tampered, wrong key, or wrong context)");
  }
  return strictUtf8Decoder.decode(plaintextBytes);
}

function gcmParams(iv: Uint8Array, context: string): SubtleCryptoEncryptAlgorithm {
  return { name: "AES-GCM", iv, additionalData: utf8Encoder.encode(context), tagLength: GCM_TAG_BYTES * 8 };
}

// Base64 helpers are duplicated from paypassword.ts on purpose: each crypto
// module stays self-contained for audit.

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
