/**
 * Helpers for end-to-end tests that drive the built `weir` binary the way a user does: a real
 * project folder under the system temp dir, a real child process per command, real exit codes and
 * real output. Nothing is mocked. `npm run build` must have run (the binary loads `dist/`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `weir` entry script of this checkout. */
export const WEIR_BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url));

/** What a finished command left behind. */
export interface WeirResult {
  code: number;
  /** Set when the process was ended by a signal (then `code` is -1). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for one command. */
export interface WeirCallOptions {
  /** Extra environment variables (merged over the test process's environment). */
  env?: Record<string, string>;
  /** Working directory; defaults to the project root. */
  cwd?: string;
}

/** A `weir` command running in the background. */
export interface BackgroundWeir {
  readonly pid: number;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<WeirResult>;
  /** Resolves once stdout or stderr contains `text` (or matches it); rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/** A temporary project and the commands to drive it. */
export interface WeirTestProject {
  readonly root: string;
  /** Writes (or overwrites) files, given as project-relative path -> content. */
  write(files: Record<string, string>): void;
  remove(path: string): void;
  /** Runs `weir <args>` to the end. */
  weir(args: string[], options?: WeirCallOptions): Promise<WeirResult>;
  /** Runs `weir <args>`, expects exit 0 and JSON on stdout, and returns it parsed. */
  weirJson<T = unknown>(args: string[], options?: WeirCallOptions): Promise<T>;
  /** `weir query <sql> --format json`, expecting success. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Starts `weir <args>` and returns at once. */
  spawnWeir(args: string[], options?: WeirCallOptions): BackgroundWeir;
  /** Kills what is still running and deletes the folder. */
  cleanup(): Promise<void>;
}

/** One step of a run as `--json` outputs print it. */
export interface StepJson {
  asset: string;
  status: string;
  version: string | null;
  skipReason: string | null;
  detail: string | null;
  error: { code: string; message: string; file?: string; line?: number; column?: number } | null;
}

/** A run as `weir runs --json` prints it. */
export interface RunJson {
  runId: string;
  status: string;
  command: string;
  pid: number;
  retryOf: string | null;
  summary: Record<string, number>;
  detail: string | null;
}

/** A check result as the `--json` outputs print it. */
export interface CheckJson {
  asset: string;
  check: string;
  severity: string;
  passed: boolean;
  detail: string;
}

/** A run with its steps and checks (`weir runs show <id> --json`). */
export interface RunDetailJson extends RunJson {
  steps: StepJson[];
  checks: CheckJson[];
}

/** An asset as `weir ls --json` lists it. */
export interface LsAssetJson {
  name: string;
  kind: string;
  version: string | null;
  pinned: boolean;
  rows: number | null;
}

const live = new Set<ChildProcess>();

function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  // NO_COLOR and a pipe for stdout keep the output plain (one line per event, no escape codes).
  return { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

function start(args: string[], cwd: string, env: Record<string, string> | undefined): { child: ChildProcess; out: string[]; err: string[]; exited: Promise<WeirResult> } {
  const child = spawn(process.execPath, [WEIR_BIN, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
  const exited = new Promise<WeirResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code: code ?? -1, signal, stdout: out.join(''), stderr: err.join('') });
    });
  });
  return { child, out, err, exited };
}

/**
 * Creates a project in a new temp folder from `files` (project-relative path -> content).
 *
 * @example
 * ```ts
 * const project = await createWeirProject({ 'weir.yaml': 'name: x\n', 'models/one.sql': 'select 1 as a\n' });
 * const result = await project.weir(['run']);
 * expect(result.code).toBe(0);
 * await project.cleanup();
 * ```
 */
