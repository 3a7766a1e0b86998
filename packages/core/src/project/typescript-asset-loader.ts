/**
 * `models/**\/*.ts`: files that export `defineAsset(...)` and `defineSource(...)` definitions. Each file is bundled (see
 * `typescript-bundle.ts`) and the bundle is imported in this process to read the definitions;
 * only `run` is later called in a worker. A file that exports no definition is a helper module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { ASSET_DEFINITION_MARKER, isAssetDefinition, type AssetDefinition } from '../definitions/asset-definition.js';
import { isSourceDefinition } from '../definitions/source-definition.js';
import { messageOf, WeirError, type SourceLocation } from '../errors/weir-error.js';
import { parseChecks } from './check-parser.js';
import { fixedLocator, fromZodIssues, issuesToErrors } from './config-issues.js';
import type { DeclaredInput, FileLoadResult } from './loaded-asset.js';
import { failedLoad } from './loaded-asset.js';
import type { TypeScriptAsset } from './project-model.js';
import { exportLine } from './text-position.js';
import { assetNameSchema, nonEmptyString, positiveSeconds, strictObject, wholeNumber } from './strict-object.js';
import { bundleAssetFile, type AssetBundle } from './typescript-bundle.js';
import { locateUserFrame } from './bundle-stack-location.js';
import { typeScriptSourceAsset } from './typescript-source-definition.js';
import { lineageDeclarationSchema, parseDeclaredLineage } from './typescript-asset-lineage.js';
import { readTypeScriptPartitioning } from './typescript-asset-partitioning.js';
import { partitionedBySchema } from './model-header-schema.js';

/** The options of `defineAsset`, checked at run time: TypeScript types do not survive a bundle. */
const definitionSchema = strictObject({
  [ASSET_DEFINITION_MARKER]: z.literal(true),
  name: assetNameSchema.optional(),
  inputs: z.array(assetNameSchema, { error: 'expected a list of asset names' }).optional(),
  description: z.string().optional(),
  owner: nonEmptyString.optional(),
  tags: z.array(nonEmptyString, { error: 'expected a list of strings' }).optional(),
  columns: z.record(z.string(), nonEmptyString, { error: 'expected { column: "SQL TYPE" }' }).optional(),
  columnDescriptions: z.record(z.string(), z.string(), { error: 'expected { column: "description" }' }).optional(),
  lineage: lineageDeclarationSchema.optional(),
  checks: z.unknown().optional(),
  retries: wholeNumber(0).optional(),
  timeoutSeconds: positiveSeconds.optional(),
  partitionedBy: partitionedBySchema.optional(),
  run: z.custom<AssetDefinition['run']>((value) => typeof value === 'function', { error: 'expected a function' }),
});

/**
 * Loads one TypeScript asset file.
 *
 * @param file - the path relative to the project root, with `/` separators.
 */
export async function loadTypeScriptFile(root: string, file: string): Promise<FileLoadResult> {
  const bundle = await bundleAssetFile(root, file);
  if (Array.isArray(bundle)) return failedLoad(bundle);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundle.modulePath).href)) as Record<string, unknown>;
  } catch (error) {
    return failedLoad([importError(root, file, bundle, error)]);
  }
  const definitions = Object.entries(exports).filter(([, value]) => isAssetDefinition(value)) as Array<[string, AssetDefinition]>;
  const sources = Object.entries(exports).filter(([, value]) => isSourceDefinition(value));
  // A file's definitions are named by their exports when there are several of any kind.
  const several = definitions.length + sources.length > 1;
  const sourceText = await readFile(path.join(root, file), 'utf8');
  const fileName = path.posix.basename(file, '.ts');

  const result: FileLoadResult = { assets: [], declaredInputs: new Map(), problems: [] };
  for (const [exportName, definition] of definitions) {
    const location: SourceLocation = { file, line: exportLine(sourceText, exportName) };
    const locator = fixedLocator(location);
    const parsed = definitionSchema.safeParse(definition);
    if (!parsed.success) {
      result.problems.push(...issuesToErrors(fromZodIssues(parsed.error.issues, definition, [exportName]), locator));
      continue;
    }
    const options = parsed.data;
    const { checks, issues } = parseChecks(options.checks, [exportName, 'checks'], locator);
    if (issues.length > 0) {
      result.problems.push(...issuesToErrors(issues, locator));
      continue;
    }
    const name = options.name ?? (several && exportName !== 'default' ? exportName : fileName);
    if (!assetNameSchema.safeParse(name).success) {
      result.problems.push(new WeirError('CONFIG_INVALID', `"${name}" is not a valid asset name: use letters, digits, "_" and "-"`, { location, hint: 'set "name:" in defineAsset, or rename the export or file' }));
      continue;
    }
    const inputs = [...new Set(options.inputs ?? [])];
    const lineage = options.lineage === undefined ? undefined : parseDeclaredLineage(options.lineage, inputs, options.columns, location);
    if (lineage !== undefined && lineage.problems.length > 0) {
      result.problems.push(...lineage.problems);
      continue;
    }
    const partitioning = options.partitionedBy === undefined ? undefined : readTypeScriptPartitioning(options.partitionedBy, { exportName, name, columns: options.columns, location });
    if (partitioning !== undefined && partitioning.problems.length > 0) {
      result.problems.push(...partitioning.problems);
      continue;
    }
    const asset: TypeScriptAsset = {
      kind: 'typescript',
      name,
      file,
      line: location.line ?? 1,
      materialization: 'table',
      inputs,
      modulePath: bundle.modulePath,
      exportName,
      codeHash: bundle.codeHash,
      tags: options.tags ?? [],
      columns: Object.fromEntries(Object.entries(options.columnDescriptions ?? {}).map(([column, description]) => [column, { description }])),
      checks,
      ...(options.columns === undefined ? {} : { outputColumns: options.columns }),
      ...(lineage === undefined ? {} : { columnLineage: lineage.lineage }),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
      ...(partitioning?.spec === undefined ? {} : { partitionedBy: partitioning.spec, partitionedAt: location }),
    };
    result.assets.push(asset);
    const declared: DeclaredInput[] = asset.inputs.map((input) => ({ name: input, location }));
    result.declaredInputs.set(name, declared);
  }
  for (const [exportName, definition] of sources) {
    const location: SourceLocation = { file, line: exportLine(sourceText, exportName) };
    const defaultName = several && exportName !== 'default' ? exportName : fileName;
    const loaded = typeScriptSourceAsset(definition, { file, location, exportName, defaultName, modulePath: bundle.modulePath, codeHash: bundle.codeHash });
    result.problems.push(...loaded.problems);
    if (loaded.asset !== undefined) result.assets.push(loaded.asset);
  }
  return result;
}

/**
 * A top-level throw while importing the bundle. The stack points into the bundle; its source map
 * leads back to the line of the user's file.
 */
function importError(root: string, file: string, bundle: AssetBundle, error: unknown): WeirError {
  const location = (error instanceof Error ? locateUserFrame(root, bundle.modulePath, error.stack, bundle.sourceMap) : undefined) ?? { file };
  return new WeirError('USER_CODE_FAILED', `${file} threw while being loaded: ${messageOf(error)}`, {
    location,
    cause: error,
    hint: 'top-level code of an asset file runs when the project loads; move work into run()',
  });
}

