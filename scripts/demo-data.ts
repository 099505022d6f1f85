/**
 * The demo data of SPEC §8, loaded through the admin API so it goes through
 * the same validation and objects as an operator's. Idempotent: every call is
 * a PUT, and the deposit carries a fixed reference.
 */
export const DEMO = {
  dwid: "DEMO001",
  dwlx: "1",
  name: "演示地接社",
  loginPassword: "demo-login",
  payPassword: "123456",
  depositYuan: 10000,
  depositReference: "demo-opening-deposit",
  days: 60,
  products: [
    { productId: "TICKET-ADULT", name: "成人门票", kind: "ticket", price: 120, stock: 500 },
    { productId: "TICKET-TIMED", name: "分时段门票", kind: "ticket", price: 80, stock: 300, timeslots: [
      { index: 1, start: "08:00", end: "11:00", capacity: 100 },
      { index: 2, start: "11:00", end: "14:00", capacity: 100 },
      { index: 3, start: "14:00", end: "17:00", capacity: 100 },
    ] },
    { productId: "TICKET-REALNAME", name: "实名制门票", kind: "ticket", price: 150, stock: 200, realName: true, limitPerIdPerDay: 1 },
    { productId: "YEARCARD-STD", name: "互联网年卡", kind: "yearcard", price: 298, stock: 1000, insurance: {
      mode: "optional", price: 5, count: 1, planCode: "PLAN-A", planName: "景区意外险", destZone: "景区", timeRange: 365,
      holder: { type: "2", companyName: "演示景区管理有限公司", companyCode: "91000000MA0000000X", address: "景区路1号", contactName: "张三", contactPhone: "0731-0000000", email: "ops@example.com" },
    } },
    { productId: "RETAIL-WATER", name: "矿泉水", kind: "retail", price: 3, stock: 0 },
  ],
} as const;

type Product = (typeof DEMO.products)[number];

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** yyyyMMdd in Asia/Shanghai, `offset` days from today. */
export function shanghaiDay(offset: number, nowMs = Date.now()): string {
  return new Date(nowMs + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
}

export async function loadDemoData(base: string, adminToken: string): Promise<{ balance: unknown }> {
  await call(base, adminToken, "PUT", `/admin/customers/${DEMO.dwid}`, {
    dwlx: DEMO.dwlx,
    name: DEMO.name,
    loginPassword: DEMO.loginPassword,
    payPassword: DEMO.payPassword,
  });
  await call(base, adminToken, "POST", `/admin/customers/${DEMO.dwid}/deposits`, { amount: DEMO.depositYuan, reference: DEMO.depositReference });
  for (const p of DEMO.products) await putProduct(base, adminToken, p);
  const account = await call(base, adminToken, "GET", `/admin/customers/${DEMO.dwid}/account`);
  return { balance: account };
}

async function putProduct(base: string, token: string, p: Product): Promise<void> {
  const { productId, stock, ...rest } = p;
  const body: Record<string, unknown> = { ...rest };
  delete body.timeslots;
  await call(base, token, "PUT", `/admin/products/${productId}`, body);
  if (p.kind === "retail") return;
  const days = Array.from({ length: DEMO.days }, (_, i) => shanghaiDay(i));
  for (let i = 0; i < days.length; i += 10) {
    await Promise.all(
      days.slice(i, i + 10).map((day) =>
        call(base, token, "PUT", `/admin/products/${productId}/calendar/${day}`, {
          stock,
          timeslots: "timeslots" in p ? p.timeslots : null,
        }),
      ),
    );
  }
}
