/**
 * Where versions live. Physical tables of every environment share one schema and are named by
 * asset and version; an environment is a schema of views with the assets' plain names.
 */
import { createHash } from 'node:crypto';
import type { RelationRef } from '../engines/engine-adapter.js';

/** The schema that holds every physical version. */
export const VERSIONS_SCHEMA = 'weir_versions';
/** The schema where incremental assets stage their new rows before the merge. */
export const STAGING_SCHEMA = 'weir_staging';

// PostgreSQL truncates identifiers at 63 bytes. The asset part gets at most 44 bytes so that
// `__` and a version (12 hex) or a run suffix (8 characters) always fit after it.
const MAX_ASSET_PART_BYTES = 44;
// A longer name keeps a readable prefix and adds a hash of the whole name: cutting alone made two
// assets with a long common prefix share one staging table and, with equal SQL, one version.
const NAME_HASH_LENGTH = 6;

/** The physical relation of one version of an asset. */
export function physicalRelation(asset: string, version: string): RelationRef {
  return { schema: VERSIONS_SCHEMA, name: `${assetPart(asset)}__${version}` };
}

/** The staging relation for an incremental build within one run. */
export function stagingRelation(asset: string, runId: string): RelationRef {
  return { schema: STAGING_SCHEMA, name: `${assetPart(asset)}__${runId.slice(-8)}` };
}

/** The view through which an environment publishes an asset. */
export function environmentView(environment: string, asset: string): RelationRef {
  return { schema: environment, name: asset };
}

/**
 * The asset's share of a physical name: the name itself when it fits (so existing warehouses keep
 * their tables), otherwise a prefix cut on a character boundary plus `_` and a hash of the full name.
 */
function assetPart(asset: string): string {
  if (Buffer.byteLength(asset, 'utf8') <= MAX_ASSET_PART_BYTES) return asset;
  const hash = createHash('sha256').update(asset).digest('hex').slice(0, NAME_HASH_LENGTH);
  return `${prefixWithinBytes(asset, MAX_ASSET_PART_BYTES - NAME_HASH_LENGTH - 1)}_${hash}`;
}

/** The longest prefix of `text` of whole code points that fits in `limit` UTF-8 bytes. */
function prefixWithinBytes(text: string, limit: number): string {
  let prefix = '';
  let used = 0;
  for (const character of text) {
    used += Buffer.byteLength(character, 'utf8');
    if (used > limit) break;
    prefix += character;
  }
  return prefix;
}
