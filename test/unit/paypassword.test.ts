// Legacy pay-password scheme, SPEC §4. Runs inside workerd (nodejs_compat).
import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  decryptPayPassword,
  deriveKey2,
  encryptPayPassword,
  encryptWithKey2,
  upperMd5,
  type TripleDesMode,
} from "../../src/crypto/paypassword";

interface SchemeVector {
  name: string;
  sessionKey: string;
  loginPassword: string;
  payPassword: string;
  loginMd5: string;
  payMd5: string;
  key2Hex: string;
  ecb: string;
  cbc: string;
}

// Every value below was produced with the openssl CLI (OpenSSL 3.0.19), never
// with our code, by this script (bash, UTF-8 locale), called as
// `vec.sh <sessionkey> <loginpwd> <paypwd>`:
//
//   umd5() { printf %s "$1" | openssl md5 -r | cut -c1-32 | tr a-f A-F; }
//   lmd5=$(umd5 "$lp"); pmd5=$(umd5 "$pp")
//   key2=$(printf %s "$sk$lmd5" | openssl dgst -sha256 -binary | head -c 24 | xxd -p -c 64)
//   ecb=$(printf %s "$pmd5" | openssl enc -des-ede3 -K "$key2" -nosalt | base64 -w0)
//   cbc=$(printf %s "$pmd5" | openssl enc -des-ede3-cbc -K "$key2" -iv 0000000000000000 -nosalt | base64 -w0)
//
// The first two rows are SPEC §4's table (its ECB values and its CBC value for
// row 1 are reproduced exactly); the others are our own.
const SCHEME_VECTORS: SchemeVector[] = [
  {
    name: "SPEC §4 row 1 (ASCII)",
    sessionKey: "S3ss10nK3y",
    loginPassword: "login#1",
    payPassword: "123456",
    loginMd5: "779851CF5EC7B9B10AA78BC58EFA5B02",
    payMd5: "E10ADC3949BA59ABBE56E057F20F883E",
    key2Hex: "f47abbb9f2b2f523b734ccf0864c225babae9a2744e027c1",
    ecb: "oJiZ0ZUA6kplsCguLF/PMFpqNRFzRZm41tySW3pGhO4GIO/sUssyfQ==",
    cbc: "oJiZ0ZUA6kpaCNzCAbiCnJDzrV6nvY+MgjLN6D8aEcf+l0mtqPfjug==",
  },
  {
    name: "SPEC §4 row 2 (Chinese)",
    sessionKey: "会话密钥",
    loginPassword: "登录密码",
    payPassword: "支付密码",
    loginMd5: "2646B813E892BF0C5792991E5879B8C9",
    payMd5: "3A38A76BC19A0A5776B6FC882923E9F3",
    key2Hex: "6f6e6e959c30e0aeee0bd464f72dcfe3840d622386d57d49",
    ecb: "vOqsMfPK425V1nbySXhfk5U0HWXCLQG+xA1uvvzFjRBjiIGf04vt2g==",
    cbc: "vOqsMfPK426jLjp9KMqU+A9l2C3FBazz3EdKVG4ZkIgFkgWeX/iLNg==",
  },
  {
    // vec.sh 'k' 'a' '0'
    name: "1-char session key, 1-char passwords",
    sessionKey: "k",
    loginPassword: "a",
    payPassword: "0",
    loginMd5: "0CC175B9C0F1B6A831C399E269772661",
    payMd5: "CFCD208495D565EF66E7DFF9F98764DA",
    key2Hex: "b454c5a68855d33bb85a8bc85c89e61b7c3e71513ee50228",
    ecb: "Q86jzOGtmIh0R9MEt4Qo7zbi3nIf6s/YcbFQl2uMvXjEF6/5eHFxlw==",
    cbc: "Q86jzOGtmIh7y6NZ0Apq9ySjmB6FN/5seb6wdtQBWxu5N6j9L9ddRg==",
  },
  {
    // vec.sh 'Zq7#pL2!vW9@xR4$' 'P@ssw0rd' ''
    name: "16-char symbol session key, empty pay password",
    sessionKey: "Zq7#pL2!vW9@xR4$",
    loginPassword: "P@ssw0rd",
    payPassword: "",
    loginMd5: "161EBD7D45089B3446EE4E0D86DBCF92",
    payMd5: "D41D8CD98F00B204E9800998ECF8427E",
    key2Hex: "4f81bdedb85762acf1f577177b376c807b867b3a016b7da4",
    ecb: "IypaIG9OlHDniREorMmrIKp97h4ngED8G5TOdCnEqMg+w67wjv+Vpw==",
    cbc: "IypaIG9OlHD8tKNBRzGoQYf4JHIfyCGxNdfWq+WYdDzBrTkxqZ8qQQ==",
  },
  {
    // vec.sh "$(printf 'sessionkey-%.0s' 1 2 3 4 5 6)" \
    //        "$(printf 'LongLoginPassword-%.0s' 1 2 3 4 5 6)" \
    //        "$(printf 'long pay password with spaces %.0s' 1 2 3 4)"
    name: "66-char session key, 108-char login, 120-char pay (trailing space)",
    sessionKey: "sessionkey-".repeat(6),
    loginPassword: "LongLoginPassword-".repeat(6),
    payPassword: "long pay password with spaces ".repeat(4),
    loginMd5: "09D1870CB79A5701C2A444C0299D2140",
    payMd5: "4F62C5C72B41778BDC6201049A985F11",
    key2Hex: "1a1851c70eb4b8cafcf87d13e7127043ce28d854ea39dba5",
    ecb: "wwNM64Y5JFkCy4+1N04K2G0W7wiZvkSDlcdTw5VDVyV12w5zJJ/ItQ==",
    cbc: "wwNM64Y5JFmKH+OAQVZWA/PQ0HQ/9DRHgbn2wy4qOJLQfx4tDqz3mA==",
  },
  {
    // vec.sh '🔑 ключ 鍵' 'пароль🙂' '密码🚀é'
    name: "4-byte UTF-8 (emoji), Cyrillic, CJK, Latin-1",
    sessionKey: "🔑 ключ 鍵",
    loginPassword: "пароль🙂",
    payPassword: "密码🚀é",
    loginMd5: "8CC49B2CE6EB41B1340443528C197CAD",
    payMd5: "BE99723C75D45F6C413F8B3450AB485C",
    key2Hex: "2e02eccf2a030f56b116878e0747580845ed7ff0d7651e1d",
    ecb: "Mf8DJ77S3oPxyP0jz1+HtlxS1dM9V6snpKidgHNd//hFV9BKF8lXwQ==",
    cbc: "Mf8DJ77S3oPyQxTPMjbX9eQhHz8uU7EiGZaQjr6WW/0AVpffWmmsKw==",
  },
  {
    // vec.sh '0123456789abcdef' '000000' '000000'
    name: "same login and pay password",
    sessionKey: "0123456789abcdef",
    loginPassword: "000000",
    payPassword: "000000",
    loginMd5: "670B14728AD9902AECBA32E22FA4F6BD",
    payMd5: "670B14728AD9902AECBA32E22FA4F6BD",
    key2Hex: "1551eae33d537b45b429b8c83b0d26589658026628ab646e",
    ecb: "SeTFN0ocSnnwqkPqI4Sf3sP2EM9Ch/JVDBenSyI1grhGzYJ3RicJUA==",
    cbc: "SeTFN0ocSnkjQgxln6teZIaDdWZQc0xrFYCV6/ED7WLv7nbvLcrz5Q==",
  },
  {
    // vec.sh ' space key ' "$(printf 'tab\tand "quote"')" "back\\slash'"
    name: "spaces, tab, quotes, backslash",
    sessionKey: " space key ",
    loginPassword: 'tab\tand "quote"',
    payPassword: "back\\slash'",
    loginMd5: "4D40E9EAFBDFB9DE98D82F6AADC4FDBE",
    payMd5: "1E0ECF1F85E0B8D5870E196C798D7F2C",
    key2Hex: "9fd7c6aab2e11bbe4e90c533323cfcfdc1b7e6169a4e088e",
    ecb: "dZ70z7AVQoz5uKKASUnxfVKAbxqsbqDDw7xkNtdFRB5LP8RTEGKZgQ==",
    cbc: "dZ70z7AVQoz2RdFPpk11wnw3yKuniAHbY25gVGwrN0Z2Y+pmgzcUTA==",
  },
];

