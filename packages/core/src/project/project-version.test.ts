import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { projectVersion, workerCodeVersion } from './project-version.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'weir-version-'));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return root;
}

const files = { 'weir.yaml': 'name: v\n', 'models/a.sql': 'select 1 as x\n', 'sources/s.yaml': 'tables: []\n', 'data/a.csv': 'x\n1\n' };

it('is the same for the same definition files in another folder, and ignores data and .weir/', async () => {
  const first = await projectVersion(project(files));
  const second = project(files);
  writeFileSync(join(second, 'data/a.csv'), 'x\n2\n');
  mkdirSync(join(second, '.weir'));
  writeFileSync(join(second, '.weir/state.db'), 'anything');
  expect(await projectVersion(second)).toBe(first);
  expect(first).toMatch(/^[0-9a-f]{12}$/);
});

it('changes when a model, a source, weir.yaml or the set of files changes', async () => {
  const base = await projectVersion(project(files));
  expect(await projectVersion(project({ ...files, 'models/a.sql': 'select 2 as x\n' }))).not.toBe(base);
  expect(await projectVersion(project({ ...files, 'sources/s.yaml': 'tables: [] # edited\n' }))).not.toBe(base);
  expect(await projectVersion(project({ ...files, 'weir.yaml': 'name: w\n' }))).not.toBe(base);
  expect(await projectVersion(project({ ...files, 'models/b.sql': 'select 1 as y\n' }))).not.toBe(base);
  // A file renamed with the same content is another project.
  const { 'models/a.sql': sql, ...rest } = files;
  expect(await projectVersion(project({ ...rest, 'models/c.sql': sql }))).not.toBe(base);
});

it('counts a custom sensor for the server (it reloads sensors) but not for workers (they never run one)', async () => {
  const sensor = "import { defineSensor } from 'weir';\nexport const s = defineSensor({ select: 'a', evaluate: () => ({ skipReason: 'nothing new' }) });\n";
  const without = project(files);
  const withSensor = project({ ...files, 'sensors/s.ts': sensor });
  expect(await projectVersion(withSensor)).not.toBe(await projectVersion(without));
  expect(await workerCodeVersion(withSensor)).toBe(await workerCodeVersion(without));
  // A model still counts for workers.
  expect(await workerCodeVersion(project({ ...files, 'models/b.sql': 'select 1 as y\n' }))).not.toBe(await workerCodeVersion(without));
});
