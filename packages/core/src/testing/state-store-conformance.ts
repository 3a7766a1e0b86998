/**
 * The conformance suite every {@link StateStore} must pass, against a real database: projections
 * of whole runs, retries, skips, blocked versions, rollback, pins, drops, the raw log, run-id
 * prefixes, group commit, batches that fail alone, reopening, two stores on one database, and
 * (in `state-store-conformance-metrics.ts`) metric series, SPC rebaselines and quarantine events.
 *
 * Group commit is verified through one test hook the store must expose: `appendStats()` returning
 * at least `{ transactions }`, the number of append transactions it committed. The contract the
 * suite checks: appends issued in the same tick share one transaction; a caller whose events
 * cannot be written is rejected and none of its events are kept, while the other callers of that
 * transaction commit.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent, WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';
import { metricCases } from './state-store-conformance-metrics.js';
import { partitionCases } from './state-store-conformance-partitions.js';
import { triggerCases } from './state-store-conformance-triggers.js';
import { apiTokenCases } from './state-store-conformance-api-tokens.js';
import { feedbackCases } from './state-store-conformance-feedback.js';

/** A store with the test hook the suite reads. */
export type ConformingStateStore = StateStore & { appendStats(): { transactions: number } };

/** One empty database; every `open()` is a new store on it with its own connections. */
export interface StateDatabase {
  open(): Promise<ConformingStateStore>;
}

/** How the suite gets databases. Called once per test, so tests never see each other's state. */
export interface StateStoreHarness {
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  emptyDatabase(): Promise<StateDatabase>;
}

const base = Date.UTC(2025, 0, 1);
/** The n-th second of the suite's day, as events write it. */
const t = (n: number): string => new Date(base + n * 1000).toISOString();

function runStarted(runId: string, at: number, extra: Partial<WeirEvent & { type: 'run_started' }> = {}): WeirEvent {
  return {
    type: 'run_started',
    at: t(at),
    runId,
    environment: 'prod',
    pid: 4242,
    host: 'box',
    command: 'run',
    selection: ['orders+'],
    exclusion: [],
    plannedAssets: ['orders', 'revenue'],
    ...extra,
  } as WeirEvent;
}

function materialized(runId: string, asset: string, version: string, at: number, rows: number | null = 10): WeirEvent {
  return {
    type: 'asset_materialized',
    at: t(at),
    runId,
    asset,
    version,
    physicalSchema: `weir_${asset}`,
    physicalName: `${asset}__${version}`,
    materialization: 'table',
    rows,
    durationMs: 30,
  };
}

function published(runId: string | null, asset: string, version: string, at: number, previousVersion: string | null = null): WeirEvent {
  return {
    type: 'asset_published',
    at: t(at),
    runId,
    environment: 'prod',
    asset,
    version,
    previousVersion,
    reason: runId === null ? 'rollback' : 'build',
  };
}

/** A run that builds and publishes `version` of `asset`, start to finish. */
function buildRun(runId: string, asset: string, version: string, at: number, previousVersion: string | null = null): WeirEvent[] {
  return [
    runStarted(runId, at, { selection: [asset], plannedAssets: [asset] }),
    { type: 'step_started', at: t(at + 1), runId, asset, version, attempt: 1 },
    materialized(runId, asset, version, at + 2),
    published(runId, asset, version, at + 3, previousVersion),
    { type: 'step_succeeded', at: t(at + 4), runId, asset, version, rows: 10, durationMs: 30, warnings: 0 },
    { type: 'run_finished', at: t(at + 5), runId, status: 'succeeded', summary: { succeeded: 1 } },
  ];
}

const emptyStep = { version: null, attempts: 0, startedAt: null, endedAt: null, rows: null, durationMs: null, skipReason: null, detail: null, error: null };

/**
 * Registers the conformance suite for one store.
 *
 * @example
 * ```ts
 * describeStateStoreConformance('sqlite', {
 *   async emptyDatabase() {
 *     const file = join(mkdtempSync(join(tmpdir(), 'weir-')), 'state.db');
 *     return { open: () => openSqliteStateStore(file) };
 *   },
 * });
 * ```
 */
