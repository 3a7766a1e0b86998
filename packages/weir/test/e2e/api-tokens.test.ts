/**
 * `weir tokens create|ls|revoke` and a `weir serve --auth` that `weir run` reaches only with an
 * editor token in WEIR_TOKEN: without one, or with a viewer's, it says so clearly (never a raw
 * 401); a revoked token stops working at the running server.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopFiles } from './shop-fixture.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject;

beforeAll(async () => {
  project = await createWeirProject(shopFiles());
}, 60_000);

afterAll(async () => {
  await project?.cleanup();
});

async function createToken(name: string, role: string): Promise<string> {
  const made = await project.weir(['tokens', 'create', name, '--role', role]);
  expect(made.code, show(made)).toBe(0);
  expect(made.stdout).toMatch(/^weir_[A-Za-z0-9_-]{43}\n$/);
  expect(made.stderr).toContain('shown only this once');
  return made.stdout.trim();
}

describe('weir tokens', () => {
  let editor: string;
  let viewer: string;

  it('makes tokens, lists them without secrets, and refuses bad input with exit 2', async () => {
    editor = await createToken('ci', 'editor');
    viewer = await createToken('dash', 'viewer');
    expect(editor).not.toBe(viewer);

    const duplicate = await project.weir(['tokens', 'create', 'ci', '--role', 'viewer']);
    expect(duplicate.code, show(duplicate)).toBe(2);
    expect(duplicate.stderr).toContain('a token named "ci" already exists');
    const role = await project.weir(['tokens', 'create', 'x', '--role', 'owner']);
    expect(role.code, show(role)).toBe(2);
    expect(role.stderr).toContain('unknown role "owner"');
    const unknown = await project.weir(['tokens', 'revoke', 'nope']);
    expect(unknown.code, show(unknown)).toBe(2);
    expect(unknown.stderr).toContain('no token is named "nope"');
    expect(unknown.stderr).toContain('active tokens: ci, dash');

    const ls = await project.weir(['tokens', 'ls']);
    expect(ls.code, show(ls)).toBe(0);
    expect(ls.stdout).toMatch(/ci\s+editor\s+\S+\s+\S+@\S+\s+no/);
    expect(ls.stdout).toMatch(/dash\s+viewer\s+/);
    for (const secret of [editor, viewer]) {
      expect(ls.stdout).not.toContain(secret);
      expect(ls.stdout).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
    // Nothing was written by the refused commands: a header, its rule and two tokens.
    expect(ls.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('weir serve --auth: weir run needs an editor token in WEIR_TOKEN; a revoked token stops working', async () => {
    const server = project.spawnWeir(['serve', '--port', '0', '--auth']);
    try {
      await server.waitForOutput('API tokens required');
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]!;

      const without = await project.weir(['run'], { env: { WEIR_TOKEN: '' } });
      expect(without.code, show(without)).toBe(2);
      expect(without.stderr).toContain('error [UNAUTHORIZED]');
      expect(without.stderr).toContain('requires an API token and WEIR_TOKEN is not set');
      expect(without.stderr).not.toMatch(/HTTP 401|internal error/);

      const asViewer = await project.weir(['run'], { env: { WEIR_TOKEN: viewer } });
      expect(asViewer.code, show(asViewer)).toBe(2);
      expect(asViewer.stderr).toContain('error [FORBIDDEN]');
      expect(asViewer.stderr).toContain('needs an editor token');

      const asEditor = await project.weir(['run'], { env: { WEIR_TOKEN: editor } });
      expect(asEditor.code, show(asEditor)).toBe(0);
      expect(asEditor.stdout).toContain('handed to weir serve');
      expect(asEditor.stdout).toMatch(/✓ orders\s+published/);

      const revoked = await project.weir(['tokens', 'revoke', 'ci']);
      expect(revoked.code, show(revoked)).toBe(0);
      // The server reads tokens again within about a second: ask until it refuses (bounded).
      let status = 0;
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
        status = (await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${editor}` } })).status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(401);
      const refused = await project.weir(['run'], { env: { WEIR_TOKEN: editor } });
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toContain('refused the token in WEIR_TOKEN');
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
    const ls = await project.weirJson<Array<{ name: string; revoked: string }>>(['tokens', 'ls', '--json']);
    expect(ls.find((token) => token.name === 'ci')?.revoked).toMatch(/^\d{4}-.* by \S+@\S+$/);
  }, 90_000);
});
