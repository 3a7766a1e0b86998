/** `weir ls`: every asset with its kind, materialization, live version and latest state. */
import type { Command } from 'commander';
import { inputsOf } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { withProject } from './command-options.js';

/** Registers `ls`. */
export function registerLsCommand(program: Command, exit: ExitBox): void {
  program
    .command('ls')
    .description('list the assets of the project with their published versions')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async ({ project, store }) => {
        const pointers = new Map((await store.pointers(project.environment)).map((pointer) => [pointer.asset, pointer]));
        const versions = await store.versions();
        const rows = [...project.assets.values()]
          .sort((left, right) => left.file.localeCompare(right.file) || left.name.localeCompare(right.name))
          .map((asset) => {
            const pointer = pointers.get(asset.name);
            const live = versions.find((version) => version.asset === asset.name && version.version === pointer?.version);
            const latest = versions.find((version) => version.asset === asset.name);
            return {
              name: asset.name,
              kind: asset.kind,
              materialization: asset.materialization,
              version: pointer?.version ?? null,
              pinned: pointer?.pinned ?? false,
              rows: live?.rows ?? null,
              published_at: pointer?.publishedAt ?? null,
              latest_build: latest && latest.version !== pointer?.version ? `${latest.version} (${latest.status})` : null,
              inputs: inputsOf(asset),
              tags: asset.tags,
              file: asset.file,
            };
          });
        if (options.json) printJson({ environment: project.environment, assets: rows });
        else {
          process.stdout.write(
            `${formatTable(
              rows.map((row) => ({ ...row, version: row.version ? `${row.version}${row.pinned ? ' (pinned)' : ''}` : 'never published', tags: row.tags.join(',') })),
              ['name', 'kind', 'materialization', 'version', 'rows', 'latest_build', 'tags'],
            )}\n`,
          );
        }
        return EXIT.ok;
      });
    });
}
