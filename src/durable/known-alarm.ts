/**
 * A Durable Object's alarm as the object itself last set, deleted or read
 * it, so a caller asking "when does it ring?" on every request need not
 * await `getAlarm` (issue 19: once per order add in the InventoryDO).
 *
 * Exact because only the object changes its alarm: a ringing alarm forgets
 * what was known (`rang`), a reset loses the instance and with it the
 * memory, and a read that raced a change is not kept (each change moves a
 * counter on). Times are kept on the platform's clock and turned into the
 * object's on every read (clock.ts: the test clock moves against it).
 */
import { alarmTimeOf, clockTimeOf, type Clock } from "../clock";

export class KnownAlarm {
  /** The platform time (null: no alarm; undefined: not known, read it). */
  private known: number | null | undefined = undefined;
  private changes = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly clock: Clock,
  ) {}

  /** When the alarm rings, on the object's clock; null when none is set. */
  async at(): Promise<number | null> {
    let platformMs = this.known;
    if (platformMs === undefined) {
      const changes = this.changes;
      platformMs = await this.storage.getAlarm();
      if (changes === this.changes) this.known = platformMs;
    }
    return platformMs === null ? null : clockTimeOf(this.clock, platformMs);
  }

  async set(atMs: number): Promise<void> {
    const platformMs = alarmTimeOf(this.clock, atMs);
    const changes = this.forget();
    await this.storage.setAlarm(platformMs);
    if (changes === this.changes) this.known = platformMs;
  }

  async delete(): Promise<void> {
    const changes = this.forget();
    await this.storage.deleteAlarm();
    if (changes === this.changes) this.known = null;
  }

  /** The alarm is ringing: the platform no longer holds what was known. */
  rang(): void {
    this.forget();
  }

  /** Returns the change's number: what it learns is kept only if no other change came after. */
  private forget(): number {
    this.known = undefined;
    return ++this.changes;
  }
}
