/**
 * When schedules fire: exact UTC instants over several days around daylight-saving changes
 * (Europe/Berlin and America/New_York, spring forward and fall back), the missed-tick policies,
 * and the local-time display. Pure and clock-driven: no waiting.
 */
import { describe, expect, it } from 'vitest';
import { dueScheduleTicks, formatInZone, nextFireTimes, scheduleRunRequest, type ScheduleTiming } from './schedule-ticks.js';

const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());
const at = (text: string): Date => new Date(text);

/** Every tick in (from, to], by asking for the due ticks with no bound, as a long catch-up would. */
function ticks(cron: string, timezone: string, from: string, to: string): string[] {
  return iso(dueScheduleTicks({ cron, timezone, missed: 'catch_up', maxCatchUp: 10_000 }, at(from), at(to)));
}

describe('schedule ticks across daylight-saving changes', () => {
  it('Europe/Berlin spring forward (2026-03-29, 02:00 CET -> 03:00 CEST): a daily 02:30 fires at 03:30 CEST that day', () => {
    expect(ticks('30 2 * * *', 'Europe/Berlin', '2026-03-27T00:00:00Z', '2026-03-31T23:00:00Z')).toEqual([
      '2026-03-27T01:30:00.000Z', // 02:30 CET (+01:00)
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST, one hour after 02:30 CET would have been
      '2026-03-30T00:30:00.000Z', // 02:30 CEST (+02:00)
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(formatInZone(at('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29 03:30 +02:00');
  });

  it('Europe/Berlin spring forward: an hourly schedule has one tick fewer, and never two at one instant', () => {
    expect(ticks('0 * * * *', 'Europe/Berlin', '2026-03-28T22:30:00Z', '2026-03-29T03:00:00Z')).toEqual([
      '2026-03-28T23:00:00.000Z', // 00:00 CET
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST (02:00 did not exist)
      '2026-03-29T02:00:00.000Z', // 04:00 CEST
      '2026-03-29T03:00:00.000Z',
    ]);
  });

  it('Europe/Berlin fall back (2026-10-25, 03:00 CEST -> 02:00 CET): a daily 02:30 fires once, at the first 02:30', () => {
    expect(ticks('30 2 * * *', 'Europe/Berlin', '2026-10-23T00:00:00Z', '2026-10-27T23:00:00Z')).toEqual([
      '2026-10-23T00:30:00.000Z', // 02:30 CEST (+02:00)
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST); the second (01:30 UTC) does not fire
      '2026-10-26T01:30:00.000Z', // 02:30 CET (+01:00)
      '2026-10-27T01:30:00.000Z',
    ]);
    expect(formatInZone(at('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25 02:30 +02:00');
    expect(formatInZone(at('2026-10-26T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-26 02:30 +01:00');
  });

  it('Europe/Berlin fall back: a half-hourly schedule does not fire again in the repeated hour', () => {
    expect(ticks('*/30 * * * *', 'Europe/Berlin', '2026-10-24T23:45:00Z', '2026-10-25T02:30:00Z')).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      // 01:00 and 01:30 UTC are 02:00 and 02:30 CET: wall times already fired.
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('a schedule at midnight is unaffected by the change in the night', () => {
    expect(ticks('0 0 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', '2026-03-31T12:00:00Z')).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
  });

  it('America/New_York spring forward (2026-03-08, 02:00 EST -> 03:00 EDT) and fall back (2026-11-01, 02:00 EDT -> 01:00 EST)', () => {
    expect(ticks('30 2 * * *', 'America/New_York', '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST (-05:00)
      '2026-03-08T07:30:00.000Z', // 02:30 does not exist: 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT (-04:00)
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(ticks('30 1 * * *', 'America/New_York', '2026-10-30T12:00:00Z', '2026-11-03T12:00:00Z')).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT (-04:00)
      '2026-11-01T05:30:00.000Z', // the first 01:30 (EDT); the second (06:30 UTC, EST) does not fire
      '2026-11-02T06:30:00.000Z', // 01:30 EST (-05:00)
      '2026-11-03T06:30:00.000Z',
    ]);
    expect(formatInZone(at('2026-11-02T06:30:00Z'), 'America/New_York')).toBe('2026-11-02 01:30 -05:00');
  });

  it('six fields fire on seconds, and UTC never shifts', () => {
    expect(ticks('*/20 * * * * *', 'UTC', '2026-03-29T00:59:30Z', '2026-03-29T01:00:30Z')).toEqual([
      '2026-03-29T00:59:40.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:00:20.000Z',
    ]);
    expect(formatInZone(at('2026-03-29T01:00:20Z'), 'UTC')).toBe('2026-03-29 01:00:20 +00:00');
  });
});

describe('missed ticks', () => {
  const daily = (missed: 'skip' | 'catch_up', maxCatchUp = 3): ScheduleTiming => ({ cron: '0 2 * * *', timezone: 'UTC', missed, maxCatchUp });
  const lastTick = at('2026-01-01T02:00:00Z');

  it('on time, either policy runs exactly the one tick, including a tick at exactly now', () => {
    for (const missed of ['skip', 'catch_up'] as const) {
      expect(iso(dueScheduleTicks(daily(missed), lastTick, at('2026-01-02T02:00:00Z')))).toEqual(['2026-01-02T02:00:00.000Z']);
      expect(iso(dueScheduleTicks(daily(missed), lastTick, at('2026-01-02T01:59:59.999Z')))).toEqual([]);
    }
  });

  it('skip runs only the newest missed tick', () => {
    expect(iso(dueScheduleTicks(daily('skip'), lastTick, at('2026-01-06T12:00:00Z')))).toEqual(['2026-01-06T02:00:00.000Z']);
  });

  it('catch_up runs every missed tick oldest first, up to max_catch_up (the newest ones)', () => {
    expect(iso(dueScheduleTicks(daily('catch_up', 10), lastTick, at('2026-01-04T12:00:00Z')))).toEqual([
      '2026-01-02T02:00:00.000Z',
      '2026-01-03T02:00:00.000Z',
      '2026-01-04T02:00:00.000Z',
    ]);
    expect(iso(dueScheduleTicks(daily('catch_up', 3), lastTick, at('2026-01-11T12:00:00Z')))).toEqual([
      '2026-01-09T02:00:00.000Z',
      '2026-01-10T02:00:00.000Z',
      '2026-01-11T02:00:00.000Z',
    ]);
  });

  it('a long outage of a dense schedule is not enumerated tick by tick, and still finds the newest ticks', () => {
    const everySecond: ScheduleTiming = { cron: '* * * * * *', timezone: 'Europe/Berlin', missed: 'catch_up', maxCatchUp: 2 };
    expect(iso(dueScheduleTicks(everySecond, at('2025-01-01T00:00:00Z'), at('2026-03-29T01:00:00.500Z')))).toEqual([
      '2026-03-29T00:59:59.000Z',
      '2026-03-29T01:00:00.000Z',
    ]);
    const yearly: ScheduleTiming = { cron: '0 0 1 1 *', timezone: 'UTC', missed: 'skip', maxCatchUp: 1 };
    expect(iso(dueScheduleTicks(yearly, at('2020-06-01T00:00:00Z'), at('2026-03-29T00:00:00Z')))).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('nothing is due before the schedule started counting, or when the clock went backwards', () => {
    expect(dueScheduleTicks(daily('catch_up'), undefined, at('2026-01-06T12:00:00Z'))).toEqual([]);
    expect(dueScheduleTicks(daily('catch_up'), at('2026-01-06T12:00:00Z'), at('2026-01-05T12:00:00Z'))).toEqual([]);
  });
});

describe('fire times and run requests', () => {
  it('next fire times are strictly after the instant, in order', () => {
    expect(iso(nextFireTimes({ cron: '0 2 * * *', timezone: 'Europe/Berlin' }, at('2026-03-28T01:00:00Z'), 3))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
  });

  it('a tick yields a request whose dedupe key names the schedule and the instant', () => {
    const schedule = { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin', selection: { select: ['orders+', 'tag:finance'], exclude: [] } };
    const request = scheduleRunRequest(schedule, at('2026-03-29T01:00:00Z'));
    expect(request).toEqual({
      trigger: 'schedule:nightly',
      dedupeKey: 'schedule:nightly:2026-03-29T01:00:00.000Z',
      selection: { select: ['orders+', 'tag:finance'], exclude: [] },
      reason: 'schedule "nightly" (cron "0 2 * * *" in Europe/Berlin): tick of 2026-03-29 03:00 +02:00',
      scheduledFor: '2026-03-29T01:00:00.000Z',
    });
    expect(scheduleRunRequest(schedule, at('2026-03-29T01:00:00Z')).dedupeKey).toBe(request.dedupeKey);
  });
});
