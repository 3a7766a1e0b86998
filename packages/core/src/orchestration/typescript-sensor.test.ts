/**
 * Custom sensors (`sensors/*.ts`) evaluated by the trigger evaluator against a real project on
 * disk, a real SQLite state store and a real SQLite run queue: the cursor is kept across
 * evaluations and restarts, a request's dedupe key makes the queue refuse a second run for the
 * same occasion, and a sensor that throws, times out or returns nonsense is recorded as failed
 * while the others are evaluated in the same pass. `evaluate` runs in the worker thread built in
 * `dist/` (run `npx tsc -b packages/core` first).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorEvaluatedEvent, SensorFailedEvent } from '../events/trigger-events.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { loadProject } from '../project/load-project.js';
import type { Project } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openSqliteJobQueue } from '../queue/sqlite/open-sqlite-job-queue.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { ManualClock } from './clock.js';
import { newestSensorFailures, stillFailing } from './sensor-failures.js';
import { TriggerEvaluator } from './trigger-evaluator.js';

const FILES = {
  'weir.yaml': 'name: shop\n',
  'sources/shop.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
  'data/orders.csv': 'id,amount\n1,2\n',
  'models/orders.sql': 'select * from raw_orders\n',
  // Counts its evaluations in its cursor and asks for one run per count.
  'sensors/counter.ts': `
    import { defineSensor } from 'weir';

    export const counter = defineSensor({
      select: 'orders',
      interval: '10s',
      evaluate(ctx) {
        const count = ((ctx.cursor as number | null) ?? 0) + 1;
        ctx.log(\`count \${count}\`);
        return { cursor: count, runRequests: [{ dedupeKey: \`count-\${count}\`, reason: \`count \${count}, last run \${ctx.lastRunAt ?? 'never'}\` }] };
      },
    });
  `,
  // Moves its cursor without a dedupe key: the key is derived from the cursor it started from.
  'sensors/mover.ts': `
    import { defineSensor } from 'weir';

    export const mover = defineSensor({
      select: ['raw_orders+'],
      evaluate: (ctx) => ({ cursor: ((ctx.cursor as number | null) ?? 0) + 1, runRequests: true }),
    });
  `,
  'sensors/broken.ts': `
    import { defineSensor } from 'weir';

    export const broken = defineSensor({
      select: 'orders',
      evaluate() {
        throw new Error('the export API answered 503');
      },
    });
  `,
  'sensors/slow.ts': `
    import { defineSensor } from 'weir';

    export const slow = defineSensor({
      select: 'orders',
      timeoutSeconds: 0.5,
      evaluate: () => new Promise(() => undefined),
    });
  `,
  'sensors/nonsense.ts': `
    import { defineSensor } from 'weir';

    export const nonsense = defineSensor({
      evaluate: () => ({ runRequests: [{ select: 'no_such_asset' }], cursor: 1 }) as never,
    });
  `,
};

describe('custom TypeScript sensors', () => {
  let root: string;
  let project: Project;
  const stores: StateStore[] = [];
  const lines: string[] = [];
  const open = async (): Promise<StateStore> => {
    const store = await openSqliteStateStore(path.join(root, '.weir', 'state.db'));
    stores.push(store);
    return store;
  };
  const evaluator = (store: StateStore, clock: ManualClock): TriggerEvaluator =>
    new TriggerEvaluator({ project, graph: buildAssetGraph(project), store, clock, log: (line) => lines.push(line) });
  const evaluated = (events: readonly { type: string }[], sensor: string): SensorEvaluatedEvent | undefined =>
    events.find((event): event is SensorEvaluatedEvent => event.type === 'sensor_evaluated' && (event as SensorEvaluatedEvent).sensor === sensor);
  const failed = (events: readonly { type: string }[], sensor: string): SensorFailedEvent | undefined =>
    events.find((event): event is SensorFailedEvent => event.type === 'sensor_failed' && (event as SensorFailedEvent).sensor === sensor);

  beforeAll(async () => {
    root = await writeTempProject(FILES);
    project = await loadProject(root, { env: {} });
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await removeTempProject(root);
  });

  it('loads each export as a sensor with its interval, timeout and selection', () => {
    const sensors = (project.sensors ?? []).map((sensor) => (sensor.type === 'typescript' ? [sensor.name, sensor.file, sensor.intervalSeconds, sensor.timeoutSeconds, sensor.selection?.select ?? null] : []));
    expect(sensors).toEqual([
      ['broken', 'sensors/broken.ts', 30, 30, ['orders']],
      ['counter', 'sensors/counter.ts', 10, 30, ['orders']],
      ['mover', 'sensors/mover.ts', 30, 30, ['raw_orders+']],
      ['nonsense', 'sensors/nonsense.ts', 30, 30, null],
      ['slow', 'sensors/slow.ts', 30, 0.5, ['orders']],
    ]);
  });

  it('keeps the cursor across evaluations and restarts; failures are recorded and do not stop the others', async () => {
    const store = await open();
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    const first = evaluator(store, clock);
    const one = await first.evaluate();

    // The counter and the mover decided; the others failed, each recorded with why and where.
    expect(one.requests.map((request) => [request.trigger, request.dedupeKey.startsWith(`${request.trigger}:`), request.selection])).toEqual([
      ['sensor:counter', true, { select: ['orders'], exclude: [] }],
      ['sensor:mover', true, { select: ['raw_orders+'], exclude: [] }],
    ]);
    expect(one.requests[0]).toMatchObject({ dedupeKey: 'sensor:counter:count-1', reason: 'sensor "counter": count 1, last run never' });
    expect(evaluated(one.events, 'counter')).toMatchObject({ cursor: { cursor: 1, lastRunAt: '2026-11-22T10:00:00.000Z' }, dedupeKey: 'sensor:counter:count-1' });
    expect(failed(one.events, 'broken')).toMatchObject({ message: 'sensor "broken" threw Error: the export API answered 503', file: 'sensors/broken.ts', line: 6 });
    expect(failed(one.events, 'slow')?.message).toBe('sensor "slow" did not finish within 0.5s (timeoutSeconds) and was stopped');
    expect(failed(one.events, 'nonsense')?.message).toMatch(/^SELECTION_INVALID|"no_such_asset"/);
    expect(lines).toContain('sensor:counter: count 1');
    await store.append(one.events);

    // Within the interval the counter is not evaluated again; after it, it carries on from 1.
    clock.advance(5_000);
    expect(evaluated((await first.evaluate()).events, 'counter')).toBeUndefined();
    clock.advance(5_000);
    const two = await first.evaluate();
    expect(two.requests.find((request) => request.trigger === 'sensor:counter')).toMatchObject({
      dedupeKey: 'sensor:counter:count-2',
      reason: 'sensor "counter": count 2, last run 2026-11-22T10:00:00.000Z',
    });
    await store.append(two.events);

    // A restarted server (a new store and evaluator) reads the stored cursor.
    const restarted = evaluator(await open(), clock);
    const three = await restarted.evaluate();
    expect(evaluated(three.events, 'counter')?.cursor).toEqual({ cursor: 3, lastRunAt: clock.now().toISOString() });

    // Failures keep no cursor and are in the log.
    const states = await store.triggerStates('sensor');
    expect(states.find((state) => state.name === 'broken')).toBeUndefined();
    expect((await store.events()).filter((event) => event.type === 'sensor_failed').map((event) => (event as unknown as SensorFailedEvent).sensor).sort()).toEqual(['broken', 'nonsense', 'slow']);
  });

  it('records a sensor failing the same way once per 10 minutes, not once per interval', async () => {
    const store = await open();
    const clock = new ManualClock('2026-11-24T10:00:00Z');
    const evaluation = evaluator(store, clock);
    const brokenFailures = async () => {
      const result = await evaluation.evaluate();
      return result.events.filter((event) => event.type === 'sensor_failed' && (event as SensorFailedEvent).sensor === 'broken').length;
    };
    expect(await brokenFailures()).toBe(1);
    // broken is due every 30 s: nine more evaluations over the next minutes record nothing new.
    const repeats = [];
    for (let minute = 0; minute < 9; minute++) {
      clock.advance(60_000);
      repeats.push(await brokenFailures());
    }
    expect(repeats).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    clock.advance(60_000);
    expect(await brokenFailures()).toBe(1);
    // Paused and resumed: the next failure is recorded at once, so the sensor shows failing again.
    clock.advance(60_000);
    await store.append([
      { type: 'trigger_paused', at: clock.now().toISOString(), trigger: 'sensor', name: 'broken', by: 'test' },
      { type: 'trigger_resumed', at: clock.now().toISOString(), trigger: 'sensor', name: 'broken', by: 'test' },
    ]);
    expect(await brokenFailures()).toBe(1);
  });

  it('stops showing a sensor as failing once it evaluates cleanly again, even when it only skips', async () => {
    const flakyRoot = await writeTempProject({
      'weir.yaml': 'name: flaky\n',
      'models/orders.sql': 'select 1 as id\n',
      'sensors/flaky.ts': `
        import { defineSensor } from 'weir';
        export const flaky = defineSensor({
          select: 'orders',
          evaluate(ctx) {
            if (ctx.env.WEIR_TEST_FLAKY_SENSOR !== 'up') throw new Error('the export API is down');
            return { skipReason: 'no new export' };
          },
        });
      `,
    });
    const store = await openSqliteStateStore(path.join(flakyRoot, '.weir', 'state.db'));
    try {
      const flakyProject = await loadProject(flakyRoot, { env: {} });
      const clock = new ManualClock('2026-11-25T10:00:00Z');
      const evaluation = new TriggerEvaluator({ project: flakyProject, graph: buildAssetGraph(flakyProject), store, clock, log: () => undefined });
      const failingNow = async () => stillFailing((await newestSensorFailures(store)).get('flaky'), (await store.triggerStates('sensor')).find((state) => state.name === 'flaky')?.updatedAt);
      await store.append((await evaluation.evaluate()).events);
      expect(await failingNow()).toBe(true);

      process.env.WEIR_TEST_FLAKY_SENSOR = 'up';
      clock.advance(60_000);
      const recovered = await evaluation.evaluate();
      expect(evaluated(recovered.events, 'flaky')).toMatchObject({ cursor: null, reason: 'evaluated without failing again' });
      await store.append(recovered.events);
      expect(await failingNow()).toBe(false);
      // Once recovered, a further clean skip records nothing.
      clock.advance(60_000);
      expect((await evaluation.evaluate()).events).toEqual([]);
    } finally {
      delete process.env.WEIR_TEST_FLAKY_SENSOR;
      await store.close();
      await removeTempProject(flakyRoot);
    }
  });

  it('asks for the same keys when evaluated again before recording, and the queue refuses the second run', async () => {
    const store = await open();
    const queue = await openSqliteJobQueue(path.join(root, '.weir', 'queue-dedupe.db'));
    try {
      const clock = new ManualClock('2026-11-23T10:00:00Z');
      // Two servers (or one restarted before recording) evaluate from the same stored cursor.
      const [a, b] = await Promise.all([evaluator(store, clock).evaluate(), evaluator(store, clock).evaluate()]);
      const keys = (requests: typeof a.requests) => requests.filter((request) => request.trigger === 'sensor:mover').map((request) => request.dedupeKey);
      expect(keys(a.requests)).toHaveLength(1);
      expect(keys(b.requests)).toEqual(keys(a.requests));
      const created = [];
      for (const request of [...a.requests, ...b.requests]) created.push((await queue.enqueue({ kind: 'run', payload: { trigger: request.trigger }, dedupeKey: request.dedupeKey })).created);
      expect(created).toEqual([true, true, false, false]);
    } finally {
      await queue.close();
    }
  });
});
