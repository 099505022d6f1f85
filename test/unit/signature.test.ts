/**
 * The partner callback's signature (src/crypto/signature.ts) against vectors
 * computed with the openssl CLI, e.g.
 *   printf '%s' '1795660000.{"id":"order-paid:T26112712345678901","kind":"order_paid"}' \
 *     | openssl dgst -sha256 -hmac 'whsec_k3Y-Example_SecretValue0123456789abcdefgh'
 * and the pure rules of what a notification says (src/domain/notifications.ts).
 */
import { describe, expect, it } from "vitest";
import {
  hmacSha256Hex, newCallbackSecret, parseSignatureHeader, signatureHeader, verifySignatureHeader,
} from "../../src/crypto/signature";
import { callbackBody, maskMobile, retryDelaySeconds, smsFor, SMS_MAX_CODES, type NotificationTarget } from "../../src/domain/notifications";

const SECRET = "whsec_k3Y-Example_SecretValue0123456789abcdefgh";
const T = 1795660000;
const BODY = '{"id":"order-paid:T26112712345678901","kind":"order_paid"}';

describe("HMAC-SHA256 over timestamp.body (openssl vectors)", () => {
  it.each([
    ["ASCII body", SECRET, `${T}.${BODY}`, "41700ff22f294a1ddeed5a21e9f9130a89f5086c731c4c382fe6e1de719b4ffb"],
    ["UTF-8 body", SECRET, `${T}.{"text":"门票码：402918377165093821"}`, "62ea7243dd2cc809a30f91845107916af58524e7976056a17a8f47a092cfcb4d"],
    ["another secret", "whsec_other", `${T}.${BODY}`, "1818e121497fafac706255851178c74437b7f701e6a015704580ed9ac2cbb513"],
    ["short secret, short body", "whsec_test", `${T}.{"id":"x"}`, "14ac81000194200343d3b7a8f058da682c527eb6bb895a902167e938d06fdc30"],
  ])("%s", async (_name, secret, message, hex) => {
    expect(await hmacSha256Hex(secret, message)).toBe(hex);
  });

  it("the header is t=<unix seconds>,v1=<hex>", async () => {
    expect(await signatureHeader(SECRET, T, BODY)).toBe(`t=${T},v1=41700ff22f294a1ddeed5a21e9f9130a89f5086c731c4c382fe6e1de719b4ffb`);
  });

  it("refuses a timestamp that is not whole seconds", async () => {
    await expect(signatureHeader(SECRET, 1795660000.5, BODY)).rejects.toThrow(/whole unix seconds/);
  });
});

describe("verifying on the partner's side", () => {
  const header = `t=${T},v1=41700ff22f294a1ddeed5a21e9f9130a89f5086c731c4c382fe6e1de719b4ffb`;

  it.each([
    ["the genuine callback", SECRET, header, BODY, T + 10, true],
    ["at the edge of the tolerance", SECRET, header, BODY, T + 300, true],
    ["too old (replay)", SECRET, header, BODY, T + 301, false],
    ["from the future", SECRET, header, BODY, T - 301, false],
    ["a body changed by one byte", SECRET, header, BODY.replace("order_paid", "order_paiD"), T, false],
    ["another secret", "whsec_other", header, BODY, T, false],
    ["a timestamp changed", SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T, false],
    ["a second v1 (rotation) of which one matches", SECRET, `t=${T},v1=${"0".repeat(64)},v1=41700ff22f294a1ddeed5a21e9f9130a89f5086c731c4c382fe6e1de719b4ffb`, BODY, T, true],
    ["an unknown scheme beside v1 is ignored", SECRET, `${header},v0=abc`, BODY, T, true],
  ])("%s", async (_name, secret, h, body, now, ok) => {
    expect(await verifySignatureHeader(secret, h, body, now)).toBe(ok);
  });

  it.each([
    ["empty", ""],
    ["no v1", `t=${T}`],
    ["no t", `v1=${"a".repeat(64)}`],
    ["two t", `t=${T},t=${T},v1=${"a".repeat(64)}`],
    ["t not a number", `t=abc,v1=${"a".repeat(64)}`],
    ["v1 not 64 hex", `t=${T},v1=${"a".repeat(63)}`],
    ["v1 upper-case hex", `t=${T},v1=${"A".repeat(64)}`],
    ["no '='", `t${T},v1=${"a".repeat(64)}`],
  ])("a malformed header (%s) parses to null", (_name, h) => {
    expect(parseSignatureHeader(h)).toBeNull();
  });
});

