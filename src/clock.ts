/**
 * Time comes in from outside (../shared/STYLE.md: nothing below the entry
 * points reads the clock itself). Production reads the system clock; the
 * test configuration (TEST_CLOCK = "on", vitest.config.ts) shares one
 * adjustable clock between the Worker and the Durable Objects of an isolate,
 * so tests and the reliability simulation move time instead of sleeping or
 * editing rows.
 *
 * Durable Object alarms ring on the platform's clock: `alarmTimeOf` turns an
 * instant of this clock into the platform's, so an alarm set "in 30 s" rings
 * 30 s from now on both.
 */
export interface Clock {
  /** Unix milliseconds. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** The test clock: the system's, moved forward by `advance`. */
export class AdjustableClock implements Clock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves time forward (never back: the stores' instants only grow). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`time moves forward only (${ms} ms)`);
    this.offsetMs += ms;
  }
}

/** One per isolate: the Worker's requests and its objects see the same time. */
export const testClock = new AdjustableClock();

export function clockOf(env: { TEST_CLOCK?: string }): Clock {
  return env.TEST_CLOCK === "on" ? testClock : systemClock;
}

/** The platform's instant (for `setAlarm`) of `atMs` on `clock`. */
export function alarmTimeOf(clock: Clock, atMs: number): number {
  return Date.now() + (atMs - clock.nowMs());
}

/** `clock`'s instant of a platform instant (what `getAlarm` returns). */
export function clockTimeOf(clock: Clock, platformMs: number): number {
  return platformMs + (clock.nowMs() - Date.now());
}
