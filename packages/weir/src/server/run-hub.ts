/**
 * Runs submitted to `weir serve`. The server owns the warehouse and the project's run lock for its
 * whole life, so runs are executed here one after another, in this process, and what each run
 * reports (plan lines, events, logs, row counts, its end) is kept in order and sent to every
 * client following it, also to one that connects late. The project is loaded again for every run,
 * so edits made while the server runs are picked up as `weir run` would pick them up.
 */
import {
  WeirError,
  buildAssetGraph,
  isWeirError,
  loadProject,
  newRunId,
  runBackfillJob,
  runProject,
  selectAssets,
  type BackfillJobPayload,
  type EngineAdapter,
  type ProjectLock,
  type StateStore,
  type WeirEvent,
} from '@weir/core';
import { runPlanLines } from '../output/run-plan-lines.js';

/** One thing a run reported, as sent to clients. */
export type RunMessage =
  | { kind: 'line'; text: string }
  | { kind: 'event'; event: WeirEvent }
  | { kind: 'log'; asset: string; message: string }
  | { kind: 'rows'; asset: string; rows: number }
  | { kind: 'end'; runId: string; status: string }
  | { kind: 'error'; error: ErrorBody };

/** A failure as sent to clients, rebuilt there into the same error (see `errorBody`). */
export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  location?: { file: string; line?: number; column?: number };
}

/**
 * An error as JSON for a client: a `WeirError`'s code, message, hint and location; anything else
 * as an internal error with its stack.
 *
 * @example
 * ```ts
 * return context.json({ error: errorBody(error) }, 400);
 * ```
 */
export function errorBody(error: unknown): ErrorBody {
  if (!isWeirError(error)) return { code: 'INTERNAL', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  return {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.location === undefined ? {} : { location: error.location }),
  };
}

/** What a client asks for: the options of `weir run`, `check` and `retry`. */
export interface RunSubmission {
  select: string[];
  exclude: string[];
  command: 'run' | 'check' | 'retry';
  mode?: 'build' | 'check';
  /** With `retry`: the assets to run again, already chosen by the client from the earlier run. */
  assets?: string[];
  retryOf?: string;
  concurrency?: number;
  /** The run's time limit in seconds (default: weir.yaml's `defaults.run_timeout`). */
  timeoutSeconds?: number;
  /** Build this partition (a key, or a date inside it) of the selected partitioned assets (`weir run --partition`). */
  partition?: string;
  /** Queue behind a run in progress instead of refusing. */
  wait?: boolean;
  /** What started it when not a person: `schedule:nightly`, `sensor:landing_files` (recorded as the run's command). */
  trigger?: string;
}

/** The server's side of the project: open for the server's whole life. */
export interface ServedProject {
  root: string;
  environment: string | undefined;
  store: StateStore;
  engine: EngineAdapter;
  /** The project's run lock, held by the server. */
  lock: ProjectLock;
}

interface HubRun {
  runId: string;
  messages: RunMessage[];
  listeners: Set<(message: RunMessage) => void>;
  controller: AbortController;
  done: boolean;
  /** Resolves with the run's status (`failed` when it could not run at all). */
  ended: Promise<string>;
  end: (status: string) => void;
}

/** How many finished runs keep their messages for late followers. */
const KEPT_RUNS = 50;

/**
 * Accepts runs, executes them one at a time, and lets clients follow them.
 *
 * @example
 * ```ts
 * const hub = new RunHub(served);
 * const runId = await hub.submit({ select: ['orders+'], exclude: [], command: 'run' });
 * hub.follow(runId, (message) => console.log(message));
 * ```
 */
export class RunHub {
  private readonly runs = new Map<string, HubRun>();
  private queue: Promise<void> = Promise.resolve();
  /** What is writing now, for people: `run <id>`, `backfill ... partition ...`, `a rollback of <asset>`. */
  private active: string | undefined;
  private pending = 0;
  private closed = false;

  constructor(private readonly served: ServedProject) {}

  /**
   * Checks the submission against the current project (a bad selector fails here, before any run
   * exists) and queues the run; resolves to its id.
   */
  async submit(submission: RunSubmission): Promise<string> {
    if (this.closed) throw new WeirError('SERVER_UNREACHABLE', 'weir serve is stopping and takes no more runs');
    const busy = this.busyWith();
    if (busy !== undefined && !submission.wait) {
      throw new WeirError('PROJECT_LOCKED', `weir serve (pid ${process.pid}) is running ${busy} on this project`, {
        hint: 'wait for it to finish, or pass --wait to queue behind it',
      });
    }
    const project = await this.loadProject();
    const selected =
      submission.assets !== undefined
        ? new Set(submission.assets.filter((asset) => project.assets.has(asset)))
        : selectAssets(buildAssetGraph(project), project, { select: submission.select, exclude: submission.exclude });
    let end: (status: string) => void = () => undefined;
    const ended = new Promise<string>((resolve) => (end = resolve));
    const run: HubRun = { runId: newRunId(), messages: [], listeners: new Set(), controller: new AbortController(), done: false, ended, end };
    this.runs.set(run.runId, run);
    this.forgetOldRuns();
    if (busy !== undefined) this.emit(run, { kind: 'line', text: `queued behind ${busy} in weir serve (pid ${process.pid})…` });
    this.pending += 1;
    this.queue = this.queue.then(async () => {
      this.pending -= 1;
      this.active = `run ${run.runId}`;
      try {
        await this.execute(run, submission, selected);
      } finally {
        this.active = undefined;
      }
    });
    return run.runId;
  }

