/**
 * Benchmark 3: table-level lineage of a 1,000-model project.
 *
 * Target (ARCHITECTURE.md section 6): <= 1 ms per model; a 1,000-model project parsed in <= 1 s.
 *
 * `loadProject` (from `packages/core/dist`) reads weir.yaml, the source and 1,000 SQL files,
 * parses every model with DuckDB's parser, finds the tables each one reads and checks the graph.
 * It is timed twice in one process: cold (the first call also starts the in-memory DuckDB that
 * parses) and warm (a second call, as a server reloading a project would). The floor is DuckDB's
 * `json_serialize_sql` over the same 1,000 texts in one query on an open connection: parsing
 * alone, with nothing read from disk and nothing walked in JavaScript.
 *
 * The models are generated: 20 layers x 50, each with a CTE and one to three inputs from the
 * layer before (joined, aggregated), about the size of a real staging or mart model, so the CTE
 * name must not be mistaken for an input.
 *
 * Usage: node bench/table-lineage.js (after `npm run build`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import { layeredModels, writeViewProject } from './lib/generate-view-project.js';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';

const LAYERS = 20;
const WIDTH = 50;
const FLOOR_SAMPLES = 5;
const WARM_SAMPLES = 3;

const { loadProject } = await importCore('project/load-project.js');

/** A model of realistic size over `inputs`: a CTE per input, a join, a filter, a group by. */
function realisticSql(inputs) {
  const ctes = inputs.map((input, index) => `input_${index} as (\n  select id, v, v * 2 as doubled\n  from ${input}\n  where v is not null\n)`);
  const joins = inputs.slice(1).map((_, index) => `left join input_${index + 1} as i${index + 1} on i${index + 1}.id = i0.id`);
  const sum = inputs.map((_, index) => `coalesce(i${index}.v, 0)`).join(' + ');
  return `with ${ctes.join(',\n')}\nselect\n  i0.id,\n  sum(${sum}) as v,\n  max(i0.doubled) as peak,\n  count(*) as n\nfrom input_0 as i0\n${joins.join('\n')}\ngroup by i0.id\n`;
}

/**
 * Times `loadProject` on a generated 1,000-model project against the `json_serialize_sql` floor.
 *
 * @example
 * ```js
 * const rows = await runLineageBench();
 * ```
 */
export async function runLineageBench({ log = console.log } = {}) {
  const models = layeredModels({ layers: LAYERS, width: WIDTH, maxInputs: 3, seed: 11 }).map((model) => ({ ...model, sql: realisticSql(model.inputs) }));
  log(`== table-level lineage: loadProject on ${models.length.toLocaleString('en')} SQL models vs json_serialize_sql alone`);
  return withScratch('weir-bench-lineage-', async (dir) => {
    await writeViewProject(dir, models, { materialization: 'table' });

    const coldStart = performance.now();
    const project = await loadProject(dir);
    const cold = performance.now() - coldStart;
    verifyLineage(project, models);
    const warmTimes = [];
    for (let sample = 0; sample < WARM_SAMPLES; sample++) {
      const started = performance.now();
      await loadProject(dir);
      warmTimes.push(performance.now() - started);
    }
    const warm = median(warmTimes);

    // The floor parses exactly what the loader parses: each file's text (these files have no header).
    const texts = await Promise.all(models.map((model) => readFile(join(dir, 'models', `${model.name}.sql`), 'utf8')));
    const floor = await serializeFloor(texts);

    const perModel = (ms) => `${(ms / models.length).toFixed(3)} ms/model`;
    log(`  loadProject, cold (first in the process): ${formatMs(cold)}  = ${perModel(cold)} (target <= 1 ms/model, <= 1 s for the project)`);
    log(`  loadProject, warm (median of ${WARM_SAMPLES}):         ${formatMs(warm)}  = ${perModel(warm)}`);
    log(`  floor, json_serialize_sql over the ${models.length} texts in one query (median of ${FLOOR_SAMPLES}): ${formatMs(floor)}`);
    log(`  -> loadProject is ${formatRatio(warm / floor)} the floor warm, ${formatRatio(cold / floor)} cold`);
    return [
      { bench: 'lineage', measure: `${models.length} models, loadProject cold`, value: perModel(cold), baseline: formatMs(floor), ratio: cold / floor, target: '<= 1 ms/model' },
      { bench: 'lineage', measure: `${models.length} models, loadProject warm`, value: perModel(warm), baseline: formatMs(floor), ratio: warm / floor, target: '<= 1 ms/model' },
    ];
  });
}

/** A fast wrong answer is no result: the loader must have found exactly the generated inputs. */
function verifyLineage(project, models) {
  for (const model of models) {
    const found = [...(project.assets.get(model.name)?.inputs ?? [])].sort();
    const expected = [...model.inputs].sort();
    if (found.join(',') !== expected.join(',')) {
      throw new Error(`loadProject found inputs [${found}] for ${model.name}, expected [${expected}]`);
    }
  }
}

/** DuckDB parsing the texts, nothing else: one query, on a connection opened beforehand. */
async function serializeFloor(texts) {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const times = [];
    for (let sample = 0; sample < FLOOR_SAMPLES; sample++) {
      const started = performance.now();
      const reader = await connection.runAndReadAll('SELECT list_transform($1::VARCHAR[], s -> json_serialize_sql(s)) AS parsed', [listValue(texts)]);
      const parsed = reader.getRowsJS()[0]?.[0];
      times.push(performance.now() - started);
      if (!Array.isArray(parsed) || parsed.length !== texts.length) throw new Error('json_serialize_sql returned an unexpected result');
    }
    return median(times);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (isMain(import.meta.url)) {
  await runLineageBench();
}