const MODES: TripleDesMode[] = ["ecb", "cbc"];

/** One table row per (vector, mode), so a failure names both. */
const SCHEME_CASES = SCHEME_VECTORS.flatMap((vector) =>
  MODES.map((mode) => ({ ...vector, mode, ciphertext: vector[mode] })),
);

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function base64ToBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

describe("upperMd5", () => {
  // printf %s "<text>" | openssl md5 -r   (then upper-cased)
  const cases = [
    { text: "", md5: "D41D8CD98F00B204E9800998ECF8427E" },
    { text: "a", md5: "0CC175B9C0F1B6A831C399E269772661" },
    { text: "123456", md5: "E10ADC3949BA59ABBE56E057F20F883E" },
    { text: "支付密码", md5: "3A38A76BC19A0A5776B6FC882923E9F3" },
    { text: "The quick brown fox jumps over the lazy dog", md5: "9E107D9D372BB6826BD81D3542A419D6" },
  ];
  it.each(cases)("upperMd5($text) = $md5", async ({ text, md5 }) => {
    expect(await upperMd5(text)).toBe(md5);
  });
});

describe("scheme vectors (openssl)", () => {
  it.each(SCHEME_VECTORS)("$name: upperMd5 of both passwords", async (vector) => {
    expect(await upperMd5(vector.loginPassword)).toBe(vector.loginMd5);
    expect(await upperMd5(vector.payPassword)).toBe(vector.payMd5);
  });

  it.each(SCHEME_VECTORS)("$name: deriveKey2", async (vector) => {
    const key2 = await deriveKey2(vector.sessionKey, vector.loginMd5);
    expect(key2).toHaveLength(24);
    expect(bytesToHex(key2)).toBe(vector.key2Hex);
  });

  it.each(SCHEME_CASES)("$name [$mode]: encryptPayPassword gives the ciphertext", async (c) => {
    expect(await encryptPayPassword(c.sessionKey, c.loginPassword, c.payPassword, c.mode)).toBe(c.ciphertext);
  });

  it.each(SCHEME_CASES)("$name [$mode]: encryptWithKey2 gives the ciphertext", (c) => {
    expect(encryptWithKey2(c.payMd5, hexToBytes(c.key2Hex), c.mode)).toBe(c.ciphertext);
  });

  it.each(SCHEME_CASES)("$name [$mode]: decrypt gives UPPER_MD5(pay)", (c) => {
    expect(decryptPayPassword(c.ciphertext, hexToBytes(c.key2Hex), c.mode)).toBe(c.payMd5);
  });

  it.each(SCHEME_CASES)("$name [$mode]: the other mode does not give UPPER_MD5(pay)", (c) => {
    const otherMode: TripleDesMode = c.mode === "ecb" ? "cbc" : "ecb";
    expect(decryptPayPassword(c.ciphertext, hexToBytes(c.key2Hex), otherMode)).not.toBe(c.payMd5);
  });

  it("encryptPayPassword defaults to ECB (SPEC §4: legacy .NET helper sets no IV)", async () => {
    const [row] = SCHEME_VECTORS;
    if (row === undefined) throw new Error("no vectors");
    expect(await encryptPayPassword(row.sessionKey, row.loginPassword, row.payPassword)).toBe(row.ecb);
  });
});

