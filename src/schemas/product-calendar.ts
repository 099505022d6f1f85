/**
 * A product's sellable calendar (SPEC §10 Product/Calendar): the request
 * type named like the legacy ones, in OrderAddParm's CLR namespace; the
 * answer a CommonOperationResult whose tag lists each configured day with
 * its price and what is available now, per time slot too.
 */
import { z } from "zod";
import { CALENDAR_MAX_DAYS, calendarSpanDays } from "../domain/calendar";
import { isRealDate } from "../domain/dates";
import { commonResultWithTag } from "./envelopes";
import { contract, formats, int, money, refinedContract, rule, text } from "./fields";
import { NS } from "./namespaces";

export const ProductCalendarParm = refinedContract(contract(
  {
    name: "ProductCalendarParm",
    clrNamespace: NS.parmWebInterface,
    description: `查询产品可售日历时参数的数据结构。begindate不能早于今天(北京时间),enddate不能早于begindate,两者之间最多${CALENDAR_MAX_DAYS}天(含首尾两天)。`,
  },
  {
    productid: text({ description: "产品ID(日历门票)。", required: true, max: 36 }),
    begindate: text({ description: "开始日期,格式:yyyyMMdd,不能早于今天(北京时间)。", required: true, max: 8, format: formats.date }),
    enddate: text({ description: `结束日期,格式:yyyyMMdd,不能早于begindate,与begindate之间最多${CALENDAR_MAX_DAYS}天(含首尾两天)。`, required: true, max: 8, format: formats.date }),
  },
), (parm, ctx) => {
  // Only once both are real dates: a malformed one has its own message.
  if (!isRealDate(parm.begindate) || !isRealDate(parm.enddate)) return;
  const span = calendarSpanDays(parm.begindate, parm.enddate);
  if (span < 1) ctx.addIssue({ code: "custom", path: ["enddate"], params: rule("range", "不能早于 begindate") });
  else if (span > CALENDAR_MAX_DAYS) ctx.addIssue({ code: "custom", path: ["enddate"], params: rule("range", `与 begindate 之间不能超过${CALENDAR_MAX_DAYS}天(含首尾两天)`) });
});
export type ProductCalendarParm = z.infer<typeof ProductCalendarParm>;

export const ProductCalendarTimeslot = contract(
  { name: "ProductCalendarTimeslot", clrNamespace: NS.result },
  {
    index: int({ description: "入园时段序号(下单时的timespanindex)", required: true }),
    start: text({ description: "时段开始时间HH:mm(北京时间)" }),
    end: text({ description: "时段结束时间HH:mm(北京时间)" }),
    available: int({ description: "该时段现在可售的数量(今天已结束的时段为0)", required: true }),
  },
);

export const ProductCalendarDay = contract(
  { name: "ProductCalendarDay", clrNamespace: NS.result },
  {
    date: text({ description: "日期yyyyMMdd" }),
    price: money({ description: "当日单价(元):当日价格,未设置时为产品价格" }),
    available: int({ description: "当日现在可售的数量:库存−占用(未支付订单)−已售;分时段的日期不超过各未结束时段可售数之和", required: true }),
    timeslots: z.array(ProductCalendarTimeslot).nullable().optional().describe("入园时段,按序号;不分时段的日期为空"),
  },
);

export const ProductCalendarResult = contract(
  { name: "ProductCalendarResult", clrNamespace: NS.result },
  {
    productid: text({ description: "产品ID" }),
    name: text({ description: "产品名称" }),
    days: z.array(ProductCalendarDay).nullable().optional().describe("范围内设置了日历的日期,按日期先后;未列出的日期不可售"),
  },
);
export const ProductCalendarResponse = commonResultWithTag(ProductCalendarResult);
