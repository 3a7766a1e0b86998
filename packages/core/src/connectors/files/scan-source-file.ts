/**
 * One streaming pass over a source file: its sha256 (what `load: new_files` remembers), and for a
 * gzip file proof that it decompresses to the end. DuckDB's reader stops quietly at the end of a
 * truncated gzip stream and loads the rows before it, so a half-uploaded `.csv.gz` would become a
 * version with rows missing and no error; Weir refuses it instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { WeirError, messageOf } from '../../errors/weir-error.js';

/** What one pass found. */
export interface ScannedFile {
  /** Hex sha256 of the bytes on disk (compressed bytes for a compressed file); absent when not asked for. */
  sha256?: string;
  /** Bytes read. */
  bytes: number;
}

/** What to compute on the pass. */
export interface ScanOptions {
  /** Compute the sha256. */
  hash: boolean;
  /** The path as the user knows it (relative to the project), for messages; defaults to `path`. */
  shownAs?: string;
  signal?: AbortSignal;
}

/** True for the files DuckDB decompresses as gzip (by extension, as DuckDB decides). */
export function isGzipPath(path: string): boolean {
  return /\.(gz|gzip)$/i.test(path);
}

/**
 * Reads `path` once: hashes it when asked, and checks a gzip file decompresses completely. A
 * truncated or corrupt gzip file fails with `SOURCE_READ_FAILED` naming the file.
 *
 * @example
 * ```ts
 * const { sha256 } = await scanSourceFile('/data/shop/orders/2026-11-03.csv.gz', { hash: true });
 * ```
 */
export async function scanSourceFile(path: string, options: ScanOptions): Promise<ScannedFile> {
  const hash = options.hash ? createHash('sha256') : undefined;
  const gzip = isGzipPath(path);
  let bytes = 0;
  const input = createReadStream(path);
  input.on('data', (chunk) => {
    bytes += chunk.length;
    hash?.update(chunk);
  });
  const stages = options.signal ? { signal: options.signal } : {};
  try {
    if (gzip) await pipeline(input, createGunzip(), discard(), stages);
    else await pipeline(input, discard(), stages);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const shown = options.shownAs ?? path;
    const code = (error as { code?: unknown }).code;
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
      throw new WeirError('SOURCE_READ_FAILED', `cannot read ${shown}: the gzip data is truncated or corrupt (${messageOf(error)})`, {
        location: { file: shown },
        hint: 'the file may still be being written or was cut short in transfer: replace it with a complete copy',
        cause: error,
      });
    }
    throw new WeirError('SOURCE_READ_FAILED', `cannot read ${shown}: ${messageOf(error)}`, { location: { file: shown }, cause: error });
  }
  return { bytes, ...(hash ? { sha256: hash.digest('hex') } : {}) };
}

/** A sink that drops what it is given. */
function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
