/**
 * Annual-card (互联网年卡) orders. Seed: yearcard-add-order.txt; SPEC §5.3.
 */
import type { z } from "zod";
import { contract, formats, int, money, text } from "./fields";
import { NS } from "./namespaces";
import { ORDER_FIELDS, orderFormats, OTHER_USER_ID } from "./order-add";

const SERVER_FILLS = "客户端可以不输入,在提交时将会被服务器端的设置复盖。";

export const YearCardOrderAddParm = contract(
  {
    name: "YearCardOrderAddParm",
    clrNamespace: NS.parmWebInterface,
    description:
      "预订参数。接口方可以在orderparm.senderid中指定接口方系统中的唯一订单号,电子门票系统会判断该业务单据是否被提交过,如果提交过,此过程会返回单据的最新状态(注意,系统仅会检查parm.orderinfo.senderid是否已在系统中存在,而不会比对新传入的参数的其他内容与系统中已持有的单据是否相同)。",
  },
  {
    productid: text({ description: "订购的产品类别的ID(门票类型的ID,该值不能为空)", required: true }),
    amount: int({ description: "订购产品的数量(数量为1 一次一张)", required: true, min: 1, max: 1 }),
    mobile: text({
      description: "手机号码,下单成功后,依据订单的通知(如退款完成,订单取票等),将发送到这个手机上。",
      required: true,
      max: 11,
      format: formats.mobile,
    }),
    otheruserid: OTHER_USER_ID,
    fullname: text({ description: "订票人姓名", max: 20 }),
    identificationtype: text({
      description:
        "订票人证件类型,'1'身份证,‘2’ 护照、回乡证、港澳台胞证,‘3’现役车官证、士兵证,‘4’学生证,‘5’老年证,‘6’残疾证,‘9’其他。",
      max: 1,
      format: orderFormats.idType,
    }),
    identificationnumber: text({ description: "订票人身份证号", max: 20 }),
    ...ORDER_FIELDS,
    remark: text({ description: "备注(对应T_SP_YD_NK表中的BZ字段 Varchar(50))", max: 100 }),
    reserve1: text({ description: "预留一字段(对应T_SP_YD_NK表中的BL1字段 Varchar(50))", max: 50 }),
    reserve2: text({ description: "预留二字段(对应T_SP_YD_NK表中的BL2字段 Varchar(50))", max: 50 }),
    guidernum: text({ description: "导游证号 2024-06-14添加" }),
    BuyInsurance: text({
      description: "是否同时购买保险,1是,0否。 默认为否,当系统强制购买保险时,不论设置什么,此值都是为“1”。",
      required: true,
      max: 1,
      format: formats.flag01,
    }),
    InsurancePrice: money({
      clrNullable: true,
      description: "保险的单价,当购买保险时此值必填,且必须与提交时刻系统中的当前配置一置,否则提交会失败。",
    }),
    InsuranceCount: int({
      clrNullable: true,
      description:
        "每张门票的保险份数,一般为1 ,此值应等于门票的支持凭证数,当购买保险时此值必填,且必须与提交时刻系统中的当前配置一置,否则提交会失败。",
    }),
    InsurancePlanCode: text({ description: `保险产品计划代码,${SERVER_FILLS}`, max: 30 }),
    InsurancePlanName: text({ description: `保险产品计划名称,${SERVER_FILLS}`, max: 30 }),
    InsuranceDestZone: text({ description: `目的地,${SERVER_FILLS}`, max: 50 }),
    InsuranceTimeRange: int({ description: `保险天数,${SERVER_FILLS}`, clrNullable: true }),
    InsuranceHolderType: text({ description: `投保类型,投保类型[1(个人),2(企业)],${SERVER_FILLS}`, max: 1 }),
    InsuranceHolderCompanyName: text({ description: `投保企业名称,投保类型企业必填,${SERVER_FILLS}`, max: 60 }),
    InsuranceHolderCompanyCode: text({ description: `投保企业代码(组织机构代码),${SERVER_FILLS}`, max: 20 }),
    InsuranceHolderAddress: text({ description: `企业联系地址,${SERVER_FILLS}`, max: 60 }),
    InsuranceHolderContactName: text({ description: `企业联系人,${SERVER_FILLS}`, max: 40 }),
    InsuranceHolderContactPhone: text({ description: `企业联系人电话,${SERVER_FILLS}`, max: 20 }),
    InsuranceHolderEmail: text({ description: "企业联系人Email,在提交时将会被服务器端的设置复盖。", max: 60 }),
    XB: text({
      description:
        "性别,W女性,M男性,购买保险时,此项必填,当您输入的主要证件类型为二代证,主要证件号为二代证号时,此值将被自动分析程序复位,其他的情况必须提供这个参数值。",
      max: 1,
      format: orderFormats.sex,
    }),
    Birthday: text({
      description:
        "生日,购买保险时,此项必填。格式YYYYMMDD。当您输入的主要证件类型为二代证,主要证件号为二代证号时,此值将被自动分析程序复位,其他的情况必须提供这个参数值。",
      max: 8,
      format: formats.date,
    }),
    AdditonalReduceIdType: text({
      description:
        "附加优惠证件名。学生证,老年证,残疾证等,这个值不是随便写的汉字,要根据接口定义的字典供游客选取。这个主要用于匹配命中更细节的优惠条件。",
      max: 1,
    }),
    AdditonalReduceId: text({ description: "附加优惠证件号。", max: 30 }),
    InsuranceSex: text({
      description:
        "用于购买保险的性别的数据,客户端不需要输入,输入是无效的,会在参数较验的过程中,替换为对应保险公司要求的代码。",
      max: 1,
    }),
    InsuranceBirthDay: text({
      description:
        "用于提交到保险的生日的数据,客户端不需要输入,输入是无效的,会在参数较验的过程,替换为对应保险公司要求的格式。",
      max: 10,
    }),
    InsuranceCertTypeName: text({
      description:
        "购买保险时使用的证件类型名,客户端不需要输入,输入是无效的,会在参数较验的过程,替换为对应保险公司要求的格式。",
      max: 40,
    }),
    InsuranceCertTypeCode: text({
      description:
        "购买保险时使用的证件类型代码,客户端不需要输入,输入是无效的,会在参数较验的过程,替换为对应保险公司要求的格式。",
      max: 20,
    }),
  },
);
export type YearCardOrderAddParm = z.infer<typeof YearCardOrderAddParm>;
