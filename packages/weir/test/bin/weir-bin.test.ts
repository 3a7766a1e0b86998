/**
 * The `weir` launcher's last line of defence: when `main()` never settles (the event loop empties
 * with its promise pending, as a worker that vanished once caused), weir must not exit 0 as if
 * all went well. The real `bin/weir.js` runs in a real process next to a stand-in `dist/cli.js`
 * whose `main` behaves as the case needs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const launcher = fileURLToPath(new URL('../../bin/weir.js', import.meta.url));
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Runs the launcher with `main` defined by `mainSource` (an ES module exporting `main`). */
function runLauncher(mainSource: string): { status: number | null; stdout: string; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), 'weir-bin-'));
  folders.push(root);
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist'));
  copyFileSync(launcher, join(root, 'bin', 'weir.js'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'dist', 'cli.js'), mainSource);
  const result = spawnSync(process.execPath, [join(root, 'bin', 'weir.js'), 'run'], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/weir.js', () => {
  it('exits 3 with an internal error when main() never settles', () => {
    const result = runLauncher('export function main() { return new Promise(() => {}); }\n');
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('internal error: weir stopped before finishing');
    expect(result.stdout).toBe('');
  });

  it('exits with the code main() resolves to, and says nothing more', () => {
    for (const code of [0, 1, 2]) {
      const result = runLauncher(`export async function main() { await new Promise((r) => setTimeout(r, 1)); return ${code}; }\n`);
      expect(result.status).toBe(code);
      expect(result.stderr).toBe('');
    }
  });

  it('exits 3 when main() rejects', () => {
    const result = runLauncher("export async function main() { throw new Error('boom'); }\n");
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('weir: internal error:');
    expect(result.stderr).toContain('boom');
  });
});
