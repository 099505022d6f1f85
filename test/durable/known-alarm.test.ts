/**
 * The alarm time an object keeps in memory (src/durable/known-alarm.ts):
 * what it set is answered without a read, what it does not know is read,
 * and a ringing alarm forgets it — always the same answer a `getAlarm` read
 * would give, on the object's clock, also after the test clock moved.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { clockTimeOf, testClock } from "../../src/clock";
import { KnownAlarm } from "../../src/durable/known-alarm";
import { uniqueId } from "../helpers/api";

it("answers what it set without a read, reads what it does not know, forgets at a ring, and agrees with getAlarm", async () => {
  const stub = env.INVENTORY.get(env.INVENTORY.idFromName(`${uniqueId("alarm")}:20991231`));
  await runInDurableObject(stub, async (_instance, state) => {
    const read = async () => {
      const platformMs = await state.storage.getAlarm();
      return platformMs === null ? null : clockTimeOf(testClock, platformMs);
    };
    const alarm = new KnownAlarm(state.storage, testClock);
    expect(await alarm.at()).toBeNull();
    const at = testClock.nowMs() + 3_600_000;
    await alarm.set(at);
    expect([await alarm.at(), await read()]).toEqual([at, at]);
    testClock.advance(10_000);
    expect(await alarm.at()).toBe(await read());

    // Changed behind its back (only the object itself ever does this): the memory answers until the alarm rings.
    await state.storage.setAlarm(Date.now() + 7_200_000);
    expect(await alarm.at()).not.toBe(await read());
    alarm.rang();
    expect(await alarm.at()).toBe(await read());

    await alarm.delete();
    expect([await alarm.at(), await read()]).toEqual([null, null]);
  });
});

it("a read and a change at once: the read answers what was, the change is what is known after", async () => {
  const stub = env.INVENTORY.get(env.INVENTORY.idFromName(`${uniqueId("alarm")}:20991231`));
  await runInDurableObject(stub, async (_instance, state) => {
    const alarm = new KnownAlarm(state.storage, testClock);
    const at = testClock.nowMs() + 3_600_000;
    const [before] = await Promise.all([alarm.at(), alarm.set(at)]);
    expect(before).toBeNull();
    expect(await alarm.at()).toBe(at);
    await alarm.delete();
  });
});