describe("callback secrets", () => {
  it("are whsec_ + 43 base64url characters of 32 random bytes", () => {
    expect(newCallbackSecret(new Uint8Array(32).fill(0xff))).toBe(`whsec_${"_".repeat(42)}8`);
    expect(newCallbackSecret(crypto.getRandomValues(new Uint8Array(32)))).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });

  it("refuse anything but 32 random bytes", () => {
    expect(() => newCallbackSecret(new Uint8Array(16))).toThrow(/32 random bytes/);
  });
});

describe("what a notification says", () => {
  const order: NotificationTarget = {
    kind: "order_paid", dwid: "DEMO001", orderId: "T26112712345678901", senderId: "OTA-778812", status: "paid",
    mobile: "13800138000", paidAtMs: Date.UTC(2026, 10, 27, 2, 0, 0), ticketCodes: ["402918377165093821", "118273645500912834"],
  };
  const bill: NotificationTarget = {
    kind: "bill_paid", dwid: "DEMO001", billNum: "P26112683920174625", senderBillNum: "POS-1-0042", status: "paid", rndCode: "093417", paidAtMs: Date.UTC(2026, 10, 27, 2, 0, 0),
  };

  it("the order callback body, in this field order", () => {
    expect(JSON.stringify(callbackBody("order-paid:T26112712345678901", order))).toBe(
      '{"id":"order-paid:T26112712345678901","kind":"order_paid","dwid":"DEMO001","senderid":"OTA-778812","orderid":"T26112712345678901",' +
        '"status":"paid","tickets":["402918377165093821","118273645500912834"],"paidAt":"2026-11-27T02:00:00.000Z"}',
    );
  });

  it("the bill callback body", () => {
    expect(callbackBody("bill-paid:P26112683920174625", bill)).toEqual({
      id: "bill-paid:P26112683920174625", kind: "bill_paid", dwid: "DEMO001", billNum: "P26112683920174625", senderBillNum: "POS-1-0042",
      status: "paid", rndCode: "093417", paidAt: "2026-11-27T02:00:00.000Z",
    });
  });

  it("the guest SMS lists the ticket codes; beyond the limit it counts them", () => {
    expect(smsFor(order)).toEqual({ to: "13800138000", text: "您的订单T26112712345678901已支付成功，门票码：402918377165093821、118273645500912834。入园时请出示门票码。" });
    const many = { ...order, ticketCodes: Array.from({ length: SMS_MAX_CODES + 5 }, (_, i) => String(i).padStart(18, "0")) };
    const text = smsFor(many)!.text;
    expect(text).toContain(`等共${SMS_MAX_CODES + 5}张`);
    expect(text).toContain(many.ticketCodes[SMS_MAX_CODES - 1]);
    expect(text).not.toContain(many.ticketCodes[SMS_MAX_CODES]);
  });

  it("no SMS without a mobile, and none for POS bills (they carry no mobile)", () => {
    expect(smsFor({ ...order, mobile: null })).toBeNull();
    expect(smsFor(bill)).toBeNull();
  });

  it.each([
    ["13800138000", "138****8000"],
    ["1380013", "****"],
  ])("masks %s as %s", (mobile, masked) => {
    expect(maskMobile(mobile)).toBe(masked);
  });
});

describe("retry backoff", () => {
  it.each([
    [1, 30, 30], [2, 30, 60], [3, 30, 120], [4, 30, 240], [5, 30, 480], [6, 30, 900], [7, 30, 900], [100, 30, 900],
    [0, 30, 30], [1, 0, 0], [5, 0, 0], [3, 5, 20],
  ])("after attempt %i with base %i s: %i s", (attempt, base, delay) => {
    expect(retryDelaySeconds(attempt, base)).toBe(delay);
  });
});
