/**
 * The selection syntax of `--select` and `--exclude`:
 *
 * | selector            | selects                                           |
 * | ------------------- | ------------------------------------------------- |
 * | `orders`            | the asset                                         |
 * | `orders+`           | the asset and everything downstream of it         |
 * | `+orders`           | the asset and everything upstream of it           |
 * | `+orders+`          | both                                              |
 * | `tag:finance`       | assets tagged `finance`                           |
 * | `path:models/marts` | assets defined in that folder or file             |
 * | `kind:sql`          | assets of a kind: `source`, `sql`, `typescript`   |
 *
 * `+` works around any selector (`+tag:finance`). Selectors in one string may be separated by
 * commas or spaces; all of them are unioned. Exclusions are applied last.
 */
import { didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import type { AssetSpec, Project } from '../project/project-model.js';
import type { AssetGraph } from './asset-graph.js';

/** What to select; an empty `select` selects every asset. */
export interface Selection {
  select: readonly string[];
  exclude: readonly string[];
}

const KINDS: ReadonlyArray<AssetSpec['kind']> = ['source', 'sql', 'typescript'];

/**
 * The names of the selected assets, in the graph's topological order.
 *
 * @throws WeirError `SELECTION_INVALID` for an unknown asset or tag (with a suggestion), a path
 *   that matches no asset, an unknown kind or method, or an empty selector.
 * @example
 * ```ts
 * selectAssets(graph, project, { select: ['+revenue', 'tag:finance'], exclude: ['kind:source'] });
 * ```
 */
export function selectAssets(graph: AssetGraph, project: Project, selection: Selection): Set<string> {
  const selected = selection.select.length === 0 ? new Set(graph.order) : matchAll(selection.select, graph, project);
  const excluded = matchAll(selection.exclude, graph, project);
  return new Set(graph.order.filter((name) => selected.has(name) && !excluded.has(name)));
}

function matchAll(selectors: readonly string[], graph: AssetGraph, project: Project): Set<string> {
  const result = new Set<string>();
  for (const selector of selectors.flatMap((text) => text.split(/[\s,]+/)).filter((text) => text !== '')) {
    for (const name of matchOne(selector, graph, project)) result.add(name);
  }
  return result;
}

function matchOne(selector: string, graph: AssetGraph, project: Project): Set<string> {
  const upstream = selector.startsWith('+');
  const downstream = selector.length > 1 && selector.endsWith('+');
  const core = selector.slice(upstream ? 1 : 0, downstream ? -1 : undefined);
  if (core === '' || core.includes('+')) throw invalid(selector, 'a selector is a name, tag:, path: or kind:, with an optional + before and after');
  const base = matchCore(selector, core, project);
  const result = new Set(base);
  for (const name of base) {
    if (upstream) for (const ancestor of graph.ancestors(name)) result.add(ancestor);
    if (downstream) for (const descendant of graph.descendants(name)) result.add(descendant);
  }
  return result;
}

function matchCore(selector: string, core: string, project: Project): string[] {
  const assets = [...project.assets.values()];
  const colon = core.indexOf(':');
  if (colon === -1) return [resolveName(selector, core, project)];
  const method = core.slice(0, colon);
  const value = core.slice(colon + 1);
  if (value === '') throw invalid(selector, `"${method}:" needs a value`);
  switch (method) {
    case 'tag': {
      const matched = assets.filter((asset) => asset.tags.includes(value)).map((asset) => asset.name);
      if (matched.length > 0) return matched;
      const tags = new Set(assets.flatMap((asset) => asset.tags));
      throw invalid(selector, `no asset has the tag "${value}"`, didYouMean(value, tags));
    }
    case 'path': {
      const prefix = value.replace(/^\.\//, '').replace(/\/+$/, '');
      const matched = assets.filter((asset) => asset.file === prefix || asset.file.startsWith(`${prefix}/`)).map((asset) => asset.name);
      if (matched.length > 0) return matched;
      throw invalid(selector, `no asset is defined under "${prefix}"`, 'paths are relative to the project root, like path:models/marts');
    }
    case 'kind': {
      if (!(KINDS as string[]).includes(value)) throw invalid(selector, `unknown kind "${value}": expected one of ${KINDS.join(', ')}`, didYouMean(value, KINDS));
      return assets.filter((asset) => asset.kind === value).map((asset) => asset.name);
    }
    default:
      throw invalid(selector, `unknown selector method "${method}:": expected tag:, path: or kind:`, didYouMean(method, ['tag', 'path', 'kind']));
  }
}

/** Asset names match exactly, or else ignoring case (the warehouse ignores case too). */
function resolveName(selector: string, name: string, project: Project): string {
  if (project.assets.has(name)) return name;
  const lower = name.toLowerCase();
  const found = [...project.assets.keys()].find((candidate) => candidate.toLowerCase() === lower);
  if (found !== undefined) return found;
  throw invalid(selector, `unknown asset "${name}"`, didYouMean(name, project.assets.keys()));
}

function invalid(selector: string, message: string, hint?: string): WeirError {
  return new WeirError('SELECTION_INVALID', `invalid selector "${selector}": ${message}`, hint === undefined ? {} : { hint });
}
