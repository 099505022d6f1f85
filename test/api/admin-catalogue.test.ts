/** The /admin catalogue (SPEC §7): products and their calendars. */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { INVALID, allPages } from "../helpers/admin";
import { admin, uniqueId } from "../helpers/api";

describe("products", () => {
  const insurance = {
    mode: "optional", price: 5.5, count: 1, planCode: "PLAN-A", planName: "游客意外险",
    destZone: "黄山", timeRange: 365,
    holder: { type: "2", companyName: "景区公司", companyCode: "91340000", address: "黄山", contactName: "张三", contactPhone: "0559-1234567", email: "a@b.cn" },
  };

  it("PUT creates (201) and updates (200); GET reads it back; insurance round-trips in yuan", async () => {
    const id = uniqueId("pr");
    const created = await admin("PUT", `/admin/products/${id}`, { name: "年卡", kind: "yearcard", price: 199.9, realName: true, maxPerOrder: 1, insurance });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      productId: id, name: "年卡", kind: "yearcard", price: 199.9, realName: true, maxPerOrder: 1,
      limitPerIdPerDay: null, limitPerMobilePerDay: null, onSale: true, insurance,
    });
    const updated = await admin("PUT", `/admin/products/${id}`, { name: "年卡(新)", kind: "yearcard", price: 209, onSale: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "年卡(新)", price: 209, onSale: false, insurance: null, realName: false });
    expect(await admin("GET", `/admin/products/${id}`)).toEqual({ status: 200, body: updated.body });
  });

  it("GET of an unknown product is 404 (6005)", async () => {
    const r = await admin("GET", `/admin/products/${uniqueId("none")}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.productNotFound.code);
  });

  const invalid: [string, unknown, string][] = [
    ["kind unknown", { name: "a", kind: "food", price: 1 }, "kind"],
    ["price with 3 decimals", { name: "a", kind: "ticket", price: 1.234 }, "price"],
    ["price negative", { name: "a", kind: "ticket", price: -1 }, "price"],
    ["name missing", { kind: "ticket", price: 1 }, "name"],
    ["maxPerOrder 0", { name: "a", kind: "ticket", price: 1, maxPerOrder: 0 }, "maxPerOrder"],
    ["insurance mode unknown", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, mode: "sometimes" } }, "insurance.mode"],
    ["insurance price with 3 decimals", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, price: 0.001 } }, "insurance.price"],
    ["insurance holder type 3", { name: "a", kind: "yearcard", price: 1, insurance: { ...insurance, holder: { ...insurance.holder, type: "3" } } }, "insurance.holder.type"],
  ];
  it.each(invalid)("PUT refuses %s (400 naming the field); nothing stored", async (_label, body, field) => {
    const id = uniqueId("pr");
    const r = await admin("PUT", `/admin/products/${id}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
    expect((await admin("GET", `/admin/products/${id}`)).status).toBe(404);
  });

  it("PUT refuses a product id with a dot (400, field productid)", async () => {
    const r = await admin("PUT", "/admin/products/a.b", { name: "a", kind: "ticket", price: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "productid" });
  });

  it("the list filters by kind and pages through every product exactly once", async () => {
    const prefix = uniqueId("pl");
    const mine = { yearcard: [] as string[], retail: [] as string[] };
    for (let i = 0; i < 5; i++) {
      const kind = i < 3 ? "yearcard" : "retail";
      const id = `${prefix}-${i}`;
      mine[kind].push(id);
      expect((await admin("PUT", `/admin/products/${id}`, { name: `p${i}`, kind, price: i + 1 })).status).toBe(201);
    }
    const yearcards = (await allPages("/admin/products?kind=yearcard", 2)).flat();
    expect(yearcards.every((p) => p.kind === "yearcard")).toBe(true);
    expect(yearcards.filter((p) => p.productId.startsWith(prefix)).map((p) => p.productId)).toEqual(mine.yearcard);
    const everything = (await allPages("/admin/products", 3)).flat().map((p) => p.productId);
    expect(new Set(everything).size).toBe(everything.length);
    expect(everything.filter((id) => id.startsWith(prefix))).toEqual([...mine.yearcard, ...mine.retail]);
    expect([...everything].sort()).toEqual(everything);
  });

  it("the list refuses an unknown kind (400, field kind)", async () => {
    const r = await admin("GET", "/admin/products?kind=food");
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "kind" });
  });
});

