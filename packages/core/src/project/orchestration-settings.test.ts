/**
 * `schedules:` and `sensors:` in weir.yaml: what a valid declaration loads into, and every bad
 * input with the error it must produce, at weir.yaml:line.
 */
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { WeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
import { ProjectProblems } from './project-problems.js';
import { removeTempProject, writeTempProject } from './temp-project.js';
import { expectError, weirErrorOf } from '../testing/weir-error-expectations.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const MODELS = {
  'sources/shop.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
  'data/orders.csv': 'id,amount\n1,2\n',
  'models/orders.sql': '/*---\ntags: [finance]\n---*/\nselect * from raw_orders\n',
  'models/revenue.sql': 'select sum(amount) as total from orders\n',
};

async function load(weirYaml: string) {
  const root = await writeTempProject({ 'weir.yaml': weirYaml, ...MODELS });
  roots.push(root);
  return { root, project: await loadProject(root, { env: {} }) };
}

function loadError(weirYaml: string): Promise<WeirError> {
  return weirErrorOf(load(weirYaml));
}

describe('schedules and sensors in weir.yaml', () => {
  test('a full declaration loads with its defaults applied', async () => {
    const { root, project } = await load(
      [
        'name: shop',
        'schedules:',
        '  - name: nightly',
        '    cron: "0 2 * * *"',
        '    timezone: Europe/Berlin',
        '    select: [orders+, "tag:finance"]',
        '    missed: catch_up',
        '    max_catch_up: 3',
        '  - name: hourly',
        '    cron: "@hourly"',
        '    select: revenue',
        '    paused: true',
        'sensors:',
        '  - name: landing_files',
        '    type: file',
        '    path: data/landing/*.csv',
        '    select: [raw_orders+]',
        '    interval_seconds: 5',
        '  - name: after_orders',
        '    type: asset_published',
        '    assets: [orders]',
        '  - name: keep_revenue_fresh',
        '    type: freshness',
        '    asset: revenue',
        '    max_age: 1h',
        '',
      ].join('\n'),
    );
    expect(project.schedules).toMatchObject([
      { kind: 'schedule', name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin', selection: { select: ['orders+', 'tag:finance'], exclude: [] }, missed: 'catch_up', maxCatchUp: 3, paused: false, location: { file: 'weir.yaml', line: 3 } },
      { name: 'hourly', cron: '@hourly', timezone: 'UTC', selection: { select: ['revenue'], exclude: [] }, missed: 'skip', maxCatchUp: 5, paused: true },
    ]);
    expect(project.sensors).toMatchObject([
      { kind: 'sensor', type: 'file', name: 'landing_files', path: 'data/landing/*.csv', absolutePath: path.join(root, 'data/landing/*.csv'), intervalSeconds: 5, selection: { select: ['raw_orders+'] } },
      { type: 'asset_published', name: 'after_orders', assets: ['orders'], intervalSeconds: 30 },
      { type: 'freshness', name: 'keep_revenue_fresh', asset: 'revenue', maxAgeSeconds: 3600, selection: { select: ['+revenue'], exclude: [] } },
    ]);
    expect(project.sensors?.[1]).not.toHaveProperty('selection');
  });

  test('a project without them has neither field', async () => {
    const { project } = await load('name: shop\n');
    expect(project.schedules).toBeUndefined();
    expect(project.sensors).toBeUndefined();
  });

  test('an invalid cron expression names the schedule, the expression and weir.yaml:line', async () => {
    const error = await loadError('name: shop\nschedules:\n  - name: nightly\n    cron: "61 2 * * *"\n    select: orders\n');
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:4:11:', 'schedule "nightly"', 'invalid cron expression "61 2 * * *"', 'minute: 61');
    const fields = await loadError('name: shop\nschedules:\n  - name: nightly\n    cron: "0 2 * *"\n    select: orders\n');
    expectError(fields, 'CONFIG_INVALID', 'weir.yaml:4:', 'expected 5 or 6 fields', 'got 4');
    const never = await loadError('name: shop\nschedules:\n  - name: leap\n    cron: "0 0 30 2 *"\n    select: orders\n');
    expectError(never, 'CONFIG_INVALID', 'weir.yaml:4:', 'schedule "leap"', 'never fires');
  });

  test('an unknown time zone names the schedule and suggests the closest', async () => {
    const error = await loadError('name: shop\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\n    timezone: Europe/Berln\n    select: orders\n');
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:5:15:', 'schedule "nightly"', 'unknown time zone "Europe/Berln"', 'did you mean "Europe/Berlin"?');
  });

  test('an unknown asset in a selection is SELECTION_INVALID at the selector', async () => {
    const error = await loadError('name: shop\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\n    select:\n      - orders\n      - ordrs+\n');
    expectError(error, 'SELECTION_INVALID', 'weir.yaml:7:9:', 'schedule "nightly"', 'unknown asset "ordrs"', 'did you mean "orders"?');
    const tag = await loadError('name: shop\nsensors:\n  - name: s\n    type: file\n    path: x/*.csv\n    select: "tag:financ"\n');
    expectError(tag, 'SELECTION_INVALID', 'weir.yaml:6:13:', 'sensor "s"', 'no asset has the tag "financ"');
  });

  test('sensors watching unknown assets are ASSET_UNKNOWN at the name', async () => {
    const published = await loadError('name: shop\nsensors:\n  - name: after\n    type: asset_published\n    assets: [orders, revenu]\n');
    expectError(published, 'ASSET_UNKNOWN', 'weir.yaml:5:22:', 'sensor "after" watches "revenu"', 'did you mean "revenue"?');
    const fresh = await loadError('name: shop\nsensors:\n  - name: fresh\n    type: freshness\n    asset: revenu\n    max_age: 1h\n');
    // Reported once, as the watched asset, not again through its default selection `+revenu`.
    expectError(fresh, 'ASSET_UNKNOWN', 'weir.yaml:5:12:', 'sensor "fresh" watches "revenu"');
  });

  test('shape problems: unknown keys, unknown sensor types, bad policies, bad durations, duplicate names', async () => {
    expectError(
      await loadError('name: shop\nschedules:\n  - name: n\n    cron: "0 2 * * *"\n    select: orders\n    timezon: UTC\n'),
      'CONFIG_UNKNOWN_KEY',
      'weir.yaml:6:5:',
      'unknown key "timezon"',
      'did you mean "timezone"?',
    );
    expectError(await loadError('name: shop\nsensors:\n  - name: s\n    type: email\n'), 'CONFIG_INVALID', 'weir.yaml:', 'expected one of file, asset_published, freshness, webhook');
    expectError(
      await loadError('name: shop\nschedules:\n  - name: n\n    cron: "0 2 * * *"\n    select: orders\n    missed: catchup\n'),
      'CONFIG_INVALID',
      'weir.yaml:6:13:',
      'expected one of skip, catch_up',
      'did you mean "catch_up"?',
    );
    expectError(
      await loadError('name: shop\nschedules:\n  - name: n\n    cron: "0 2 * * *"\n    select: orders\n    max_catch_up: 3\n'),
      'CONFIG_INVALID',
      'weir.yaml:6:5:',
      'max_catch_up applies only with missed: catch_up',
    );
    expectError(
      await loadError('name: shop\nsensors:\n  - name: f\n    type: freshness\n    asset: revenue\n    max_age: soon\n'),
      'CONFIG_INVALID',
      'weir.yaml:6:14:',
      'sensor "f": max_age is not a duration',
    );
    const duplicate = await loadError('name: shop\nschedules:\n  - name: same\n    cron: "0 2 * * *"\n    select: orders\nsensors:\n  - name: Same\n    type: asset_published\n    assets: orders\n');
    expectError(duplicate, 'CONFIG_INVALID', 'weir.yaml:7:', 'sensor "Same" has the same name as the schedule at line 3');
  });

  test('several bad schedules are reported together', async () => {
    const error = await loadError(
      'name: shop\nschedules:\n  - name: a\n    cron: "99 * * * *"\n    select: orders\n  - name: b\n    cron: "0 2 * * *"\n    timezone: Nowhere/City\n    select: orders\n',
    );
    expect(error).toBeInstanceOf(ProjectProblems);
    expect((error as ProjectProblems).problems.map((problem) => problem.describe().split(':').slice(0, 2).join(':'))).toEqual(['weir.yaml:4', 'weir.yaml:8']);
  });
});

describe('webhook sensors in weir.yaml', () => {
  test('load with their token and selection; a short token is refused at its line', async () => {
    const { project } = await load('name: hooks\nsensors:\n  - name: arrived\n    type: webhook\n    token: a-long-shared-secret-1234\n    select: [orders+]\n');
    expect(project.sensors?.[0]).toMatchObject({ type: 'webhook', token: 'a-long-shared-secret-1234', selection: { select: ['orders+'], exclude: [] } });
    const error = await loadError('name: hooks\nsensors:\n  - name: arrived\n    type: webhook\n    token: short\n    select: [orders+]\n');
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:5', 'at least 16 characters');
    expect(error.describe()).not.toContain('short\n');
  });
});
