/**
 * `openlineage:` in weir.yaml: what a valid declaration loads into (file path resolved, defaults,
 * HTTP references resolved with the URL kept as written and secrets listed), and every bad input
 * with its error at weir.yaml:line, never quoting a value that came from the environment.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { WeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
import { removeTempProject, writeTempProject } from './temp-project.js';
import { expectError, weirErrorOf } from '../testing/weir-error-expectations.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const MODELS = { 'models/orders.sql': 'select 1 as id\n' };

async function load(weirYaml: string, env: Record<string, string> = {}) {
  const root = await writeTempProject({ 'weir.yaml': weirYaml, ...MODELS });
  roots.push(root);
  return { root, project: await loadProject(root, { env }) };
}

function loadError(weirYaml: string, env: Record<string, string> = {}): Promise<WeirError> {
  return weirErrorOf(load(weirYaml, env));
}

const yaml = (lines: string[]): string => ['name: shop', 'openlineage:', ...lines].join('\n') + '\n';

describe('openlineage in weir.yaml', () => {
  test('a file transport: the default path under .weir/, the default namespace weir://<project>', async () => {
    const { root, project } = await load(yaml(['  transport: { type: file }']));
    expect(project.openlineage).toEqual({
      transport: { type: 'file', path: join(root, '.weir', 'openlineage.ndjson'), shownPath: '.weir/openlineage.ndjson' },
      namespace: 'weir://shop',
      location: { file: 'weir.yaml', line: 3, column: 3 },
    });
    // `transport: file` is the same.
    expect((await load(yaml(['  transport: file']))).project.openlineage?.transport).toMatchObject({ type: 'file', shownPath: '.weir/openlineage.ndjson' });
  });

  test('a file path and a namespace, both from the environment', async () => {
    const { root, project } = await load(yaml(['  transport: { type: file, path: "${OL_DIR}/events.ndjson" }', '  namespace: weir://${TEAM}']), { OL_DIR: 'lineage', TEAM: 'analytics' });
    expect(project.openlineage).toMatchObject({ transport: { type: 'file', path: join(root, 'lineage', 'events.ndjson'), shownPath: '${OL_DIR}/events.ndjson' }, namespace: 'weir://analytics' });
  });

  test('an HTTP transport: references resolved, URL kept as written, secrets listed, timeout in ms', async () => {
    const { project } = await load(
      yaml(['  transport:', '    type: http', '    url: ${OL_URL}', '    headers: { Authorization: "Bearer ${OL_TOKEN}" }', '    timeout_seconds: 2']),
      { OL_URL: 'http://marquez.internal:5000/api/v1/lineage', OL_TOKEN: 'tok-0123456789' },
    );
    expect(project.openlineage?.transport).toMatchObject({
      type: 'http',
      url: 'http://marquez.internal:5000/api/v1/lineage',
      shownUrl: '${OL_URL}',
      headers: { Authorization: 'Bearer tok-0123456789' },
      missing: [],
      timeoutMs: 2000,
    });
    const transport = project.openlineage?.transport;
    expect(transport?.type === 'http' ? transport.secrets : []).toEqual(expect.arrayContaining(['tok-0123456789', 'Bearer tok-0123456789', 'http://marquez.internal:5000/api/v1/lineage']));
  });

  test('absent: no events', async () => {
    expect((await load('name: shop\n')).project.openlineage).toBeUndefined();
  });

  test('an HTTP variable not set does not stop the project from loading; a file path variable does', async () => {
    const { project } = await load(yaml(['  transport: { type: http, url: "${OL_URL}" }']));
    expect(project.openlineage?.transport).toMatchObject({ type: 'http', missing: ['OL_URL'] });
    expectError(await loadError(yaml(['  transport: { type: file, path: "${OL_DIR}/x.ndjson" }'])), 'CONFIG_INVALID', 'weir.yaml:3', 'environment variable "OL_DIR" is not set');
  });

  test('bad inputs are refused at their line', async () => {
    expectError(await loadError(yaml(['  transport: { type: kafka }'])), 'CONFIG_INVALID', 'weir.yaml:3', 'openlineage.transport');
    expectError(await loadError(yaml(['  transport: { type: file, paht: x }'])), 'CONFIG_UNKNOWN_KEY', 'weir.yaml:3', 'unknown key "paht"', 'did you mean "path"');
    expectError(await loadError(yaml(['  transport: { type: http }'])), 'CONFIG_INVALID', 'weir.yaml:3', 'url');
    expectError(await loadError(yaml(['  namespace: weir://x'])), 'CONFIG_INVALID', 'weir.yaml:3', '"openlineage.transport" is required');
    expectError(await loadError(yaml(['  transport: { type: http, url: "marquez:5000" }'])), 'CONFIG_INVALID', 'weir.yaml:3', 'url "marquez:5000" is not an http(s) URL');
    expectError(await loadError(yaml(['  transport:', '    type: http', '    url: https://u:pw@ol.example.com/api/v1/lineage'])), 'CONFIG_INVALID', 'weir.yaml:5', 'user name or password');
    expectError(await loadError(yaml(['  transport: { type: http, url: "http://h/x", timeout_seconds: 0 }'])), 'CONFIG_INVALID', 'weir.yaml:3', 'expected a number of seconds > 0');
    expectError(await loadError(yaml(['  transport:', '    type: http', '    url: http://h/${OL PATH}'])), 'CONFIG_INVALID', 'weir.yaml:5', '"${OL PATH}" is not a valid environment variable reference');
  });

  test('a bad URL or header from the environment is reported as written, its value never shown', async () => {
    const url = await loadError(yaml(['  transport:', '    type: http', '    url: ${OL_URL}']), { OL_URL: 'not-a-url-but-a-secret' });
    expectError(url, 'CONFIG_INVALID', 'weir.yaml:5', 'url "${OL_URL}" is not an http(s) URL once its environment variables are resolved');
    expect(url.describe()).not.toContain('not-a-url-but-a-secret');
    const header = await loadError(yaml(['  transport:', '    type: http', '    url: http://h/x', '    headers:', '      Authorization: "${OL_TOKEN}"']), { OL_TOKEN: 'abc\ndef-secret' });
    expectError(header, 'CONFIG_INVALID', 'weir.yaml:7', 'header "Authorization" is not a valid HTTP header');
    expect(header.describe()).not.toContain('def-secret');
  });
});
