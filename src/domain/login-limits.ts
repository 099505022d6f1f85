/**
 * The login limits of SPEC §11, their pure parts: which counter a client
 * address falls under, and the words of the two refusals. No I/O, no clock:
 * instants come in as arguments.
 *
 * The counters themselves live in Durable Objects: per dwid in the
 * customer's AccountDO (durable/account-sessions.ts), per address in a
 * LoginThrottleDO named by `addressKey` (durable/login-throttle.ts).
 */
import { whenToRetry } from "./dates";

/** Every request without CF-Connecting-IP shares this key (Cloudflare's edge always sets it; tests and tools may not). */
export const NO_ADDRESS_KEY = "no-address";
/** An address that is not a recognisable IP is keyed by at most this many of its characters. */
const ADDRESS_KEY_MAX_CHARS = 64;

/**
 * The counter an address falls under. IPv4 as is; IPv6 by its /64, the
 * smallest block one subscriber is given, so walking through the addresses
 * of one's own prefix buys nothing; IPv4-mapped IPv6 as the IPv4 address.
 */
export function addressKey(header: string | null | undefined): string {
  const text = (header ?? "").trim().toLowerCase();
  if (text === "") return NO_ADDRESS_KEY;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped) return mapped[1]!;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(text)) return text;
  return ipv6Prefix64(text) ?? text.slice(0, ADDRESS_KEY_MAX_CHARS);
}

/** "2001:db8:1:2::/64" for any address of that /64, or null when `text` is not an IPv6 address. */
function ipv6Prefix64(text: string): string | null {
  const address = text.split("%")[0]!;
  if (!address.includes(":")) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}

/** Login for one dwid is locked until `retryAtMs` (loginLocked, 2006). */
export function loginLockedMessage(retryAtMs: number, nowMs: number): string {
  return `登录密码错误次数过多，该客户的登录已锁定，${whenToRetry(retryAtMs, nowMs)}`;
}

/** The address may not try new dwids until `retryAtMs` (loginRateLimited, 2008). */
export function loginRateLimitedMessage(retryAtMs: number, nowMs: number): string {
  return `该地址登录失败次数过多，已暂停从该地址登录其他客户，${whenToRetry(retryAtMs, nowMs)}`;
}