describe("encryptWithKey2 / decryptPayPassword: PKCS7 edge cases", () => {
  // K=0102030405060708090a0b0c0d0e0f101112131415161718
  // printf %s "$p" | openssl enc -des-ede3     -K $K -nosalt | base64 -w0
  // printf %s "$p" | openssl enc -des-ede3-cbc -K $K -iv 0000000000000000 -nosalt | base64 -w0
  const key2 = hexToBytes("0102030405060708090a0b0c0d0e0f101112131415161718");
  const cases = [
    { name: "empty (one full pad block)", plaintext: "", ecb: "j0W1viPxbE4=", cbc: "j0W1viPxbE4=" },
    { name: "7 bytes (1 pad byte)", plaintext: "1234567", ecb: "qq+zdNb3WC8=", cbc: "qq+zdNb3WC8=" },
    { name: "8 bytes (full pad block)", plaintext: "12345678", ecb: "vfXXTX0AjQuPRbW+I/FsTg==", cbc: "vfXXTX0AjQtZp+ZAPYHdmA==" },
    { name: "multi-byte UTF-8", plaintext: "é中🙂", ecb: "nJ5XmoUVz3K5BllPFMF47Q==", cbc: "nJ5XmoUVz3JVSgCQ0Syxtg==" },
  ];
  const rows = cases.flatMap((c) => MODES.map((mode) => ({ ...c, mode, ciphertext: c[mode] })));

  it.each(rows)("$name [$mode]: encrypts as openssl", ({ plaintext, mode, ciphertext }) => {
    expect(encryptWithKey2(plaintext, key2, mode)).toBe(ciphertext);
  });
  it.each(rows)("$name [$mode]: decrypts back", ({ plaintext, mode, ciphertext }) => {
    expect(decryptPayPassword(ciphertext, key2, mode)).toBe(plaintext);
  });
});

