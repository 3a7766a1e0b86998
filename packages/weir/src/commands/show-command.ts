/** `weir show <asset>`: what an asset is, its columns, versions, latest checks and neighbours. */
import type { Command } from 'commander';
import { columnName, environmentView, highWaterMark as loadedHighWaterMark, inputsOf, isWeirError, landingRelation, listDeadLetters, storedPositions, type ColumnInfo, type EngineAdapter } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { withProject, requireAsset } from './command-options.js';

/** Registers `show`. */
export function registerShowCommand(program: Command, exit: ExitBox): void {
  program
    .command('show <asset>')
    .description('show an asset: columns and types, versions, last check results, upstream and downstream')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        const { project, store } = runtime;
        const asset = requireAsset(project, name);
        const pointer = (await store.pointers(project.environment)).find((candidate) => candidate.asset === name) ?? null;
        const versions = await store.versions(name);
        const checks = pointer ? await store.checkResults({ asset: name, version: pointer.version }) : [];
        const latestChecks = dedupeNewest(checks);
        // The newest build when it is not the live one (held back by a check, say): why it is not live.
        const newest = versions.find((version) => version.status !== 'dropped');
        const latestBuild =
          newest && newest.version !== pointer?.version
            ? { version: newest.version, status: newest.status, checks: dedupeNewest(await store.checkResults({ asset: name, version: newest.version })) }
            : null;
        let columns: ColumnInfo[] | null = null;
        let columnsNote: string | null = null;
        let highWaterMark: string | null = null;
        if (pointer) {
          try {
            const engine = await runtime.engine();
            columns = (await engine.describe(environmentView(project.environment, name))) ?? null;
            // An incremental database table's mark is its data's largest cursor value.
            if (asset.kind === 'database' && asset.incremental) highWaterMark = await loadedHighWaterMark(engine, environmentView(project.environment, name), asset.incremental.cursor);
            if (asset.kind === 'typescript_source' && asset.incremental) highWaterMark = await loadedHighWaterMark(engine, environmentView(project.environment, name), flattenedColumnName(asset.incremental.cursor));
            if (asset.kind === 'http' && asset.request.incremental) highWaterMark = await loadedHighWaterMark(engine, environmentView(project.environment, name), flattenedColumnName(asset.request.incremental.cursor));
          } catch (error) {
            if (!isWeirError(error) || error.code !== 'PROJECT_LOCKED') throw error;
            columnsNote = 'columns unavailable: the warehouse is in use by a running command';
          }
        }
        const stream = asset.kind === 'stream' && columnsNote === null ? await streamState(await runtime.engine(), name) : null;
        const downstream = [...project.assets.values()].filter((candidate) => inputsOf(candidate).includes(name)).map((candidate) => candidate.name);
        const detail = {
          name,
          kind: asset.kind,
          file: asset.file,
          materialization: asset.materialization,
          description: asset.description ?? null,
          owner: asset.owner ?? null,
          tags: asset.tags,
          environment: project.environment,
          version: pointer?.version ?? null,
          pinned: pointer?.pinned ?? false,
          columns: (columns ?? []).map((column) => ({ ...column, description: asset.columns[column.name]?.description ?? null })),
          versions,
          checks: latestChecks,
          latestBuild,
          upstream: inputsOf(asset),
          downstream,
          ...(asset.kind === 'database' ? { source: { from: asset.from, cursor: asset.incremental?.cursor ?? null, highWaterMark } } : {}),
          ...(asset.kind === 'http' ? { source: { url: asset.request.url, cursor: asset.request.incremental?.cursor ?? null, highWaterMark } } : {}),
          ...(asset.kind === 'typescript_source' ? { source: { cursor: asset.incremental?.cursor ?? null, highWaterMark } } : {}),
          ...(asset.kind === 'stream' ? { source: { type: asset.connection.type, read: asset.read, schema: asset.schemaPolicy, ...stream } } : {}),
        };
        if (options.json) {
          printJson(detail);
          return EXIT.ok;
        }
        const out = (text: string): boolean => process.stdout.write(text);
        out(`${name}  (${asset.kind}, ${asset.materialization})  ${asset.file}\n`);
        if (asset.description) out(`  ${asset.description}\n`);
        if (asset.owner || asset.tags.length > 0) out(`  owner: ${asset.owner ?? '-'}   tags: ${asset.tags.join(', ') || '-'}\n`);
        out(`  live in ${project.environment}: ${pointer ? `${pointer.version}${pointer.pinned ? ' (pinned by rollback; weir unpin to release)' : ''}` : 'never published'}\n`);
        out(`  upstream: ${detail.upstream.join(', ') || '-'}\n  downstream: ${downstream.join(', ') || '-'}\n`);
        if (asset.kind === 'database') {
          const loading = asset.incremental ? `incremental by ${asset.incremental.cursor}; high-water mark ${highWaterMark ?? '(nothing loaded yet)'}` : 'whole table on every run';
          out(`  reads ${asset.from} from ${asset.connection.type}: ${loading}\n`);
        }
        if (asset.kind === 'http') {
          const loading = asset.request.incremental ? `incremental by ${asset.request.incremental.cursor} (sent as ${asset.request.incremental.param}); high-water mark ${highWaterMark ?? '(nothing loaded yet)'}` : 'every page on every run';
          out(`  reads ${asset.request.url}: ${loading}\n`);
        }
        if (asset.kind === 'typescript_source') {
          out(`  reads with ${asset.exportName} (defineSource): ${asset.incremental ? `incremental by ${asset.incremental.cursor}; high-water mark ${highWaterMark ?? '(nothing loaded yet)'}` : 'every record on every run'}\n`);
        }
        if (asset.kind === 'stream') {
          const where = Object.entries(asset.read).map(([key, value]) => `${key} ${value}`).join(', ');
          out(`  consumes ${asset.connection.type} (${where}), schema ${asset.schemaPolicy}\n`);
          if (stream) {
            const positions = Object.entries(stream.positions).map(([partition, position]) => `${partition} at ${position}`).join(', ');
            out(`  landed ${stream.landed} message(s); ${stream.deadLetters} dead letter(s)${positions ? `; positions: ${positions}` : ''}\n`);
          }
        }
        if (columns) out(`\nColumns\n${formatTable(detail.columns, ['name', 'type', 'description'])}\n`);
        if (columnsNote) out(`\n${columnsNote}\n`);
        out(`\nVersions (newest first)\n${formatTable(versions.map((version) => ({ ...version, live: version.version === pointer?.version ? '*' : '' })), ['live', 'version', 'status', 'rows', 'createdAt', 'createdByRun'])}\n`);
        const checkTable = (results: typeof latestChecks): string =>
          formatTable(results.map((check) => ({ ...check, result: check.passed ? 'pass' : check.severity === 'error' ? 'FAIL' : 'warn' })), ['check', 'checkType', 'severity', 'result', 'detail']);
        if (latestBuild && latestBuild.checks.length > 0) {
          out(`\nChecks on the newest build ${latestBuild.version} (${latestBuild.status}, not live)\n${checkTable(latestBuild.checks)}\n`);
        }
        if (latestChecks.length > 0) {
          out(`\nChecks on the live version\n${checkTable(latestChecks)}\n`);
        }
        return EXIT.ok;
      });
    });
}

/** The newest result per check name (the store returns newest first). */
function dedupeNewest<T extends { check: string }>(results: T[]): T[] {
  const seen = new Set<string>();
  return results.filter((result) => !seen.has(result.check) && seen.add(result.check));
}

/** What a stream table has landed so far, its dead letters and its stored broker positions. */
async function streamState(engine: EngineAdapter, asset: string): Promise<{ landed: number; deadLetters: number; positions: Record<string, string> }> {
  const landing = landingRelation(asset);
  const landed = (await engine.describe(landing)) === undefined ? 0 : await engine.rowCount(landing);
  const deadLetters = (await listDeadLetters(engine, { asset })).length;
  return { landed, deadLetters, positions: Object.fromEntries(await storedPositions(engine, asset)) };
}

/** A record field path (`meta.updatedAt`) as the column it was flattened into (`meta__updated_at`). */
function flattenedColumnName(field: string): string {
  return field.split('.').map(columnName).join('__');
}
