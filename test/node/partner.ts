/**
 * What the browser tests set up or do outside the console, over HTTP against
 * the `wrangler dev` server: admin calls (fixtures), and a partner's own
 * calls (login, add an order, pay it with the encrypted pay password, query,
 * POS bills) exactly as a travel agency's client makes them.
 */
import { createHash } from "node:crypto";
import { encryptPayPassword } from "../../src/crypto/paypassword.ts";

export const upperMd5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex").toUpperCase();

let counter = 0;
/** Ids no other test of this run uses (the server's storage is shared by the file). */
export function uniqueId(prefix: string, maxLength = 20): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36).toUpperCase()}${counter}`.slice(0, maxLength);
}

/** yyyyMMdd in Asia/Shanghai, `offset` days from today. */
export function shanghaiDay(offset: number, nowMs = Date.now()): string {
  return new Date(nowMs + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly adminToken: string,
  ) {}

  async admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async partner<T = any>(path: string, body: unknown, token?: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  // ------------------------------------------------------------ fixtures

  async aCustomer(options: { depositYuan?: number; callbackUrl?: string } = {}): Promise<TestCustomer> {
    const customer: TestCustomer = { dwid: uniqueId("C"), dwlx: "1", name: `测试旅行社${counter}`, loginPassword: "login#1", payPassword: "123456" };
    await this.admin("PUT", `/admin/customers/${customer.dwid}`, {
      dwlx: customer.dwlx,
      name: customer.name,
      loginPassword: customer.loginPassword,
      payPassword: customer.payPassword,
      ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
    });
    if (options.depositYuan) {
      await this.admin("POST", `/admin/customers/${customer.dwid}/deposits`, { amount: options.depositYuan, reference: uniqueId("OPEN") });
    }
    return customer;
  }

  /** A ticket product on sale with `stock` on `day` (and a refund policy other than the default when given). */
  async aTicketProduct(day: string, options: { priceYuan?: number; stock?: number; refund?: RefundPolicy; name?: string; realName?: boolean } = {}): Promise<string> {
    const productId = uniqueId("P");
    await this.admin("PUT", `/admin/products/${productId}`, {
      name: options.name ?? `测试门票${counter}`,
      kind: "ticket",
      price: options.priceYuan ?? 60,
      realName: options.realName ?? false,
      ...(options.refund ? { refund: options.refund } : {}),
    });
    await this.admin("PUT", `/admin/products/${productId}/calendar/${day}`, { stock: options.stock ?? 50 });
    return productId;
  }

  // ------------------------------------------------------------ a partner's calls

  async login(customer: TestCustomer): Promise<Session> {
    const answer = await this.partner("api/WebInterface/Session/Login", { dwid: customer.dwid, dwlx: customer.dwlx, password: upperMd5(customer.loginPassword) });
    if (answer.errcode !== 0) throw new Error(`login refused: ${JSON.stringify(answer)}`);
    return { customer, token: answer.tag.token, sessionKey: answer.tag.sessionkey };
  }

  /** `holder`: a real-name line (one ticket) for this guest. */
  async addOrder(session: Session, order: { productId: string; day: string; tickets: number; senderId: string; holder?: Holder }): Promise<string> {
    const line = order.holder
      ? { productid: order.productId, amount: 1, fullname: order.holder.fullname, identificationtype: "1", identificationnumber: order.holder.idNumber }
      : { productid: order.productId, amount: order.tickets };
    const answer = await this.partner(
      "api/WebInterface/Order/Add",
      { orderdetails: [line], mobile: "13800138000", effectdate: order.day, senderid: order.senderId },
      session.token,
    );
    if (answer.resultcode !== 0) throw new Error(`order refused: ${JSON.stringify(answer)}`);
    return answer.orderid as string;
  }

  /** POST api/PayOrder/MIN/UsePrepaymentAndPassword: the customer comes from the session. */
  async pay(session: Session, orderId: string): Promise<void> {
    const paypassword = await encryptPayPassword(session.sessionKey, session.customer.loginPassword, session.customer.payPassword);
    const answer = await this.partner("api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: orderId, paypassword }, session.token);
    if (answer.resultcode !== 0) throw new Error(`payment refused: ${JSON.stringify(answer)}`);
  }

  async ticketCodes(session: Session, orderId: string): Promise<string[]> {
    const answer = await this.partner("api/WebInterface/Order/Query", { orderid: orderId }, session.token);
    if (answer.errcode !== 0) throw new Error(`query refused: ${JSON.stringify(answer)}`);
    return (answer.tag.tickets as { ticketcode: string }[]).map((t) => t.ticketcode);
  }

  /** POST api/WebInterface/Order/Refund: the partner's own refund (every valid ticket unless `ticketCodes`). */
  async refund(session: Session, refund: { orderId: string; refundId: string; ticketCodes?: string[]; reason?: string }): Promise<any> {
    const answer = await this.partner(
      "api/WebInterface/Order/Refund",
      { orderid: refund.orderId, refundid: refund.refundId, ticketcodes: refund.ticketCodes, reason: refund.reason },
      session.token,
    );
    if (answer.errcode !== 0) throw new Error(`refund refused: ${JSON.stringify(answer)}`);
    return answer.tag;
  }

  /** POST api/WebInterface/Order/ChangeDate: the paid order to another day (and slot). */
  async changeDate(session: Session, orderId: string, day: string, timespanIndex?: number): Promise<void> {
    const answer = await this.partner("api/WebInterface/Order/ChangeDate", { orderid: orderId, effectdate: day, timespanindex: timespanIndex }, session.token);
    if (answer.resultcode !== 0) throw new Error(`date change refused: ${JSON.stringify(answer)}`);
  }

  // ------------------------------------------------------------ the gate

  /** A gate registered by an operator (PUT /admin/gates/{id}) and its token, shown once. */
  async aGate(name = "东门闸机", products: string[] | null = null): Promise<{ gateId: string; name: string; token: string }> {
    const gateId = uniqueId("G");
    const gate = await this.admin("PUT", `/admin/gates/${gateId}`, { name, products });
    return { gateId, name, token: gate.token };
  }

  /** POST api/WebInterface/Ticket/Check as a gate device. */
  async check(token: string, body: { ticketcode?: string; idnumber?: string; checkid?: string }): Promise<{ errcode: number; errmsg: string; tag: any }> {
    return this.partner("api/WebInterface/Ticket/Check", body, token);
  }

  /** POST api/WebInterface/Ticket/Check with the gate's token: the ticket admitted (核销). */
  async checkIn(gateToken: string, ticketCode: string): Promise<void> {
    const answer = await this.check(gateToken, { ticketcode: ticketCode });
    if (answer.errcode !== 0) throw new Error(`check-in refused: ${JSON.stringify(answer)}`);
  }

  async addBill(session: Session, bill: { productId: string; quantity: number; senderBillNum: string }): Promise<{ BillNum: string; Amount: unknown }> {
    const answer = await this.partner(
      "api/WebInterface/Pos/Sell/Bill/Add",
      { DWID: session.customer.dwid, DWSX: session.customer.dwlx, SenderBillNum: bill.senderBillNum, Items: [{ ProductId: bill.productId, Amount: bill.quantity }] },
      session.token,
    );
    if (answer.errcode !== 0) throw new Error(`bill refused: ${JSON.stringify(answer)}`);
    return answer.tag;
  }
}

export interface Holder {
  fullname: string;
  idNumber: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** An 18-character resident ID with a correct GB 11643 check character. */
export function aResidentId(birthDate: string, sequence: number): string {
  const first17 = `110101${birthDate}${String(sequence).padStart(3, "0")}`;
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * ID_WEIGHTS[i]!, 0);
  return first17 + "10X98765432"[sum % 11]!;
}

export interface RefundPolicy {
  allowed: boolean;
  deadline: "before_visit_day" | "visit_day_end";
  feePercent: number;
}

export interface TestCustomer {
  dwid: string;
  dwlx: string;
  name: string;
  loginPassword: string;
  payPassword: string;
}

export interface Session {
  customer: TestCustomer;
  token: string;
  sessionKey: string;
}
