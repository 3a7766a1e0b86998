/**
 * The part of the state store conformance suite about schedules and sensors: the trigger state
 * projection (`trigger_states`) folded from `schedule_started`, `schedule_ticked`,
 * `sensor_evaluated`, `trigger_paused` and `trigger_resumed`, its survival across reopening, and
 * `lastEventId`. Registered by `describeStateStoreConformance`.
 */
import { expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';

/** What the cases need from the suite: a store on a fresh database, and another store on the same one. */
export interface TriggerCasesContext {
  fresh(): Promise<StateStore>;
  /** A new store on the database of the last `fresh()`, as a restarted process opens it. */
  reopen(): Promise<StateStore>;
}

const base = Date.UTC(2026, 2, 28);
/** The n-th minute of the cases' day, as events write it. */
const t = (n: number): string => new Date(base + n * 60_000).toISOString();

/**
 * Registers the trigger state cases inside the caller's `describe`.
 *
 * @example
 * ```ts
 * describe('schedules and sensors', () => triggerCases({ fresh, reopen }));
 * ```
 */
export function triggerCases(context: TriggerCasesContext): void {
  it('folds schedule and sensor events into one row per trigger, each event changing only its columns', async () => {
    const store = await context.fresh();
    expect(await store.triggerStates()).toEqual([]);
    expect(await store.lastEventId()).toBe(0);
    await store.append([
      { type: 'schedule_started', at: t(0), schedule: 'nightly' },
      { type: 'schedule_ticked', at: t(1), schedule: 'nightly', tick: '2026-03-28T02:00:00+01:00', dedupeKey: 'schedule:nightly:2026-03-28T01:00:00.000Z' },
      { type: 'sensor_evaluated', at: t(2), sensor: 'landing', cursor: { files: { 'a.csv': [10, 1700000000000] } }, dedupeKey: 'k1', reason: 'new: a.csv' },
      { type: 'trigger_paused', at: t(3), trigger: 'schedule', name: 'nightly', by: 'ann' },
    ]);
    const [nightly, landing] = await store.triggerStates();
    expect(nightly).toEqual({
      trigger: 'schedule',
      name: 'nightly',
      paused: true,
      since: t(0),
      lastTick: '2026-03-28T01:00:00.000Z',
      cursor: null,
      updatedAt: t(3),
      eventId: 4,
    });
    expect(landing).toEqual({
      trigger: 'sensor',
      name: 'landing',
      paused: null,
      since: null,
      lastTick: null,
      cursor: { files: { 'a.csv': [10, 1700000000000] } },
      updatedAt: t(2),
      eventId: 3,
    });
    expect(await store.lastEventId()).toBe(4);

    // Resuming clears the pause and restarts the count of ticks; the last tick stays.
    await store.append([
      { type: 'trigger_resumed', at: t(5), trigger: 'schedule', name: 'nightly', by: 'ann' },
      { type: 'sensor_evaluated', at: t(6), sensor: 'landing', cursor: { files: {} } },
      { type: 'trigger_paused', at: t(7), trigger: 'sensor', name: 'landing', by: 'bob' },
    ]);
    expect(await store.triggerStates('schedule')).toEqual([{ ...nightly, paused: false, since: t(5), updatedAt: t(5), eventId: 5 }]);
    expect(await store.triggerStates('sensor')).toEqual([{ ...landing, paused: true, cursor: { files: {} }, updatedAt: t(7), eventId: 7 }]);
    // The events stay in the log as they were appended.
    expect((await store.events({ afterId: 4 })).map((event) => event.type)).toEqual(['trigger_resumed', 'sensor_evaluated', 'trigger_paused']);
  });

  it('a schedule and a sensor may share nothing but the name: they are different rows', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'trigger_paused', at: t(0), trigger: 'schedule', name: 'x', by: 'ann' },
      { type: 'sensor_evaluated', at: t(1), sensor: 'x', cursor: 7 },
    ]);
    expect((await store.triggerStates()).map((state) => [state.trigger, state.name, state.paused, state.cursor])).toEqual([
      ['schedule', 'x', true, null],
      ['sensor', 'x', null, 7],
    ]);
  });

  it('keeps a failed sensor evaluation in the log without touching its cursor', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'sensor_evaluated', at: t(0), sensor: 'export_ready', cursor: { cursor: 'e-41' } },
      { type: 'sensor_failed', at: t(1), sensor: 'export_ready', message: 'sensor "export_ready" threw Error: 503', file: 'sensors/export_ready.ts', line: 9 },
    ]);
    expect((await store.triggerStates('sensor')).map((state) => [state.name, state.cursor, state.updatedAt, state.eventId])).toEqual([['export_ready', { cursor: 'e-41' }, t(0), 1]]);
    expect((await store.events()).at(-1)).toMatchObject({ type: 'sensor_failed', sensor: 'export_ready', file: 'sensors/export_ready.ts', line: 9 });
  });

  it('reads events of one type, newest first, as the API reads the last failure of each sensor', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'sensor_failed', at: t(0), sensor: 'a', message: 'first' },
      { type: 'sensor_evaluated', at: t(1), sensor: 'a', cursor: 1 },
      { type: 'sensor_failed', at: t(2), sensor: 'b', message: 'second' },
      { type: 'sensor_failed', at: t(3), sensor: 'a', message: 'third' },
    ]);
    const newest = await store.events({ type: 'sensor_failed', newestFirst: true, limit: 2 });
    expect(newest.map((event) => [event.id, event.type === 'sensor_failed' ? event.message : event.type])).toEqual([
      [4, 'third'],
      [3, 'second'],
    ]);
    expect((await store.events({ type: 'sensor_failed' })).map((event) => event.id)).toEqual([1, 3, 4]);
    expect(await store.events({ type: 'no_such_type' })).toEqual([]);
  });

  it('trigger state survives reopening the store', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'schedule_ticked', at: t(0), schedule: 'nightly', tick: t(0), dedupeKey: `schedule:nightly:${t(0)}` },
      { type: 'sensor_evaluated', at: t(0), sensor: 'landing', cursor: { seen: ['b.csv'] } },
    ]);
    await store.close();
    const reopened = await context.reopen();
    expect((await reopened.triggerStates()).map((state) => [state.name, state.lastTick, state.cursor])).toEqual([
      ['nightly', t(0), null],
      ['landing', null, { seen: ['b.csv'] }],
    ]);
    expect(await reopened.lastEventId()).toBe(2);
  });

  it('refuses malformed trigger events before writing anything', async () => {
    const store = await context.fresh();
    const bad: unknown[] = [
      { type: 'schedule_ticked', at: t(0), schedule: 'nightly', tick: 'not a time', dedupeKey: 'k' },
      { type: 'trigger_paused', at: t(0), trigger: 'job', name: 'x', by: 'ann' },
      { type: 'sensor_evaluated', at: t(0), sensor: 'landing' },
      { type: 'sensor_failed', at: t(0), sensor: '' },
      { type: 'schedule_started', at: t(0), schedule: '' },
    ];
    for (const event of bad) {
      await expect(store.append([event as WeirEvent])).rejects.toMatchObject({ code: 'INTERNAL' });
    }
    expect(await store.events()).toEqual([]);
    expect(await store.triggerStates()).toEqual([]);
  });
}
