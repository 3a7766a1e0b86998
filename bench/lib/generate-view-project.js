/**
 * Generates a Weir project of trivial SQL models in a layered DAG, for the benchmarks. Layer 0
 * reads one tiny CSV source; every model of layer n reads 1 to `maxInputs` models of layer n - 1,
 * chosen by a seeded generator so that every run of the bench measures the same graph.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importCore } from './measure.js';

/** The source table every layer-0 model reads. */
export const SOURCE_NAME = 'raw_numbers';

/**
 * A deterministic pseudo-random generator (core's mulberry32): the bench must build the same DAG
 * every time, or two runs could not be compared.
 */
export const { mulberry32: seededRandom } = await importCore('checks/spc/simulated-series.js');

/**
 * The models of a layered DAG, in dependency order: `[{ name, layer, inputs, sql }]`.
 * Each model joins its inputs on `id` and adds up their `v`, so the SQL is trivial but the
 * dependencies are real table references the parser must find.
 */
export function layeredModels({ layers, width, maxInputs, seed = 42 }) {
  const random = seededRandom(seed);
  const models = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let index = 0; index < width; index++) {
      const name = `m_${layer}_${index}`;
      let inputs = [SOURCE_NAME];
      if (layer > 0) {
        const count = 1 + Math.floor(random() * maxInputs);
        inputs = [...new Set(Array.from({ length: count }, () => `m_${layer - 1}_${Math.floor(random() * width)}`))];
      }
      models.push({ name, layer, inputs, sql: modelSql(inputs) });
    }
  }
  return models;
}

/**
 * The models of `chains` chains of `levels` views, in dependency order: every fifth chain's views
 * also join two neighbouring chains' views of the level before (fan-in 3). The fan-in never feeds
 * another fan-in across a level, so DuckDB's expansion of views over views stays linear in depth
 * (a random layered DAG with fan-in at every level of 25 levels took `weir run` over ten minutes).
 */
export function chainModels({ levels, chains }) {
  const models = [];
  for (let level = 0; level < levels; level++) {
    for (let chain = 0; chain < chains; chain++) {
      const previous = (index) => `m_${level - 1}_${index % chains}`;
      const inputs = level === 0 ? [SOURCE_NAME] : chain % 5 === 0 ? [previous(chain), previous(chain + 1), previous(chain + 7)] : [previous(chain)];
      models.push({ name: `m_${level}_${chain}`, layer: level, inputs, sql: modelSql(inputs) });
    }
  }
  return models;
}

function modelSql(inputs) {
  if (inputs.length === 1) return `select id, v + 1 as v\nfrom ${inputs[0]}\n`;
  // Every input gets an alias (t0, t1, ...): Weir rewrites a reference to the input's physical
  // version, and a column qualified by the bare asset name (\`m_0_8.id\`) does not survive that
  // rewrite (reported as a bug); aliases keep the bench measuring speed, not that bug.
  const [first, ...rest] = inputs;
  const sum = inputs.map((_, index) => `t${index}.v`).join(' + ');
  const joins = rest.map((input, index) => `join ${input} as t${index + 1} using (id)`).join('\n');
  return `select t0.id, ${sum} as v\nfrom ${first} as t0\n${joins}\n`;
}

/**
 * Writes a project with `models` (plain SQL files, no header: the materialization comes from
 * weir.yaml) and the tiny source they read, and returns the path of the source's CSV.
 */
export async function writeViewProject(root, models, { materialization = 'view', sourceRows = 10 } = {}) {
  await mkdir(join(root, 'models'), { recursive: true });
  await mkdir(join(root, 'sources'), { recursive: true });
  await mkdir(join(root, 'data'), { recursive: true });
  await writeFile(join(root, 'weir.yaml'), `name: bench\ndefaults:\n  materialization: ${materialization}\n`);
  const csv = ['id,v', ...Array.from({ length: sourceRows }, (_, id) => `${id},${id * 2}`)].join('\n');
  const csvPath = join(root, 'data', `${SOURCE_NAME}.csv`);
  await writeFile(csvPath, `${csv}\n`);
  await writeFile(join(root, 'sources', 'numbers.yaml'), `tables:\n  - name: ${SOURCE_NAME}\n    path: data/${SOURCE_NAME}.csv\n`);
  // Files are written in parallel batches: 1,000 sequential awaits would time the disk, not Weir.
  for (let start = 0; start < models.length; start += 100) {
    await Promise.all(models.slice(start, start + 100).map((model) => writeFile(join(root, 'models', `${model.name}.sql`), model.sql)));
  }
  return csvPath;
}
