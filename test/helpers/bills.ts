/**
 * POS bills for payment tests, placed through the real Worker: a retail
 * product at 5 yuan and a bill of two, with its SenderBillNum.
 */
import { expect } from "vitest";
import { admin, partner, uniqueId, type TestCustomer, type TestSession } from "./api";

export const BILL_ADD = "/api/WebInterface/Pos/Sell/Bill/Add";
export const BILL_PAY = "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment";

export interface TestBill {
  billNum: string;
  senderBillNum: string;
  amountFen: number;
}

export async function aBill(c: TestCustomer, s: TestSession): Promise<TestBill> {
  const productId = uniqueId("R");
  expect((await admin("PUT", `/admin/products/${productId}`, { name: "矿泉水", kind: "retail", price: 5 })).status).toBe(201);
  const senderBillNum = uniqueId("SB");
  const response = await partner(BILL_ADD, { DWID: c.dwid, DWSX: c.dwlx, SenderBillNum: senderBillNum, Items: [{ ProductId: productId, Amount: 2 }] }, { token: s.token });
  const body = (await response.json()) as { errcode: number; tag: { BillNum: string } };
  expect(body.errcode).toBe(0);
  return { billNum: body.tag.BillNum, senderBillNum, amountFen: 1000 };
}
