/**
 * Small helpers shared by the benchmarks: where things are, timing a child process, medians and
 * the printing of ratios. Benchmarks print ratios against a baseline measured in the same run;
 * nothing here knows a target.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (bench/ is one level below it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `weir` binary, as a user runs it. */
export const WEIR_BIN = join(REPO_ROOT, 'packages', 'weir', 'bin', 'weir.js');

/** A module of the built core package (`packages/core/dist/...`), by its path inside dist. */
export async function importCore(path) {
  const file = join(REPO_ROOT, 'packages', 'core', 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm run build)`);
  return import(pathToFileURL(file).href);
}

/**
 * Runs a child process to its end and reports its wall time from spawn to exit, so process
 * start-up is counted, as a user would feel it.
 */
export function timeProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** Runs `node <script> ...args` and fails with its output when it does not exit 0. */
export async function timeNodeScript(script, args, options = {}) {
  const result = await timeProcess(process.execPath, [script, ...args], options);
  if (result.code !== 0) throw new Error(`${script} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The median of some numbers: robust to one slow sample on a busy two-core machine. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A scratch folder that is removed afterwards, whatever happens. */
export async function withScratch(prefix, work) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `12.3 ms` or `4.56 s`. */
export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** `2.41x`. */
export function formatRatio(ratio) {
  return `${ratio.toFixed(2)}x`;
}

/** A plain text table: header row, a rule, then rows; columns padded to their widest cell. */
export function formatTable(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, column) => String(cell).padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** True when `moduleUrl` is the script node was started with (so a bench can also run alone). */
export function isMain(moduleUrl) {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
