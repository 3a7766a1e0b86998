/**
 * `weir rollback` while `weir serve` owns the project: the rollback is handed to the server (which
 * does it between runs, with its own warehouse connection) instead of being refused, prints what
 * it printed without a server, and is held to the server's roles (`WEIR_TOKEN`) in auth mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueSql, shopFiles } from './shop-fixture.js';
import { createWeirProject, show, type BackgroundWeir, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject;
const versions: string[] = [];

beforeAll(async () => {
  project = await createWeirProject(shopFiles());
  for (const extra of ['', ', 7 as marker']) {
    project.write({ 'models/revenue.sql': revenueSql(extra) });
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    versions.unshift((await project.weirJson<{ version: string }>(['show', 'revenue', '--json'])).version);
  }
}, 120_000);

afterAll(async () => {
  await project?.cleanup();
});

async function serve(args: string[] = []): Promise<{ server: BackgroundWeir; url: string }> {
  const server = project.spawnWeir(['serve', '--port', '0', ...args]);
  await server.waitForOutput(/at (http:\/\/127\.0\.0\.1:\d+)/);
  return { server, url: /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]! };
}

async function stop(server: BackgroundWeir): Promise<void> {
  server.kill('SIGTERM');
  await server.exited;
}

describe('weir rollback beside weir serve', () => {
  it('is done by the server, prints the same lines, and the server then serves the older version', async () => {
    const [newest, older] = versions as [string, string];
    expect(newest).not.toBe(older);
    const { server, url } = await serve();
    try {
      const rolled = await project.weir(['rollback', 'revenue']);
      expect(rolled.code, show(rolled)).toBe(0);
      expect(rolled.stdout).toBe(`revenue in prod: ${newest} -> ${older}\npinned: runs leave revenue at ${older} until you run: weir unpin revenue\n`);
      const preview = (await (await fetch(`${url}/api/assets/revenue/preview`)).json()) as { version: string; columns: Array<{ name: string }> };
      expect(preview.version).toBe(older);
      expect(preview.columns.map((column) => column.name)).not.toContain('marker');

      const forward = await project.weirJson<{ from: string; to: string }>(['rollback', 'revenue', '--to', newest.slice(0, 6), '--json']);
      expect(forward).toEqual({ asset: 'revenue', environment: 'prod', from: older, to: newest });
      // The server's refusals are the command's errors.
      const unknown = await project.weir(['rollback', 'revenue', '--to', 'ffffffff']);
      expect(unknown.code, show(unknown)).toBe(2);
      expect(unknown.stderr).toContain('VERSION_UNKNOWN');
    } finally {
      await stop(server);
    }
  }, 60_000);

  it('needs an editor token in WEIR_TOKEN when the server requires tokens', async () => {
    const tokens: Record<string, string> = {};
    for (const role of ['viewer', 'editor']) {
      const made = await project.weir(['tokens', 'create', `cli-${role}`, '--role', role]);
      expect(made.code, show(made)).toBe(0);
      tokens[role] = made.stdout.trim();
    }
    const { server } = await serve(['--auth']);
    try {
      const none = await project.weir(['rollback', 'revenue'], { env: { WEIR_TOKEN: '' } });
      expect(none.code, show(none)).not.toBe(0);
      expect(none.stderr).toContain('requires an API token and WEIR_TOKEN is not set');
      const viewer = await project.weir(['rollback', 'revenue'], { env: { WEIR_TOKEN: tokens.viewer! } });
      expect(viewer.code, show(viewer)).not.toBe(0);
      expect(viewer.stderr).toContain('is a viewer; this call needs an editor token');
      const editor = await project.weir(['rollback', 'revenue'], { env: { WEIR_TOKEN: tokens.editor! } });
      expect(editor.code, show(editor)).toBe(0);
      expect(editor.stdout).toContain(`revenue in prod: ${versions[0]} -> ${versions[1]}`);
    } finally {
      await stop(server);
    }
  }, 60_000);
});
