import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isWeirError } from '../../errors/weir-error.js';
import { scanSourceFile } from './scan-source-file.js';

const dir = mkdtempSync(join(tmpdir(), 'weir-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CSV = `id,name\n${Array.from({ length: 5000 }, (_, index) => `${index},name ${index}`).join('\n')}\n`;

describe('scanSourceFile', () => {
  it('hashes the bytes on disk, compressed or not', async () => {
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, CSV);
    const scanned = await scanSourceFile(plain, { hash: true });
    expect(scanned.sha256).toBe(createHash('sha256').update(CSV).digest('hex'));
    expect(scanned.bytes).toBe(Buffer.byteLength(CSV));

    const packed = gzipSync(CSV);
    const gz = join(dir, 'whole.csv.gz');
    writeFileSync(gz, packed);
    expect((await scanSourceFile(gz, { hash: true })).sha256).toBe(createHash('sha256').update(packed).digest('hex'));
    expect((await scanSourceFile(gz, { hash: false })).sha256).toBeUndefined();
  });

  it('refuses a gzip file cut short or corrupt, naming it as the user knows it', async () => {
    const packed = gzipSync(CSV);
    const cut = join(dir, 'cut.csv.gz');
    writeFileSync(cut, packed.subarray(0, Math.floor(packed.length / 2)));
    const error = await scanSourceFile(cut, { hash: true, shownAs: 'data/cut.csv.gz' }).catch((rejection: unknown) => rejection);
    expect(isWeirError(error) && error.code).toBe('SOURCE_READ_FAILED');
    expect(String((error as Error).message)).toMatch(/cannot read data\/cut\.csv\.gz: the gzip data is truncated or corrupt/);

    const corrupt = Buffer.from(packed);
    corrupt.fill(0x41, 20, 60);
    const bad = join(dir, 'bad.csv.gz');
    writeFileSync(bad, corrupt);
    await expect(scanSourceFile(bad, { hash: false })).rejects.toThrow(/truncated or corrupt/);
  });
});
