/** POST api/WebInterface/Session/Login (SPEC §4). */
import { SessionLoginParm, SessionLoginResponse } from "../../schemas/session";
import { answer, definePartnerEndpoint, refuse } from "../partner-endpoint";

export const sessionLogin = definePartnerEndpoint({
  paths: ["api/WebInterface/Session/Login"],
  methods: ["POST"],
  summary: "登录,取得会话令牌和会话密钥。",
  description:
    "使用客户ID、客户类型和登录密码的UPPER_MD5值登录。返回的token放在之后请求的 Authorization: Bearer 头中;sessionkey用于加密支付密码。会话空闲超时后失效,一个客户可以同时持有多个会话。",
  request: SessionLoginParm,
  response: SessionLoginResponse,
  auth: "none",
  async handle(input, { env }) {
    const account = env.ACCOUNT.get(env.ACCOUNT.idFromName(input.dwid));
    const result = await account.login({ dwid: input.dwid, dwlx: input.dwlx, passwordMd5: input.password });
    if (!result.ok) return refuse(result.reason, result.message);
    return answer({
      errcode: 0,
      errmsg: "登录成功",
      tag: { token: result.token, sessionkey: result.sessionKey, expires: new Date(result.expiresAtMs).toISOString() },
    });
  },
});
