/**
 * `weir lineage <asset>[.<column>]`: where a column comes from and what it reaches, end to end
 * across assets, each edge marked exact, derived or unknown. Reads the project's files only: no
 * warehouse, no state, so it works while `weir serve` owns the project.
 */
import type { Command } from 'commander';
import { loadProject, type AssetLineage, type LineageNode, type LineageWalk, type ReachedNode } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { printJson } from '../output/json-output.js';
import { lineageBody } from '../output/lineage-body.js';
import { projectLineageOf } from '../runtime/project-lineage-of.js';
import { globalOptions } from './command-options.js';

interface LineageOptions {
  upstream?: boolean;
  downstream?: boolean;
  json?: boolean;
}

/** Registers `lineage`. */
export function registerLineageCommand(program: Command, exit: ExitBox): void {
  program
    .command('lineage')
    .description('column-level lineage: where <asset>[.<column>] comes from and what it reaches (edges exact, derived or unknown)')
    .argument('<target>', 'an asset, or asset.column')
    .option('--upstream', 'only what it comes from')
    .option('--downstream', 'only what it reaches (impact analysis)')
    .option('--json', 'print as JSON')
    .action(async (target: string, options: LineageOptions, command: Command) => {
      const global = globalOptions(command);
      const project = await loadProject(global.project ?? process.cwd(), global.env ? { environment: global.env } : {});
      const lineage = await projectLineageOf(project);
      // Asset names have no dots, so the first dot ends the asset.
      const dot = target.indexOf('.');
      const asset = dot === -1 ? target : target.slice(0, dot);
      const column = dot === -1 ? undefined : target.slice(dot + 1);
      const both = options.upstream === options.downstream;
      if (options.json) {
        // The same body as GET /api/lineage/:asset.
        printJson(lineageBody(lineage, { asset, ...(column === undefined ? {} : { column }), direction: both ? 'both' : options.upstream ? 'upstream' : 'downstream' }));
        exit.code = EXIT.ok;
        return;
      }
      const upstream = both || options.upstream ? lineage.upstreamOf(asset, column) : undefined;
      const downstream = both || options.downstream ? lineage.downstreamOf(asset, column) : undefined;
      const start = (upstream ?? downstream)?.start ?? { asset };
      const assetLineage = lineage.assets.get(start.asset) as AssetLineage;
      process.stdout.write(textOf(start, assetLineage, upstream, downstream));
      exit.code = EXIT.ok;
    });
}

function label(node: LineageNode): string {
  return node.column === undefined ? `${node.asset}.*` : `${node.asset}.${node.column}`;
}

function textOf(start: LineageNode, asset: AssetLineage, upstream: LineageWalk | undefined, downstream: LineageWalk | undefined): string {
  const lines = [`${start.column === undefined ? start.asset : label(start)}  (${asset.kind}${asset.tableLevel ? ', table-level lineage' : ''})`];
  const note = upstream?.note ?? downstream?.note;
  if (note !== undefined) lines.push(`note: ${note}`);
  if (start.column === undefined) {
    lines.push('columns:');
    const width = Math.max(0, ...asset.columns.map((column) => column.name.length));
    for (const column of asset.columns) {
      const none = asset.kind === 'sql' || asset.kind === 'typescript' ? '(no column: a constant or a count)' : '(loaded from outside the project)';
      const from = column.upstream.length === 0 ? (column.known ? none : '(not known)') : column.upstream.map((edge) => `${label(edge)} [${edge.kind}]`).join(', ');
      lines.push(`  ${column.name.padEnd(width)}  <- ${from}`);
    }
    if (!asset.complete) lines.push(`  ...and columns not listed (${asset.reason ?? 'not known'})`);
  }
  for (const walk of [upstream, downstream]) {
    if (walk === undefined) continue;
    lines.push(`${walk.direction}:`);
    if (walk.reached.length === 0) lines.push('  (nothing)');
    else lines.push(...tree(walk.reached));
  }
  lines.push('edges: exact = copied unchanged, derived = computed from, unknown = may come from (columns not known); X.* = the asset as a whole');
  return `${lines.join('\n')}\n`;
}

/** The reached nodes as a tree: each under the node its path came through. */
function tree(reached: readonly ReachedNode[]): string[] {
  const children = new Map<string, ReachedNode[]>();
  for (const node of reached) {
    const parent = node.path.length < 2 ? '' : keyOf(node.path[node.path.length - 2] as LineageNode);
    children.set(parent, [...(children.get(parent) ?? []), node]);
  }
  const lines: string[] = [];
  const visit = (key: string, prefix: string): void => {
    const list = children.get(key) ?? [];
    list.forEach((node, index) => {
      const last = index === list.length - 1;
      const edge = node.path[node.path.length - 1]?.kind ?? node.kind;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(node)}  [${edge}]`);
      visit(keyOf(node), `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  visit('', '  ');
  return lines;
}

/** Names compare ignoring case, as the walk's do. */
function keyOf(node: LineageNode): string {
  return label(node).toLowerCase();
}
