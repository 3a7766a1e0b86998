/**
 * `weir docs [--out <dir>]`: exports the catalog and lineage as a static site (opens from
 * `file://`, no server). Reads the project's files and state; reads the warehouse, read-only, for
 * the columns of published assets when it can, and says so when it cannot (not built, or held by
 * `weir serve`): then the columns are the declared ones.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import {
  buildAssetGraph,
  catalogEntries,
  environmentView,
  inferOutputColumns,
  isWeirError,
  openDuckDBAdapter,
  openPostgresAdapter,
  type ColumnInfo,
  type EngineAdapter,
  type PointerRecord,
  type Project,
} from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { docsSite } from '../docs/docs-model.js';
import { prepareDocsFolder, writeDocsSite } from '../docs/write-docs-site.js';
import { printJson } from '../output/json-output.js';
import { projectLineageOf } from '../runtime/project-lineage-of.js';
import { findServer } from '../server/serve-file.js';
import { withProject } from './command-options.js';

interface DocsOptions {
  out?: string;
  json?: boolean;
}

/** Registers `docs`. */
export function registerDocsCommand(program: Command, exit: ExitBox): void {
  program
    .command('docs')
    .description('export a static site of the catalog and lineage (search, asset pages, column lineage) that opens from file:// without a server')
    .option('--out <dir>', 'folder to write the site into (new, empty, or an earlier export); default .weir/docs in the project')
    .option('--json', 'print what was written as JSON')
    .action(async (options: DocsOptions, command: Command) => {
      exit.code = await withProject(command, async ({ project, store }) => {
        const out = options.out === undefined ? join(project.root, '.weir', 'docs') : resolve(process.cwd(), options.out);
        prepareDocsFolder(out);
        const pointers = (await store.pointers(project.environment)).filter((pointer) => project.assets.has(pointer.asset));
        const [warehouse, lineage, inferred] = await Promise.all([warehouseColumns(project, pointers), projectLineageOf(project), inferOutputColumns(project.assets, buildAssetGraph(project))]);
        const checkResults = (await Promise.all(pointers.map((pointer) => store.checkResults({ asset: pointer.asset, version: pointer.version })))).flat();
        const site = docsSite({
          project,
          entries: catalogEntries(project.assets, { described: warehouse.described, inferred }),
          lineage,
          pointers,
          versions: await store.versions(),
          checkResults,
          warehouseNote: warehouse.note,
          generatedAt: new Date().toISOString(),
        });
        const pages = writeDocsSite(site, out);
        const index = join(out, 'index.html');
        if (options.json) {
          printJson({ out, index, pages, assets: site.assets.length, warehouseColumns: warehouse.note === null, note: warehouse.note });
          return EXIT.ok;
        }
        if (warehouse.note !== null) process.stderr.write(`note: columns are the ones declared in the project's files: ${warehouse.note}\n`);
        process.stdout.write(`wrote ${pages} pages (${site.assets.length} assets) to ${out}\nopen ${pathToFileURL(index).href}\n`);
        return EXIT.ok;
      });
    });
}

/**
 * The columns of published assets as the warehouse describes them, opened read-only; or why not
 * (nothing published, no warehouse file, held by weir serve or a running command).
 */
async function warehouseColumns(project: Project, pointers: PointerRecord[]): Promise<{ described: Map<string, ColumnInfo[]>; note: string | null }> {
  const described = new Map<string, ColumnInfo[]>();
  if (pointers.length === 0) return { described, note: `nothing is published in ${project.environment} yet` };
  const warehouse = project.warehouse;
  if (warehouse.engine === 'duckdb' && !existsSync(warehouse.path)) return { described, note: `the warehouse ${warehouse.path} does not exist` };
  let engine: EngineAdapter;
  try {
    engine = warehouse.engine === 'duckdb' ? await openDuckDBAdapter({ path: warehouse.path, readOnly: true }) : await openPostgresAdapter({ url: warehouse.url });
  } catch (error) {
    if (!isWeirError(error) || error.code !== 'PROJECT_LOCKED') throw error;
    const server = await findServer(project.root).catch(() => undefined);
    const holder = server === undefined ? error.message : `the warehouse is held by weir serve (pid ${server.pid}, ${server.url})`;
    return { described, note: `${holder}; stop it and run weir docs again for the warehouse's columns` };
  }
  try {
    for (const pointer of pointers) {
      const columns = await engine.describe(environmentView(project.environment, pointer.asset));
      if (columns !== undefined) described.set(pointer.asset, columns);
    }
  } finally {
    await engine.close();
  }
  return { described, note: null };
}
