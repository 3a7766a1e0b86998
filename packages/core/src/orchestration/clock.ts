/**
 * The time as the scheduler sees it. Everything in `orchestration/` takes a clock (or an instant
 * read from one) instead of calling `Date.now()`, so tests drive days of schedules in
 * milliseconds and `weir serve` passes the system clock.
 */

/** Where "now" comes from. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that moves only when told to: for tests, and for replaying decisions.
 *
 * @example
 * ```ts
 * const clock = new ManualClock('2026-03-29T00:00:00Z');
 * clock.advance(90 * 60_000);
 * clock.now().toISOString(); // '2026-03-29T01:30:00.000Z'
 * ```
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new TypeError(`ManualClock needs a valid start time, got ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves to `instant` (backwards too: a clock stepped back by NTP is a case worth testing). */
  set(instant: Date | string): void {
    const time = new Date(instant).getTime();
    if (Number.isNaN(time)) throw new TypeError(`ManualClock.set needs a valid time, got ${String(instant)}`);
    this.current = time;
  }

  /** Moves forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
}
