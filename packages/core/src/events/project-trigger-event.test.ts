/** What each schedule and sensor event changes in the trigger state projection, and what is refused. */
import { describe, expect, it } from 'vitest';
import { projectEvent } from './project-event.js';
import type { WeirEvent } from './weir-event.js';

const at = '2026-03-29T01:00:00+00:00';
const normalised = '2026-03-29T01:00:00.000Z';

describe('projectEvent for schedule and sensor events', () => {
  it('each event writes only its own columns of one trigger row', () => {
    const cases: Array<[WeirEvent, object]> = [
      [{ type: 'schedule_started', at, schedule: 'nightly' }, { trigger: 'schedule', name: 'nightly', set: { since: normalised } }],
      [
        { type: 'schedule_ticked', at, schedule: 'nightly', tick: '2026-03-29T03:00:00+02:00', dedupeKey: 'k' },
        { trigger: 'schedule', name: 'nightly', set: { lastTick: normalised } },
      ],
      [{ type: 'sensor_evaluated', at, sensor: 'landing', cursor: { files: {} } }, { trigger: 'sensor', name: 'landing', set: { cursor: { files: {} } } }],
      [{ type: 'trigger_paused', at, trigger: 'sensor', name: 'landing', by: 'ann' }, { trigger: 'sensor', name: 'landing', set: { paused: true } }],
      [{ type: 'trigger_resumed', at, trigger: 'schedule', name: 'nightly', by: 'ann' }, { trigger: 'schedule', name: 'nightly', set: { paused: false, since: normalised } }],
    ];
    for (const [event, write] of cases) {
      expect(projectEvent(event)).toEqual([{ kind: 'upsert_trigger_state', updatedAt: normalised, ...write }]);
    }
  });

  it('refuses events that would write a nameless row, an unreadable tick, a missing cursor or an unknown kind', () => {
    const bad: unknown[] = [
      { type: 'schedule_started', at, schedule: '' },
      { type: 'schedule_ticked', at, schedule: 'nightly', tick: 'yesterday', dedupeKey: 'k' },
      { type: 'sensor_evaluated', at, sensor: 'landing' },
      { type: 'trigger_paused', at, trigger: 'job', name: 'x', by: 'ann' },
    ];
    for (const event of bad) expect(() => projectEvent(event as WeirEvent)).toThrow(TypeError);
  });
});
