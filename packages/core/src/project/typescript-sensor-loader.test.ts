/**
 * Loading `sensors/*.ts`: every mistake in a sensor file is reported at its file and line, as
 * for TypeScript assets (bad options, a name used by weir.yaml, an interval that is no duration, a
 * file that does not compile or throws while loading, a file exporting no sensor), and helper
 * modules in subfolders are not sensors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
import { ProjectProblems } from './project-problems.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const BASE = {
  'weir.yaml': 'name: shop\nsensors:\n  - name: landing\n    type: file\n    path: data/*.csv\n    select: orders\n',
  'models/orders.sql': 'select 1 as id\n',
};

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => removeTempProject(root)));
});

/** Each problem of loading a project made of BASE and `files`, as `CODE file:line: message`. */
async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const root = await writeTempProject({ ...BASE, ...files });
  roots.push(root);
  try {
    await loadProject(root, { env: {} });
  } catch (error) {
    if (!(error instanceof WeirError)) throw error;
    const problems = error instanceof ProjectProblems ? error.problems : [error];
    return problems.map((problem) => `${problem.code} ${problem.location?.file}:${problem.location?.line}: ${problem.message}`);
  }
  return [];
}

describe('loading custom sensors', () => {
  it('loads a sensor and leaves helper modules in subfolders alone', async () => {
    const root = await writeTempProject({
      ...BASE,
      'sensors/lib/read-marker.ts': 'export const marker = (text: string): string => text.trim();\n',
      'sensors/export_ready.ts': "import { defineSensor } from 'weir';\nimport { marker } from './lib/read-marker';\n\nexport const export_ready = defineSensor({ select: 'orders', interval: '2m', evaluate: () => ({ cursor: marker(' x ') }) });\n",
    });
    roots.push(root);
    const project = await loadProject(root, { env: {} });
    expect(project.sensors?.map((sensor) => [sensor.name, sensor.type, sensor.intervalSeconds, sensor.location])).toEqual([
      ['landing', 'file', 30, expect.objectContaining({ file: 'weir.yaml' })],
      ['export_ready', 'typescript', 120, { file: 'sensors/export_ready.ts', line: 4 }],
    ]);
  });

  it('reports bad options at the export line', async () => {
    const problems = await problemsOf({
      'sensors/bad.ts': "import { defineSensor } from 'weir';\n\nexport const bad = defineSensor({ select: 'orders', evaluate: 5 as never, every: '1m' } as never);\n",
    });
    expect(problems).toEqual([
      'CONFIG_INVALID sensors/bad.ts:3: "bad.evaluate": expected a function (evaluate(ctx) { return { runRequests: true } })',
      'CONFIG_UNKNOWN_KEY sensors/bad.ts:3: unknown key "every" in "bad"',
    ]);
  });

  it('refuses a name already used by weir.yaml, or by another sensor file', async () => {
    const problems = await problemsOf({
      'sensors/landing.ts': "import { defineSensor } from 'weir';\n\nexport const landing = defineSensor({ select: 'orders', evaluate: () => undefined });\n",
      'sensors/one.ts': "import { defineSensor } from 'weir';\nexport const one = defineSensor({ name: 'twin', select: 'orders', evaluate: () => undefined });\n",
      'sensors/two.ts': "import { defineSensor } from 'weir';\nexport const two = defineSensor({ name: 'Twin', select: 'orders', evaluate: () => undefined });\n",
    });
    expect(problems).toEqual([
      'CONFIG_INVALID sensors/landing.ts:3: sensor "landing" has the same name as the sensor "landing" at weir.yaml:3',
      'CONFIG_INVALID sensors/two.ts:2: sensor "Twin" has the same name as the sensor "twin" at sensors/one.ts:2',
    ]);
  });

  it('refuses an interval that is not a duration', async () => {
    const problems = await problemsOf({
      'sensors/often.ts': "import { defineSensor } from 'weir';\n\n\nexport const often = defineSensor({ select: 'orders', interval: 'soon', evaluate: () => undefined });\n",
    });
    expect(problems).toEqual(['CONFIG_INVALID sensors/often.ts:4: sensor "often": interval "soon" is not a duration']);
  });

  it('reports a file that does not compile at its line, and one that throws while loading at the throw', async () => {
    const problems = await problemsOf({
      'sensors/typo.ts': "import { defineSensor } from 'weir';\n\nexport const typo = defineSensor({ select: 'orders', evaluate() { return { runRequests: true } }) );\n",
      'sensors/loud.ts': "import { defineSensor } from 'weir';\n\nconst token = process.env.NO_SUCH_VARIABLE;\nif (token === undefined) throw new Error('set NO_SUCH_VARIABLE');\nexport const loud = defineSensor({ select: 'orders', evaluate: () => undefined });\n",
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('USER_CODE_FAILED sensors/loud.ts:4: sensors/loud.ts threw while being loaded: set NO_SUCH_VARIABLE');
    expect(problems[1]).toMatch(/^USER_CODE_FAILED sensors\/typo\.ts:3: sensors\/typo\.ts does not compile: /);
  });

  it('refuses a sensor file that exports no sensor, and assets under sensors/', async () => {
    const problems = await problemsOf({
      'sensors/forgot.ts': 'export const forgot = { evaluate: () => undefined };\n',
      'sensors/lost.ts': "import { defineAsset } from 'weir';\n\nexport const lost = defineAsset({ run: () => [] });\n",
    });
    expect(problems).toEqual([
      'CONFIG_INVALID sensors/forgot.ts:1: sensors/forgot.ts exports no defineSensor(...) definition',
      'CONFIG_INVALID sensors/lost.ts:3: sensors/lost.ts: export "lost" is an asset, but files under sensors/ declare sensors',
    ]);
  });

  it('reports a selection naming no asset at the sensor', async () => {
    const problems = await problemsOf({
      'sensors/typo_select.ts': "import { defineSensor } from 'weir';\n\nexport const typo_select = defineSensor({ select: 'ordrs', evaluate: () => undefined });\n",
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SELECTION_INVALID sensors\/typo_select\.ts:3: sensor "typo_select": .*ordrs/);
  });
});
