/**
 * GET /admin/checkins?date=yyyyMMdd[&productid=][&gateid=] (the console's
 * 入园 page; SPEC §10 核销, §12 "check-ins per hour"): the tickets admitted
 * on that Asia/Shanghai day — by their admission instant, not their visit
 * day — counted per hour (00–23), per gate and per product, and the total.
 */
import { checkinGroups } from "../../db/checkins";
import { summarizeCheckins, type CheckinCount } from "../../domain/checkins";
import { addDays, shanghaiDayStartMs } from "../../domain/dates";
import { CheckinsQuery } from "../../schemas/admin-checkins";
import { isoTime, json, validate, type AdminHandler } from "./http";

const countJson = (c: CheckinCount) => ({ count: c.count, firstAt: isoTime(c.firstAtMs), lastAt: isoTime(c.lastAtMs) });

export const getCheckinsHandler: AdminHandler = async (request, env) => {
  const query = validate(CheckinsQuery, request.query);
  const fromMs = shanghaiDayStartMs(query.date);
  const toMs = shanghaiDayStartMs(addDays(query.date, 1));
  const summary = summarizeCheckins(await checkinGroups(env.DB, { fromMs, toMs, productId: query.productid, gateId: query.gateid }));
  return json({
    date: query.date,
    productId: query.productid ?? null,
    gateId: query.gateid ?? null,
    from: isoTime(fromMs),
    to: isoTime(toMs),
    total: summary.total,
    byHour: summary.byHour.map((count, hour) => ({ hour, count })),
    byGate: summary.byGate.map((g) => ({ gateId: g.id, name: g.name, ...countJson(g) })),
    byProduct: summary.byProduct.map((p) => ({ productId: p.id, name: p.name, ...countJson(p) })),
  });
};
