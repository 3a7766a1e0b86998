import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectFilesStamp } from './project-files-stamp.js';

describe('projectFilesStamp', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stays while nothing changes and moves on every edit, addition and removal of a definition file', () => {
    root = mkdtempSync(join(tmpdir(), 'weir-stamp-'));
    mkdirSync(join(root, 'models', 'nested'), { recursive: true });
    writeFileSync(join(root, 'weir.yaml'), 'name: stamp\n');
    writeFileSync(join(root, 'models', 'a.sql'), 'select 1\n');
    const first = projectFilesStamp(root);
    expect(projectFilesStamp(root)).toBe(first);

    // Same size, other content: the stat's times (ctime cannot be faked) still move.
    writeFileSync(join(root, 'models', 'a.sql'), 'select 2\n');
    const edited = projectFilesStamp(root);
    expect(edited).not.toBe(first);

    writeFileSync(join(root, 'models', 'nested', 'b.sql'), 'select 3\n');
    const added = projectFilesStamp(root);
    expect(added).not.toBe(edited);
    unlinkSync(join(root, 'models', 'nested', 'b.sql'));
    expect(projectFilesStamp(root)).not.toBe(added);

    // Data files and .weir/ are not definitions.
    const before = projectFilesStamp(root);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'x.csv'), 'a\n1\n');
    mkdirSync(join(root, 'models', '.cache'));
    expect(projectFilesStamp(root)).toBe(before);
  });
});
