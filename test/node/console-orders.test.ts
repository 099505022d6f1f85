/**
 * The operators' console in a real browser (see console.test.ts): orders
 * (placed and paid through the partner API), cancelling, refunds with their
 * fees and history, notifications that failed, and the console on a tablet.
 *
 * The browser runs in America/Los_Angeles: the dates the page shows must
 * still be Shanghai's.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { consoleView, expectText, fieldError, screenshot, shownShanghaiTime, shownYuan, tableRows, TABLET, textOf } from "./browser";
import { Api, shanghaiDay, uniqueId } from "./partner";
import { freePort, type TestServer } from "./server";
import { browserSuite } from "./suite";

let server: TestServer;
let api: Api;

// Notification retries without waiting, so an undeliverable callback reaches 'failed' in seconds.
const suite = browserSuite({ vars: { NOTIFY_RETRY_BASE_SECONDS: "0" } });
beforeAll(() => void ({ server, api } = suite));

const { openConsole } = suite;

const main = consoleView;

describe("orders", () => {
  it("finds an order placed through the partner API by its senderid, and shows its tickets once it is paid", async () => {
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const day = shanghaiDay(3);
    const productId = await api.aTicketProduct(day, { priceYuan: 60, stock: 50 });
    const session = await api.login(customer);
    const senderId = uniqueId("OTA-", 32);
    const orderId = await api.addOrder(session, { productId, day, tickets: 2, senderId });

    const page = await openConsole("#/orders");
    await page.getByLabel("订单号或第三方单号").fill(senderId);
    await page.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => tableRows(main(page))).toEqual([
      [orderId, customer.dwid, senderId, "门票", `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`, "¥120.00", "未支付", expect.any(String)],
    ]);

    await main(page).getByRole("link", { name: orderId }).click();
    await expectText(main(page).locator(".facts"), "未支付");
    await expectText(main(page).locator(".tickets-empty"), "订单支付后出票");
    await expectText(main(page).locator(".timeline"), "未支付将于此时自动过期并释放库存");

    await api.pay(session, orderId);
    const codes = await api.ticketCodes(session, orderId);
    expect(codes).toHaveLength(2);
    await page.reload();
    await expectText(main(page).locator(".facts"), "已支付");
    const tickets = await tableRows(main(page).locator(".table-wrap:has(table.tickets)"));
    expect(tickets.map((r) => [r[0], r[2], r[3]]).sort()).toEqual(codes.map((code) => [code, productId, "有效"]).sort());
    const detail = await api.admin("GET", `/admin/orders/${orderId}`);
    const created = await textOf(main(page).locator(".timeline li", { hasText: "下单" }));
    expect(created).toContain(shownShanghaiTime(detail.createdAt));
    const paid = await textOf(main(page).locator(".timeline li", { hasText: "已支付" }));
    expect(paid).toContain(shownShanghaiTime(detail.paidAt));
    expect(paid).toContain("已支付（预订金扣款 ¥120.00），出票 2 张");
    await expectText(main(page).locator("table.list tfoot"), "¥120.00");
    await screenshot(page, "order-detail");

    // The same order from the customer's side: by customer, visit date and status; the ledger's debit; the calendar's sold count.
    await page.getByRole("link", { name: "订单", exact: true }).click();
    await page.getByLabel("客户ID").fill(customer.dwid);
    await page.getByLabel("游玩日期").fill(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`);
    await page.getByLabel("状态").selectOption("unpaid");
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(main(page).locator(".list-status"), "没有符合条件的记录");
    expect(page.url()).toContain(`date=${day}`);
    await page.getByLabel("状态").selectOption("paid");
    await page.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.map((r) => [r[0], r[6]]))).toEqual([[orderId, "已支付"]]);
    await screenshot(page, "orders");
    await page.goto(`/console#/customers/${customer.dwid}/account`);
    await expect.poll(() => tableRows(main(page)).then((rows) => rows[0]?.slice(1, 4).concat(rows[0]![5]!))).toEqual(["扣款", "−¥120.00", "¥880.00", `订单 ${orderId}`]);
    await expectText(main(page).locator("[data-key=balance]"), "¥880.00");
    await page.goto(`/console#/products/${productId}/calendar?month=${day.slice(0, 6)}`);
    await expectText(main(page).locator(`button.day[data-day="${day}"]`), "已售 2");
    await expectText(main(page).locator(`button.day[data-day="${day}"]`), "可售 48");
  });

  it("cancels an unpaid order after confirmation and shows it cancelled with its stock back; a paid order offers no cancel, and a refusal is shown", async () => {
    const customer = await api.aCustomer({ depositYuan: 500 });
    const day = shanghaiDay(5);
    const productId = await api.aTicketProduct(day, { priceYuan: 40, stock: 10 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 3, senderId: uniqueId("CX-", 32) });
    const available = async () => (await api.admin("GET", `/admin/products/${productId}/calendar?month=${day.slice(0, 6)}`)).days[0].available;
    expect(await available()).toBe(7);

    const page = await openConsole(`#/orders/${orderId}`);
    const actions = main(page).locator(".order-actions");
    await expectText(main(page).locator(".facts"), "未支付");
    // Dismissed: nothing changes.
    await page.getByRole("button", { name: "取消订单…" }).click();
    await expectText(actions.locator(".confirm"), `确定取消订单 ${orderId}（¥120.00）？订单将变为已取消，占用的库存立即释放；此操作不能撤销。`);
    await actions.getByRole("button", { name: "取消", exact: true }).click();
    expect(await actions.locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).status).toBe("unpaid");

    await page.getByRole("button", { name: "取消订单…" }).click();
    await page.getByRole("button", { name: "确认取消订单" }).click();
    await expectText(main(page).locator(".facts"), "已取消");
    await expectText(main(page).locator(".action-ok"), "订单已取消，占用的库存已释放");
    await expectText(main(page).locator(".timeline"), "已取消");
    await expectText(main(page).locator(".tickets-empty"), "订单已取消，未出票");
    expect(await page.getByRole("button", { name: "取消订单…" }).count()).toBe(0);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).status).toBe("cancelled");
    expect(await available()).toBe(10);
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: orderId }, session.token)).toMatchObject({ tag: { status: "cancelled" } });
    await screenshot(page, "order-cancelled");

    // Paid: no cancel button.
    const paid = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("CX-", 32) });
    await api.pay(session, paid);
    await page.goto(`/console#/orders/${paid}`);
    await expectText(main(page).locator(".facts"), "已支付");
    expect(await page.getByRole("button", { name: "取消订单…" }).count()).toBe(0);

    // Paid by the partner while the page was open: the API's refusal is shown, the page then shows the order as it stands.
    const racing = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("CX-", 32) });
    await page.goto(`/console#/orders/${racing}`);
    await expectText(main(page).locator(".facts"), "未支付");
    await api.pay(session, racing);
    await page.getByRole("button", { name: "取消订单…" }).click();
    await page.getByRole("button", { name: "确认取消订单" }).click();
    await expectText(main(page).locator(".action-error"), "已支付的订单不能取消,请申请退款（错误码 4004）");
    await expectText(main(page).locator(".facts"), "已支付");
    expect((await api.admin("GET", `/admin/orders/${racing}`)).status).toBe("paid");
  });

  it("lists a POS bill added through the partner API under its customer", async () => {
    const customer = await api.aCustomer({ depositYuan: 50 });
    const productId = uniqueId("R");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "矿泉水", kind: "retail", price: 3 });
    const session = await api.login(customer);
    const senderBillNum = uniqueId("POS-", 32);
    const bill = await api.addBill(session, { productId, quantity: 4, senderBillNum });

    const page = await openConsole(`#/bills?customer=${customer.dwid}`);
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.map((r) => r.slice(0, 5)))).toEqual([
      [bill.BillNum, customer.dwid, senderBillNum, "¥12.00", "未支付"],
    ]);
    await screenshot(page, "bills");
  });
});

describe("refunds", () => {
  /** expect.poll with the UI's patience: a page of a busy machine may take more than poll's default second. */
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });
  /** A shown date of the refunds filter: yyyy-MM-dd. */
  const dashed = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;

  it("saves a product's refund policy, and shows a fee out of range next to its field", async () => {
    const productId = uniqueId("PR");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "测试索道票", kind: "ticket", price: 120 });
    const page = await openConsole(`#/products/${productId}`);
    // The default policy: refundable until the visit day ends, no fee.
    await poll(() => page.getByLabel("手续费（%）").inputValue()).toBe("0");
    expect(await page.getByLabel("允许退票").isChecked()).toBe(true);
    expect(await page.getByLabel("退票期限").inputValue()).toBe("visit_day_end");

    await page.getByLabel("退票期限").selectOption("before_visit_day");
    await page.getByLabel("手续费（%）").fill("150");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(fieldError(page, "手续费（%）"), /refund\.feePercent .*（错误码 6006）/);
    expect(await page.getByLabel("退票期限").inputValue()).toBe("before_visit_day");

    await page.getByLabel("手续费（%）").fill("15");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已保存");
    expect((await api.admin("GET", `/admin/products/${productId}`)).refund).toEqual({ allowed: true, deadline: "before_visit_day", feePercent: 15 });

    await page.getByLabel("允许退票").uncheck();
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已保存");
    expect((await api.admin("GET", `/admin/products/${productId}`)).refund).toEqual({ allowed: false, deadline: "before_visit_day", feePercent: 15 });
    await page.reload();
    await poll(() => page.getByLabel("允许退票").isChecked()).toBe(false);
    expect(await page.getByLabel("手续费（%）").inputValue()).toBe("15");
    await page.getByRole("link", { name: "← 返回产品列表" }).click();
    await poll(() => tableRows(main(page)).then((rows) => rows.find((r) => r[0] === productId)?.[7])).toBe("不可退");
  });

  it("refunds one ticket with its fee after confirmation, then the rest with the fee waived; the history, the statuses, the ledger and the refunds list", async () => {
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const day = shanghaiDay(3);
    // 15% of ¥33.30 is ¥4.995: the fee rounds half up to ¥5.00.
    const productId = await api.aTicketProduct(day, { priceYuan: 33.3, refund: { allowed: true, deadline: "visit_day_end", feePercent: 15 } });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 3, senderId: uniqueId("RF-", 32) });
    await api.pay(session, orderId);
    const codes = (await api.ticketCodes(session, orderId)).sort();

    const page = await openConsole(`#/orders/${orderId}`);
    await expectText(main(page).locator(".facts"), "已支付");
    await expectText(main(page).locator(".refunds-empty"), "还没有退款");
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await poll(() => tableRows(form)).toEqual(codes.map((code) => ["", code, productId, "有效", "¥33.30", "¥5.00", "¥28.30"]));
    await expectText(form.locator(".refund-policies"), `${productId}（`);
    await expectText(form.locator(".refund-policies"), "游玩日当天结束前可退，手续费 15%");
    await expectText(form.locator(".refund-summary"), "请选择要退的门票");

    // What is missing is said next to it.
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(form.locator("fieldset[data-field=ticketcodes] > .field-error"), "请选择要退的门票");
    await page.getByLabel(`选择 ${codes[0]}`).check();
    await expectText(form.locator(".refund-summary"), "已选 1 张：票价 ¥33.30，手续费 ¥5.00，退回预订金 ¥28.30");
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(fieldError(page, "退款原因"), "请填写退款原因");
    await page.getByLabel("退款原因").fill("游客行程取消");
    const firstId = await page.getByLabel("退款单号（refundid）").inputValue();
    expect(firstId).toMatch(/^RF\d{14}[0-9A-Z]{4}$/);

    // Asked first; dismissed, nothing happens.
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(
      form.locator(".confirm"),
      `确认为订单 ${orderId} 退票 1 张（${codes[0]}）：票价 ¥33.30，手续费 ¥5.00，退回客户预订金 ¥28.30。退款单号 ${firstId}，原因：游客行程取消。门票将立即作废，此操作不能撤销。`,
    );
    await form.getByRole("button", { name: "取消", exact: true }).click();
    expect(await form.locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(0);

    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(main(page).locator(".action-ok"), `退票成功：退回预订金 ¥28.30（手续费 ¥5.00），1 张门票已作废；退款单号 ${firstId}；订单状态：部分退款`);
    await expectText(main(page).locator(".facts"), "部分退款");
    await expectText(main(page).locator(".facts"), "¥28.30（1 张）");
    let detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect([detail.status, detail.refunded, detail.refundedUnits]).toEqual(["paid", 28.3, 1]);
    const ticketRows = () =>
      tableRows(main(page).locator(".table-wrap:has(table.tickets)")).then((rows) => rows.map((r) => [r[0], r[3], r[5]]).sort());
    expect(await ticketRows()).toEqual([[codes[0], "已退", firstId], [codes[1], "有效", "—"], [codes[2], "有效", "—"]]);
    const firstRow = [shownShanghaiTime(detail.refunds[0].refundedAt), firstId, codes[0], "¥28.30", "¥5.00", "游客行程取消", "运营方"];
    expect(await tableRows(main(page).locator(".table-wrap:has(table.refunds)"))).toEqual([firstRow]);
    await expectText(main(page).locator(".timeline"), `运营方退票 1 张（退款单号 ${firstId}），退回预订金 ¥28.30，手续费 ¥5.00；部分退款`);

    // The same refund number for another ticket: refused next to the number, everything typed kept.
    await page.getByRole("button", { name: "退票…" }).click();
    expect(await page.getByLabel(`选择 ${codes[0]}`).isDisabled()).toBe(true);
    await poll(() => tableRows(form).then((rows) => rows.map((r) => r[3]))).toEqual(["已退", "有效", "有效"]);
    await page.getByLabel(`选择 ${codes[1]}`).check();
    await page.getByLabel("退款原因").fill("游客改期");
    await page.getByLabel("退款单号（refundid）").fill(firstId);
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(fieldError(page, "退款单号"), "该refundid已用于另一笔退款(门票不同)（错误码 4707）");
    expect(await page.getByLabel("退款单号（refundid）").inputValue()).toBe(firstId);
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客改期");
    expect(await page.getByLabel(`选择 ${codes[1]}`).isChecked()).toBe(true);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(1);

    // 全部 and the fee waived: the rest, for their full price.
    await page.getByLabel(/^全部/).check();
    expect(await page.getByLabel(`选择 ${codes[2]}`).isChecked()).toBe(true);
    await page.getByLabel("免收手续费").check();
    await poll(() => tableRows(form).then((rows) => rows.slice(1).map((r) => r.slice(5)))).toEqual([["¥0.00", "¥33.30"], ["¥0.00", "¥33.30"]]);
    await expectText(form.locator(".refund-summary"), "已选 2 张：票价 ¥66.60，手续费 ¥0.00（免收），退回预订金 ¥66.60");
    await page.getByLabel("退款原因").fill("景区临时闭园，全额退");
    await page.getByLabel("退款单号（refundid）").fill("OPS-0002");
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(form.locator(".confirm"), `退票 2 张（${codes[1]}、${codes[2]}）：票价 ¥66.60，手续费 ¥0.00（免收），退回客户预订金 ¥66.60。退款单号 OPS-0002`);
    await screenshot(page, "order-refund");
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(main(page).locator(".action-ok"), "退票成功：退回预订金 ¥66.60（手续费 ¥0.00），2 张门票已作废；退款单号 OPS-0002；订单状态：已退款");
    await expectText(main(page).locator(".facts"), "已退款");
    await expectText(main(page).locator(".facts"), "¥94.90（3 张）");
    expect(await page.getByRole("button", { name: "退票…" }).count()).toBe(0);
    detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect([detail.refunded, detail.refundedUnits, detail.tickets.map((t: { status: string }) => t.status)]).toEqual([94.9, 3, ["refunded", "refunded", "refunded"]]);
    expect(await ticketRows()).toEqual([[codes[0], "已退", firstId], [codes[1], "已退", "OPS-0002"], [codes[2], "已退", "OPS-0002"]]);
    expect(await tableRows(main(page).locator(".table-wrap:has(table.refunds)"))).toEqual([
      firstRow,
      [shownShanghaiTime(detail.refunds[1].refundedAt), "OPS-0002", `${codes[1]}、${codes[2]}`, "¥66.60", "¥0.00", "景区临时闭园，全额退", "运营方"],
    ]);
    await expectText(main(page).locator(".timeline"), "运营方退票 2 张（退款单号 OPS-0002），退回预订金 ¥66.60，手续费 ¥0.00；已退款");
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: orderId }, session.token)).toMatchObject({ tag: { status: "refunded" } });
    await screenshot(page, "order-refund-history");

    // The list marks the order's refunded tickets.
    await page.goto(`/console#/orders?customer=${customer.dwid}`);
    await poll(() => tableRows(main(page)).then((rows) => rows.map((r) => [r[0], r[6]]))).toEqual([[orderId, "已支付 已退 3 张"]]);

    // The ledger: two refund credits on top, linked to the order. 1000 − 99.90 + 28.30 + 66.60.
    await page.goto(`/console#/customers/${customer.dwid}/account`);
    await expectText(main(page).locator("[data-key=balance]"), "¥995.00");
    await poll(() => tableRows(main(page)).then((rows) => rows.slice(0, 3).map((r) => [r[1], r[2], r[3], r[5]]))).toEqual([
      ["退款", "+¥66.60", "¥995.00", `订单 ${orderId}`],
      ["退款", "+¥28.30", "¥928.40", `订单 ${orderId}`],
      ["扣款", "−¥99.90", "¥900.10", `订单 ${orderId}`],
    ]);
    const ledger = await api.admin("GET", `/admin/customers/${customer.dwid}/ledger`);
    expect((await tableRows(main(page)))[0]![0]).toBe(shownShanghaiTime(ledger.items[0].createdAt));
    expect(await main(page).locator("table.list tbody tr").first().getByRole("link", { name: `订单 ${orderId}` }).getAttribute("href")).toBe(`#/orders/${orderId}`);

    // The refunds list: the partner's own refund of another order beside the operator's, newest first, by customer and day.
    const other = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("RF-", 32) });
    await api.pay(session, other);
    const partnerRefund = await api.refund(session, { orderId: other, refundId: "OTA-RF-0001", reason: "游客退订" });
    expect(partnerRefund).toMatchObject({ refundamount: 28.3, fee: 5 });
    await page.getByRole("link", { name: "退款", exact: true }).click();
    await expectText(main(page).locator("h2"), "退款");
    await page.getByLabel("客户ID").fill(customer.dwid);
    await page.getByLabel("退款日期").fill(dashed(shanghaiDay(0)));
    await page.getByRole("button", { name: "查询" }).click();
    expect(page.url()).toContain(`date=${shanghaiDay(0)}`);
    await poll(() => tableRows(main(page)).then((rows) => rows.map((r) => r.slice(1)))).toEqual([
      ["OTA-RF-0001", customer.dwid, other, `1 张 ${partnerRefund.tickets[0]}`, "¥28.30", "¥5.00", "游客退订", "合作方"],
      ["OPS-0002", customer.dwid, orderId, `2 张 ${codes[1]}、${codes[2]}`, "¥66.60", "¥0.00", "景区临时闭园，全额退", "运营方"],
      [firstId, customer.dwid, orderId, `1 张 ${codes[0]}`, "¥28.30", "¥5.00", "游客行程取消", "运营方"],
    ]);
    const listed = await api.admin("GET", `/admin/refunds?customer=${customer.dwid}`);
    // The first column is the refund's time as the page shows it (read again: the list may redraw meanwhile).
    await poll(() => tableRows(main(page)).then((rows) => rows[0]?.[0])).toBe(shownShanghaiTime(listed.items[0].refundedAt));
    await screenshot(page, "refunds");
    await page.getByLabel("退款日期").fill(dashed(shanghaiDay(-1)));
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(main(page).locator(".list-status"), "没有符合条件的退款");
  });

  it("refunds 21 times and pages the refunds list on the server", async () => {
    const customer = await api.aCustomer({ depositYuan: 500 });
    const day = shanghaiDay(2);
    const productId = await api.aTicketProduct(day, { priceYuan: 1 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 21, senderId: uniqueId("RP-", 32) });
    await api.pay(session, orderId);
    const codes = await api.ticketCodes(session, orderId);
    for (const [i, code] of codes.entries()) {
      await api.admin("POST", `/admin/orders/${orderId}/refunds`, { refundid: `PG-${String(i + 1).padStart(2, "0")}`, ticketcodes: [code], reason: "分页" });
    }
    const page = await openConsole(`#/refunds?customer=${customer.dwid}`);
    await expectText(main(page).locator(".list-status"), "已显示 20 条，还有更多");
    await page.getByRole("button", { name: "加载更多" }).click();
    await expectText(main(page).locator(".list-status"), "共 21 条");
    // Newest first; refunds made in the same millisecond may come in either order.
    const numbers = (await tableRows(main(page))).map((r) => r[1]);
    expect([...numbers].sort()).toEqual(codes.map((_, i) => `PG-${String(i + 1).padStart(2, "0")}`));
    expect(numbers[0]).not.toBe("PG-01");
  });

  it("when the outcome is not yet known (503), offers the same refund number again, which learns it and refunds once", async () => {
    const customer = await api.aCustomer({ depositYuan: 300 });
    const day = shanghaiDay(4);
    const productId = await api.aTicketProduct(day, { priceYuan: 60 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 2, senderId: uniqueId("RU-", 32) });
    await api.pay(session, orderId);

    const page = await openConsole(`#/orders/${orderId}`);
    // The first answer is lost after the refund was made: the page is told 503, as when the store's answer never came.
    let calls = 0;
    await page.route(`${server.baseUrl}/admin/orders/${orderId}/refunds`, async (route) => {
      calls += 1;
      const response = await route.fetch();
      if (calls > 1) return route.fulfill({ response });
      await response.body();
      await route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: 9003, message: "系统暂时繁忙,本次请求的结果尚未确定,请稍后重试同一请求(按senderid/单号幂等)或查询" } }),
      });
    });
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await page.getByLabel(/^全部/).check();
    await page.getByLabel("退款原因").fill("游客投诉，经理批准");
    const refundId = await page.getByLabel("退款单号（refundid）").inputValue();
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    const unknown = form.locator(".outcome-unknown");
    await expectText(unknown, "退款结果尚未确定：系统暂时繁忙,本次请求的结果尚未确定");
    await expectText(unknown, "（错误码 9003）");
    await expectText(unknown, `用同一退款单号 ${refundId} 重新提交可以得知结果，不会重复退款。`);
    await expectText(main(page).locator(".facts"), "已支付");
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客投诉，经理批准");
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(2);

    await unknown.getByRole("button", { name: "用同一退款单号重新提交" }).click();
    await expectText(main(page).locator(".action-ok"), `退票成功：退回预订金 ¥120.00（手续费 ¥0.00），2 张门票已作废；退款单号 ${refundId}；订单状态：已退款`);
    await expectText(main(page).locator(".facts"), "已退款");
    expect(calls).toBe(2);
    const detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect(detail.refunds.map((r: { refundId: string }) => r.refundId)).toEqual([refundId]);
    const ledger = await api.admin("GET", `/admin/customers/${customer.dwid}/ledger`);
    expect(ledger.items.filter((e: { kind: string }) => e.kind === "refund")).toHaveLength(1);
    expect(ledger.account.balance).toBe(300);
  });

  it("says before and after that a product allows no refund (its code by the buttons), and fits a tablet", async () => {
    const customer = await api.aCustomer({ depositYuan: 300 });
    const day = shanghaiDay(2);
    const productId = await api.aTicketProduct(day, { priceYuan: 80, refund: { allowed: false, deadline: "visit_day_end", feePercent: 0 } });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("RN-", 32) });
    await api.pay(session, orderId);
    const [code] = await api.ticketCodes(session, orderId);

    const page = await openConsole(`#/orders/${orderId}`, TABLET);
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await expectText(form.locator(".refund-policies"), "：不允许退票");
    await expectText(form.locator(`tr[data-key="${code}"]`), "该产品不允许退票");
    await page.getByLabel(`选择 ${code}`).check();
    await page.getByLabel("退款原因").fill("游客要求");
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(form.locator(".form-actions .form-error"), `该产品不允许退票（${productId}）（错误码 4701）`);
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客要求");
    expect(await page.getByLabel(`选择 ${code}`).isChecked()).toBe(true);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(0);
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
  });
});

