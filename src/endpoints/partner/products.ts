/**
 * The catalogue as partners read it: a product's sellable calendar (SPEC
 * §10 Product/Calendar). The operation lives beside: product-calendar.ts.
 */
import { CALENDAR_MAX_DAYS } from "../../domain/calendar";
import { ProductCalendarParm, ProductCalendarResponse } from "../../schemas/product-calendar";
import { definePartnerEndpoint } from "../partner-endpoint";
import { productCalendar } from "./product-calendar";

export const productCalendarEndpoint = definePartnerEndpoint({
  paths: ["api/WebInterface/Product/Calendar"],
  methods: ["POST"],
  summary: `查询日历门票在一段日期内(最多${CALENDAR_MAX_DAYS}天)每天的价格和现在可售的数量(含各入园时段),无副作用。`,
  description:
    `查询一个日历门票从begindate到enddate(不能早于今天,最多${CALENDAR_MAX_DAYS}天)可以销售的日期:每个设置了日历的日期的单价(当日价格,未设置时为产品价格)、现在可售的数量(库存减去未支付订单占用和已售),分时段的日期还有每个入园时段的可售数量(今天已结束的时段为0)。未列出的日期不可预订;可售数量为0表示已售完。结果是查询时刻的情况,下单时以下单接口的答复为准。只读,不占用库存。`,
  request: ProductCalendarParm,
  response: ProductCalendarResponse,
  auth: "session",
  // Catalogue and stock only, nothing of the customer's own, pulled often: like Verify, it may use the isolate's session cache.
  sessionCache: "unguarded",
  readOnly: true,
  handle: productCalendar,
});
