/**
 * `defineSource` as the project loader and the planner see it: real files bundled by the real
 * loader, plans built from the loaded project.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { buildPlan } from '../plan/build-plan.js';
import type { PointerRecord, VersionRecord } from '../storage/state-store.js';
import { loadProject } from './load-project.js';
import type { Project } from './project-model.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await removeTempProject(root);
});

async function project(files: Record<string, string>): Promise<Project> {
  const root = await writeTempProject({ 'weir.yaml': 'name: t\n', ...files });
  roots.push(root);
  return loadProject(root);
}

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const error = await project(files).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isWeirError(error)) throw new Error(`expected the project to be refused, got ${String(error)}`);
  const all = 'problems' in error && Array.isArray(error.problems) ? (error.problems as unknown[]) : [error];
  return all.map((problem) => (isWeirError(problem) ? `${problem.location?.file}:${problem.location?.line}: ${problem.code}: ${problem.message} (${problem.hint ?? 'no hint'})` : String(problem)));
}

const CRM = `
  import { defineAsset, defineSource } from 'weir';

  export const crm_contacts = defineSource({
    description: 'Contacts from the CRM',
    schema: 'discard_value',
    primaryKey: ['id'],
    incremental: { cursor: 'meta.updatedAt' },
    tags: ['crm'],
    columnDescriptions: { id: 'the CRM id' },
    checks: [{ unique: 'id' }],
    timeoutSeconds: 30,
    async *read(ctx) {
      yield [{ id: 1, meta: { updatedAt: ctx.highWaterMark } }];
    },
  });

  export const crm_companies = defineSource({
    async *read() {
      yield { id: 1 };
    },
  });

  export const contact_count = defineAsset({
    inputs: ['crm_contacts'],
    async run(ctx) {
      return ctx.sql('select count(*) as n from crm_contacts');
    },
  });
`;

describe('loading defineSource', () => {
  it('makes a typescript_source asset of each definition, named by its export when a file has several', async () => {
    const loaded = await project({ 'models/crm.ts': CRM });
    expect([...loaded.assets.keys()].sort()).toEqual(['contact_count', 'crm_companies', 'crm_contacts']);
    expect(loaded.assets.get('crm_contacts')).toMatchObject({
      kind: 'typescript_source',
      file: 'models/crm.ts',
      line: 3,
      exportName: 'crm_contacts',
      materialization: 'table',
      inputs: [],
      description: 'Contacts from the CRM',
      schemaPolicy: 'discard_value',
      primaryKey: ['id'],
      incremental: { cursor: 'meta.updatedAt' },
      tags: ['crm'],
      columns: { id: { description: 'the CRM id' } },
      checks: [expect.objectContaining({ type: 'unique' })],
      timeoutSeconds: 30,
      codeHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const companies = loaded.assets.get('crm_companies');
    expect(companies).toMatchObject({ kind: 'typescript_source', schemaPolicy: 'evolve', primaryKey: [] });
    expect(companies && 'incremental' in companies ? companies.incremental : undefined).toBeUndefined();
    expect(loaded.assets.get('contact_count')).toMatchObject({ kind: 'typescript', inputs: ['crm_contacts'] });
  });

  it('names a lone definition after its file, as defineAsset does', async () => {
    const loaded = await project({ 'models/leads.ts': "import { defineSource } from 'weir';\nexport const source = defineSource({ *read() { yield { id: 1 }; } });\n" });
    expect(loaded.assets.get('leads')).toMatchObject({ kind: 'typescript_source', exportName: 'source' });
  });

  it('reports a bad option at the file and line of the definition, naming the option', async () => {
    const problems = await problemsOf({
      'models/bad.ts': `import { defineSource } from 'weir';

export const bad = defineSource({
  // @ts-expect-error: not a policy
  schema: 'drop',
  async *read() {},
});
`,
    });
    expect(problems).toEqual([expect.stringMatching(/^models\/bad\.ts:3: CONFIG_INVALID: .*schema.*evolve, freeze, discard_row, discard_value/)]);
  });

  it('suggests the key meant by a misspelt one, and requires read', async () => {
    const problems = await problemsOf({
      'models/typo.ts': `import { defineSource } from 'weir';
// @ts-expect-error: misspelt key, no read
export const typo = defineSource({ primary_key: ['id'] });
`,
    });
    expect(problems.join('\n')).toMatch(/models\/typo\.ts:3: CONFIG_UNKNOWN_KEY: .*primary_key.*primaryKey/);
    expect(problems.join('\n')).toMatch(/models\/typo\.ts:3: CONFIG_INVALID: .*read.*expected a function/);
  });
});

describe('planning a TypeScript source', () => {
  const pointer = (asset: string, version: string): PointerRecord => ({ environment: 'prod', asset, version, publishedAt: '2026-01-01T00:00:00Z', pinned: false });
  const version = (asset: string, id: string): VersionRecord => ({
    asset, version: id, physicalSchema: 'weir_versions', physicalName: `${asset}__${id}`, materialization: 'table', status: 'published', rows: 1, createdAt: '2026-01-01T00:00:00Z', createdByRun: 'r', basedOn: null,
  });
  const plan = (loaded: Project, name: string, current?: string) =>
    buildPlan({
      project: loaded, engine: 'duckdb', environment: 'prod', selected: new Set([name]),
      pointers: current === undefined ? [] : [pointer(name, current)], versions: current === undefined ? [] : [version(name, current)], describeFiles: async () => [],
    });

  it('loads a whole source again on every run: a new version each time, built from nothing', async () => {
    const loaded = await project({ 'models/crm.ts': CRM });
    const first = (await plan(loaded, 'crm_companies')).steps[0]!;
    expect(first).toMatchObject({ action: 'build', basedOn: null });
    const again = (await plan(loaded, 'crm_companies', first.version)).steps[0]!;
    expect(again).toMatchObject({ action: 'build', basedOn: null });
    expect(again.version).not.toBe(first.version);
  });

  it('extends the current version of an incremental source', async () => {
    const loaded = await project({ 'models/crm.ts': CRM });
    const first = (await plan(loaded, 'crm_contacts')).steps[0]!;
    expect(first).toMatchObject({ action: 'build', basedOn: null, reason: 'first build' });
    const again = (await plan(loaded, 'crm_contacts', first.version)).steps[0]!;
    expect(again).toMatchObject({ action: 'build', basedOn: first.version });
    expect(again.version).not.toBe(first.version);
  });

  it('plans a downstream asset after the source it reads', async () => {
    const loaded = await project({ 'models/crm.ts': CRM });
    const steps = (await buildPlan({ project: loaded, engine: 'duckdb', environment: 'prod', selected: new Set(loaded.assets.keys()), pointers: [], versions: [], describeFiles: async () => [] })).steps;
    const order = steps.map((step) => step.asset.name);
    expect(order.indexOf('crm_contacts')).toBeLessThan(order.indexOf('contact_count'));
    expect(steps.find((step) => step.asset.name === 'contact_count')?.upstreamInPlan).toEqual(['crm_contacts']);
  });
});
