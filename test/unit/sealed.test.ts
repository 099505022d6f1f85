// Encryption at rest of password material, SPEC §4. Runs inside workerd.
import { describe, expect, it } from "vitest";
import { importSealingKey, open, seal } from "../../src/crypto/sealed";

// 32-byte keys as Base64 (`openssl rand -base64 32` style; fixed for tests).
const KEY_A_BASE64 = btoa("test-password-key-32-bytes-long!");
const KEY_B_BASE64 = btoa("another-key-that-is-32-bytes-ok!");

describe("importSealingKey", () => {
  const validCases = [
    { name: "32 bytes", secret: KEY_A_BASE64 },
    { name: "32 bytes with trailing newline (pasted secret)", secret: `${KEY_A_BASE64}\n` },
    { name: "32 zero bytes", secret: btoa("\0".repeat(32)) },
  ];
  it.each(validCases)("accepts $name", async ({ secret }) => {
    const key = await importSealingKey(secret);
    expect(key.algorithm.name).toBe("AES-GCM");
    expect(key.extractable).toBe(false);
  });

  const invalidCases = [
    { name: "empty", secret: "", message: /32 bytes, got 0/ },
    { name: "16 bytes", secret: btoa("x".repeat(16)), message: /32 bytes, got 16/ },
    { name: "31 bytes", secret: btoa("x".repeat(31)), message: /32 bytes, got 31/ },
    { name: "33 bytes", secret: btoa("x".repeat(33)), message: /32 bytes, got 33/ },
    { name: "hex instead of Base64", secret: "00".repeat(32), message: /32 bytes, got 48/ },
    { name: "not Base64", secret: "not base64 at all!", message: /not valid Base64/ },
    { name: "Base64 without padding", secret: KEY_A_BASE64.replace(/=+$/, ""), message: /not valid Base64/ },
  ];
  it.each(invalidCases)("rejects $name with a clear error", async ({ secret, message }) => {
    await expect(importSealingKey(secret)).rejects.toThrow(message);
  });
});

describe("seal / open", () => {
  const plaintexts = [
    { name: "UPPER_MD5 of a pay password", plaintext: "E10ADC3949BA59ABBE56E057F20F883E" },
    { name: "empty", plaintext: "" },
    { name: "Unicode", plaintext: "支付密码🚀é" },
    { name: "long", plaintext: "x".repeat(10_000) },
  ];

  it.each(plaintexts)("round trip: $name", async ({ plaintext }) => {
    const key = await importSealingKey(KEY_A_BASE64);
    const sealed = await seal(key, plaintext);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/]+={0,2}$/);
    expect(sealed).not.toContain(plaintext || "\u0000");
    expect(await open(key, sealed)).toBe(plaintext);
  });

  it.each(plaintexts)("round trip with context: $name", async ({ plaintext }) => {
    const key = await importSealingKey(KEY_A_BASE64);
    expect(await open(key, await seal(key, plaintext, "pay:42"), "pay:42")).toBe(plaintext);
  });

  it("a fresh IV each time: sealing twice gives different strings", async () => {
    const key = await importSealingKey(KEY_A_BASE64);
    const [first, second] = await Promise.all([seal(key, "same"), seal(key, "same")]);
    expect(first).not.toBe(second);
  });

  it("layout: v1. + Base64(12-byte IV || ciphertext || 16-byte tag)", async () => {
    const key = await importSealingKey(KEY_A_BASE64);
    const plaintext = "E10ADC3949BA59ABBE56E057F20F883E";
    const packedBytes = atob((await seal(key, plaintext)).slice(3)).length;
    expect(packedBytes).toBe(12 + plaintext.length + 16);
  });
});

describe("open refuses", () => {
  /** Flips one bit of the packed bytes at `index` (negative counts from the end). */
  function flipBit(sealed: string, index: number): string {
    const bytes = Uint8Array.from(atob(sealed.slice(3)), (char) => char.charCodeAt(0));
    const at = index < 0 ? bytes.length + index : index;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    return `v1.${btoa(String.fromCharCode(...bytes))}`;
  }

  const cases: { name: string; mutate: (sealed: string) => string; message: RegExp }[] = [
    { name: "a flipped IV bit", mutate: (s) => flipBit(s, 0), message: /authentication failed/ },
    { name: "a flipped ciphertext bit", mutate: (s) => flipBit(s, 12), message: /authentication failed/ },
    { name: "a flipped tag bit", mutate: (s) => flipBit(s, -1), message: /authentication failed/ },
    {
      name: "a truncated tag",
      mutate: (s) => `v1.${btoa(atob(s.slice(3)).slice(0, -1))}`,
      message: /authentication failed/,
    },
    { name: "too short to hold IV and tag", mutate: () => `v1.${btoa("x".repeat(27))}`, message: /truncated/ },
    { name: "an unknown version", mutate: (s) => `v2.${s.slice(3)}`, message: /unknown version/ },
    { name: "no version", mutate: (s) => s.slice(3), message: /unknown version/ },
    { name: "broken Base64", mutate: (s) => `${s}!`, message: /malformed/ },
  ];

  it.each(cases)("$name", async ({ mutate, message }) => {
    const key = await importSealingKey(KEY_A_BASE64);
    const sealed = await seal(key, "E10ADC3949BA59ABBE56E057F20F883E");
    await expect(open(key, mutate(sealed))).rejects.toThrow(message);
  });

  it("a value sealed under another key", async () => {
    const keyA = await importSealingKey(KEY_A_BASE64);
    const keyB = await importSealingKey(KEY_B_BASE64);
    const sealed = await seal(keyA, "E10ADC3949BA59ABBE56E057F20F883E");
    await expect(open(keyB, sealed)).rejects.toThrow(/authentication failed/);
  });

  const contextCases = [
    { name: "another customer's context", sealedWith: "pay:1", openedWith: "pay:2" },
    { name: "login vs pay field", sealedWith: "login:1", openedWith: "pay:1" },
    { name: "context when none was sealed", sealedWith: "", openedWith: "pay:1" },
    { name: "no context when one was sealed", sealedWith: "pay:1", openedWith: "" },
  ];
  it.each(contextCases)("$name", async ({ sealedWith, openedWith }) => {
    const key = await importSealingKey(KEY_A_BASE64);
    const sealed = await seal(key, "E10ADC3949BA59ABBE56E057F20F883E", sealedWith);
    await expect(open(key, sealed, openedWith)).rejects.toThrow(/authentication failed/);
  });
});
