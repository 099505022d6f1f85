/**
 * POST api/WebInterface/Session/Login (SPEC §4, §11). The login goes through
 * the object of the client's address (durable/login-throttle.ts: the limit
 * per address), which asks the customer's AccountDO (the password, the
 * per-dwid lockout, suspension).
 */
import { addressKey } from "../../domain/login-limits";
import type { ThrottledLoginResult } from "../../durable/login-throttle";
import { retryingReset } from "../../durable/stubs";
import { SessionLoginParm, SessionLoginResponse } from "../../schemas/session";
import { answer, definePartnerEndpoint, refuse } from "../partner-endpoint";
import { commonResult } from "../../wire/envelope";

export const sessionLogin = definePartnerEndpoint({
  paths: ["api/WebInterface/Session/Login"],
  methods: ["POST"],
  summary: "登录,取得会话令牌和会话密钥。",
  description:
    "使用客户ID、客户类型和登录密码的UPPER_MD5值登录。返回的token放在之后请求的 Authorization: Bearer 头中;sessionkey用于加密支付密码。会话空闲超时后失效,一个客户可以同时持有多个会话。" +
    "运营方修改登录密码或支付密码、或停用客户时,该客户的所有会话立即失效(需重新登录)。" +
    "同一客户在15分钟内登录密码错误5次后,该客户暂停登录至窗口结束(2006,消息中给出可重试的时间);已停用的客户不能登录(2007);" +
    "同一来源地址登录失败过多时,暂停从该地址登录未曾从此登录过的客户(2008)。",
  request: SessionLoginParm,
  response: SessionLoginResponse,
  auth: "none",
  async handle(input, { env, clientAddress }) {
    // RPC types map a union result member by member; the value is the plain union.
    const throttleOf = () => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(addressKey(clientAddress)));
    const result = await retryingReset(throttleOf, async (throttle) =>
      (await throttle.login({ dwid: input.dwid, dwlx: input.dwlx, passwordMd5: input.password })) as ThrottledLoginResult,
    );
    if (!result.ok) return refuse(result.reason, result.message);
    return answer(commonResult({ token: result.token, sessionkey: result.sessionKey, expires: new Date(result.expiresAtMs).toISOString() }, "登录成功"));
  },
});