describe("notifications", () => {
  it("lists a callback that could not be delivered with its last error, and retry puts it back on the queue", async () => {
    const closedPort = await freePort();
    const customer = await api.aCustomer({ depositYuan: 500, callbackUrl: `http://127.0.0.1:${closedPort}/callback` });
    const day = shanghaiDay(4);
    const productId = await api.aTicketProduct(day);
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("NT-", 32) });
    await api.pay(session, orderId);
    const id = `order-paid:${orderId}`;
    // Seven deliveries to a closed port without delay, then the dead-letter queue marks it failed.
    await expect
      .poll(() => api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`).then((n) => n.status), { timeout: 90_000, interval: 1_000 })
      .toBe("failed");
    const failed = await api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`);
    expect(failed.lastError).toBeTruthy();

    const page = await openConsole("#/notifications");
    const row = main(page).locator(`tr[data-key="${id}"]`);
    await expectText(row.locator("td.status"), "发送失败");
    await expectText(row.locator("td.last-error"), failed.lastError);
    await expectText(row, String(failed.attempts));
    await expectText(row, `订单 ${orderId}`);
    await screenshot(page, "notifications");

    await row.getByRole("button", { name: "重试" }).click();
    await expectText(row.locator(".retry-outcome"), /已重新加入发送队列，当前状态：(排队中|待发送)/);
    await expectText(row.locator("td.status"), /排队中|待发送/);
    expect(await row.getByRole("button", { name: "重试" }).isVisible()).toBe(false);
    expect(["enqueued", "pending", "failed"]).toContain((await api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`)).status);
  });
});

describe("on a tablet", () => {
  it("shows the account page without sideways scrolling, lists as labelled cards", async () => {
    const customer = await api.aCustomer({ depositYuan: 2000 });
    const page = await openConsole(`#/customers/${customer.dwid}/account`, TABLET);
    await expectText(main(page).locator("[data-key=balance]"), "¥2,000.00");
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.length)).toBe(1);
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    expect(await main(page).locator("table.list thead").isVisible()).toBe(false);
    expect(await main(page).locator("table.list td").first().getAttribute("data-label")).toBe("时间");
    await screenshot(page, "account-tablet");
  });
});
