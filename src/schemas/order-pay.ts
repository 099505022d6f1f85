/**
 * Paying an order from the deposit with the encrypted pay password.
 * Seeds: order-pay-with-prepayment-by-password.txt,
 * payorder-min-use-prepayment-and-password.txt.
 */
import type { z } from "zod";
import { contract, formats, member, text } from "./fields";
import { NS } from "./namespaces";

export const PAY_PASSWORD_DESCRIPTION =
  "支付密码,非明文。 按以下规则进行加密: Byte[] KEY=SHA256(System.Utf8.GetBytes(会话密钥(STRING)+UPPER_MD5(登陆密码))) byte[] KEY2 = KEY的前24字节 值= ToBase64String(TripleDes(UTF8.GetBytes(UPPER_MD5(支付密码)),KEY2) 对UPPER_MD5()计算过程的描述: byte[] valueBuffer = Utf8.GetBytes(待运算的字符串) byte[] md5buffer = Md5(valueBuffer); string value = FormatString(md5Buffer,\"x2)/*这个的意思是转换成bcd字符串,一个字节变成两个字符0xae= \"ae\",0x0a=\"0a\"*/ string returnvalue = upper(value);全部转换成大写,仍然是每两个字符表示一个字节。 请不要指责这个脱库子放屁的处理,因为我们要兼容老版本,新版本只能如此。";

export const PayOrderUsePayPasswordParm = contract(
  {
    name: "PayOrderUsePayPasswordParm",
    clrNamespace: NS.parmWebInterface,
    description: "使用支付密码支付订单时参数的数据结构。",
  },
  {
    orderid: text({
      description: "被支付的订单的编号(电子门票系统内订单唯一编号)",
      required: true,
      max: 20,
    }),
    paypassword: text({ description: PAY_PASSWORD_DESCRIPTION, required: true }),
  },
);
export type PayOrderUsePayPasswordParm = z.infer<typeof PayOrderUsePayPasswordParm>;

export const OrderPayAndActivateByPwdParm = contract(
  { name: "OrderPayAndActivateByPwdParm", clrNamespace: NS.parm },
  {
    dwid: text({ description: "客户ID", required: true, max: 36 }),
    dwlx: text({
      description:
        "客户类型,可以是以下取值:1-地接社,2-组团社,3-协议单位,4-地接社部门,5-组团社部门,6-协议单位部门,7-导游员。",
      required: true,
      max: 1,
      format: formats.dwlx,
    }),
    payparm: member(PayOrderUsePayPasswordParm, "支付的参数。"),
    sellstationid: text({ description: "售票站点ID", required: true, max: 2 }),
    marketareaid: text({ description: "市场区划ID", max: 8 }),
    teamtypecode: text({ description: "团队类型代码", max: 2 }),
    settotommrowtime: text({ description: "设置订单转日时间。", max: 5, format: formats.timeOfDay }),
  },
);
export type OrderPayAndActivateByPwdParm = z.infer<typeof OrderPayAndActivateByPwdParm>;
