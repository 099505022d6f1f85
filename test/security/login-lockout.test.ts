/**
 * Login is rate limited like the pay password (SPEC §11), per dwid: after
 * LOGIN_LOCKOUT_MAX_FAILURES wrong passwords in LOGIN_LOCKOUT_WINDOW_MINUTES,
 * login for that dwid is refused (2006, the message says until when) for the
 * rest of the window, even with the right password, from any address. The
 * limit per client address is in login-throttle.test.ts.
 *
 * Time moves with testClock.advance (src/clock.ts): the Worker and the objects
 * read the same adjustable clock.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { configOf } from "../../src/config";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, admin, uniqueId, type TestCustomer } from "../helpers/api";
import { addresses, codes, count, login, loginFailuresStored, right, wrong, type LoginAnswer } from "../helpers/logins";

const config = configOf(env);
const MAX = config.loginLockoutMaxFailures;
const WINDOW_MS = config.loginLockoutWindowMs;
const { loginFailed, loginLocked, customerSuspended } = ResultCodes;

/** A client address no other test uses. */
const anAddress = addresses("10.1");

/** A dwid nobody created: its object answers like any other (no enumeration). */
const nobody = () => ({ dwid: uniqueId("nobody"), dwlx: "1" });

describe("per dwid", () => {
  it("20 concurrent wrong logins count at most the limit; then the right password is refused, from anywhere, until the window has passed", async () => {
    const c = await aCustomer({ loginPassword: "right-pass" });
    const address = anAddress();
    const answers = await Promise.all(Array.from({ length: 20 }, () => wrong(c, address)));
    expect(codes(answers).every((code) => code === loginFailed.code || code === loginLocked.code), `${codes(answers)}`).toBe(true);
    // The failure that reaches the limit already answers "locked", like the pay password.
    expect(count(answers, loginFailed.code)).toBe(MAX - 1);
    expect(await loginFailuresStored(c.dwid)).toBe(MAX);

    for (const from of [address, anAddress()]) expect((await right(c, from)).errcode).toBe(loginLocked.code);
    testClock.advance(WINDOW_MS - 60_000);
    expect((await right(c, address)).errcode).toBe(loginLocked.code);
    testClock.advance(60_000 + 1);
    expect(await right(c, address)).toMatchObject({ errcode: 0 });
  });

  it("the refusal says the login is locked and when to try again (minutes, and the time in Asia/Shanghai)", async () => {
    const c = await aCustomer();
    for (let i = 0; i < MAX; i++) await wrong(c, anAddress());
    const answer = await right(c, anAddress());
    expect(answer.errcode).toBe(loginLocked.code);
    const minutes = Math.round(WINDOW_MS / 60_000);
    const retryAt = new Date(testClock.nowMs() + WINDOW_MS + 8 * 3_600_000);
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
    expect(answer.errmsg).toContain("登录密码错误次数过多");
    expect(answer.errmsg).toContain(`请${minutes}分钟后`);
    expect([hhmm(retryAt), hhmm(new Date(retryAt.getTime() + 60_000))].some((t) => answer.errmsg.includes(t)), answer.errmsg).toBe(true);
  });

  // The window slides: each step is a wrong login, a right one with its expected code, or minutes passing.
  const windowCases: [string, (string | number)[]][] = [
    ["4 wrong, then right: admitted", ["wrong", "wrong", "wrong", "wrong", ["right", 0]].flat()],
    ["5 wrong, then right: locked", ["wrong", "wrong", "wrong", "wrong", "wrong", ["right", loginLocked.code]].flat()],
    ["3 wrong, 16 min, 2 wrong, then right: admitted (the first 3 left the window)", ["wrong", "wrong", "wrong", 16, "wrong", "wrong", ["right", 0]].flat()],
    ["3 wrong, 10 min, 2 wrong: locked; 6 min later: admitted", ["wrong", "wrong", "wrong", 10, "wrong", "wrong", ["right", loginLocked.code], 6, ["right", 0]].flat()],
    ["a right login does not clear earlier failures: 4 wrong, right, 1 wrong, then right: locked", ["wrong", "wrong", "wrong", "wrong", ["right", 0], "wrong", ["right", loginLocked.code]].flat()],
  ];
  it.each(windowCases)("%s", async (_label, steps) => {
    expect(MAX).toBe(5);
    expect(WINDOW_MS).toBe(15 * 60_000);
    const c = await aCustomer();
    const address = anAddress();
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (typeof step === "number") testClock.advance(step * 60_000);
      else if (step === "wrong") await wrong(c, address);
      else expect((await right(c, address)).errcode, `step ${i}`).toBe(steps[++i]);
    }
  });

  it("another dwid is not locked by the first's lockout, from the same address or another", async () => {
    const locked = await aCustomer();
    const other = await aCustomer();
    const address = anAddress();
    for (let i = 0; i < MAX; i++) await wrong(locked, address);
    expect((await right(locked, address)).errcode).toBe(loginLocked.code);
    expect((await right(other, address)).errcode).toBe(0);
    expect((await right(other, anAddress())).errcode).toBe(0);
  });

  it("a wrong dwlx is a wrong credential and counts", async () => {
    const c = await aCustomer({ dwlx: "3" });
    for (let i = 0; i < MAX; i++) expect((await login({ ...c, dwlx: "4" }, c.loginPassword, anAddress())).errcode).toBeOneOf([loginFailed.code, loginLocked.code]);
    expect((await right(c, anAddress())).errcode).toBe(loginLocked.code);
  });

  it("an unknown dwid answers exactly like a known one, lockout included (no enumeration)", async () => {
    const c = await aCustomer();
    const ghost = nobody();
    const address = anAddress();
    const known: LoginAnswer[] = [];
    const unknown: LoginAnswer[] = [];
    for (let i = 0; i < MAX + 1; i++) {
      known.push(await wrong(c, address));
      unknown.push(await wrong(ghost, address));
    }
    const shape = (answers: LoginAnswer[]) => answers.map((a) => `${a.errcode} ${a.errmsg.replace(/\d+/g, "N")}`);
    expect(shape(unknown)).toEqual(shape(known));
  });

  it("a suspended customer's right password reads 2007 and counts no failure; wrong ones still lock", async () => {
    const c = await aCustomer();
    expect((await adminPut(c, { suspended: true })).status).toBe(200);
    expect((await right(c, anAddress())).errcode).toBe(customerSuspended.code);
    expect(await loginFailuresStored(c.dwid)).toBe(0);
    for (let i = 0; i < MAX; i++) await wrong(c, anAddress());
    expect((await right(c, anAddress())).errcode).toBe(loginLocked.code);
  });

  it("an operator's new login password lifts the lockout (the failures were guesses at the old one)", async () => {
    const c = await aCustomer();
    for (let i = 0; i < MAX; i++) await wrong(c, anAddress());
    expect((await right(c, anAddress())).errcode).toBe(loginLocked.code);
    expect((await adminPut(c, { loginPassword: "reset-by-operator" })).status).toBe(200);
    expect((await login(c, "reset-by-operator", anAddress())).errcode).toBe(0);
  });
});

function adminPut(c: TestCustomer, changes: Record<string, unknown>) {
  return admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: c.dwlx, name: `测试旅行社 ${c.dwid}`, ...changes });
}
