/**
 * `checks/*.yaml`: checks kept apart from the asset they judge, one asset per file. This is where
 * `weir checks suggest` writes its proposals, and where a team keeps checks on assets whose files
 * it does not own (a source maintained elsewhere, a generated model).
 *
 * ```yaml
 * asset: orders
 * checks:
 *   - not_null: order_id
 * ```
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { SourceLocation, WeirError } from '../errors/weir-error.js';
import { parseChecks } from './check-parser.js';
import { fromZodIssues, issuesToErrors, yamlLocator } from './config-issues.js';
import { strictObject, nonEmptyString } from './strict-object.js';
import { stripBom } from './text-position.js';
import { locatePath, parseYamlSource } from './yaml-source.js';

const checksFileSchema = strictObject({ asset: nonEmptyString, checks: z.array(z.unknown(), { error: 'expected a list of checks' }) });

/** The checks one file declares for one asset. */
export interface ChecksFile {
  asset: string;
  checks: CheckSpec[];
  /** Where `asset:` is written, for "unknown asset" errors. */
  location: SourceLocation;
}

/**
 * Loads one `checks/*.yaml` file.
 *
 * @param file - the path relative to the project root, with `/` separators.
 * @example
 * ```ts
 * const { loaded, problems } = await loadChecksFile(root, 'checks/orders.yaml');
 * ```
 */
export async function loadChecksFile(root: string, file: string): Promise<{ loaded?: ChecksFile; problems: WeirError[] }> {
  const text = stripBom(await readFile(path.join(root, file), 'utf8'));
  const { source, problems } = parseYamlSource(text, file);
  if (source === undefined) return { problems };
  const locator = yamlLocator(source);
  const data: unknown = source.doc.toJS() ?? {};
  const parsed = checksFileSchema.safeParse(data);
  if (!parsed.success) return { problems: issuesToErrors(fromZodIssues(parsed.error.issues, data), locator) };
  const { checks, issues } = parseChecks(parsed.data.checks, ['checks'], locator);
  if (issues.length > 0) return { problems: issuesToErrors(issues, locator) };
  return { loaded: { asset: parsed.data.asset, checks, location: locatePath(source, ['asset']) }, problems: [] };
}
