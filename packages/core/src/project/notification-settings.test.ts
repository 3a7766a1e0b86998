/**
 * `notifications:` in weir.yaml: what a valid declaration loads into (references resolved, the
 * URL kept as written for display, secrets listed for masking), and every bad input with its
 * error at weir.yaml:line, never quoting a value that came from the environment.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { WeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
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
};

async function load(weirYaml: string, env: Record<string, string> = {}) {
  const root = await writeTempProject({ 'weir.yaml': weirYaml, ...MODELS });
  roots.push(root);
  return loadProject(root, { env });
}

function loadError(weirYaml: string, env: Record<string, string> = {}): Promise<WeirError> {
  return weirErrorOf(load(weirYaml, env));
}

const hook = (lines: string[]): string => ['name: shop', 'notifications:', '  - name: team_webhook', ...lines].join('\n') + '\n';

describe('notifications in weir.yaml', () => {
  test('a full declaration loads with its references resolved and its URL kept as written', async () => {
    const project = await load(
      hook([
        '    on: [run_failed, run_succeeded, backfill_finished]',
        '    webhook:',
        '      url: https://hooks.example.com/${HOOK_PATH}',
        '      headers: { Authorization: "Bearer ${HOOK_TOKEN}", X-Team: data }',
        '    select: [tag:finance]',
        '  - name: failures_only',
        '    webhook: { url: "http://127.0.0.1:9/x" }',
      ]),
      { HOOK_PATH: 'T0/B1/secretpath', HOOK_TOKEN: 's3cr3t-token' },
    );
    const [team, failures] = project.notifications ?? [];
    expect(team).toMatchObject({
      name: 'team_webhook',
      on: ['run_failed', 'run_succeeded', 'backfill_finished'],
      selection: { select: ['tag:finance'], exclude: [] },
      location: { file: 'weir.yaml', line: 3 },
      webhook: {
        url: 'https://hooks.example.com/T0/B1/secretpath',
        shownUrl: 'https://hooks.example.com/${HOOK_PATH}',
        headers: { Authorization: 'Bearer s3cr3t-token', 'X-Team': 'data' },
      },
    });
    expect(team?.webhook.secrets).toEqual(expect.arrayContaining(['T0/B1/secretpath', 's3cr3t-token', 'Bearer s3cr3t-token', encodeURIComponent('T0/B1/secretpath')]));
    // `on` defaults to failures only; a lone string is a list of one.
    expect(failures).toMatchObject({ name: 'failures_only', on: ['run_failed'], webhook: { url: 'http://127.0.0.1:9/x', shownUrl: 'http://127.0.0.1:9/x', headers: {} } });
    expect(failures?.selection).toBeUndefined();
    expect((await load(hook(['    on: backfill_finished', '    webhook: { url: "http://h/x" }']))).notifications?.[0]?.on).toEqual(['backfill_finished']);
  });

  test('a project without notifications has none', async () => {
    expect((await load('name: shop\n')).notifications).toBeUndefined();
  });

  test('an unknown event kind is named at its line, with the closest one', async () => {
    const error = await loadError(hook(['    on: [run_failed, run_faild]', '    webhook: { url: "http://h/x" }']));
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:4', 'notifications[0].on[1]', 'expected one of run_failed, run_succeeded, backfill_finished', 'did you mean "run_failed"');
  });

  test('a URL that is not http(s) is refused at its line', async () => {
    expectError(await loadError(hook(['    webhook:', '      url: hooks.example.com/weir'])), 'CONFIG_INVALID', 'weir.yaml:5', 'notification "team_webhook": webhook url "hooks.example.com/weir" is not an http(s) URL');
    expectError(await loadError(hook(['    webhook: { url: "ftp://files.example.com/x" }'])), 'CONFIG_INVALID', 'weir.yaml:4', 'is not an http(s) URL');
    expectError(await loadError(hook(['    webhook: { url: "https://user:pw@hooks.example.com/x" }'])), 'CONFIG_INVALID', 'weir.yaml:4', 'user name or password', 'in a header');
  });

  test('a URL from the environment that is bad is reported as written, its value never shown', async () => {
    const error = await loadError(hook(['    webhook:', '      url: ${HOOK_URL}']), { HOOK_URL: 'not-a-url-but-a-secret' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:5', 'webhook url "${HOOK_URL}" is not an http(s) URL once its environment variables are resolved');
    expect(error.describe()).not.toContain('not-a-url-but-a-secret');
  });

  test('a header value from the environment that fetch would refuse is reported without its value', async () => {
    const error = await loadError(hook(['    webhook:', '      url: https://h.example.com/x', '      headers:', '        Authorization: "Bearer ${HOOK_TOKEN}"']), { HOOK_TOKEN: 'abc\ndef-secret' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:7', 'header "Authorization" is not a valid HTTP header');
    expect(error.describe()).not.toContain('def-secret');
  });

  test('a variable that is not set does not stop the project from loading; a malformed reference does', async () => {
    const project = await load(hook(['    webhook:', '      url: ${HOOK_URL}', '      headers: { Authorization: "Bearer ${HOOK_TOKEN}" }']), { HOOK_URL: 'https://h.example.com/x' });
    expect(project.notifications?.[0]?.webhook).toMatchObject({ url: 'https://h.example.com/x', shownUrl: '${HOOK_URL}', missing: ['HOOK_TOKEN'] });
    const error = await loadError(hook(['    webhook:', '      url: https://h.example.com/${HOOK PATH}']));
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:5', '"${HOOK PATH}" is not a valid environment variable reference');
    // `$${` is a literal `${`, and the rest of weir.yaml still fails on a variable not set.
    expect((await load(hook(['    webhook: { url: "https://h.example.com/$${x}" }']))).notifications?.[0]?.webhook.url).toBe('https://h.example.com/${x}');
    expectError(await loadError(`environment: \${ENV_NAME}\n${hook(['    webhook: { url: "https://h.example.com/x" }'])}`), 'CONFIG_INVALID', 'weir.yaml:1', 'environment variable "ENV_NAME" is not set');
  });

  test('unknown keys, a missing webhook, two notifications of one name and an unknown selection', async () => {
    expectError(await loadError(hook(['    webhook: { url: "http://h/x", header: {} }'])), 'CONFIG_UNKNOWN_KEY', 'weir.yaml:4', 'unknown key "header"', 'did you mean "headers"');
    expectError(await loadError(hook(['    on: [run_failed]'])), 'CONFIG_INVALID', 'weir.yaml:3', '"notifications[0].webhook" is required');
    expectError(
      await loadError(hook(['    webhook: { url: "http://h/x" }', '  - name: Team_Webhook', '    webhook: { url: "http://h/y" }'])),
      'CONFIG_INVALID',
      'weir.yaml:5',
      'notification "Team_Webhook" has the same name as the one at line 3',
    );
    expectError(await loadError(hook(['    webhook: { url: "http://h/x" }', '    select: tag:financ'])), 'SELECTION_INVALID', 'weir.yaml:5', 'notification "team_webhook"', 'financ');
  });
});
