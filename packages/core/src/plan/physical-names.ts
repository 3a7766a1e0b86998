/**
 * Where versions live. Physical tables of every environment share one schema and are named by
 * asset and version; an environment is a schema of views with the assets' plain names.
 */
import type { RelationRef } from '../engines/engine-adapter.js';

/** The schema that holds every physical version. */
export const VERSIONS_SCHEMA = 'weir_versions';
/** The schema where incremental assets stage their new rows before the merge. */
export const STAGING_SCHEMA = 'weir_staging';

// PostgreSQL truncates identifiers at 63 bytes; the asset part is cut so the version always fits.
const MAX_ASSET_PART = 44;

/** The physical relation of one version of an asset. */
export function physicalRelation(asset: string, version: string): RelationRef {
  return { schema: VERSIONS_SCHEMA, name: `${asset.slice(0, MAX_ASSET_PART)}__${version}` };
}

/** The staging relation for an incremental build within one run. */
export function stagingRelation(asset: string, runId: string): RelationRef {
  return { schema: STAGING_SCHEMA, name: `${asset.slice(0, MAX_ASSET_PART)}__${runId.slice(-8)}` };
}

/** The view through which an environment publishes an asset. */
export function environmentView(environment: string, asset: string): RelationRef {
  return { schema: environment, name: asset };
}