export function describeStateStoreConformance(name: string, harness: StateStoreHarness): void {
  describe(`StateStore conformance: ${name}`, () => {
    const opened: StateStore[] = [];
    let database: StateDatabase;

    /** A store on this test's database; closed after the test. */
    async function open(): Promise<ConformingStateStore> {
      const store = await database.open();
      opened.push(store);
      return store;
    }

    /** A store on a fresh database. */
    async function fresh(): Promise<ConformingStateStore> {
      database = await harness.emptyDatabase();
      return open();
    }

    beforeAll(async () => {
      await harness.setup?.();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    afterAll(async () => {
      await harness.teardown?.();
    });

    it('projects a whole run: run, steps, versions, pointers and check results', async () => {
      const store = await fresh();
      const r = 'run-lifecycle';
      await store.append([runStarted(r, 0)]);
      expect(await store.run(r)).toEqual({
        runId: r,
        status: 'running',
        environment: 'prod',
        command: 'run',
        startedAt: t(0),
        endedAt: null,
        pid: 4242,
        host: 'box',
        retryOf: null,
        selection: ['orders+'],
        summary: {},
        detail: null,
      });

      await store.append([
        { type: 'step_started', at: t(1), runId: r, asset: 'orders', version: 'o1', attempt: 1 },
        { ...materialized(r, 'orders', 'o1', 2, 100), durationMs: 40 } as WeirEvent,
      ]);
      expect(await store.steps(r)).toEqual([
        { ...emptyStep, runId: r, asset: 'orders', status: 'running', version: 'o1', attempts: 1, startedAt: t(1), rows: 100, durationMs: 40 },
      ]);
      await store.append([
        { type: 'check_evaluated', at: t(3), runId: r, asset: 'orders', version: 'o1', check: 'not_null(id)', checkType: 'not_null', severity: 'error', passed: true, failingRows: 0, detail: 'no nulls' },
        { type: 'check_evaluated', at: t(4), runId: r, asset: 'orders', version: 'o1', check: 'row_count', checkType: 'row_count', severity: 'warn', passed: false, failingRows: null, detail: 'rows: 100 (expected >= 1000)', sample: [{ n: 100 }] },
        published(r, 'orders', 'o1', 5),
        { type: 'step_succeeded', at: t(6), runId: r, asset: 'orders', version: 'o1', rows: 100, durationMs: 50, warnings: 1 },
      ]);
      await store.append([
        { type: 'step_started', at: t(7), runId: r, asset: 'revenue', version: 'r1', attempt: 1 },
        { ...materialized(r, 'revenue', 'r1', 8, 0), materialization: 'incremental', basedOn: 'r0' } as WeirEvent,
        { type: 'check_evaluated', at: t(9), runId: r, asset: 'revenue', version: 'r1', check: 'rows > 0', checkType: 'row_count', severity: 'error', passed: false, failingRows: null, detail: 'rows: 0' },
        { type: 'asset_blocked', at: t(10), runId: r, asset: 'revenue', version: 'r1', failedChecks: ['rows > 0'] },
        { type: 'run_finished', at: t(11), runId: r, status: 'failed', summary: { succeeded: 1, blocked: 1 } },
      ]);

      expect(await store.run(r)).toMatchObject({ status: 'failed', endedAt: t(11), summary: { succeeded: 1, blocked: 1 }, detail: null });
      expect(await store.steps(r)).toEqual([
        { ...emptyStep, runId: r, asset: 'orders', status: 'succeeded', version: 'o1', attempts: 1, startedAt: t(1), endedAt: t(6), rows: 100, durationMs: 50 },
        { ...emptyStep, runId: r, asset: 'revenue', status: 'blocked', version: 'r1', attempts: 1, startedAt: t(7), endedAt: t(10), rows: 0, durationMs: 30 },
      ]);
      const orders = { asset: 'orders', version: 'o1', physicalSchema: 'weir_orders', physicalName: 'orders__o1', materialization: 'table', status: 'published', rows: 100, createdAt: t(2), createdByRun: r, basedOn: null };
      const revenue = { asset: 'revenue', version: 'r1', physicalSchema: 'weir_revenue', physicalName: 'revenue__r1', materialization: 'incremental', status: 'blocked', rows: 0, createdAt: t(8), createdByRun: r, basedOn: 'r0' };
      expect(await store.versions('orders')).toEqual([orders]);
      expect(await store.versions()).toEqual([revenue, orders]);
      expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o1', publishedAt: t(5), pinned: false }]);
      expect(await store.pointers('dev')).toEqual([]);

      const rowsCheck = { runId: r, asset: 'revenue', version: 'r1', check: 'rows > 0', checkType: 'row_count', severity: 'error', passed: false, failingRows: null, detail: 'rows: 0', evaluatedAt: t(9) };
      const countCheck = { runId: r, asset: 'orders', version: 'o1', check: 'row_count', checkType: 'row_count', severity: 'warn', passed: false, failingRows: null, detail: 'rows: 100 (expected >= 1000)', evaluatedAt: t(4) };
      const nullCheck = { runId: r, asset: 'orders', version: 'o1', check: 'not_null(id)', checkType: 'not_null', severity: 'error', passed: true, failingRows: 0, detail: 'no nulls', evaluatedAt: t(3) };
      expect(await store.checkResults({ runId: r })).toEqual([rowsCheck, countCheck, nullCheck]);
      expect(await store.checkResults({ asset: 'orders' })).toEqual([countCheck, nullCheck]);
      expect(await store.checkResults({ asset: 'orders', version: 'o1', limit: 1 })).toEqual([countCheck]);
      expect(await store.checkResults({ version: 'r1' })).toEqual([rowsCheck]);
      expect(await store.checkResults({ runId: 'another-run' })).toEqual([]);
      expect(await store.runs()).toHaveLength(1);
    });

    it('projects retries: attempts, first start time, the error while retrying, and failures after retries', async () => {
      const store = await fresh();
      const r = 'run-retry';
      const timeout = { code: 'USER_CODE_TIMEOUT', message: 'timed out after 1000 ms', file: 'assets/api.ts', line: 12, column: 3, hint: 'raise timeout' };
      await store.append([
        runStarted(r, 0),
        { type: 'step_started', at: t(1), runId: r, asset: 'api', version: 'a1', attempt: 1 },
        { type: 'step_retrying', at: t(2), runId: r, asset: 'api', attempt: 1, delayMs: 500, error: timeout },
      ]);
      expect((await store.steps(r))[0]).toMatchObject({ status: 'running', attempts: 1, error: timeout });
      await store.append([
        { type: 'step_started', at: t(3), runId: r, asset: 'api', version: 'a1', attempt: 2 },
        { type: 'step_succeeded', at: t(4), runId: r, asset: 'api', version: 'a1', rows: 7, durationMs: 900, warnings: 0 },
        { type: 'step_started', at: t(5), runId: r, asset: 'flaky', version: 'f1', attempt: 1 },
        { type: 'step_retrying', at: t(6), runId: r, asset: 'flaky', attempt: 1, delayMs: 10, error: { code: 'SQL_EXECUTION', message: 'first' } },
        { type: 'step_started', at: t(7), runId: r, asset: 'flaky', version: 'f1', attempt: 2 },
        { type: 'step_failed', at: t(8), runId: r, asset: 'flaky', error: { code: 'SQL_EXECUTION', message: 'second' }, attempts: 2 },
      ]);
      expect(await store.steps(r)).toEqual([
        { ...emptyStep, runId: r, asset: 'api', status: 'succeeded', version: 'a1', attempts: 2, startedAt: t(1), endedAt: t(4), rows: 7, durationMs: 900 },
        { ...emptyStep, runId: r, asset: 'flaky', status: 'failed', version: 'f1', attempts: 2, startedAt: t(5), endedAt: t(8), error: { code: 'SQL_EXECUTION', message: 'second' } },
      ]);
    });

    it('projects skips, cancellations and reuse of a published version', async () => {
      const store = await fresh();
      await store.append(buildRun('run-1', 'orders', 'o1', 0));
      const r = 'run-2';
      await store.append([
        runStarted(r, 10, { retryOf: 'run-1' } as Partial<WeirEvent & { type: 'run_started' }>),
        { type: 'step_skipped', at: t(11), runId: r, asset: 'orders', reason: 'unchanged', detail: 'fingerprint o1 already built', version: 'o1' },
        { type: 'asset_published', at: t(12), runId: r, environment: 'dev', asset: 'orders', version: 'o1', previousVersion: null, reason: 'reuse' },
        { type: 'step_skipped', at: t(13), runId: r, asset: 'revenue', reason: 'upstream_failed', detail: 'orders failed' },
        { type: 'step_started', at: t(14), runId: r, asset: 'slow', version: 's1', attempt: 1 },
        { type: 'cancel_requested', at: t(15), runId: r, by: 'alice' },
        { type: 'step_cancelled', at: t(16), runId: r, asset: 'slow' },
      ]);
      expect(await store.run(r)).toMatchObject({ status: 'running', retryOf: 'run-1' });
      await store.append([{ type: 'run_finished', at: t(17), runId: r, status: 'cancelled', summary: { skipped: 2, cancelled: 1 }, detail: 'cancelled by alice' }]);
      expect(await store.steps(r)).toEqual([
        { ...emptyStep, runId: r, asset: 'orders', status: 'skipped', version: 'o1', endedAt: t(11), skipReason: 'unchanged', detail: 'fingerprint o1 already built' },
        { ...emptyStep, runId: r, asset: 'revenue', status: 'skipped', endedAt: t(13), skipReason: 'upstream_failed', detail: 'orders failed' },
        { ...emptyStep, runId: r, asset: 'slow', status: 'cancelled', version: 's1', attempts: 1, startedAt: t(14), endedAt: t(16) },
      ]);
      expect(await store.run(r)).toMatchObject({ status: 'cancelled', endedAt: t(17), summary: { skipped: 2, cancelled: 1 }, detail: 'cancelled by alice' });
      expect(await store.pointers('dev')).toEqual([{ environment: 'dev', asset: 'orders', version: 'o1', publishedAt: t(12), pinned: false }]);
      expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o1', publishedAt: t(3), pinned: false }]);
      // Reuse neither rebuilds nor re-records the version.
      expect(await store.versions('orders')).toEqual([expect.objectContaining({ version: 'o1', status: 'published', createdByRun: 'run-1', createdAt: t(2) })]);
    });

    it('a blocked version leaves the live one in place', async () => {
      const store = await fresh();
      await store.append(buildRun('run-1', 'orders', 'o1', 0));
      await store.append([
        runStarted('run-2', 10),
        { type: 'step_started', at: t(11), runId: 'run-2', asset: 'orders', version: 'o2', attempt: 1 },
        materialized('run-2', 'orders', 'o2', 12),
        { type: 'asset_blocked', at: t(13), runId: 'run-2', asset: 'orders', version: 'o2', failedChecks: ['unique(id)'] },
        { type: 'run_finished', at: t(14), runId: 'run-2', status: 'failed', summary: { blocked: 1 } },
      ]);
      expect((await store.versions('orders')).map((v) => [v.version, v.status])).toEqual([['o2', 'blocked'], ['o1', 'published']]);
      expect((await store.steps('run-2'))[0]).toMatchObject({ status: 'blocked', version: 'o2', endedAt: t(13) });
      expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o1', publishedAt: t(3), pinned: false }]);
    });

    it('rollback moves the pointer back, outside any run', async () => {
      const store = await fresh();
      await store.append(buildRun('run-1', 'orders', 'o1', 0));
      await store.append(buildRun('run-2', 'orders', 'o2', 10, 'o1'));
      expect((await store.pointers('prod'))[0]).toMatchObject({ version: 'o2', publishedAt: t(13) });
      await store.append([published(null, 'orders', 'o1', 20, 'o2')]);
      expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o1', publishedAt: t(20), pinned: false }]);
      expect((await store.versions('orders')).map((v) => [v.version, v.status])).toEqual([['o2', 'published'], ['o1', 'published']]);
      const rollback = (await store.events()).at(-1);
      expect(rollback).toMatchObject({ type: 'asset_published', runId: null, reason: 'rollback', version: 'o1' });
      expect((await store.events({ runId: 'run-2' })).map((e) => e.id)).not.toContain(rollback?.id);
      expect((await store.events({ asset: 'orders' })).at(-1)).toEqual(rollback);
    });

    it('pins survive publication, unpin, and pinning what was never published changes nothing', async () => {
      const store = await fresh();
      await store.append(buildRun('run-1', 'orders', 'o1', 0));
      await store.append([{ type: 'asset_pinned', at: t(10), environment: 'prod', asset: 'orders', pinned: true }]);
      expect((await store.pointers('prod'))[0]).toMatchObject({ version: 'o1', pinned: true });
      await store.append(buildRun('run-2', 'orders', 'o2', 20, 'o1'));
      expect((await store.pointers('prod'))[0]).toMatchObject({ version: 'o2', pinned: true });
      await store.append([
        { type: 'asset_pinned', at: t(30), environment: 'prod', asset: 'orders', pinned: false },
        { type: 'asset_pinned', at: t(31), environment: 'prod', asset: 'never_built', pinned: true },
      ]);
      expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o2', publishedAt: t(23), pinned: false }]);
      // Publish and pin in one append: the pin applies to the pointer the publish just created.
      await store.append([
        { ...published(null, 'customers', 'c1', 40), environment: 'dev' } as WeirEvent,
        { type: 'asset_pinned', at: t(41), environment: 'dev', asset: 'customers', pinned: true },
        { ...published(null, 'customers', 'c2', 42), environment: 'dev' } as WeirEvent,
      ]);
      expect(await store.pointers('dev')).toEqual([{ environment: 'dev', asset: 'customers', version: 'c2', publishedAt: t(42), pinned: true }]);
    });

    it('version_dropped marks the version dropped; a rebuild records it afresh', async () => {
      const store = await fresh();
      await store.append(buildRun('run-1', 'orders', 'o1', 0));
      await store.append(buildRun('run-2', 'orders', 'o2', 10, 'o1'));
      await store.append([{ type: 'version_dropped', at: t(20), asset: 'orders', version: 'o1' }]);
      expect((await store.versions('orders')).map((v) => [v.version, v.status])).toEqual([['o2', 'published'], ['o1', 'dropped']]);
      await store.append([runStarted('run-3', 30), materialized('run-3', 'orders', 'o1', 31, 55)]);
      expect(await store.versions('orders')).toEqual([
        expect.objectContaining({ version: 'o1', status: 'built', rows: 55, createdAt: t(31), createdByRun: 'run-3' }),
        expect.objectContaining({ version: 'o2', status: 'published' }),
      ]);
    });

    it('keeps numbers beyond 32 bits, nulls and booleans as they were', async () => {
      const store = await fresh();
      await store.append([
        runStarted('r', 0, { pid: 4_000_000_000 } as Partial<WeirEvent & { type: 'run_started' }>),
        { ...materialized('r', 'big', 'v1', 1, 5_000_000_000), durationMs: 3_000_000_000 } as WeirEvent,
        materialized('r', 'unknown', 'v1', 2, null),
        { type: 'check_evaluated', at: t(3), runId: 'r', asset: 'big', version: 'v1', check: 'c', checkType: 't', severity: 'error', passed: true, failingRows: 6_000_000_000, detail: '' },
      ]);
      expect((await store.run('r'))?.pid).toBe(4_000_000_000);
      expect((await store.versions('big'))[0]?.rows).toBe(5_000_000_000);
      expect((await store.versions('unknown'))[0]?.rows).toBeNull();
      expect(await store.steps('r')).toEqual([
        expect.objectContaining({ asset: 'big', rows: 5_000_000_000, durationMs: 3_000_000_000, attempts: 0, status: 'pending' }),
        expect.objectContaining({ asset: 'unknown', rows: null }),
      ]);
      const [check] = await store.checkResults({ runId: 'r' });
      expect(check?.failingRows).toBe(6_000_000_000);
      expect(check?.passed).toBe(true);
    });

    it('events() returns the log in id order, payloads intact, with filters', async () => {
      const store = await fresh();
      const first = buildRun('run-1', 'orders', 'o1', 0);
      const second = buildRun('run-2', 'revenue', 'r1', 10);
      const check: WeirEvent = {
        type: 'check_evaluated', at: t(20), runId: 'run-2', asset: 'revenue', version: 'r1', check: 'c', checkType: 'custom', severity: 'warn',
        passed: false, failingRows: 2, detail: 'd', sample: [{ id: 1, name: 'ä "quoted"', ok: true, nothing: null, nested: { n: 1.5 } }],
      };
      await store.append(first);
      await store.append([...second, check]);
      const all = await store.events();
      expect(all).toEqual([...first, ...second, check].map((event, index) => ({ ...event, id: all[0]!.id + index })));
      const ids = all.map((event) => event.id);
      expect(ids).toEqual(ids.map((_, index) => ids[0]! + index));
      expect(await store.events({ runId: 'run-2' })).toEqual(all.slice(first.length));
      expect((await store.events({ asset: 'orders' })).map((e) => e.type)).toEqual(['step_started', 'asset_materialized', 'asset_published', 'step_succeeded']);
      expect(await store.events({ afterId: all[3]!.id })).toEqual(all.slice(4));
      expect(await store.events({ afterId: all[3]!.id, limit: 2 })).toEqual(all.slice(4, 6));
      expect(await store.events({ runId: 'run-2', asset: 'revenue', afterId: all[8]!.id, limit: 3 })).toEqual(
        all.filter((e) => 'asset' in e && e.asset === 'revenue' && e.id > all[8]!.id).slice(0, 3),
      );
      expect(await store.events({ limit: 0 })).toEqual([]);
      expect(await store.events({ afterId: all.at(-1)!.id })).toEqual([]);
    });

    it('run() accepts a unique prefix, refuses an ambiguous one, and takes no wildcards', async () => {
      const store = await fresh();
      await store.append([runStarted('20250101-abc', 0), runStarted('20250101-abd', 1), runStarted('20250101-x', 2), runStarted('Zed', 3)]);
      expect((await store.run('20250101-abc'))?.runId).toBe('20250101-abc');
      expect((await store.run('20250101-x'))?.runId).toBe('20250101-x');
      expect((await store.run('20250101-abd'))?.runId).toBe('20250101-abd');
      await expect(store.run('20250101-ab')).rejects.toMatchObject({ name: 'WeirError', code: 'RUN_UNKNOWN', message: expect.stringContaining('20250101-abc') });
      await expect(store.run('2025')).rejects.toMatchObject({ code: 'RUN_UNKNOWN' });
      expect(await store.run('nope')).toBeUndefined();
      expect(await store.run('')).toBeUndefined();
      expect(await store.run('2025%')).toBeUndefined();
      expect(await store.run('20250101_x')).toBeUndefined();
      expect(await store.run('zed')).toBeUndefined();
      expect((await store.run('Ze'))?.runId).toBe('Zed');
    });

    it('runs() lists newest first, filters by status and limits', async () => {
      const store = await fresh();
      await store.append(buildRun('run-a', 'orders', 'o1', 0));
      await store.append([runStarted('run-b', 100), runStarted('run-c', 50)]);
      await store.append([{ type: 'run_finished', at: t(101), runId: 'run-b', status: 'crashed', summary: {}, detail: 'pid 4242 on box is gone' }]);
      expect((await store.runs()).map((run) => run.runId)).toEqual(['run-b', 'run-c', 'run-a']);
      expect((await store.runs({ limit: 2 })).map((run) => run.runId)).toEqual(['run-b', 'run-c']);
      expect((await store.runs({ status: 'running' })).map((run) => run.runId)).toEqual(['run-c']);
      expect(await store.runs({ status: 'crashed' })).toEqual([expect.objectContaining({ runId: 'run-b', detail: 'pid 4242 on box is gone', endedAt: t(101) })]);
      expect(await store.runs({ status: 'failed' })).toEqual([]);
    });

    it('reads the steps and check results of many runs at once, across id chunks, like one run at a time', async () => {
      const store = await fresh();
      // More runs than one IN list holds (500), each with a step and a check (passing on even runs).
      const ids = Array.from({ length: 1_100 }, (_, i) => `many-${String(i).padStart(4, '0')}`);
      await store.append(
        ids.flatMap((runId, i): WeirEvent[] => [
          runStarted(runId, i),
          { type: 'step_started', at: t(i), runId, asset: 'orders', version: `o${i}`, attempt: 1 },
          { type: 'check_evaluated', at: t(i), runId, asset: 'orders', version: `o${i}`, check: 'rows > 0', checkType: 'row_count', severity: 'error', passed: i % 2 === 0, failingRows: null, detail: 'rows' },
        ]),
      );
      await store.append([runStarted('other', 5000), { type: 'step_started', at: t(5000), runId: 'other', asset: 'orders', version: 'x', attempt: 1 }]);
      const asked = ids.filter((_, i) => i % 3 !== 1);
      const steps = await store.stepsOfRuns(asked);
      expect(steps.map((step) => step.runId)).toEqual(asked);
      expect(steps[7]).toEqual(await store.steps(asked[7]!).then((one) => one[0]));
      const checks = await store.checkResults({ runIds: asked });
      expect(checks.map((check) => check.runId)).toEqual([...asked].reverse());
      expect(checks.filter((check) => !check.passed)).toHaveLength(asked.filter((id) => Number(id.slice(5)) % 2 === 1).length);
      expect(await store.checkResults({ runIds: asked, limit: 2 })).toEqual(checks.slice(0, 2));
      expect(await store.checkResults({ runIds: ['other', 'nope'] })).toEqual([]);
      expect(await store.stepsOfRuns([])).toEqual([]);
      expect(await store.checkResults({ runIds: [] })).toEqual([]);
    });

    it('group commit: 1,000 concurrent appends all land, in call order, in few transactions', async () => {
      const store = await fresh();
      const r = 'run-many';
      await store.append([runStarted(r, 0)]);
      const before = store.appendStats().transactions;
      const calls = Array.from({ length: 1000 }, (_, i) =>
        store.append([{ type: 'step_started', at: t(1 + i), runId: r, asset: `asset_${String(i).padStart(4, '0')}`, version: `v${i}`, attempt: 1 }]),
      );
      await Promise.all(calls);
      // All 1,000 calls were made in one tick: one transaction, one commit.
      expect(store.appendStats().transactions - before).toBe(1);
      const logged = await store.events({ runId: r });
      expect(logged).toHaveLength(1001);
      expect(logged.slice(1).map((e) => ('asset' in e ? e.asset : ''))).toEqual(Array.from({ length: 1000 }, (_, i) => `asset_${String(i).padStart(4, '0')}`));
      const steps = await store.steps(r);
      expect(steps).toHaveLength(1000);
      expect(steps[999]).toMatchObject({ asset: 'asset_0999', status: 'running', startedAt: t(1000) });
    });

    it('group commit: appends issued while a commit is in flight are written together', async () => {
      const store = await fresh();
      await store.append([runStarted('r', 0)]);
      const before = store.appendStats().transactions;
      const first = store.append([{ type: 'step_started', at: t(1), runId: 'r', asset: 'a0', version: 'v', attempt: 1 }]);
      await Promise.resolve();
      await Promise.resolve();
      const later = Array.from({ length: 50 }, (_, i) => store.append([{ type: 'step_started', at: t(2), runId: 'r', asset: `b${i}`, version: 'v', attempt: 1 }]));
      await Promise.all([first, ...later]);
      expect(store.appendStats().transactions - before).toBeLessThanOrEqual(2);
      expect(await store.steps('r')).toHaveLength(51);

      // 100 workers appending one event after another, as steps of a run do: each round of
      // appends shares a transaction, rather than each append getting its own.
      const start = store.appendStats().transactions;
      await Promise.all(
        Array.from({ length: 100 }, async (_, worker) => {
          for (let attempt = 1; attempt <= 5; attempt++) {
            await store.append([{ type: 'step_started', at: t(10 + attempt), runId: 'r', asset: `w${worker}`, version: 'v', attempt }]);
          }
        }),
      );
      expect(store.appendStats().transactions - start).toBeLessThanOrEqual(10);
      expect((await store.steps('r')).filter((step) => step.attempts === 5)).toHaveLength(100);
    });

    it('a batch that cannot be written is rejected whole; the other batches of its transaction commit', async () => {
      const store = await fresh();
      await store.append([runStarted('r', 0)]);
      const idsBefore = (await store.events()).map((e) => e.id);
      const before = store.appendStats().transactions;
      const a = store.append([{ type: 'step_started', at: t(1), runId: 'r', asset: 'a', version: 'v', attempt: 1 }]);
      const b = store.append([
        { type: 'step_started', at: t(2), runId: 'r', asset: 'b', version: 'v', attempt: 1 },
        materialized('r', 'b', 'v', 3),
        runStarted('r', 4), // the run exists already: this batch must not be kept, not even in part
      ]);
      const c = store.append([{ type: 'step_started', at: t(5), runId: 'r', asset: 'c', version: 'v', attempt: 1 }]);
      const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
      expect(ra.status).toBe('fulfilled');
      expect(rc.status).toBe('fulfilled');
      expect(rb.status).toBe('rejected');
      expect((rb as PromiseRejectedResult).reason).toMatchObject({ name: 'WeirError' });
      expect(store.appendStats().transactions - before).toBe(1);
      expect((await store.steps('r')).map((s) => s.asset)).toEqual(['a', 'c']);
      expect(await store.versions()).toEqual([]);
      const events = await store.events();
      expect(events.map((e) => e.type)).toEqual(['run_started', 'step_started', 'step_started']);
      // Ids stay gap-free: a reader following the log with afterId misses nothing.
      expect(events.map((e) => e.id)).toEqual([idsBefore[0], idsBefore[0]! + 1, idsBefore[0]! + 2]);
      expect(await store.run('r')).toMatchObject({ startedAt: t(0) });
      await store.append([{ type: 'step_succeeded', at: t(6), runId: 'r', asset: 'a', version: 'v', rows: 1, durationMs: 1, warnings: 0 }]);
      expect((await store.events()).at(-1)?.id).toBe(idsBefore[0]! + 3);
    });

    it('a malformed event is refused before anything is written', async () => {
      const store = await fresh();
      await expect(store.append([runStarted('r', 0), { type: 'no_such_event', at: t(1) } as unknown as WeirEvent])).rejects.toMatchObject({ name: 'WeirError' });
      await expect(store.append([{ type: 'step_cancelled', at: 'not a time', runId: 'r', asset: 'a' }])).rejects.toMatchObject({ name: 'WeirError' });
      expect(await store.events()).toEqual([]);
      expect(await store.runs()).toEqual([]);
      await store.append([]);
      expect(await store.events()).toEqual([]);
    });

    it('stores each event as it was when appended', async () => {
      const store = await fresh();
      const event = { type: 'cancel_requested', at: t(1), runId: 'r', by: 'alice' } satisfies WeirEvent;
      const appended = store.append([event]);
      event.by = 'mallory';
      await appended;
      const [stored] = await store.events();
      expect(stored).toEqual({ type: 'cancel_requested', at: t(1), runId: 'r', by: 'alice', id: stored!.id });
      // Appending a stored event again records a new event; the old position is not kept inside it.
      await store.append([stored!]);
      const [, again] = await store.events();
      expect(again).toEqual({ ...stored, id: stored!.id + 1 });
    });

    it('replaces NUL and lone surrogates, which not every database can store, the same way everywhere', async () => {
      const store = await fresh();
      await store.append([
        { type: 'check_evaluated', at: t(1), runId: 'r', asset: 'a', version: 'v', check: 'c', checkType: 't', severity: 'warn', passed: false, failingRows: 1, detail: 'bad \u0000 byte', sample: [{ 'k\u0000': 'v\ud800', ok: '😀 \\u0000', n: 1 }] },
      ]);
      const [event] = await store.events();
      expect(event).toMatchObject({ detail: 'bad \ufffd byte', sample: [{ 'k\ufffd': 'v\ufffd', ok: '😀 \\u0000', n: 1 }] });
      expect((await store.checkResults({}))[0]?.detail).toBe('bad \ufffd byte');
    });

    it('a reopened store sees the same state and continues the log', async () => {
      const first = await fresh();
      await first.append(buildRun('run-1', 'orders', 'o1', 0));
      const snapshot = async (store: StateStore) => ({
        events: await store.events(),
        runs: await store.runs(),
        steps: await store.steps('run-1'),
        versions: await store.versions(),
        pointers: await store.pointers('prod'),
        checks: await store.checkResults({}),
      });
      const before = await snapshot(first);
      await first.close();
      await first.close();
      await expect(first.append([runStarted('late', 1)])).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
      const second = await open();
      expect(await snapshot(second)).toEqual(before);
      await second.append([runStarted('run-2', 10)]);
      const events = await second.events();
      expect(events.at(-1)).toMatchObject({ type: 'run_started', runId: 'run-2', id: before.events.at(-1)!.id + 1 });
    });

    it('two stores on one database see each other and never collide', async () => {
      const left = await fresh();
      const right = await open();
      await left.append([runStarted('from-left', 0)]);
      expect((await right.run('from-left'))?.status).toBe('running');
      await right.append([{ type: 'run_finished', at: t(1), runId: 'from-left', status: 'succeeded', summary: {} }]);
      expect((await left.run('from-left'))?.status).toBe('succeeded');

      const writes: Array<Promise<void>> = [];
      for (let i = 0; i < 200; i++) {
        const store = i % 2 === 0 ? left : right;
        writes.push(store.append([runStarted(`run-${i}`, 10 + i), { type: 'step_started', at: t(10 + i), runId: `run-${i}`, asset: 'a', version: 'v', attempt: 1 }]));
      }
      await Promise.all(writes);
      const fromLeft = await left.events();
      expect(await right.events()).toEqual(fromLeft);
      expect(fromLeft).toHaveLength(402);
      expect(fromLeft.map((e) => e.id)).toEqual(fromLeft.map((_, i) => fromLeft[0]!.id + i));
      // Each caller's events stay together and in order, whichever store wrote them.
      for (let i = 2; i < fromLeft.length; i += 2) {
        expect(fromLeft[i + 1]).toMatchObject({ type: 'step_started', runId: (fromLeft[i] as StoredEvent & { runId: string }).runId });
      }
      expect(await right.runs()).toHaveLength(201);
    });

    describe('metrics, SPC rebaselines and quarantine', () => metricCases({ fresh }));

    describe('partitions and backfills', () => partitionCases({ fresh }));
    describe('schedules and sensors', () => triggerCases({ fresh, reopen: open }));
    describe('API tokens', () => apiTokenCases({ fresh, reopen: open }));
    describe('consumer feedback', () => feedbackCases({ fresh, reopen: open }));

    it('two stores opening an empty database at once both work', async () => {
      database = await harness.emptyDatabase();
      const [one, two] = await Promise.all([open(), open()]);
      await one.append([runStarted('r1', 0)]);
      await two.append([runStarted('r2', 1)]);
      expect((await one.runs()).map((run) => run.runId)).toEqual(['r2', 'r1']);
    });
  });
}
