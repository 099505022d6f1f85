/**
 * The pure rule of cancelling an order (SPEC §10 Cancel; src/domain/orders.ts),
 * one case a line: what a cancel at `NOW` does to an order in each state,
 * the instant its hold ends included — the same boundary the pay batch's
 * guard (`expires_at_ms > now`) and the expiry alarm (`expires_at_ms <= now`)
 * use, so a cancel and an expiry at one instant never both win.
 */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { cancelVerdict, type OrderStatus } from "../../src/domain/orders";

const NOW = Date.UTC(2026, 11, 2, 4, 0);

describe("cancelVerdict: what a cancel does now", () => {
  const cases: [label: string, status: OrderStatus, expiresAtMs: number, expected: ReturnType<typeof cancelVerdict>][] = [
    ["unpaid, well within its hold: cancel it", "unpaid", NOW + 30 * 60_000, "cancel"],
    ["unpaid, its hold ends a millisecond later: still cancellable", "unpaid", NOW + 1, "cancel"],
    ["unpaid, its hold ends at this very instant: expired (as the alarm and the pay guard say)", "unpaid", NOW, "orderExpired"],
    ["unpaid, past its hold, the alarm not yet run: expired", "unpaid", NOW - 1, "orderExpired"],
    ["expired by the alarm", "expired", NOW - 60_000, "orderExpired"],
    ["already cancelled: a repeat, answered as done", "cancelled", NOW + 30 * 60_000, "cancelled"],
    ["cancelled, and its hold time since passed: still a repeat, not expired", "cancelled", NOW - 60_000, "cancelled"],
    ["paid: refund it instead", "paid", NOW + 30 * 60_000, "orderPaidUseRefund"],
    ["paid long ago (hold time passed): still refund it", "paid", NOW - 60_000, "orderPaidUseRefund"],
  ];
  it.each(cases)("%s", (_label, status, expiresAtMs, expected) => {
    expect(cancelVerdict(status, expiresAtMs, NOW)).toBe(expected);
  });
});

describe("the refusal's code", () => {
  it("a paid order has its own code, 4004, whose message says to ask for a refund", () => {
    expect(ResultCodes.orderPaidUseRefund).toEqual({ code: 4004, http: 200, message: "已支付的订单不能取消,请申请退款" });
    expect(ResultCodes.orderExpired.code).toBe(4002);
  });
});