describe("decryptPayPassword: malformed input gives null", () => {
  const key2 = hexToBytes("0102030405060708090a0b0c0d0e0f101112131415161718");
  // One-block ciphertexts of hand-made bad plaintexts (no padding added by openssl):
  //   printf '<bytes>' | openssl enc -des-ede3 -K $K -nosalt -nopad | base64 -w0
  // A single block is the same in ECB and CBC with a zero IV.
  const cases = [
    { name: "empty string", ciphertext: "" },
    { name: "not base64 (symbols)", ciphertext: "!!!!not-base64!!!!" },
    { name: "base64 without padding", ciphertext: "j0W1viPxbE4" },
    { name: "base64 with whitespace", ciphertext: "j0W1 viPxbE4=" },
    { name: "base64 with newline", ciphertext: "j0W1viPxbE4=\n" },
    { name: "URL-safe alphabet", ciphertext: "vfXXTX0AjQuPRbW-I_FsTg==" },
    { name: "7 bytes", ciphertext: bytesToBase64(new Uint8Array(7)) },
    { name: "9 bytes", ciphertext: bytesToBase64(new Uint8Array(9)) },
    { name: "over the length cap", ciphertext: "A".repeat(2048) },
    { name: "pad byte 0x00 (ABCDEFG\\x00)", ciphertext: "aNrZCxg/M8g=" },
    { name: "inconsistent pad bytes (ABCDEF\\x01\\x02)", ciphertext: "ibZY6dIQsZs=" },
    { name: "pad byte 9 > block size (ABCDEFG\\x09)", ciphertext: "cfIVKBZ34nc=" },
    { name: "valid padding, invalid UTF-8 (\\xff\\xfeABCD\\x02\\x02)", ciphertext: "kDYWynUT0GM=" },
  ];
  const rows = cases.flatMap((c) => MODES.map((mode) => ({ ...c, mode })));

  it.each(rows)("$name [$mode] → null", ({ ciphertext, mode }) => {
    expect(decryptPayPassword(ciphertext, key2, mode)).toBeNull();
  });

  it("the pad-byte fixtures are built right: 8×0x08 decrypts to empty text", () => {
    // printf '\x08\x08\x08\x08\x08\x08\x08\x08' | openssl enc -des-ede3 -K $K -nosalt -nopad | base64
    expect(decryptPayPassword("j0W1viPxbE4=", key2, "ecb")).toBe("");
  });
});

