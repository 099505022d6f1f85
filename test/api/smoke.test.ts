import { expect, it } from "vitest";
import { aCustomer, admin, loginAs, partner } from "../helpers/api";

it("creates a customer, deposits, logs in and reaches a not-yet-available endpoint", async () => {
  const c = await aCustomer({ depositYuan: 100 });
  const account = await admin("GET", `/admin/customers/${c.dwid}/account`);
  expect(account).toEqual({ status: 200, body: { dwid: c.dwid, balance: 100, held: 0, available: 100 } });
  const s = await loginAs(c);
  const r = await partner("/API/webinterface/order/pay/withprepayment/bypassword/", {
    dwid: c.dwid, dwlx: "1", payparm: { orderid: "1", paypassword: "x" }, sellstationid: "01",
  }, { token: s.token });
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: 9001, returnmessgage: "接口尚未开放" });
});
