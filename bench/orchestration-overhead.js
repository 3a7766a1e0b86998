/**
 * Benchmark 1: orchestration overhead of `weir run` on 500 view assets.
 *
 * Target (ARCHITECTURE.md section 6): `weir run` of 500 trivial view assets <= 3x DuckDB creating
 * the same views directly, whole process. Both sides are timed as whole processes (spawn to exit),
 * so Node start-up and opening DuckDB count on both sides:
 * - baseline: `lib/duckdb-create-views.js`, DuckDB alone loading the CSV and creating the views;
 * - weir, first run: a fresh project, everything built, checked (row count) and published;
 * - weir, second run: nothing changed, so nothing is rebuilt (the no-op run).
 *
 * Two DAG shapes are measured, each against its own baseline:
 * - `fan-in 1-3`: 10 layers x 50, each model joining 1 to 3 models of the layer before. Views over
 *   views are expanded by DuckDB every time one is bound, and the number of paths to the source
 *   grows with depth, so the deep views are not cheap for DuckDB either;
 * - `fan-in 1`: 10 layers x 50, each model reading one model of the layer before. Every view stays
 *   trivial at every depth, so this isolates what Weir adds per asset.
 *
 * Usage: node bench/orchestration-overhead.js (after `npm run build`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_NAME, layeredModels, writeViewProject } from './lib/generate-view-project.js';
import { WEIR_BIN, formatMs, formatRatio, isMain, median, timeNodeScript, timeProcess, withScratch } from './lib/measure.js';

const BASELINE_SCRIPT = fileURLToPath(new URL('./lib/duckdb-create-views.js', import.meta.url));

/** The shapes measured; `weirSamples` is lower where one run takes long. */
const SHAPES = [
  { label: '500 views, fan-in 1-3', layers: 10, width: 50, maxInputs: 3, weirSamples: 1, baselineSamples: 3 },
  { label: '500 views, fan-in 1', layers: 10, width: 50, maxInputs: 1, weirSamples: 3, baselineSamples: 3 },
];

/**
 * Measures every shape and returns summary rows `{ bench, measure, value, baseline, ratio, target }`.
 *
 * @example
 * ```js
 * const rows = await runOrchestrationBench();
 * ```
 */
export async function runOrchestrationBench({ log = console.log } = {}) {
  const summary = [];
  log('== orchestration overhead: weir run vs DuckDB creating the same views (whole processes)');
  for (const shape of SHAPES) {
    const result = await measureShape(shape, log);
    summary.push(
      { bench: 'orchestration', measure: `${shape.label}: first run`, value: formatMs(result.firstRun), baseline: formatMs(result.baseline), ratio: result.firstRun / result.baseline, target: '<= 3x' },
      { bench: 'orchestration', measure: `${shape.label}: no-op run`, value: formatMs(result.noopRun), baseline: formatMs(result.baseline), ratio: result.noopRun / result.baseline, target: '(info)' },
    );
  }
  return summary;
}

async function measureShape(shape, log) {
  const models = layeredModels(shape);
  return withScratch('weir-bench-orchestration-', async (dir) => {
    const viewsFile = join(dir, 'views.json');
    await writeFile(viewsFile, JSON.stringify(models.map(({ name, sql }) => ({ name, sql }))));

    // The baseline needs the CSV the project reads; one project folder serves it.
    const csvPath = await writeViewProject(join(dir, 'baseline-data'), []);
    const baselineTimes = [];
    const firstRuns = [];
    let project;
    // Samples alternate between the two sides, so a burst of load on a shared machine lands on both.
    for (let sample = 0; sample < Math.max(shape.baselineSamples, shape.weirSamples); sample++) {
      if (sample < shape.baselineSamples) {
        const database = join(dir, `baseline-${sample}.duckdb`);
        baselineTimes.push((await timeNodeScript(BASELINE_SCRIPT, [database, SOURCE_NAME, csvPath, viewsFile])).ms);
      }
      if (sample < shape.weirSamples) {
        // Each first run gets a project of its own, so it is really a first run (no state, no warehouse).
        project = join(dir, `project-${sample}`);
        await writeViewProject(project, models);
        firstRuns.push((await weirRun(project, 'first run')).ms);
      }
    }
    const noopRun = (await weirRun(project, 'no-op run')).ms;

    const baseline = median(baselineTimes);
    const firstRun = median(firstRuns);
    log(`  ${shape.label} (${shape.layers} layers x ${shape.width}, ${shape.maxInputs === 1 ? '1 input' : `1-${shape.maxInputs} inputs`} each, plus 1 CSV source)`);
    log(`    baseline, DuckDB alone: ${formatMs(baseline)} (median of ${baselineTimes.length}: ${baselineTimes.map(formatMs).join(', ')})`);
    log(`    weir run, first run:    ${formatMs(firstRun)} (median of ${firstRuns.length}: ${firstRuns.map(formatMs).join(', ')})  -> ${formatRatio(firstRun / baseline)} the baseline (target <= 3x)`);
    log(`    weir run, no-op run:    ${formatMs(noopRun)}  -> ${formatRatio(noopRun / baseline)} the baseline`);
    return { baseline, firstRun, noopRun };
  });
}

/** `weir run` in `project` as a whole process; a run that does not succeed stops the bench. */
async function weirRun(project, what) {
  const result = await timeProcess(process.execPath, [WEIR_BIN, 'run'], { cwd: project });
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`weir run (${what}) exited ${result.code} in ${project}:\n${tail}`);
  }
  return result;
}

if (isMain(import.meta.url)) {
  await runOrchestrationBench();
}
