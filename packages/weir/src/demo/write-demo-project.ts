/**
 * `weir init`'s work: writes the demo shop project (settings, sources, models, a TypeScript asset,
 * README and .gitignore) and generates its data. See ./README.md for what the demo contains.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ASSET_MODEL_FILES } from './demo-asset-model.js';
import { DEFAULT_DEMO_SEED, DEMO_DATA_PATHS, DEMO_SIZES, generateDemoData, type DemoSize, type DemoTable } from './demo-data-generator.js';
import { MART_MODEL_FILES } from './demo-mart-models.js';
import { MODEL_TEST_FILES } from './demo-model-tests.js';
import { demoProjectReadme } from './demo-project-readme.js';
import { SHOP_DB_SOURCES_YAML, SHOP_SOURCES_YAML, WEIR_YAML, gitignoreLines } from './demo-source-files.js';
import { STAGING_MODEL_FILES } from './demo-staging-models.js';

/** Options of {@link writeDemoProject}. */
export interface DemoProjectOptions {
  /** small: 5,000 orders (seconds); medium: 1M orders; large: 10M orders. */
  size: DemoSize;
  /** A safe integer; the same seed gives byte-identical data. Default 42. */
  seed?: number;
  /** Called with a line of progress for every file generated. */
  onProgress?: (message: string) => void;
}

/** What {@link writeDemoProject} wrote. */
export interface DemoProjectSummary {
  /** The project folder, absolute. */
  dir: string;
  size: DemoSize;
  seed: number;
  /** Every file written, relative to `dir` with `/` separators, sorted. */
  files: string[];
  /** Rows in each generated data file. */
  rowCounts: Record<DemoTable, number>;
}

/** Every project file written from text, by relative path (README.md and .gitignore are built apart). */
const TEXT_FILES: Readonly<Record<string, string>> = {
  'sources/shop.yaml': SHOP_SOURCES_YAML,
  'sources/shop_db.yaml': SHOP_DB_SOURCES_YAML,
  ...STAGING_MODEL_FILES,
  ...MART_MODEL_FILES,
  ...ASSET_MODEL_FILES,
  ...MODEL_TEST_FILES,
};

/**
 * Writes the demo project into `dir` (created if missing) and generates its data with DuckDB.
 * Refuses to overwrite any file it would write, except that `.weir/` is added to an existing
 * `.gitignore`. The data is written first and `weir.yaml` last, so a folder with a `weir.yaml`
 * is always a complete project.
 *
 * @example
 * ```ts
 * const summary = await writeDemoProject('shop', { size: 'small', onProgress: console.log });
 * console.log(summary.rowCounts.orders); // 5000
 * ```
 */
export async function writeDemoProject(dir: string, options: DemoProjectOptions): Promise<DemoProjectSummary> {
  const size = options.size;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!DEMO_SIZES.includes(size)) throw new RangeError(`unknown demo size "${String(size)}"; expected ${DEMO_SIZES.join(', ')}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`the demo seed must be a whole number between -(2^53 - 1) and 2^53 - 1, got ${seed}`);

  const root = resolve(dir);
  const owned = [...DEMO_DATA_PATHS, ...Object.keys(TEXT_FILES), 'README.md', 'weir.yaml'];
  const existing = owned.filter((file) => existsSync(join(root, ...file.split('/'))));
  if (existing.length > 0) {
    throw new Error(`${root} already has ${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}; weir init writes a new project into an empty folder or one without these files`);
  }

  await mkdir(join(root, 'data'), { recursive: true });
  const data = await generateDemoData(root, { size, seed, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const rowCounts = Object.fromEntries(data.map((file) => [file.table, file.rows])) as Record<DemoTable, number>;

  for (const [file, text] of Object.entries(TEXT_FILES)) await writeProjectFile(root, file, text);
  await writeProjectFile(root, 'README.md', demoProjectReadme({ size, seed, rowCounts }));
  await mergeGitignore(root, gitignoreLines(size, seed));
  await writeProjectFile(root, 'weir.yaml', WEIR_YAML);

  const files = [...owned, '.gitignore'].sort();
  return { dir: root, size, seed, files, rowCounts };
}

async function writeProjectFile(root: string, file: string, text: string): Promise<void> {
  const path = join(root, ...file.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { flag: 'wx' });
}

/** Adds the lines a `.gitignore` lacks, keeping whatever the user already had. */
async function mergeGitignore(root: string, lines: string[]): Promise<void> {
  const path = join(root, '.gitignore');
  const before = existsSync(path) ? await readFile(path, 'utf8') : '';
  const present = new Set(before.split(/\r?\n/).map((line) => line.trim()));
  // A comment line is only added together with the rule after it, so repeated comments do not pile up.
  const missing: string[] = [];
  lines.forEach((line, index) => {
    const rule = line.startsWith('#') ? lines[index + 1] : line;
    if (rule !== undefined && !present.has(rule) && !present.has(rule.replace(/\/$/, ''))) missing.push(line);
  });
  if (missing.length === 0) return;
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  await writeFile(path, `${before}${separator}${before === '' ? '' : '\n'}${missing.join('\n')}\n`);
}
