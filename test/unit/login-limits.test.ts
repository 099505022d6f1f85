/** The pure parts of the login limits (src/domain/login-limits.ts): address keys and the refusals' words. */
import { describe, expect, it } from "vitest";
import { addressKey, loginLockedMessage, loginRateLimitedMessage, NO_ADDRESS_KEY } from "../../src/domain/login-limits";

describe("addressKey", () => {
  it.each([
    ["no header", null, NO_ADDRESS_KEY],
    ["an empty header", "  ", NO_ADDRESS_KEY],
    ["IPv4", "203.0.113.7", "203.0.113.7"],
    ["IPv4 with spaces", " 203.0.113.7 ", "203.0.113.7"],
    ["IPv4-mapped IPv6", "::ffff:203.0.113.7", "203.0.113.7"],
    ["IPv6, full", "2001:0db8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2::/64"],
    ["IPv6, compressed, same /64", "2001:db8:1:2::9", "2001:db8:1:2::/64"],
    ["IPv6, upper case, same /64", "2001:DB8:1:2:FFFF::1", "2001:db8:1:2::/64"],
    ["IPv6, another /64", "2001:db8:1:3::9", "2001:db8:1:3::/64"],
    ["IPv6 with a zone", "fe80::1%eth0", "fe80:0:0:0::/64"],
    ["IPv6 loopback", "::1", "0:0:0:0::/64"],
    ["not an address", "not-an-ip", "not-an-ip"],
    ["two ::", "2001::db8::1", "2001::db8::1"],
    ["too long to be anything", "x".repeat(100), "x".repeat(64)],
  ])("%s", (_label, header, key) => {
    expect(addressKey(header)).toBe(key);
  });
});

describe("the refusals say when to try again", () => {
  // 2026-12-02 06:00:30 UTC = 14:00:30 in Shanghai.
  const now = Date.UTC(2026, 11, 2, 6, 0, 30);
  it.each([
    ["15 minutes ahead, on a second boundary", now + 15 * 60_000, "请15分钟后（北京时间 14:16 之后）再试"],
    ["29.5 s ahead", now + 29_500, "请1分钟后（北京时间 14:01 之后）再试"],
    ["exactly on a minute", Date.UTC(2026, 11, 2, 6, 10, 0), "请10分钟后（北京时间 14:10 之后）再试"],
    ["past midnight in Shanghai", Date.UTC(2026, 11, 2, 16, 5, 0), "请605分钟后（北京时间 00:05 之后）再试"],
  ])("%s", (_label, retryAtMs, words) => {
    expect(loginLockedMessage(retryAtMs, now)).toBe(`登录密码错误次数过多，该客户的登录已锁定，${words}`);
    expect(loginRateLimitedMessage(retryAtMs, now)).toBe(`该地址登录失败次数过多，已暂停从该地址登录其他客户，${words}`);
  });
});
