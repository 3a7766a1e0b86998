/**
 * `npm run bench`: runs every benchmark in turn (after the build) and prints a summary table. Each
 * benchmark prints its own details first; the table repeats the headline numbers with the ratio
 * against the baseline measured in the same run and the target from ARCHITECTURE.md section 6.
 * Nothing is asserted: a benchmark that cannot run (say `weir run` failed) is reported and the
 * others still run, and the process then exits 1 so the failure is not mistaken for a result.
 */
import { formatMs, formatRatio, formatTable } from './lib/measure.js';
import { runCheckSuiteBench } from './check-suite.js';
import { runFileIngestBench } from './ingest-files.js';
import { runIngestBench } from './ingest-postgres.js';
import { runJsRowsBench } from './ingest-js-rows.js';
import { runStreamsBench } from './ingest-streams.js';
import { runOrchestrationBench } from './orchestration-overhead.js';
import { runQueueBench } from './queue.js';
import { runSchedulerBench } from './scheduler-event-log.js';
import { runSchedulesBench } from './schedules.js';
import { runLineageBench } from './table-lineage.js';
import { runUiGraphBench } from './ui-graph.js';
import { runApiGraphBench } from './api-graph.js';
import { runKpisBench } from './kpis.js';

const BENCHES = [
  { name: 'orchestration', run: runOrchestrationBench },
  { name: 'scheduler', run: runSchedulerBench },
  { name: 'lineage', run: runLineageBench },
  { name: 'checks', run: runCheckSuiteBench },
  { name: 'ingestion', run: runIngestBench },
  { name: 'files', run: runFileIngestBench },
  { name: 'js rows', run: runJsRowsBench },
  { name: 'streams', run: runStreamsBench },
  { name: 'queue', run: runQueueBench },
  { name: 'schedules', run: runSchedulesBench },
  { name: 'ui graph', run: runUiGraphBench },
  { name: 'api graph', run: runApiGraphBench },
  { name: 'kpis', run: runKpisBench },
];

const started = performance.now();
const rows = [];
let failed = 0;
for (const bench of BENCHES) {
  try {
    rows.push(...(await bench.run()));
  } catch (error) {
    failed += 1;
    console.error(`\n!! ${bench.name} benchmark could not run: ${error instanceof Error ? error.message : String(error)}`);
    rows.push({ bench: bench.name, measure: 'FAILED (see above)', value: '-', baseline: '-', ratio: undefined, target: '-' });
  }
  console.log('');
}

console.log(`== summary (ratio = measured / baseline of the same run; ${formatMs(performance.now() - started)} in all)`);
console.log(
  formatTable(
    ['bench', 'measure', 'value', 'baseline', 'ratio', 'target'],
    rows.map((row) => [row.bench, row.measure, row.value, row.baseline, row.ratio === undefined ? '-' : formatRatio(row.ratio), row.target]),
  ),
);
if (failed > 0) process.exitCode = 1;
