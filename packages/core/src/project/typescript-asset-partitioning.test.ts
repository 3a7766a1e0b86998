/** `defineAsset({ partitionedBy })`: what loads, and each bad declaration's error naming the file and export line. */
import { afterAll, describe, expect, it } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import { partitionedVersion } from '../plan/build-plan.js';
import { loadProject } from './load-project.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

/** A project whose `models/readings.ts` exports one asset on line 3 with these options. */
const project = (options: string): Record<string, string> => ({
  'weir.yaml': 'name: t\n',
  'models/readings.ts': `import { defineAsset } from 'weir';\n\nexport const readings = defineAsset({\n  ${options}\n  run() { return []; },\n});\n`,
});

async function load(options: string) {
  const root = await writeTempProject(project(options));
  roots.push(root);
  return loadProject(root, { env: {} });
}

async function loadError(options: string): Promise<WeirError> {
  try {
    await load(options);
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('expected the project to fail to load');
}

describe('defineAsset partitionedBy', () => {
  it('loads time and static partitions, with the default time zone', async () => {
    const time = (await load("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01' },")).assets.get('readings');
    expect(time?.kind === 'typescript' && time.partitionedBy).toEqual({ kind: 'time', column: 'day', granularity: 'day', start: '2026-03-01', timezone: 'UTC' });
    expect(time?.kind === 'typescript' && time.partitionedAt).toEqual({ file: 'models/readings.ts', line: 3 });
    const values = (await load("partitionedBy: { column: 'region', values: ['eu', 'us'] }, columns: { region: 'VARCHAR', n: 'BIGINT' },")).assets.get('readings');
    expect(values?.kind === 'typescript' && values.partitionedBy).toEqual({ kind: 'values', column: 'region', values: ['eu', 'us'] });
  });

  it('makes its options part of its version, as code (the range too, unlike a model header)', async () => {
    const version = async (options: string) => partitionedVersion((await load(options)).assets.get('readings')!, 'duckdb', '/');
    const daily = await version("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01' },");
    expect(await version("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01' },")).toBe(daily);
    expect(await version("partitionedBy: { column: 'day', granularity: 'month', start: '2026-03-01' },")).not.toBe(daily);
    expect(await version("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01', end: '2027-01-01' },")).not.toBe(daily);
    expect(await version('')).not.toBe(daily);
  });

  it('names the file and export line for a bad shape', async () => {
    const granularity = await loadError("partitionedBy: { column: 'day', granularity: 'week', start: '2026-03-01' },");
    expect(granularity.describe()).toMatch(/^models\/readings\.ts:3: .*partitionedBy\.granularity.*expected one of hour, day, month/);
    const start = await loadError("partitionedBy: { column: 'day', granularity: 'day', start: 'soon' },");
    expect(start.describe()).toBe('models/readings.ts:3: readings.partitionedBy.start: "soon" is not a date (expected e.g. 2026-01-01, or 2026-01-01T06:00 for hours)');
    const zone = await loadError("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01', timezone: 'Mars/Base' },");
    expect(zone.describe()).toMatch(/^models\/readings\.ts:3: readings\.partitionedBy\.timezone: "Mars\/Base" is not a known time zone/);
    const noStart = await loadError("partitionedBy: { column: 'day', granularity: 'day' },");
    expect(noStart.describe()).toMatch(/^models\/readings\.ts:3: readings\.partitionedBy\.granularity: "partitionedBy" needs "start"/);
    const mixed = await loadError("partitionedBy: { column: 'region', values: ['eu'], start: '2026-03-01' },");
    expect(mixed.describe()).toMatch(/^models\/readings\.ts:3: readings\.partitionedBy\.start: "start" applies to time partitions/);
    const unknownKey = await loadError("partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01', zone: 'UTC' },");
    expect(unknownKey.describe()).toMatch(/^models\/readings\.ts:3: unknown key "zone" in "readings\.partitionedBy"/);
    const noColumn = await loadError("partitionedBy: { granularity: 'day', start: '2026-03-01' },");
    expect(noColumn.describe()).toMatch(/^models\/readings\.ts:3: "readings\.partitionedBy\.column" is required/);
  });

  it('refuses a partition column that is not among the declared columns, suggesting the closest', async () => {
    const error = await loadError("partitionedBy: { column: 'dya', granularity: 'day', start: '2026-03-01' }, columns: { day: 'DATE', total: 'DOUBLE' },");
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.describe()).toBe('models/readings.ts:3: partition column "dya" of readings is not among its declared columns (day, total)\n  hint: did you mean "day"?');
  });
});
