/**
 * The evaluator `weir serve` calls in its loop, against real state stores (SQLite and the local
 * PostgreSQL) and real projects on disk, driven by a manual clock: schedules fire once per tick
 * (also after a restart from the stored state), paused triggers do not fire, missed ticks follow
 * the policy, and the file, asset_published and freshness sensors decide from real files and
 * real events.
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { loadProject } from '../project/load-project.js';
import type { Project } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openPostgresStateStore } from '../storage/postgres/open-postgres-state-store.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { ManualClock } from './clock.js';
import { setTriggerPaused } from './pause-trigger.js';
import { TriggerEvaluator } from './trigger-evaluator.js';
import { listTriggers } from './trigger-listing.js';

const WEIR_YAML = `name: shop
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Europe/Berlin
    select: [orders+]
  - name: hourly
    cron: "0 * * * *"
    select: revenue
    missed: catch_up
    max_catch_up: 3
  - name: held
    cron: "*/5 * * * *"
    select: orders
    paused: true
sensors:
  - name: landing
    type: file
    path: data/landing/*.csv
    select: [raw_orders+]
    interval_seconds: 1
  - name: after_orders
    type: asset_published
    assets: [orders]
    interval_seconds: 1
  - name: keep_revenue_fresh
    type: freshness
    asset: revenue
    max_age: 1h
    interval_seconds: 1
`;

const FILES = {
  'weir.yaml': WEIR_YAML,
  'sources/shop.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
  'data/orders.csv': 'id,amount\n1,2\n',
  'models/orders.sql': 'select * from raw_orders\n',
  'models/revenue.sql': 'select sum(amount) as total from orders\n',
};

/** How a case gets stores: each `open()` is a new store on the same database, as a restarted process opens it. */
interface StoreFactory {
  open(): Promise<StateStore>;
  drop(): Promise<void>;
}

