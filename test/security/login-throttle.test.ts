/**
 * The login limit per client address (SPEC §11; durable/login-throttle.ts):
 * after LOGIN_ADDRESS_MAX_FAILURES wrong passwords from one address
 * (CF-Connecting-IP) within LOGIN_LOCKOUT_WINDOW_MINUTES, the address may not
 * try dwids it has not logged into (2008), so it cannot walk through many
 * dwids; other addresses, the customers that address has logged into, and
 * successful logins are never limited. The lockout per dwid is in
 * login-lockout.test.ts.
 *
 * Time moves with testClock.advance (src/clock.ts): the Worker and the objects
 * read the same adjustable clock.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { configOf } from "../../src/config";
import { ResultCodes } from "../../src/domain/codes";
import { addressKey } from "../../src/domain/login-limits";
import { aCustomer, uniqueId } from "../helpers/api";
import { addresses, codes, count, login, loginFailuresStored, right, wrong } from "../helpers/logins";

const config = configOf(env);
const MAX = config.loginLockoutMaxFailures;
const ADDRESS_MAX = config.loginAddressMaxFailures;
const WINDOW_MS = config.loginLockoutWindowMs;
const { loginFailed, loginLocked, loginRateLimited } = ResultCodes;

/** A client address no other test uses. */
const anAddress = addresses("10.2");

async function addressFailuresStored(address: string | null): Promise<number> {
  const stub = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(addressKey(address)));
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM failures").one().n);
}

/** A dwid nobody created: its object answers like any other (no enumeration). */
const nobody = () => ({ dwid: uniqueId("nobody"), dwlx: "1" });

describe("per client address", () => {
  it("one address walking through dwids is refused (2008) after the limit, even for a right password of a dwid it never logged into; other addresses are not", async () => {
    const address = anAddress();
    for (let i = 0; i < ADDRESS_MAX; i++) expect((await wrong(nobody(), address)).errcode).toBe(loginFailed.code);
    expect((await wrong(nobody(), address)).errcode).toBe(loginRateLimited.code);
    const c = await aCustomer();
    const refused = await right(c, address);
    expect(refused.errcode).toBe(loginRateLimited.code);
    expect(refused.errmsg).toMatch(/该地址登录失败次数过多.*请\d+分钟后/);
    // Refusals test no password: neither the address nor the customer counts them.
    expect(await addressFailuresStored(address)).toBe(ADDRESS_MAX);
    expect(await loginFailuresStored(c.dwid)).toBe(0);
    expect((await right(c, anAddress())).errcode).toBe(0);

    testClock.advance(WINDOW_MS + 1);
    expect((await right(await aCustomer(), address)).errcode).toBe(0);
  });

  it("40 concurrent wrong logins over 40 dwids from one address test exactly the limit's worth of passwords", async () => {
    const address = anAddress();
    const answers = await Promise.all(Array.from({ length: 40 }, () => wrong(nobody(), address)));
    expect(count(answers, loginFailed.code)).toBe(ADDRESS_MAX);
    expect(count(answers, loginRateLimited.code)).toBe(40 - ADDRESS_MAX);
    expect(await addressFailuresStored(address)).toBe(ADDRESS_MAX);
  });

  it("customers that have logged in from the address keep logging in there while it is limited; their own lockout still holds", async () => {
    const address = anAddress();
    const regular = await aCustomer();
    expect((await right(regular, address)).errcode).toBe(0);
    for (let i = 0; i < ADDRESS_MAX; i++) await wrong(nobody(), address);
    expect((await right(await aCustomer(), address)).errcode).toBe(loginRateLimited.code);
    expect((await right(regular, address)).errcode).toBe(0);
    for (let i = 0; i < MAX; i++) await wrong(regular, address);
    expect((await right(regular, address)).errcode).toBe(loginLocked.code);
  });

  it("a known customer's wrong passwords do not count against its address (its own lockout bounds them)", async () => {
    const address = anAddress();
    const regular = await aCustomer();
    expect((await right(regular, address)).errcode).toBe(0);
    for (let i = 0; i < MAX; i++) await wrong(regular, address);
    expect(await addressFailuresStored(address)).toBe(0);
  });

  it("IPv6 addresses of one /64 share a counter; the next /64 has its own", async () => {
    for (let i = 1; i <= ADDRESS_MAX; i++) await wrong(nobody(), `2001:db8:aa:1::${i.toString(16)}`);
    const c = await aCustomer();
    expect((await right(c, "2001:db8:aa:1:ffff:ffff:ffff:ffff")).errcode).toBe(loginRateLimited.code);
    expect((await right(c, "2001:db8:aa:2::1")).errcode).toBe(0);
  });

  it("hundreds of right logins from one address are never limited, even when it is one failure short of its limit", async () => {
    const address = anAddress();
    for (let i = 0; i < ADDRESS_MAX - 1; i++) await wrong(nobody(), address);
    const customers = await Promise.all(Array.from({ length: 100 }, () => aCustomer()));
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(customers.map((c) => right(c, address)));
      expect(codes(answers).filter((code) => code !== 0), `round ${round}`).toEqual([]);
    }
    expect(await addressFailuresStored(address)).toBe(ADDRESS_MAX - 1);
  });

  it("requests without CF-Connecting-IP share one fixed key: limited together, and apart from every real address", async () => {
    for (let i = 0; i < ADDRESS_MAX; i++) await wrong(nobody());
    const c = await aCustomer();
    expect((await right(c)).errcode).toBe(loginRateLimited.code);
    expect((await right(c, anAddress())).errcode).toBe(0);
    testClock.advance(WINDOW_MS + 1);
    expect((await right(await aCustomer())).errcode).toBe(0);
  });
});
