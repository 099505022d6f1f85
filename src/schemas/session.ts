/** Session login (SPEC §4). */
import type { z } from "zod";
import { commonResultWithTag } from "./envelopes";
import { contract, formats, text } from "./fields";
import { NS } from "./namespaces";

export const SessionLoginParm = contract(
  { name: "SessionLoginParm", clrNamespace: NS.parmWebInterface },
  {
    dwid: text({ description: "客户ID", required: true, max: 36 }),
    dwlx: text({
      description: "客户类型,1-地接社,2-组团社,3-协议单位,4-地接社部门,5-组团社部门,6-协议单位部门,7-导游员。",
      required: true,
      max: 1,
      format: formats.dwlx,
    }),
    password: text({
      description: "登录密码的UPPER_MD5值(32位大写十六进制)。",
      required: true,
      max: 32,
      format: { test: (v) => /^[0-9A-Fa-f]{32}$/.test(v), text: "必须是32位十六进制的MD5值" },
    }),
  },
);
export type SessionLoginParm = z.infer<typeof SessionLoginParm>;

export const SessionLoginResult = contract(
  { name: "SessionLoginResult", clrNamespace: NS.result },
  {
    token: text({ description: "会话令牌,之后的请求放在 Authorization: Bearer <token> 头中。" }),
    sessionkey: text({ description: "会话密钥,用于加密支付密码。" }),
    expires: text({ description: "空闲过期时间(ISO 8601,UTC)。" }),
  },
);
export const SessionLoginResponse = commonResultWithTag(SessionLoginResult);