  /**
   * Sends `listener` every message of the run so far, then each new one as it comes; returns a
   * function that stops following. Undefined for a run this server does not know.
   */
  follow(runId: string, listener: (message: RunMessage) => void): (() => void) | undefined {
    const run = this.runs.get(runId);
    if (run === undefined) return undefined;
    for (const message of run.messages) listener(message);
    if (run.done) return () => undefined;
    run.listeners.add(listener);
    return () => run.listeners.delete(listener);
  }

  /**
   * Builds one partition job of a backfill (queued by `weir backfill` while this server runs),
   * after the run in progress and before the ones queued later, like a run.
   */
  async runBackfillJob(payload: BackfillJobPayload, signal: AbortSignal): Promise<{ status: 'done' | 'failed' | 'cancelled'; detail?: string }> {
    if (this.closed) throw new WeirError('SERVER_UNREACHABLE', 'weir serve is stopping and takes no more work');
    this.pending += 1;
    const work = this.queue.then(async () => {
      this.pending -= 1;
      this.active = `backfill ${payload.backfillId} partition ${payload.partition}`;
      try {
        return await runBackfillJob({ project: await this.loadProject(), engine: this.served.engine, store: this.served.store, payload, signal });
      } finally {
        this.active = undefined;
      }
    });
    this.queue = work.then(
      () => undefined,
      () => undefined,
    );
    return await work;
  }

  /**
   * Does `work` (what `label` names, e.g. `a rollback of revenue`) between runs, with the warehouse
   * to itself: never while a run or a backfill job writes. When something runs or is queued, it
   * refuses with `PROJECT_LOCKED` naming it, or with `wait` queues behind it as a run would.
   */
  async exclusive<T>(label: string, work: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T> {
    if (this.closed) throw new WeirError('SERVER_UNREACHABLE', 'weir serve is stopping and takes no more work');
    const busy = this.busyWith();
    if (busy !== undefined && !options.wait) {
      throw new WeirError('PROJECT_LOCKED', `weir serve (pid ${process.pid}) is running ${busy} on this project; ${label} waits until nothing writes`, {
        hint: 'try again when it has ended, or send "wait": true to queue behind it',
      });
    }
    this.pending += 1;
    const done = this.queue.then(async () => {
      this.pending -= 1;
      this.active = label;
      try {
        return await work();
      } finally {
        this.active = undefined;
      }
    });
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return await done;
  }

  /** Resolves with the run's final status once it has ended. */
  async finished(runId: string): Promise<string> {
    const run = this.runs.get(runId);
    if (run === undefined) throw new WeirError('RUN_UNKNOWN', `weir serve knows no run "${runId}"`);
    return await run.ended;
  }

  /** Asks a running or queued run to stop; false for a run this server does not know or that ended. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (run === undefined || run.done) return false;
    this.emit(run, { kind: 'line', text: 'cancelling: stopping running steps, publishing nothing more' });
    run.controller.abort(new WeirError('CANCELLED', 'the run was cancelled'));
    return true;
  }

  /** Stops taking runs, cancels the ones in progress and waits for them to end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.runs.values()) if (!run.done) run.controller.abort(new WeirError('CANCELLED', 'weir serve is stopping'));
    await this.queue;
  }

  /** What holds the warehouse now or is queued for it, or undefined when nothing does. */
  private busyWith(): string | undefined {
    return this.active ?? (this.pending > 0 ? 'a queued run' : undefined);
  }

  private async loadProject() {
    return await loadProject(this.served.root, this.served.environment === undefined ? {} : { environment: this.served.environment });
  }

  private async execute(run: HubRun, submission: RunSubmission, selected: ReadonlySet<string>): Promise<void> {
    try {
      run.controller.signal.throwIfAborted();
      // Loaded again at the start: a queued run sees the files as they are when it starts.
      const project = await this.loadProject();
      const result = await runProject({
        project,
        engine: this.served.engine,
        store: this.served.store,
        selected,
        selection: submission.select,
        exclusion: submission.exclude,
        command: submission.trigger ?? submission.command,
        runId: run.runId,
        lock: this.served.lock,
        signal: run.controller.signal,
        ...(submission.mode === undefined ? {} : { mode: submission.mode }),
        ...(submission.retryOf === undefined ? {} : { retryOf: submission.retryOf }),
        ...(submission.concurrency === undefined ? {} : { concurrency: submission.concurrency }),
        ...(submission.timeoutSeconds === undefined ? {} : { timeoutSeconds: submission.timeoutSeconds }),
        ...(submission.partition === undefined ? {} : { partition: submission.partition }),
        onPlan: (plan, runId) => {
          for (const text of runPlanLines(plan, runId, submission.mode, project.disabled)) this.emit(run, { kind: 'line', text });
        },
        onEvent: (event) => this.emit(run, { kind: 'event', event }),
        onLog: (asset, message) => this.emit(run, { kind: 'log', asset, message }),
        onProgress: (asset, rows) => this.emit(run, { kind: 'rows', asset, rows }),
      });
      this.emit(run, { kind: 'end', runId: run.runId, status: result.status });
      run.end(result.status);
    } catch (error) {
      this.emit(run, { kind: 'error', error: errorBody(error) });
      run.end(isWeirError(error) && error.code === 'CANCELLED' ? 'cancelled' : 'failed');
    } finally {
      run.done = true;
      run.listeners.clear();
    }
  }

  private emit(run: HubRun, message: RunMessage): void {
    run.messages.push(message);
    for (const listener of run.listeners) listener(message);
  }

  private forgetOldRuns(): void {
    const finished = [...this.runs.values()].filter((run) => run.done);
    for (const run of finished.slice(0, Math.max(0, finished.length - KEPT_RUNS))) this.runs.delete(run.runId);
  }
}
