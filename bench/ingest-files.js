/**
 * Benchmark 6: loading a file source.
 *
 * Target: Weir's load of a 5M-row, 10-column file >= 0.9x the speed of DuckDB's own reader on the
 * same file, i.e. Weir's time <= 1.11x `CREATE TABLE t AS SELECT * FROM read_csv(...)` (and
 * `read_parquet(...)`), in the same process and run.
 *
 * The files are the check suite's generated table (`generateSql` in `check-suite.js`) written
 * once as CSV and as Parquet, and cached in the system temp folder (`weir-bench-files-<rows>`) so
 * later runs skip the generation. "Weir" is `loadFileSource`, the function a run's step calls to
 * build a file source's version, on a DuckDB adapter over a warehouse file: `load: all` (the
 * default; the headline) and, for information, the first build of a `load: new_files` table (the
 * file hashed, staged, checked against the table's columns, copied in with `_weir_source_file`,
 * its manifest written). The baseline runs on a session of the same adapter. Variants are
 * interleaved (sample s runs them in an order rotated by s) and the medians compared.
 *
 * Variables: WEIR_BENCH_FILE_ROWS (default 5,000,000), WEIR_BENCH_SAMPLES (default 3).
 *
 * Usage: node bench/ingest-files.js (after `npm run build`).
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSql } from './check-suite.js';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';

const { openDuckDBAdapter } = await importCore('engines/duckdb/duckdb-adapter.js');
const { loadFileSource } = await importCore('connectors/files/load-file-source.js');
const { STAGING_SCHEMA, VERSIONS_SCHEMA } = await importCore('plan/physical-names.js');

const ROWS = Number(process.env.WEIR_BENCH_FILE_ROWS ?? 5_000_000);
const SAMPLES = Number(process.env.WEIR_BENCH_SAMPLES ?? 3);
const TARGET = 1.11;

/** The cached CSV and Parquet files, generated on first use (written under a temp name, then renamed, so a killed run leaves no half file). */
async function cachedFiles(engine, log) {
  const dir = join(tmpdir(), `weir-bench-files-${ROWS}`);
  mkdirSync(dir, { recursive: true });
  const files = { csv: join(dir, 'orders.csv'), parquet: join(dir, 'orders.parquet') };
  for (const [format, path] of Object.entries(files)) {
    if (existsSync(path)) continue;
    const started = performance.now();
    const session = await engine.session();
    try {
      const partial = `${path}.partial`;
      const options = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet)';
      await session.execute(`COPY (${generateSql('duckdb', { first: 0, count: ROWS, permuteOver: ROWS })}) TO '${partial}' ${options}`);
      renameSync(partial, path);
    } finally {
      await session.close();
    }
    log(`   ${format} generated in ${formatMs(performance.now() - started)}: ${path}`);
  }
  for (const [format, path] of Object.entries(files)) log(`   ${format}: ${(statSync(path).size / 1e6).toFixed(0)} MB`);
  return files;
}

function fileAsset(name, format, path, newFiles) {
  return {
    kind: 'source', name, file: 'sources/bench.yaml', line: 1, source: 'bench', materialization: 'table', tags: [], columns: {}, checks: [], inputs: [],
    read: { format, paths: [path] },
    ...(newFiles ? { newFiles: { onDeletedFile: 'keep' } } : {}),
  };
}

/**
 * Times Weir's load of a CSV and a Parquet file source against DuckDB's reader on the same files.
 *
 * @example
 * ```js
 * const rows = await runFileIngestBench();
 * ```
 */
export async function runFileIngestBench({ log = console.log } = {}) {
  log(`== file ingestion: ${ROWS.toLocaleString('en')} rows x 10 columns; weir's load of a file source vs DuckDB's CREATE TABLE AS SELECT * FROM read_*`);
  return withScratch('weir-bench-files-', async (dir) => {
    const engine = await openDuckDBAdapter({ path: join(dir, 'warehouse.duckdb') });
    try {
      await engine.createSchema(VERSIONS_SCHEMA);
      await engine.createSchema(STAGING_SCHEMA);
      await engine.createSchema('bench');
      const files = await cachedFiles(engine, log);
      const results = [];
      let counter = 0;
      for (const format of ['csv', 'parquet']) {
        const path = files[format];
        const reader = format === 'csv' ? 'read_csv' : 'read_parquet';
        const expectRows = async (relation) => {
          const rows = await engine.rowCount(relation);
          if (rows !== ROWS) throw new Error(`${format}: loaded ${rows} rows, expected ${ROWS}`);
          await engine.drop(relation, 'table');
        };
        const weir = (newFiles) => async () => {
          const version = `v${counter++}`;
          const name = `orders_${format}`;
          const physical = { schema: VERSIONS_SCHEMA, name: `${name}__${version}` };
          // A run's step always passes its signal, which also turns on the engine's progress tracking.
          const signal = new AbortController().signal;
          await loadFileSource(fileAsset(name, format, path, newFiles), { engine, physical, version, basedOn: null, projectRoot: dir, signal });
          await expectRows(physical);
        };
        const variants = {
          duckdb: async () => {
            const relation = { schema: 'bench', name: `t${counter++}` };
            const session = await engine.session();
            try {
              await session.execute(`CREATE TABLE ${engine.quoteRelation(relation)} AS SELECT * FROM ${reader}($1)`, [path]);
            } finally {
              await session.close();
            }
            await expectRows(relation);
          },
          'weir load: all': weir(false),
          'weir load: new_files (first build)': weir(true),
        };
        const names = Object.keys(variants);
        const times = Object.fromEntries(names.map((name) => [name, []]));
        const cpu = Object.fromEntries(names.map((name) => [name, []]));
        for (let sample = 0; sample < SAMPLES; sample++) {
          for (let i = 0; i < names.length; i++) {
            const which = names[(i + sample) % names.length];
            const begun = performance.now();
            const cpuBefore = process.cpuUsage();
            await variants[which]();
            const used = process.cpuUsage(cpuBefore);
            times[which].push(performance.now() - begun);
            cpu[which].push((used.user + used.system) / 1000);
          }
        }
        const baseline = median(times.duckdb);
        const baselineCpu = median(cpu.duckdb);
        log(`   ${format}: duckdb ${reader} ${formatMs(baseline)}, cpu ${formatMs(baselineCpu)} (${Math.round(ROWS / (baseline / 1000)).toLocaleString('en')} rows/s)`);
        for (const name of names.slice(1)) {
          const measured = median(times[name]);
          const ratio = measured / baseline;
          const cpuRatio = median(cpu[name]) / baselineCpu;
          const verdict = name === 'weir load: all' ? ` ${ratio <= TARGET ? 'PASS' : 'MISS'} (target <= ${TARGET}x)` : ' (for information)';
          log(`   ${format}: ${name} ${formatMs(measured)} -> ${formatRatio(ratio)}${verdict}; cpu ${formatMs(median(cpu[name]))} -> ${formatRatio(cpuRatio)}`);
          results.push({
            bench: 'files',
            measure: `${format} ${name.replace('weir ', '')}, ${(ROWS / 1e6).toLocaleString('en')}M rows (cpu ${formatRatio(cpuRatio)})`,
            value: formatMs(measured),
            baseline: `${formatMs(baseline)} (${reader})`,
            ratio,
            target: name === 'weir load: all' ? `<= ${TARGET}x` : '-',
          });
        }
      }
      return results;
    } finally {
      await engine.close();
    }
  });
}

if (isMain(import.meta.url)) await runFileIngestBench();
