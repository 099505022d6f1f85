/**
 * Paying an order through the partner API, as a client does: the pay
 * password encrypted for the session (crypto/paypassword.ts), by the
 * session's own path (MIN) or ByPassword naming the customer.
 */
import { expect } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { partner, type TestCustomer, type TestSession } from "./api";
import type { OrderResult } from "./wire";

export const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
export const BY_PASSWORD = "/api/WebInterface/Order/Pay/WithPrepayment/ByPassword";

export interface PayAnswer extends OrderResult {
  status: number;
  retryAfter: string | null;
}

/** The pay password as this session sends it (`payPassword`: another one, e.g. a wrong one). */
export function payCipher(c: TestCustomer, s: TestSession, payPassword = c.payPassword!): Promise<string> {
  return encryptPayPassword(s.sessionKey, c.loginPassword, payPassword);
}

/** Pays `orderId`; the answer as the client reads it. */
export async function payOrder(c: TestCustomer, s: TestSession, orderId: string, options: { via?: "min" | "bypassword"; payPassword?: string } = {}): Promise<PayAnswer> {
  const paypassword = await payCipher(c, s, options.payPassword);
  const response =
    options.via === "bypassword"
      ? await partner(BY_PASSWORD, { dwid: c.dwid, dwlx: c.dwlx, payparm: { orderid: orderId, paypassword }, sellstationid: "01" }, { token: s.token })
      : await partner(MIN, { orderid: orderId, paypassword }, { token: s.token });
  const body = (await response.json()) as Omit<PayAnswer, "status" | "retryAfter">;
  return { status: response.status, retryAfter: response.headers.get("retry-after"), ...body };
}

/** Pays `orderId` and expects it paid (resultcode 0). */
export async function paid(c: TestCustomer, s: TestSession, orderId: string, options: { via?: "min" | "bypassword" } = {}): Promise<PayAnswer> {
  const answer = await payOrder(c, s, orderId, options);
  expect(answer.resultcode, `pay ${orderId}: ${answer.returnmessgage}`).toBe(0);
  return answer;
}
