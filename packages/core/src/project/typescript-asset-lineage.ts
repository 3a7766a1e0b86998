/**
 * `defineAsset({ lineage })`: a TypeScript asset's declared column lineage, checked against what
 * the definition itself says (its `inputs` and `columns`); whether the input columns exist, once
 * every asset's columns are known ({@link validateDeclaredLineageColumns}, from `load-project.ts`).
 */
import * as z from 'zod';
import { didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import type { KnownColumns } from './check-references.js';
import type { AssetSpec, DeclaredColumnLineage } from './project-model.js';

const inputColumn = z.string({ error: 'expected "input.column"' });

/** The shape of `lineage` in `defineAsset`: column -> `{ exact: 'input.column' }` or `['input.column', ...]`. */
export const lineageDeclarationSchema = z.record(z.string(), z.union([z.strictObject({ exact: inputColumn }), z.array(inputColumn)]), {
  error: "expected { column: { exact: 'input.column' } | ['input.column', ...] }",
});

/** What {@link parseDeclaredLineage} returns: the lineage when valid, else the problems found. */
export interface ParsedDeclaredLineage {
  lineage: Record<string, DeclaredColumnLineage>;
  problems: WeirError[];
}

/**
 * Turns a checked `lineage` declaration into {@link DeclaredColumnLineage}s: each `input.column`
 * must name one of `inputs` (an asset name has no dot, so the first dot splits), and each key
 * must be one of the declared `columns` when there are any.
 *
 * @example
 * ```ts
 * parseDeclaredLineage({ id: { exact: 'orders.order_id' } }, ['orders'], undefined, { file: 'models/a.ts', line: 3 });
 * // { lineage: { id: { exact: true, sources: [{ asset: 'orders', column: 'order_id' }] } }, problems: [] }
 * ```
 */
export function parseDeclaredLineage(
  declared: z.infer<typeof lineageDeclarationSchema>,
  inputs: readonly string[],
  columns: Record<string, string> | undefined,
  location: SourceLocation,
): ParsedDeclaredLineage {
  const problems: WeirError[] = [];
  const lineage: Record<string, DeclaredColumnLineage> = {};
  const declaredColumns = columns === undefined ? undefined : Object.keys(columns);
  for (const [column, value] of Object.entries(declared)) {
    if (declaredColumns !== undefined && !declaredColumns.some((name) => name.toLowerCase() === column.toLowerCase())) {
      const hint = didYouMean(column, declaredColumns);
      problems.push(new WeirError('CONFIG_INVALID', `lineage names column "${column}", which is not in the asset's columns`, { location, ...(hint === undefined ? {} : { hint }) }));
      continue;
    }
    const exact = !Array.isArray(value);
    const written: readonly string[] = Array.isArray(value) ? value : [(value as { exact: string }).exact];
    const sources: DeclaredColumnLineage['sources'] = [];
    for (const text of written) {
      const source = inputColumnOf(text, inputs, column, location);
      if (source instanceof WeirError) problems.push(source);
      else sources.push(source);
    }
    lineage[column] = { exact, sources };
  }
  return { lineage, problems };
}

function inputColumnOf(text: string, inputs: readonly string[], column: string, location: SourceLocation): { asset: string; column: string } | WeirError {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) {
    return new WeirError('CONFIG_INVALID', `lineage of "${column}": "${text}" is not "input.column"`, { location, hint: `write the input asset, a dot, and its column, e.g. "${inputs[0] ?? 'orders'}.id"` });
  }
  const asset = text.slice(0, dot);
  if (!inputs.includes(asset)) {
    const hint = inputs.length === 0 ? 'add the asset to inputs' : (didYouMean(asset, inputs) ?? `inputs are ${inputs.join(', ')}`);
    return new WeirError('CONFIG_INVALID', `lineage of "${column}" reads "${text}", but "${asset}" is not one of the asset's inputs`, { location, hint });
  }
  return { asset, column: text.slice(dot + 1) };
}

/**
 * Once every asset's columns are known: an input column named in a TypeScript asset's lineage
 * must exist when its input's column list is complete (`CONFIG_INVALID` with a did-you-mean).
 *
 * @example
 * ```ts
 * validateDeclaredLineageColumns(project.assets, knownColumns, problems);
 * ```
 */
export function validateDeclaredLineageColumns(assets: ReadonlyMap<string, AssetSpec>, known: KnownColumns, problems: WeirError[]): void {
  for (const asset of assets.values()) {
    if (asset.kind !== 'typescript' || asset.columnLineage === undefined) continue;
    for (const [column, lineage] of Object.entries(asset.columnLineage)) {
      for (const source of lineage.sources) {
        const input = known.get(source.asset);
        if (input === undefined || !input.complete || input.columns.some((name) => name.toLowerCase() === source.column.toLowerCase())) continue;
        const hint = didYouMean(source.column, input.columns) ?? `its columns: ${input.columns.join(', ')}`;
        problems.push(
          new WeirError('CONFIG_INVALID', `lineage of "${column}" in ${asset.name} reads "${source.asset}.${source.column}", but ${source.asset} has no column "${source.column}"`, {
            location: { file: asset.file, line: asset.line },
            hint,
          }),
        );
      }
    }
  }
}
