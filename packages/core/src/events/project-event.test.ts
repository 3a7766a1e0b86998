import { describe, expect, it } from 'vitest';
import { projectEvent } from './project-event.js';
import type { WeirEvent } from './weir-event.js';

const at = '2025-03-01T10:00:00.000Z';

describe('projectEvent', () => {
  it('run_started inserts a running run', () => {
    const event: WeirEvent = {
      type: 'run_started',
      at,
      runId: 'r1',
      environment: 'prod',
      pid: 42,
      host: 'box',
      command: 'run',
      selection: ['orders+'],
      exclusion: [],
      plannedAssets: ['orders', 'revenue'],
      retryOf: 'r0',
    };
    expect(projectEvent(event)).toEqual([
      {
        kind: 'insert_run',
        run: {
          runId: 'r1',
          status: 'running',
          environment: 'prod',
          command: 'run',
          startedAt: at,
          pid: 42,
          host: 'box',
          retryOf: 'r0',
          selection: ['orders+'],
        },
      },
    ]);
  });

  it('run_started without retryOf records null, and copies the selection', () => {
    const selection = ['a'];
    const [write] = projectEvent({
      type: 'run_started',
      at,
      runId: 'r1',
      environment: 'prod',
      pid: 1,
      host: 'h',
      command: 'run',
      selection,
      exclusion: [],
      plannedAssets: [],
    });
    expect(write).toMatchObject({ kind: 'insert_run', run: { retryOf: null } });
    selection.push('b');
    expect(write?.kind === 'insert_run' && write.run.selection).toEqual(['a']);
  });

  it('run_finished sets status, summary, endedAt and detail (null when absent)', () => {
    expect(
      projectEvent({ type: 'run_finished', at, runId: 'r1', status: 'crashed', summary: { succeeded: 2 }, detail: 'pid 42 is gone' }),
    ).toEqual([
      { kind: 'finish_run', runId: 'r1', status: 'crashed', summary: { succeeded: 2 }, endedAt: at, detail: 'pid 42 is gone' },
    ]);
    expect(projectEvent({ type: 'run_finished', at, runId: 'r1', status: 'succeeded', summary: {} })).toEqual([
      { kind: 'finish_run', runId: 'r1', status: 'succeeded', summary: {}, endedAt: at, detail: null },
    ]);
  });

  it('step_started marks the step running and keeps the first start time', () => {
    expect(projectEvent({ type: 'step_started', at, runId: 'r1', asset: 'orders', version: 'v1', attempt: 2 })).toEqual([
      {
        kind: 'upsert_step',
        runId: 'r1',
        asset: 'orders',
        set: { status: 'running', version: 'v1', attempts: 2 },
        setIfNull: { startedAt: at },
      },
    ]);
  });

  it('step_retrying keeps the step running and records the error', () => {
    const error = { code: 'SQL_EXECUTION', message: 'boom' };
    expect(
      projectEvent({ type: 'step_retrying', at, runId: 'r1', asset: 'orders', attempt: 1, delayMs: 100, error }),
    ).toEqual([{ kind: 'upsert_step', runId: 'r1', asset: 'orders', set: { status: 'running', error } }]);
  });

  it('step_skipped records reason, detail and the version only when given', () => {
    expect(
      projectEvent({ type: 'step_skipped', at, runId: 'r1', asset: 'a', reason: 'unchanged', detail: 'same fingerprint', version: 'v1' }),
    ).toEqual([
      {
        kind: 'upsert_step',
        runId: 'r1',
        asset: 'a',
        set: { status: 'skipped', skipReason: 'unchanged', detail: 'same fingerprint', endedAt: at, version: 'v1' },
      },
    ]);
    const [write] = projectEvent({ type: 'step_skipped', at, runId: 'r1', asset: 'a', reason: 'upstream_failed', detail: 'x' });
    expect(write?.kind === 'upsert_step' && 'version' in write.set).toBe(false);
  });

  it('asset_materialized records a built version, then the step rows and duration', () => {
    expect(
      projectEvent({
        type: 'asset_materialized',
        at,
        runId: 'r1',
        asset: 'orders',
        version: 'v2',
        physicalSchema: 'weir_orders',
        physicalName: 'orders__v2',
        materialization: 'incremental',
        rows: 10,
        durationMs: 25,
        basedOn: 'v1',
      }),
    ).toEqual([
      {
        kind: 'upsert_version',
        version: {
          asset: 'orders',
          version: 'v2',
          physicalSchema: 'weir_orders',
          physicalName: 'orders__v2',
          materialization: 'incremental',
          status: 'built',
          rows: 10,
          createdAt: at,
          createdByRun: 'r1',
          basedOn: 'v1',
        },
      },
      { kind: 'upsert_step', runId: 'r1', asset: 'orders', set: { version: 'v2', rows: 10, durationMs: 25 } },
    ]);
  });

  it('check_evaluated inserts a check result without the sample', () => {
    const [write] = projectEvent({
      type: 'check_evaluated',
      at,
      runId: 'r1',
      asset: 'orders',
      version: 'v1',
      check: 'not_null(id)',
      checkType: 'not_null',
      severity: 'error',
      passed: false,
      failingRows: 3,
      detail: '3 nulls in id',
      sample: [{ id: null }],
    });
    expect(write).toEqual({
      kind: 'insert_check_result',
      result: {
        runId: 'r1',
        asset: 'orders',
        version: 'v1',
        check: 'not_null(id)',
        checkType: 'not_null',
        severity: 'error',
        passed: false,
        failingRows: 3,
        detail: '3 nulls in id',
        evaluatedAt: at,
      },
    });
  });

  it('asset_blocked blocks both the version and the step', () => {
    expect(projectEvent({ type: 'asset_blocked', at, runId: 'r1', asset: 'a', version: 'v1', failedChecks: ['c'] })).toEqual([
      { kind: 'set_version_status', asset: 'a', version: 'v1', status: 'blocked' },
      { kind: 'upsert_step', runId: 'r1', asset: 'a', set: { status: 'blocked', version: 'v1', endedAt: at } },
    ]);
  });

  it('asset_published moves the pointer and marks the version published, also for a rollback', () => {
    expect(
      projectEvent({
        type: 'asset_published',
        at,
        runId: null,
        environment: 'prod',
        asset: 'a',
        version: 'v1',
        previousVersion: 'v2',
        reason: 'rollback',
      }),
    ).toEqual([
      { kind: 'set_pointer', environment: 'prod', asset: 'a', version: 'v1', publishedAt: at },
      { kind: 'set_version_status', asset: 'a', version: 'v1', status: 'published' },
    ]);
  });

  it('step_succeeded, step_failed and step_cancelled end the step', () => {
    expect(
      projectEvent({ type: 'step_succeeded', at, runId: 'r1', asset: 'a', version: 'v1', rows: 5, durationMs: 7, warnings: 1 }),
    ).toEqual([
      {
        kind: 'upsert_step',
        runId: 'r1',
        asset: 'a',
        set: { status: 'succeeded', version: 'v1', rows: 5, durationMs: 7, endedAt: at, error: null },
      },
    ]);
    const error = { code: 'USER_CODE_FAILED', message: 'oops', file: 'assets/a.ts', line: 3 };
    expect(projectEvent({ type: 'step_failed', at, runId: 'r1', asset: 'a', error, attempts: 3 })).toEqual([
      { kind: 'upsert_step', runId: 'r1', asset: 'a', set: { status: 'failed', error, attempts: 3, endedAt: at } },
    ]);
    expect(projectEvent({ type: 'step_cancelled', at, runId: 'r1', asset: 'a' })).toEqual([
      { kind: 'upsert_step', runId: 'r1', asset: 'a', set: { status: 'cancelled', endedAt: at } },
    ]);
  });

  it('asset_pinned, version_dropped and cancel_requested', () => {
    expect(projectEvent({ type: 'asset_pinned', at, environment: 'prod', asset: 'a', pinned: true })).toEqual([
      { kind: 'set_pinned', environment: 'prod', asset: 'a', pinned: true },
    ]);
    expect(projectEvent({ type: 'version_dropped', at, asset: 'a', version: 'v0' })).toEqual([
      { kind: 'set_version_status', asset: 'a', version: 'v0', status: 'dropped' },
    ]);
    expect(projectEvent({ type: 'cancel_requested', at, runId: 'r1', by: 'alice' })).toEqual([]);
  });

  it('metrics_measured writes one point per metric; asset metrics have no column', () => {
    const point = { runId: 'r1', asset: 'orders', version: 'v1', partition: null, measuredAt: at };
    expect(
      projectEvent({
        type: 'metrics_measured',
        at,
        runId: 'r1',
        asset: 'orders',
        version: 'v1',
        metrics: [
          { metric: 'row_count', value: 1200 },
          { metric: 'null_rate', column: 'email', value: 0.25, anomalous: true },
          { metric: 'mean', column: 'amount', value: null },
          { metric: 'null_rate', value: 0, anomalous: false },
        ],
      }),
    ).toEqual([
      { kind: 'insert_metric_point', point: { ...point, metric: 'row_count', column: null, value: 1200, anomalous: false } },
      { kind: 'insert_metric_point', point: { ...point, metric: 'null_rate', column: 'email', value: 0.25, anomalous: true } },
      { kind: 'insert_metric_point', point: { ...point, metric: 'mean', column: 'amount', value: null, anomalous: false } },
      { kind: 'insert_metric_point', point: { ...point, metric: 'null_rate', column: null, value: 0, anomalous: false } },
    ]);
  });

  it('metrics_measured keeps the partition and a null run, and records non-finite values as null, as the JSON log does', () => {
    const writes = projectEvent({
      type: 'metrics_measured',
      at,
      runId: null,
      asset: 'events',
      version: 'v1',
      partition: '2025-03-01',
      metrics: [
        { metric: 'mean', column: 'x', value: Number.NaN },
        { metric: 'max', column: 'x', value: Number.POSITIVE_INFINITY },
      ],
    });
    expect(writes).toMatchObject([
      { point: { runId: null, partition: '2025-03-01', value: null } },
      { point: { runId: null, partition: '2025-03-01', value: null } },
    ]);
    expect(projectEvent({ type: 'metrics_measured', at, runId: 'r', asset: 'a', version: 'v', metrics: [] })).toEqual([]);
  });

  it('metrics_measured refuses a metric measured twice, empty names and non-numeric values', () => {
    const measured = (metrics: unknown): WeirEvent =>
      ({ type: 'metrics_measured', at, runId: 'r', asset: 'a', version: 'v', metrics }) as WeirEvent;
    expect(() => projectEvent(measured([{ metric: 'min', column: 'x', value: 1 }, { metric: 'min', column: 'x', value: 2 }]))).toThrow(/min\(x\) twice/);
    expect(() => projectEvent(measured([{ metric: 'row_count', value: 1 }, { metric: 'row_count', value: 2 }]))).toThrow(/twice/);
    expect(() => projectEvent(measured([{ metric: 'min', column: '', value: 1 }]))).toThrow(/column/);
    expect(() => projectEvent(measured([{ metric: '', value: 1 }]))).toThrow(/metric/);
    expect(() => projectEvent(measured([{ metric: 'min', column: 'x', value: '1' }]))).toThrow(/numeric/);
    expect(() => projectEvent(measured(undefined))).toThrow(/metrics/);
  });

  it('spc_rebaselined records the series and the time; quarantine events change no table', () => {
    expect(projectEvent({ type: 'spc_rebaselined', at, asset: 'orders', metric: 'row_count', actor: 'alice', reason: 'new source' })).toEqual([
      { kind: 'insert_spc_rebaseline', asset: 'orders', metric: 'row_count', column: null, rebaselinedAt: at },
    ]);
    expect(projectEvent({ type: 'spc_rebaselined', at, asset: 'orders', metric: 'null_rate', column: 'email' })).toEqual([
      { kind: 'insert_spc_rebaseline', asset: 'orders', metric: 'null_rate', column: 'email', rebaselinedAt: at },
    ]);
    expect(() => projectEvent({ type: 'spc_rebaselined', at, asset: 'orders', metric: 'null_rate', column: '' })).toThrow(/column/);
    expect(
      projectEvent({ type: 'rows_quarantined', at, runId: 'r1', asset: 'orders', version: 'v1', table: 'weir_versions.orders__quarantine', counts: { 'not_null(id)': 3 } }),
    ).toEqual([]);
    expect(projectEvent({ type: 'quarantine_replayed', at, runId: null, asset: 'orders', version: 'v1', released: 3, stillFailing: 0 })).toEqual([]);
  });

  it('normalises timestamps to UTC ISO strings', () => {
    const [write] = projectEvent({ type: 'step_cancelled', at: '2025-03-01T12:00:00+02:00', runId: 'r', asset: 'a' });
    expect(write).toMatchObject({ set: { endedAt: at } });
  });

  it('refuses events that are not Weir events', () => {
    expect(() => projectEvent({ type: 'nope', at } as unknown as WeirEvent)).toThrow(/unknown event type "nope"/);
    expect(() => projectEvent({ type: 'step_cancelled', at: 'yesterday', runId: 'r', asset: 'a' })).toThrow(/"at"/);
    expect(() => projectEvent({ type: 'step_cancelled', runId: 'r', asset: 'a' } as unknown as WeirEvent)).toThrow(/"at"/);
  });

  it('does not share objects with the event', () => {
    const error = { code: 'X', message: 'm' };
    const [write] = projectEvent({ type: 'step_failed', at, runId: 'r', asset: 'a', error, attempts: 1 });
    error.message = 'changed';
    expect(write).toMatchObject({ set: { error: { message: 'm' } } });
  });
});
