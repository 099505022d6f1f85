/**
 * Placing (and pre-checking) a calendar-ticket order.
 * Seed: douyin-calendarticket-order-verify.txt (OrderAddParm); SPEC §5.5, §7.
 */
import { z } from "zod";
import { ID_TYPES } from "../domain/idcard";
import { MAX_ORDER_LINES } from "../domain/orders";
import { contract, formats, int, text } from "./fields";
import { NS } from "./namespaces";

/** Rules this project adds to the seed's (SPEC §3 "plus formats"). */
export const orderFormats = {
  idType: { test: (v: string) => (ID_TYPES as readonly string[]).includes(v), text: `取值必须是${ID_TYPES.join("、")}之一` },
  sex: { test: (v: string) => v === "M" || v === "W", text: "取值必须是M(男)或W(女)" },
} as const;

/** Fields Order/Add and YearCard/AddOrder declare alike (the seeds spell them the same), in their order. */
export const ORDER_FIELDS = {
  effectdate: text({ description: "生效日期,格式:yyyyMMdd。", required: true, max: 8, format: formats.date }),
  needinvoice: text({ description: "是否需要发票,“1”表示需要,“0”表示不需要。", max: 1, format: formats.flag01 }),
  invoicetitle: text({ description: "发票上打印的购货人单位名称", max: 100 }),
  invoicecode: text({
    description: "购货人统一社会信用代码,当需要发票为“1”,但此项为空时,则发票将开“个人”。",
    max: 30,
  }),
  senderid: text({
    description:
      "被接口方的业务单据ID,示例:同程网接口调用,此值表示同程网业务系统内对应的订单的单据号,此值在接口方系统内应为唯一值。不提供此参数时,系统将不会执行回调通知。提供这个参数还可以防止订单的重复提交。",
    max: 50,
  }),
};

export const OTHER_USER_ID = int({
  description: "其他用户ID号,指用户在第三方系统的用户账号,主要用于官方网站和官方微信的对接,第三方OTA不能使用。",
});

export const Order2SeatItem = contract(
  { name: "Order2SeatItem", clrNamespace: NS.parmWebInterface },
  { seatid: text({ description: "座位ID" }) },
);

export const OrderAddItemParm = contract(
  { name: "OrderAddItemParm", clrNamespace: NS.parmWebInterface },
  {
    productid: text({ description: "订购的产品类别的ID(门票类型的ID)", required: true }),
    amount: int({ description: "订购产品的数量", required: true, min: 1 }),
    identificationnumber: text({ description: "游客证件号码(实名制产品每张门票一个证件)", max: 20 }),
    fullname: text({ description: "游客姓名", max: 20 }),
    identificationtype: text({
      description: "证件类型,'1'身份证,'2'护照、回乡证、港澳台胞证,'3'现役军官证、士兵证,'4'学生证,'5'老年证,'6'残疾证,'9'其他。",
      max: 1,
      format: orderFormats.idType,
    }),
    mobile: text({ description: "游客手机号码", max: 11, format: formats.mobile }),
    gateinmode: text({ description: "入园方式" }),
    seatitems: z.array(Order2SeatItem).nullable().optional().describe("选座信息,每张门票一个座位(不选座时不填)。"),
  },
);

export const OrderAddParm = contract(
  { name: "OrderAddParm", clrNamespace: NS.parmWebInterface },
  {
    orderdetails: z
      .array(OrderAddItemParm)
      .min(1)
      .max(MAX_ORDER_LINES)
      .describe("订单明细信息,指明定购产品及数量,此少需要包含一个明细。"),
    mobile: text({
      description:
        "手机号码,如果系统有依据订单的通知(如退款完成,订单取票等),将发送到这个手机上。 如果订单整没有提供证件号,所有门票都是前台取票的,取票凭证会发送到这个手机上。",
      required: true,
      max: 11,
      format: formats.mobile,
    }),
    otheruserid: OTHER_USER_ID,
    identificationnumber: text({
      description: "身份证号,如果订单内的门票均是非实名的且需要取票的,客人可以使用这个证件号到前台或自助机上取票",
      max: 20,
    }),
    ...ORDER_FIELDS,
    servicecode: text({ description: "服务项目ID(线路ID),此值仅在分时段景区中必须。", max: 2 }),
    // -1 = the earliest slot with room, n ≥ 1 = that slot; 0 names no slot (refused by InventoryDO as not found).
    timespanindex: int({
      min: -1,
      description:
        "时段序号,当门票系统处于分时段售检票模式时,此值必须;否则此值没有意义。指定时段:取值1,2,3,4,5之类的自然数,此时该时段必须是门票系统中存在的、可用的、有足够余额的,否则会占用失败;-1表示自动时段号,系统会自动检索有足够余量的时段,且时间最前的优先,来占用时段,若当天已无时段可用或没有足够的余额容纳本次占用时,预定会失败。",
    }),
    tripbillcode: text({
      description: "行程单编号,在文档编写之时,此值只能对应张家界的全域通和一诚通行程单。",
    }),
    guidernumber: text({ description: "导游证号" }),
    marketareaid: text({ description: "市场区划的代码" }),
    reserve1: text({
      description:
        "预留一字段(对应T_SP_YD表中的BL2字段 varchar(200)) 原保留2字段用于存储预订明细表中该订单的总人数 2019-11-09 by TangYu 应卧龙要求进行修改",
    }),
    reserve2: text({
      description:
        "预留二字段(对应T_SP_YD表中的BZ字段 text) 原备注字段用于存储预订明细表中该订单的实名信息 2019-11-09 by TangYu 应卧龙要求进行修改",
    }),
  },
);
export type OrderAddParm = z.infer<typeof OrderAddParm>;
