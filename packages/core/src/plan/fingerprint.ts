/**
 * Version fingerprints. A version is named by a hash of everything that decides its data: the
 * normalised code, the data-affecting config, the upstream versions, and (for file sources) the
 * files' identities. Checks, descriptions and owners are left out on purpose: changing them must
 * not rebuild data.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type { AssetSpec } from '../project/project-model.js';
import { tokenizeSql } from '../project/sql-tokens.js';

/** Length of the hex prefix used as the version id: short enough to read, long enough not to collide. */
export const VERSION_LENGTH = 12;

/** Identity of one source file: enough to notice a changed or added file without reading it. */
export interface SourceFileIdentity {
  path: string;
  size: number;
  modifiedMs: number;
}

/** What the fingerprint of an asset depends on, besides the asset itself. */
export interface FingerprintInputs {
  engine: string;
  /** File paths are hashed relative to it, so a moved or cloned project keeps its versions. */
  projectRoot: string;
  /**
   * Set for views that read the environment's views at query time (declared inputs): such a
   * view means different data in each environment, so its version depends on which one.
   */
  environment?: string;
  /** Upstream asset name to its version in this plan. */
  upstreamVersions: Record<string, string>;
  /** For file sources: the files the glob matches now. */
  files?: SourceFileIdentity[];
  /** For incremental assets: the version the new rows are merged into. */
  previousVersion?: string | null;
  /** For database sources: what the source holds now, as far as a cheap probe tells (`probeSourceState`). */
  sourceState?: string;
}

/**
 * The model's significant tokens joined by single spaces: re-indenting a model or editing its
 * comments does not rebuild it, while any change inside a string literal does.
 */
export function normaliseSql(sql: string): string {
  return tokenizeSql(sql)
    .map((token) => sql.slice(token.offset, token.end))
    .join(' ');
}

/** A path inside the project relative to its root (with `/`); a path outside it stays absolute. */
function relativePath(root: string, path: string): string {
  const inside = relative(root, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split(sep).join('/');
}

/** How rows are cut decides the data; the range does not (more days are more partitions of the same version). */
function partitionCut(cut: PartitionSpec): unknown {
  return cut.kind === 'time' ? { column: cut.column, granularity: cut.granularity, timezone: cut.timezone } : { column: cut.column };
}

/** The data-affecting part of an asset, as a stable JSON-able value. */
function dataAffectingSpec(asset: AssetSpec, root: string): unknown {
  switch (asset.kind) {
    case 'sql': {
      const spec = { kind: 'sql', sql: normaliseSql(asset.sql), materialization: asset.materialization, incremental: asset.incremental ?? null };
      return asset.partitionedBy === undefined ? spec : { ...spec, partitionedBy: partitionCut(asset.partitionedBy) };
    }
    case 'typescript': {
      const spec = { kind: 'typescript', code: asset.codeHash, exportName: asset.exportName, columns: asset.outputColumns ?? null };
      // Unpartitioned assets keep their version ids.
      return asset.partitionedBy === undefined ? spec : { ...spec, partitionedBy: partitionCut(asset.partitionedBy) };
    }
    case 'source': {
      const read = { ...asset.read, paths: asset.read.paths.map((path) => relativePath(root, path)).sort() };
      // Only `load: new_files` adds a key: versions of `load: all` tables keep their ids.
      return asset.newFiles === undefined ? { kind: 'source', read } : { kind: 'source', read, newFiles: asset.newFiles };
    }
    case 'database':
      // The URL as written (its ${ENV} references unresolved): a secret never enters a version id.
      return { kind: 'database', connection: asset.connection, from: asset.from, incremental: asset.incremental ?? null };
    case 'http': {
      // Where the table is written is not what it loads; secrets stay as ${ENV} references.
      const request: Record<string, unknown> = { ...asset.request };
      delete request.location;
      delete request.table;
      return { kind: 'http', request, policy: asset.schemaPolicy, primaryKey: asset.primaryKey };
    }
    case 'stream':
      return { kind: 'stream', connection: asset.connection, read: asset.read, policy: asset.schemaPolicy, idField: asset.idField ?? null };
    case 'typescript_source':
      return { kind: 'typescript_source', code: asset.codeHash, exportName: asset.exportName, policy: asset.schemaPolicy, primaryKey: asset.primaryKey, incremental: asset.incremental ?? null };
  }
}

/**
 * The version id of `asset` given its inputs.
 *
 * @example
 * ```ts
 * const version = fingerprintAsset(asset, { engine: 'duckdb', upstreamVersions: { raw_orders: '3f2a9c0d11aa' } });
 * ```
 */
export function fingerprintAsset(asset: AssetSpec, inputs: FingerprintInputs): string {
  const upstream = Object.keys(inputs.upstreamVersions)
    .sort()
    .map((name) => [name, inputs.upstreamVersions[name]]);
  const payload = JSON.stringify({
    spec: dataAffectingSpec(asset, inputs.projectRoot),
    engine: inputs.engine,
    upstream,
    files: inputs.files?.map((file) => [relativePath(inputs.projectRoot, file.path), file.size, file.modifiedMs]) ?? null,
    previous: inputs.previousVersion ?? null,
    ...(inputs.sourceState !== undefined ? { sourceState: inputs.sourceState } : {}),
    ...(inputs.environment !== undefined ? { environment: inputs.environment } : {}),
  });
  return createHash('sha256').update(payload).digest('hex').slice(0, VERSION_LENGTH);
}