export async function createWeirProject(files: Record<string, string>): Promise<WeirTestProject> {
  const root = mkdtempSync(join(tmpdir(), 'weir-e2e-'));
  const mine = new Set<ChildProcess>();
  const write = (more: Record<string, string>): void => {
    for (const [path, content] of Object.entries(more)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  };
  write(files);

  const spawnWeir = (args: string[], options: WeirCallOptions = {}): BackgroundWeir => {
    const { child, out, err, exited } = start(args, options.cwd ?? root, options.env);
    mine.add(child);
    void exited.finally(() => mine.delete(child));
    let done = false;
    void exited.then(() => (done = true), () => (done = true));
    return {
      pid: child.pid!,
      stdout: () => out.join(''),
      stderr: () => err.join(''),
      exited,
      kill: (signal) => void child.kill(signal),
      waitForOutput: async (text, timeoutMs = 30_000) => {
        const deadline = Date.now() + timeoutMs;
        const seen = (): boolean => {
          const all = out.join('') + err.join('');
          return typeof text === 'string' ? all.includes(text) : text.test(all);
        };
        while (!seen()) {
          if (done) throw new Error(`weir ${args.join(' ')} exited before printing ${String(text)}\nstdout:\n${out.join('')}\nstderr:\n${err.join('')}`);
          if (Date.now() > deadline) throw new Error(`weir ${args.join(' ')} did not print ${String(text)} within ${timeoutMs} ms\nstdout:\n${out.join('')}\nstderr:\n${err.join('')}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    };
  };

  const weir = (args: string[], options: WeirCallOptions = {}): Promise<WeirResult> => spawnWeir(args, options).exited;

  const weirJson = async <T>(args: string[], options: WeirCallOptions = {}): Promise<T> => {
    const result = await weir(args, options);
    if (result.code !== 0) throw new Error(`weir ${args.join(' ')} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };

  return {
    root,
    write,
    remove: (path) => rmSync(join(root, path), { recursive: true, force: true }),
    weir,
    weirJson,
    query: <T>(sql: string) => weirJson<T[]>(['query', sql, '--format', 'json']),
    spawnWeir,
    cleanup: async () => {
      for (const child of mine) child.kill('SIGKILL');
      await Promise.all([...mine].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('close', resolve)))));
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Creates an empty temp folder (for `weir init`) and a function that removes it. */
export function createTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'weir-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `weir <args>` in any folder (for commands such as `init` that need no project). */
export function runWeirIn(cwd: string, args: string[], env?: Record<string, string>): Promise<WeirResult> {
  return start(args, cwd, env).exited;
}

/** The id of the newest run of a project. */
export async function latestRun(project: WeirTestProject): Promise<RunJson> {
  const runs = await project.weirJson<RunJson[]>(['runs', '--json', '-n', '1']);
  if (!runs[0]) throw new Error('the project has no runs');
  return runs[0];
}

/** The steps of a run as a map asset -> step. */
export function stepsByAsset(steps: StepJson[]): Map<string, StepJson> {
  return new Map(steps.map((step) => [step.asset, step]));
}

/** A readable dump of a result, for assertion messages. */
export function show(result: WeirResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/**
 * One section of the summary `weir run` prints at the end ("Held back", "Failed", "Skipped",
 * "Warnings"): from its title line to the next blank line; empty when there is no such section.
 */
export function summarySection(stdout: string, title: string): string {
  const start = stdout.search(new RegExp(`^ {2}${title}\\b`, 'm'));
  if (start === -1) return '';
  const end = stdout.indexOf('\n\n', start);
  return stdout.slice(start, end === -1 ? undefined : end);
}

/** Row counts of several published assets, read through their views in one `weir query`. */
export async function countRows(project: WeirTestProject, assets: string[]): Promise<Map<string, number>> {
  // Asset names come from the test's own fixture (plain identifiers), so they can be spliced in.
  const sql = assets.map((asset) => `select '${asset}' as asset, count(*) as n from ${asset}`).join(' union all ');
  const rows = await project.query<{ asset: string; n: number }>(sql);
  return new Map(rows.map((row) => [row.asset, Number(row.n)]));
}
