/**
 * The pure rules of Order/Resend (src/domain/resends.ts) and what its SMS
 * says (src/domain/notifications.ts): which orders may be resent, when the
 * hour's limit lifts, and that a resend is texted — never called back.
 */
import { describe, expect, it } from "vitest";
import { channelsOf, smsFor, SMS_MAX_CODES } from "../../src/domain/notifications";
import type { VisibleStatus } from "../../src/domain/orders";
import { nextResendAtMs, RESEND_WINDOW_MS, resendRefusal } from "../../src/domain/resends";

describe("which orders may be resent", () => {
  it.each<[VisibleStatus, number, string | null]>([
    ["paid", 2, null],
    ["partially_refunded", 1, null],
    ["paid", 0, "nothingToResend"], // every ticket used
    ["partially_refunded", 0, "nothingToResend"], // the rest used
    ["refunded", 0, "nothingToResend"],
    ["unpaid", 0, "orderNotPaid"],
    ["expired", 0, "orderExpired"],
    ["cancelled", 0, "orderCancelled"],
  ])("%s with %i valid tickets → %s", (status, valid, key) => {
    expect(resendRefusal(status, valid)?.key ?? null).toBe(key);
  });
});

describe("when the limit lifts", () => {
  const t0 = 1_800_000_000_000;
  it.each<[label: string, sentAtMs: number[], liftsAtMs: number]>([
    ["once the oldest of the 3 in the window is an hour old, whatever order they come in", [t0 + 20, t0, t0 + 10], t0 + RESEND_WINDOW_MS],
    ["with more than 3 in the window (a clock step back), once all but 2 have left", [t0, t0 + 1, t0 + 2, t0 + 3], t0 + 1 + RESEND_WINDOW_MS],
  ])("%s", (_label, sentAtMs, liftsAtMs) => {
    expect(nextResendAtMs(sentAtMs)).toBe(liftsAtMs);
  });
  it("below the limit there is nothing to wait for: a programmer error", () => {
    expect(() => nextResendAtMs([t0, t0 + 1])).toThrow();
  });
});

describe("the resend's SMS", () => {
  const target = { kind: "order_resent" as const, dwid: "D1", orderId: "20261202000000000001", senderId: "S1", mobile: "13912345678" };
  it("goes to the full number it names, with the codes given", () => {
    expect(smsFor({ ...target, ticketCodes: ["A1", "B2"] })).toEqual({ to: "13912345678", text: "您的订单20261202000000000001的门票码：A1、B2。入园时请出示门票码。" });
  });
  it("lists at most SMS_MAX_CODES codes and counts the rest", () => {
    const codes = Array.from({ length: SMS_MAX_CODES + 3 }, (_, i) => `T${i}`);
    expect(smsFor({ ...target, ticketCodes: codes })!.text).toContain(`T${SMS_MAX_CODES - 1}等共${SMS_MAX_CODES + 3}张`);
  });
  it("is not sent when no valid ticket is left", () => {
    expect(smsFor({ ...target, ticketCodes: [] })).toBeNull();
  });
  it("is an SMS only: the partner's callback is for payments and refunds", () => {
    expect(channelsOf("order_resent")).toEqual(["sms"]);
    expect(channelsOf("order_paid")).toEqual(["callback", "sms"]);
    expect(channelsOf("order_refunded")).toEqual(["callback", "sms"]);
  });
});