function evaluatorCases(name: string, newDatabase: () => Promise<StoreFactory>): void {
  describe(`trigger evaluation on ${name}`, () => {
    let root: string;
    let project: Project;
    let factory: StoreFactory;
    const stores: StateStore[] = [];
    const open = async (): Promise<StateStore> => {
      const store = await factory.open();
      stores.push(store);
      return store;
    };
    const evaluator = (store: StateStore, clock: ManualClock): TriggerEvaluator =>
      new TriggerEvaluator({ project, graph: buildAssetGraph(project), store, clock });
    /** Evaluates and records, as serve does once the requests are queued. */
    const pass = async (engine: TriggerEvaluator, store: StateStore) => {
      const evaluation = await engine.evaluate();
      await store.append(evaluation.events);
      return evaluation.requests;
    };

    beforeAll(async () => {
      root = await writeTempProject(FILES);
      project = await loadProject(root, { env: {} });
    });
    afterAll(async () => {
      await removeTempProject(root);
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await factory.drop();
    });
    const fresh = async (): Promise<StateStore> => {
      factory = await newDatabase();
      return open();
    };

    it('a schedule starts counting when first seen, fires once per tick, and not again after a restart', async () => {
      const store = await fresh();
      const clock = new ManualClock('2026-03-28T12:00:00Z');
      const first = evaluator(store, clock);
      // First look: nothing fires for the past; the start is recorded.
      const start = await first.evaluate();
      expect(start.requests.filter((request) => request.trigger.startsWith('schedule:'))).toEqual([]);
      expect(start.events.filter((event) => event.type === 'schedule_started').map((event) => (event as { schedule: string }).schedule)).toEqual(['nightly', 'hourly']);
      await store.append(start.events);

      // 03:00 CEST on the spring-forward day (02:00 CET does not exist).
      clock.set('2026-03-29T01:00:00Z');
      const one = await first.evaluate();
      const two = await first.evaluate();
      const nightly = one.requests.find((request) => request.trigger === 'schedule:nightly');
      expect(nightly).toMatchObject({ dedupeKey: 'schedule:nightly:2026-03-29T01:00:00.000Z', selection: { select: ['orders+'], exclude: [] }, scheduledFor: '2026-03-29T01:00:00.000Z' });
      // Evaluated twice before it was recorded: the same keys, which the queue refuses the second time.
      const scheduleKeys = (requests: typeof one.requests) => requests.filter((request) => request.trigger.startsWith('schedule:')).map((request) => request.dedupeKey);
      expect(scheduleKeys(two.requests)).toEqual(scheduleKeys(one.requests));
      // So does a process that restarts before recording them, reading the stored state afresh.
      const beforeRecord = evaluator(await open(), clock);
      expect(scheduleKeys((await beforeRecord.evaluate()).requests)).toEqual(scheduleKeys(one.requests));
      await store.append(one.events);
      expect((await first.evaluate()).requests.filter((request) => request.trigger.startsWith('schedule:'))).toEqual([]);

      // A restart: a new store and a new evaluator read the stored state and find nothing due.
      const reopened = await open();
      const restarted = evaluator(reopened, clock);
      clock.advance(30_000);
      expect((await restarted.evaluate()).requests.filter((request) => request.trigger.startsWith('schedule:'))).toEqual([]);
      const states = await reopened.triggerStates('schedule');
      expect(states.find((state) => state.name === 'nightly')?.lastTick).toBe('2026-03-29T01:00:00.000Z');

      clock.set('2026-03-30T00:00:00Z'); // 02:00 CEST
      expect((await pass(restarted, reopened)).map((request) => request.dedupeKey)).toContain('schedule:nightly:2026-03-30T00:00:00.000Z');
    });

    it('missed ticks: skip runs the newest, catch_up the newest max_catch_up oldest first', async () => {
      const store = await fresh();
      const clock = new ManualClock('2026-01-05T09:30:00Z');
      const engine = evaluator(store, clock);
      await pass(engine, store);
      // Down from 09:30 to 17:10 (seven hourly ticks, no nightly one).
      clock.set('2026-01-05T17:10:00Z');
      const hourly = (await pass(engine, store)).filter((request) => request.trigger === 'schedule:hourly');
      expect(hourly.map((request) => request.scheduledFor)).toEqual(['2026-01-05T15:00:00.000Z', '2026-01-05T16:00:00.000Z', '2026-01-05T17:00:00.000Z']);
      // Down for three nights: skip runs only the last night.
      clock.set('2026-01-08T12:00:00Z');
      const nightly = (await pass(engine, store)).filter((request) => request.trigger === 'schedule:nightly');
      expect(nightly.map((request) => request.scheduledFor)).toEqual(['2026-01-08T01:00:00.000Z']);
    });

    it('paused schedules do not fire; resume counts from the resume, pause by command overrides weir.yaml', async () => {
      const store = await fresh();
      const clock = new ManualClock('2026-01-05T10:01:00Z');
      const engine = evaluator(store, clock);
      await pass(engine, store);
      clock.set('2026-01-05T10:21:00Z');
      const fired = (await pass(engine, store)).map((request) => request.trigger);
      expect(fired).not.toContain('schedule:held'); // paused: true in weir.yaml

      await expect(setTriggerPaused(project, store, 'held', true, { by: 'ann', now: clock.now() })).resolves.toMatchObject({ changed: false });
      await setTriggerPaused(project, store, 'held', false, { by: 'ann', now: clock.now() });
      // Resuming again changes nothing (it would restart the count).
      await expect(setTriggerPaused(project, store, 'held', false, { by: 'ann', now: clock.now() })).resolves.toMatchObject({ changed: false });
      clock.set('2026-01-05T10:26:00Z');
      // Only the tick after the resume: 10:05 ... 10:20 passed while paused and are not caught up.
      expect((await pass(engine, store)).filter((request) => request.trigger === 'schedule:held').map((request) => request.scheduledFor)).toEqual(['2026-01-05T10:25:00.000Z']);

      await setTriggerPaused(project, store, 'nightly', true, { by: 'bob', now: clock.now() });
      clock.set('2026-01-06T03:00:00Z');
      expect((await pass(engine, store)).map((request) => request.trigger)).not.toContain('schedule:nightly');
      const listed = listTriggers(project, await store.triggerStates(), clock.now());
      expect(listed.schedules.map((schedule) => [schedule.name, schedule.paused, schedule.pausedBy])).toEqual([
        ['nightly', true, 'command'],
        ['hourly', false, 'weir.yaml'],
        ['held', false, 'command'],
      ]);
      await expect(setTriggerPaused(project, store, 'nigthly', true, { by: 'bob', now: clock.now() })).rejects.toMatchObject({ code: 'USAGE', hint: 'did you mean "nightly"?' });
    });

    it('file sensor: new, changed size, changed mtime, unchanged and deleted files; its cursor survives reopening', async () => {
      const store = await fresh();
      const landing = path.join(root, 'data', 'landing');
      rmSync(landing, { recursive: true, force: true });
      mkdirSync(landing, { recursive: true });
      const clock = new ManualClock('2026-01-05T10:00:00Z');
      const sensorRequests = async (engine: TriggerEvaluator, target: StateStore) => {
        clock.advance(1_000);
        return (await pass(engine, target)).filter((request) => request.trigger === 'sensor:landing');
      };
      const engine = evaluator(store, clock);
      expect(await sensorRequests(engine, store)).toEqual([]); // empty folder

      writeFileSync(path.join(landing, 'a.csv'), 'id\n1\n');
      writeFileSync(path.join(landing, 'ignored.txt'), 'not matched');
      const [arrived] = await sensorRequests(engine, store);
      expect(arrived).toMatchObject({ selection: { select: ['raw_orders+'], exclude: [] }, reason: expect.stringContaining('1 new file(s): data/landing/a.csv') });
      expect(await sensorRequests(engine, store)).toEqual([]); // unchanged

      // A restarted process reads the cursor back: nothing new.
      const reopened = await open();
      const restarted = evaluator(reopened, clock);
      expect(await sensorRequests(restarted, reopened)).toEqual([]);

      writeFileSync(path.join(landing, 'a.csv'), 'id\n1\n2\n'); // bigger
      writeFileSync(path.join(landing, 'b.csv'), 'id\n3\n');
      const [more] = await sensorRequests(restarted, reopened);
      expect(more?.reason).toContain('1 new and 1 changed file(s): data/landing/b.csv, data/landing/a.csv');
      expect(more?.dedupeKey).not.toBe(arrived?.dedupeKey);

      utimesSync(path.join(landing, 'b.csv'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z')); // same size, new mtime
      const [touched] = await sensorRequests(restarted, reopened);
      expect(touched?.reason).toContain('1 changed file(s): data/landing/b.csv');

      rmSync(path.join(landing, 'a.csv'));
      const before = (await reopened.triggerStates('sensor')).find((state) => state.name === 'landing');
      expect(await sensorRequests(restarted, reopened)).toEqual([]);
      const after = (await reopened.triggerStates('sensor')).find((state) => state.name === 'landing');
      expect(Object.keys((after?.cursor as { files: object }).files)).toEqual(['data/landing/b.csv']);
      expect(after?.eventId).toBeGreaterThan(before?.eventId ?? Infinity);
      rmSync(landing, { recursive: true, force: true });
    });

    it('asset_published: publications after the cursor, of watched assets in this environment, ask for one run downstream', async () => {
      const store = await fresh();
      const clock = new ManualClock('2026-01-05T10:00:00Z');
      const engine = evaluator(store, clock);
      const published = (asset: string, version: string, environment = 'prod'): WeirEvent => ({
        type: 'asset_published', at: clock.now().toISOString(), runId: 'r1', environment, asset, version, previousVersion: null, reason: 'build',
      });
      await store.append([published('orders', 'v0')]); // before the sensor existed
      const sensor = async () => {
        clock.advance(1_000);
        return (await pass(engine, store)).filter((request) => request.trigger === 'sensor:after_orders');
      };
      expect(await sensor()).toEqual([]); // first look starts at the end of the log

      await store.append([published('orders', 'v1'), published('revenue', 'r1'), published('orders', 'v9', 'dev')]);
      await store.append([published('orders', 'v2')]);
      const requests = await sensor();
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({
        selection: { select: ['orders+'], exclude: ['orders'] },
        reason: 'sensor "after_orders": published in prod: orders (version v1), orders (version v2)',
      });
      const key = requests[0]!.dedupeKey;
      expect(await sensor()).toEqual([]);
      await store.append([published('revenue', 'r2')]);
      expect(await sensor()).toEqual([]); // not watched
      await store.append([published('orders', 'v3')]);
      const [next] = await sensor();
      expect(next?.dedupeKey).not.toBe(key);
    });

    it('freshness: due when the newest publication is older than max_age, asked once per period, reset by a publication', async () => {
      const store = await fresh();
      const clock = new ManualClock('2026-01-05T10:00:00Z');
      const engine = evaluator(store, clock);
      const sensor = async (record = true) => {
        clock.advance(1_000);
        const evaluation = await engine.evaluate();
        if (record) await store.append(evaluation.events);
        return evaluation.requests.filter((request) => request.trigger === 'sensor:keep_revenue_fresh');
      };
      const [never] = await sensor(); // never published: due
      expect(never).toMatchObject({ selection: { select: ['+revenue'], exclude: [] }, reason: expect.stringContaining('"revenue" was never published') });

      await store.append([{ type: 'asset_published', at: '2026-01-05T10:00:05.000Z', runId: 'r', environment: 'prod', asset: 'revenue', version: 'v1', previousVersion: null, reason: 'build' }]);
      expect(await sensor()).toEqual([]);
      clock.set('2026-01-05T11:00:04Z');
      expect(await sensor()).toEqual([]); // evaluated at 11:00:05, exactly max_age old: not older
      clock.set('2026-01-05T11:10:00Z');
      const unrecorded = await sensor(false);
      const [stale] = await sensor();
      expect(stale?.dedupeKey).toBe(unrecorded[0]?.dedupeKey);
      // Evaluated at 11:10:01 and 11:10:02 against a publication at 10:00:05.
      expect(stale?.reason).toContain('"revenue" was last published 1h 9m ago (2026-01-05T10:00:05.000Z), max_age is 1h');
      // A run in flight: no new request every second of the same period.
      expect(await sensor()).toEqual([]);
      clock.set('2026-01-05T12:10:00Z');
      const [again] = await sensor();
      expect(again?.dedupeKey).not.toBe(stale?.dedupeKey);
    });
  });
}

const sqliteFolders: string[] = [];
afterAll(() => sqliteFolders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

evaluatorCases('SQLite', async () => {
  const folder = await writeTempProject({});
  sqliteFolders.push(folder);
  const file = path.join(folder, 'state.db');
  return { open: () => openSqliteStateStore(file), drop: async () => undefined };
});

await describeWithService(postgresService, 'trigger evaluation on PostgreSQL', () => {
  // One database for the suite, one schema per case: creating a database costs far more.
  let database: TestDatabase | undefined;
  let schemas = 0;
  afterAll(async () => {
    await database?.drop();
  });
  evaluatorCases('PostgreSQL', async () => {
    database ??= await createTestDatabase('weir_triggers');
    const url = database.url;
    const schema = `triggers_${++schemas}`;
    return { open: () => openPostgresStateStore(url, { schema }), drop: async () => undefined };
  });
});
