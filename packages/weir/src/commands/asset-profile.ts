/**
 * What `weir profile` and `weir checks suggest` share: finding the version of an asset to read
 * (the one live in the environment, or `--at`), opening the warehouse, and profiling it.
 */
import { physicalRelation, profileRelation, WeirError, type ProfileTarget, type RelationProfile, type RelationRef } from '@weir/core';
import type { ProjectRuntime } from '../runtime/project-runtime.js';
import { requireAsset } from './command-options.js';

/** The version a profile reads. */
export interface ProfiledVersion {
  asset: string;
  version: string;
  environment: string;
  /** True when this version is the one the environment serves. */
  live: boolean;
  relation: RelationRef;
}

/** Options the two commands share. */
export interface AssetProfileOptions {
  /** A version id or a unique prefix of one (`--at`); default: the version live in the environment. */
  version?: string;
  /** Rows to sample (default 10,000). */
  sampleSize?: number;
}

/** A profile, with the version it describes and the open target it was made on. */
export interface AssetProfile {
  version: ProfiledVersion;
  profile: RelationProfile;
  /** Still open while the callback of {@link withAssetProfile} runs (suggestions query it again). */
  target: ProfileTarget;
}

/**
 * Profiles the asset `name` and hands the result to `work` while the warehouse session is open.
 *
 * @example
 * ```ts
 * await withAssetProfile(runtime, 'orders', {}, async ({ profile }) => printProfile(profile));
 * ```
 */
export async function withAssetProfile<T>(runtime: ProjectRuntime, name: string, options: AssetProfileOptions, work: (profiled: AssetProfile) => Promise<T>): Promise<T> {
  requireAsset(runtime.project, name);
  const version = await resolveVersion(runtime, name, options.version);
  const engine = await runtime.engine();
  const columns = await engine.describe(version.relation);
  if (columns === undefined) {
    throw new WeirError('VERSION_UNKNOWN', `version ${version.version} of ${name} no longer exists in the warehouse (removed by gc?)`, { hint: `see the versions with: weir show ${name}` });
  }
  const session = await engine.session();
  try {
    const target: ProfileTarget = {
      session,
      kind: engine.kind,
      quoteIdentifier: (identifier) => engine.quoteIdentifier(identifier),
      relation: engine.quoteRelation(version.relation),
      columns,
    };
    const profile = await profileRelation(target, options.sampleSize !== undefined ? { sampleSize: options.sampleSize } : {});
    return await work({ version, profile, target });
  } finally {
    await session.close();
  }
}

async function resolveVersion(runtime: ProjectRuntime, name: string, requested: string | undefined): Promise<ProfiledVersion> {
  const { project, store } = runtime;
  const environment = project.environment;
  const pointer = (await store.pointers(environment)).find((candidate) => candidate.asset === name);
  const versions = (await store.versions(name)).filter((version) => version.status !== 'dropped');
  let version: string;
  if (requested !== undefined) {
    const matches = versions.filter((candidate) => candidate.version.startsWith(requested));
    if (matches.length !== 1) {
      const known = versions.map((candidate) => `${candidate.version} (${candidate.status})`).join(', ') || 'none';
      throw new WeirError('VERSION_UNKNOWN', matches.length === 0 ? `${name} has no version "${requested}" (known: ${known})` : `"${requested}" matches several versions of ${name}; give more characters`);
    }
    version = matches[0]!.version;
  } else if (pointer) {
    version = pointer.version;
  } else {
    // A build held back by a check is often exactly what someone wants to look at.
    const newest = versions[0];
    throw new WeirError('VERSION_UNKNOWN', `${name} has no published version in environment "${environment}"`, {
      hint: newest ? `its newest build is ${newest.version} (${newest.status}): add --at ${newest.version}` : 'build it first with: weir run',
    });
  }
  return { asset: name, version, environment, live: version === pointer?.version, relation: physicalRelation(name, version) };
}
