/**
 * A `defineSource(...)` export of a TypeScript file under `models/`, checked and turned into a
 * {@link TypeScriptSourceAsset}. The file is bundled and imported by `typescript-asset-loader.ts`
 * (as for `defineAsset`); only `read` is later called, in a worker.
 */
import * as z from 'zod';
import { SOURCE_DEFINITION_MARKER, type SourceDefinition } from '../definitions/source-definition.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import { parseChecks } from './check-parser.js';
import { fixedLocator, fromZodIssues, issuesToErrors } from './config-issues.js';
import type { TypeScriptSourceAsset } from './project-model.js';
import { assetNameSchema, nonEmptyString, positiveSeconds, stringOrList, strictObject, wholeNumber } from './strict-object.js';

/** The options of `defineSource`, checked at run time: TypeScript types do not survive a bundle. */
const definitionSchema = strictObject({
  [SOURCE_DEFINITION_MARKER]: z.literal(true),
  name: assetNameSchema.optional(),
  description: z.string().optional(),
  owner: nonEmptyString.optional(),
  tags: z.array(nonEmptyString, { error: 'expected a list of strings' }).optional(),
  schema: z.enum(['evolve', 'freeze', 'discard_row', 'discard_value'], { error: 'expected one of evolve, freeze, discard_row, discard_value' }).optional(),
  primaryKey: stringOrList.optional(),
  incremental: strictObject({ cursor: nonEmptyString }).optional(),
  columnDescriptions: z.record(z.string(), z.string(), { error: 'expected { column: "description" }' }).optional(),
  checks: z.unknown().optional(),
  retries: wholeNumber(0).optional(),
  timeoutSeconds: positiveSeconds.optional(),
  read: z.custom<SourceDefinition['read']>((value) => typeof value === 'function', { error: 'expected a function (async *read(ctx) { yield records })' }),
});

/** Where a definition was found, and what its asset is named by default. */
export interface SourceDefinitionSite {
  /** The file, relative to the project root. */
  file: string;
  location: SourceLocation;
  exportName: string;
  /** The name when `name` is not set (the same rule as `defineAsset`'s). */
  defaultName: string;
  modulePath: string;
  codeHash: string;
}

/**
 * Checks one `defineSource` definition and builds its asset, or returns the problems found, each
 * at the definition's export line.
 *
 * @example
 * ```ts
 * const { asset, problems } = typeScriptSourceAsset(exports.crm_contacts, { file: 'models/crm_contacts.ts', location, exportName: 'crm_contacts', defaultName: 'crm_contacts', modulePath, codeHash });
 * ```
 */
export function typeScriptSourceAsset(definition: unknown, site: SourceDefinitionSite): { asset?: TypeScriptSourceAsset; problems: WeirError[] } {
  const locator = fixedLocator(site.location);
  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success) return { problems: issuesToErrors(fromZodIssues(parsed.error.issues, definition, [site.exportName]), locator) };
  const options = parsed.data;
  const { checks, issues } = parseChecks(options.checks, [site.exportName, 'checks'], locator);
  if (issues.length > 0) return { problems: issuesToErrors(issues, locator) };
  const name = options.name ?? site.defaultName;
  if (!assetNameSchema.safeParse(name).success) {
    return {
      problems: [
        new WeirError('CONFIG_INVALID', `"${name}" is not a valid asset name: use letters, digits, "_" and "-"`, { location: site.location, hint: 'set "name:" in defineSource, or rename the export or file' }),
      ],
    };
  }
  const asset: TypeScriptSourceAsset = {
    kind: 'typescript_source',
    name,
    file: site.file,
    line: site.location.line ?? 1,
    materialization: 'table',
    inputs: [],
    modulePath: site.modulePath,
    exportName: site.exportName,
    codeHash: site.codeHash,
    schemaPolicy: options.schema ?? 'evolve',
    primaryKey: options.primaryKey ?? [],
    tags: options.tags ?? [],
    columns: Object.fromEntries(Object.entries(options.columnDescriptions ?? {}).map(([column, description]) => [column, { description }])),
    checks,
    ...(options.incremental === undefined ? {} : { incremental: { cursor: options.incremental.cursor } }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
  };
  return { asset, problems: [] };
}