describe("calendar", () => {
  async function aProduct(): Promise<string> {
    const id = uniqueId("cal");
    expect((await admin("PUT", `/admin/products/${id}`, { name: "门票", kind: "ticket", price: 100 })).status).toBe(201);
    return id;
  }
  const timeslots = [
    { index: 1, start: "08:00", end: "12:00", capacity: 60 },
    { index: 2, start: "12:00", end: "17:00", capacity: 60 },
  ];

  it("PUT a day then GET its month: days of that month only, in date order", async () => {
    const id = await aProduct();
    const put = await admin("PUT", `/admin/products/${id}/calendar/20270215`, { stock: 100, price: 88.8, timeslots });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ day: "20270215", stock: 100, price: 88.8, timeslots });
    for (const day of ["20270131", "20270201", "20270228", "20270301"]) {
      expect((await admin("PUT", `/admin/products/${id}/calendar/${day}`, { stock: 5 })).status).toBe(200);
    }
    const month = await admin("GET", `/admin/products/${id}/calendar?month=202702`);
    expect(month.status).toBe(200);
    expect(month.body.productId).toBe(id);
    expect(month.body.month).toBe("202702");
    expect(month.body.days.map((d: { day: string }) => d.day)).toEqual(["20270201", "20270215", "20270228"]);
    expect(month.body.days[1]).toMatchObject({ stock: 100, price: 88.8, timeslots });
    expect(month.body.days[0]).toMatchObject({ stock: 5, price: null, timeslots: null });
  });

  it("PUT again replaces the day", async () => {
    const id = await aProduct();
    await admin("PUT", `/admin/products/${id}/calendar/20270510`, { stock: 100, price: 50, timeslots });
    const again = await admin("PUT", `/admin/products/${id}/calendar/20270510`, { stock: 7 });
    expect(again.body).toMatchObject({ day: "20270510", stock: 7, price: null, timeslots: null });
    expect((await admin("GET", `/admin/products/${id}/calendar?month=202705`)).body.days).toHaveLength(1);
  });

  const invalid: [string, string, unknown, string | undefined][] = [
    ["a day that does not exist", "20270230", { stock: 1 }, undefined],
    ["a day not in yyyyMMdd", "2027-02-01", { stock: 1 }, undefined],
    ["negative stock", "20270201", { stock: -1 }, "stock"],
    ["fractional stock", "20270201", { stock: 1.5 }, "stock"],
    ["price with 3 decimals", "20270201", { stock: 1, price: 1.005 }, "price"],
    ["slot capacities below the stock", "20270201", { stock: 121, timeslots }, "timeslots"],
    ["two slots with one index", "20270201", { stock: 1, timeslots: [timeslots[0], { ...timeslots[1], index: 1 }] }, "timeslots"],
    ["a slot ending before it starts", "20270201", { stock: 1, timeslots: [{ index: 1, start: "12:00", end: "08:00", capacity: 5 }] }, "timeslots[0].end"],
    ["a slot time that is not HH:mm", "20270201", { stock: 1, timeslots: [{ index: 1, start: "8:00", end: "12:00", capacity: 5 }] }, "timeslots[0].start"],
  ];
  it.each(invalid)("PUT refuses %s (400)", async (_label, day, body, field) => {
    const id = await aProduct();
    const r = await admin("PUT", `/admin/products/${id}/calendar/${day}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(INVALID);
    if (field) expect(r.body.error.field).toBe(field);
    else expect(r.body.error.message).toContain("yyyyMMdd");
  });

  it("a bad day in the path is named as the path's day, not as the body", async () => {
    const id = await aProduct();
    const r = await admin("PUT", `/admin/products/${id}/calendar/20270230`, { stock: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).not.toContain("请求体");
    expect(r.body.error.field).toBe("day");
  });

  it.each([
    ["a month that does not exist", "month=202713"],
    ["no month", ""],
    ["a month with a day", "month=20270201"],
  ])("GET refuses %s (400, field month)", async (_label, query) => {
    const id = await aProduct();
    const r = await admin("GET", `/admin/products/${id}/calendar?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "month" });
  });

  it("PUT and GET for an unknown product are 404", async () => {
    const id = uniqueId("none");
    expect((await admin("PUT", `/admin/products/${id}/calendar/20270201`, { stock: 1 })).status).toBe(404);
    expect((await admin("GET", `/admin/products/${id}/calendar?month=202702`)).status).toBe(404);
  });
});

// ------------------------------------------------------------------ orders and bills