describe("decryptPayPassword: tampering and wrong keys", () => {
  const tamperCases = SCHEME_CASES.map((c) => ({
    ...c,
    // Flip one bit in the second-to-last block: in ECB it garbles that block,
    // in CBC it garbles it and flips a bit of the last (padding) block.
    tampered: (() => {
      const bytes = base64ToBytes(c.ciphertext);
      const index = bytes.length - 9;
      bytes[index] = (bytes[index] ?? 0) ^ 0x01;
      return bytesToBase64(bytes);
    })(),
    truncated: bytesToBase64(base64ToBytes(c.ciphertext).subarray(0, 32)),
  }));

  it.each(tamperCases)("$name [$mode]: flipped bit → null or not UPPER_MD5(pay)", (c) => {
    expect(decryptPayPassword(c.tampered, hexToBytes(c.key2Hex), c.mode)).not.toBe(c.payMd5);
  });

  it.each(tamperCases)("$name [$mode]: last block dropped → not UPPER_MD5(pay)", (c) => {
    expect(decryptPayPassword(c.truncated, hexToBytes(c.key2Hex), c.mode)).not.toBe(c.payMd5);
  });

  it.each(SCHEME_CASES)("$name [$mode]: another session's key → null or other text", async (c) => {
    const wrongKey2 = await deriveKey2(`${c.sessionKey}x`, c.loginMd5);
    expect(decryptPayPassword(c.ciphertext, wrongKey2, c.mode)).not.toBe(c.payMd5);
  });

  it.each(SCHEME_CASES)("$name [$mode]: wrong login hash → null or other text", async (c) => {
    const wrongKey2 = await deriveKey2(c.sessionKey, c.payMd5 === c.loginMd5 ? c.loginMd5.replace(/^./, "F") : c.payMd5);
    expect(decryptPayPassword(c.ciphertext, wrongKey2, c.mode)).not.toBe(c.payMd5);
  });
});

describe("caller and configuration bugs throw (not 'wrong password')", () => {
  const key2 = hexToBytes("0102030405060708090a0b0c0d0e0f101112131415161718");
  const cases = [
    { name: "16-byte key", run: () => decryptPayPassword("j0W1viPxbE4=", key2.subarray(0, 16), "ecb") },
    { name: "mode 'ECB' (typo in config)", run: () => decryptPayPassword("j0W1viPxbE4=", key2, "ECB" as TripleDesMode) },
    { name: "encrypt with 23-byte key", run: () => encryptWithKey2("x", key2.subarray(0, 23), "cbc") },
    { name: "encrypt with mode ''", run: () => encryptWithKey2("x", key2, "" as TripleDesMode) },
  ];
  it.each(cases)("$name", ({ run }) => {
    expect(run).toThrow();
  });

  const badLoginHashes = [
    { name: "lower-case hex", loginMd5: "779851cf5ec7b9b10aa78bc58efa5b02" },
    { name: "plain password", loginMd5: "login#1" },
    { name: "31 chars", loginMd5: "779851CF5EC7B9B10AA78BC58EFA5B0" },
    { name: "empty", loginMd5: "" },
  ];
  it.each(badLoginHashes)("deriveKey2 rejects a login hash that is $name", async ({ loginMd5 }) => {
    await expect(deriveKey2("S3ss10nK3y", loginMd5)).rejects.toThrow(TypeError);
  });
});

describe("constantTimeEqual", () => {
  const cases = [
    { a: "", b: "", equal: true },
    { a: "E10ADC3949BA59ABBE56E057F20F883E", b: "E10ADC3949BA59ABBE56E057F20F883E", equal: true },
    { a: "支付密码🚀", b: "支付密码🚀", equal: true },
    { a: "E10ADC3949BA59ABBE56E057F20F883E", b: "E10ADC3949BA59ABBE56E057F20F883F", equal: false },
    { a: "E10ADC3949BA59ABBE56E057F20F883E", b: "F10ADC3949BA59ABBE56E057F20F883E", equal: false },
    { a: "E10ADC3949BA59ABBE56E057F20F883E", b: "e10adc3949ba59abbe56e057f20f883e", equal: false },
    { a: "ABC", b: "ABCD", equal: false },
    { a: "ABCD", b: "ABC", equal: false },
    { a: "", b: "A", equal: false },
    { a: "A", b: "", equal: false },
    { a: "\u0000", b: "", equal: false },
    { a: "", b: "\u0000", equal: false },
    { a: "A\u0000", b: "A", equal: false },
    { a: "\u0100", b: "\u0000", equal: false },
  ];
  it.each(cases)("($a, $b) → $equal", ({ a, b, equal }) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});
