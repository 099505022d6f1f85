/**
 * `npm run demo`: a partner's walk-through against the running server
 * (`npm start`): login → Douyin verify → add order → pay with the encrypted
 * pay password → query the tickets. Prints each request and answer.
 */
import { createHash } from "node:crypto";
import { encryptPayPassword } from "../src/crypto/paypassword.ts";
import { DEMO, shanghaiDay } from "./demo-data.ts";

const BASE = process.env.BASE_URL ?? "http://localhost:8787";

async function post(path: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(`${BASE}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  console.log(`\nPOST /${path}\n  → ${JSON.stringify(body)}\n  ← ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`\n✗ ${what}`);
    process.exit(1);
  }
}

const upperMd5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex").toUpperCase();

const login = await post("api/WebInterface/Session/Login", { dwid: DEMO.dwid, dwlx: DEMO.dwlx, password: upperMd5(DEMO.loginPassword) });
check(login.errcode === 0, "login failed: is `npm start` running?");
const { token, sessionkey } = login.tag;

const order = {
  orderdetails: [{ productid: "TICKET-ADULT", amount: 2 }],
  mobile: "13800138000",
  effectdate: shanghaiDay(1),
  senderid: `demo-${Date.now()}`,
};
const verify = await post("api/SpecialOta/DouYin/CalendarTicket/Order/Verify", order, token);
check(verify.errcode === 0, "verify refused the order");

const added = await post("api/WebInterface/Order/Add", order, token);
check(added.resultcode === 0, "order add refused");

const paypassword = await encryptPayPassword(sessionkey, DEMO.loginPassword, DEMO.payPassword);
const paid = await post(
  "api/WebInterface/Order/Pay/WithPrepayment/ByPassword",
  { dwid: DEMO.dwid, dwlx: DEMO.dwlx, payparm: { orderid: added.orderid, paypassword }, sellstationid: "01" },
  token,
);
check(paid.resultcode === 0, "payment refused");

const query = await post("api/WebInterface/Order/Query", { orderid: added.orderid }, token);
check(query.errcode === 0 && query.tag.tickets.length === 2, "query did not show the two tickets");
console.log(`\n✓ order ${added.orderid} paid; tickets ${query.tag.tickets.map((t: { ticketcode: string }) => t.ticketcode).join(", ")}`);

// A guest cancels: one of the two tickets back to the deposit (SPEC §10), idempotent on refundid.
const refundid = `demo-refund-${Date.now()}`;
const refunded = await post("api/WebInterface/Order/Refund", { orderid: added.orderid, refundid, ticketcodes: [query.tag.tickets[0].ticketcode], reason: "游客行程变更" }, token);
check(refunded.errcode === 0 && refunded.tag.orderstatus === "partially_refunded", `refund refused: ${refunded.errmsg}`);
const after = await post("api/WebInterface/Order/Query", { orderid: added.orderid }, token);
check(after.tag.status === "partially_refunded" && after.tag.refunds.length === 1, "query did not show the refund");
console.log(`✓ refund ${refundid}: ${refunded.tag.refundamount} yuan back to the deposit for ticket ${refunded.tag.tickets[0]}; the order is ${after.tag.status}`);
