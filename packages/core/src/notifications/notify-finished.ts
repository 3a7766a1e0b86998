/**
 * The project-level dispatcher: when a run or a backfill has ended (its final event appended),
 * build the notification from the recorded state, pick the project's notifications that
 * subscribe to that event (and, with `select`, to one of the assets it touched), and deliver.
 * A project without notifications costs nothing: no state is read.
 */
import { messageOf } from '../errors/weir-error.js';
import type { NotificationEventKind } from '../events/notification-events.js';
import type { RunStatus } from '../events/weir-event.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import type { NotificationSpec } from '../project/notification-specs.js';
import type { Project } from '../project/project-model.js';
import type { BackfillRecord, StateStore, StepRecord } from '../storage/state-store.js';
import { deliverNotification, type NotificationDelivery } from './deliver-notification.js';
import type { BackfillFinishedNotification, Notification, NotificationSubscriber, RunFinishedNotification } from './notification.js';
import { WebhookSubscriber, type WebhookPolicy } from './webhook-subscriber.js';

/** Options of the dispatchers; tests shorten the webhook policy. */
export interface NotifyOptions {
  webhookPolicy?: WebhookPolicy;
}

/**
 * Notifies the project's subscribers that run `run.runId` ended: `run_failed` for a failed or
 * crashed run, `run_succeeded` for a succeeded one, nothing for a cancelled one. Resolves when
 * every delivery has ended (retries included) and been recorded; never rejects.
 *
 * @example
 * ```ts
 * const result = await executePlan({ ... });
 * await notifyRunFinished(project, store, result);
 * ```
 */
export async function notifyRunFinished(project: Project, store: StateStore, run: { runId: string; status: RunStatus }, options: NotifyOptions = {}): Promise<NotificationDelivery[]> {
  const event: NotificationEventKind | undefined = run.status === 'succeeded' ? 'run_succeeded' : run.status === 'failed' || run.status === 'crashed' ? 'run_failed' : undefined;
  const candidates = event === undefined ? [] : subscribedTo(project, event);
  if (candidates.length === 0) return [];
  return dispatch(project, store, candidates, options, async () => {
    const built = await runNotification(project, store, run.runId, event as RunFinishedNotification['event']);
    return built === undefined ? undefined : { notification: built.notification, touched: touchedByRun(built.steps) };
  });
}

/**
 * Notifies the project's `backfill_finished` subscribers that backfill `backfillId` ended, as its
 * `backfill_finished` event recorded it. Never rejects.
 *
 * @example
 * ```ts
 * await store.append([{ type: 'backfill_finished', ... }]);
 * await notifyBackfillFinished(project, store, backfill.backfillId);
 * ```
 */
export async function notifyBackfillFinished(project: Project, store: StateStore, backfillId: string, options: NotifyOptions = {}): Promise<NotificationDelivery[]> {
  const candidates = subscribedTo(project, 'backfill_finished');
  if (candidates.length === 0) return [];
  return dispatch(project, store, candidates, options, async () => {
    const [backfill] = await store.backfills({ backfillId });
    if (backfill === undefined || backfill.status === 'running') return undefined;
    return { notification: backfillNotification(project, backfill), touched: new Set(backfill.tasks.map((task) => task.asset)) };
  });
}

function subscribedTo(project: Project, event: NotificationEventKind): NotificationSpec[] {
  return (project.notifications ?? []).filter((notification) => notification.on.includes(event));
}

type Built = { notification: Notification; touched: Set<string> };

async function dispatch(project: Project, store: StateStore, candidates: NotificationSpec[], options: NotifyOptions, build: () => Promise<Built | undefined>): Promise<NotificationDelivery[]> {
  let built: Built | undefined;
  try {
    built = await build();
  } catch {
    // The state cannot be read (the store went away): there is nothing true to tell, and the run
    // has ended all the same.
    return [];
  }
  if (built === undefined) return [];
  const { notification, touched } = built;
  let graph: AssetGraph | undefined;
  const subscribers: NotificationSubscriber[] = [];
  const refused: NotificationSubscriber[] = [];
  for (const spec of candidates) {
    const subscriber = new WebhookSubscriber(spec.name, spec.webhook, options.webhookPolicy);
    if (spec.selection === undefined) {
      subscribers.push(subscriber);
      continue;
    }
    try {
      graph ??= buildAssetGraph(project);
      const selected = selectAssets(graph, project, spec.selection);
      if ([...touched].some((asset) => selected.has(asset))) subscribers.push(subscriber);
    } catch (error) {
      // Checked when the project loaded; should the selection still fail, say so in the log.
      const why = messageOf(error);
      refused.push({ name: spec.name, target: subscriber.target, deliver: async () => ({ delivered: false, error: `select could not be resolved: ${why}`, attempts: 0 }) });
    }
  }
  return deliverNotification(notification, [...subscribers, ...refused], store);
}

/** Assets a run worked on or left stale: everything but steps skipped as unchanged or pinned. */
function touchedByRun(steps: StepRecord[]): Set<string> {
  const idle = new Set(['unchanged', 'pinned']);
  return new Set(steps.filter((step) => step.status !== 'pending' && !(step.status === 'skipped' && step.skipReason !== null && idle.has(step.skipReason))).map((step) => step.asset));
}

async function runNotification(project: Project, store: StateStore, runId: string, event: RunFinishedNotification['event']): Promise<{ notification: RunFinishedNotification; steps: StepRecord[] } | undefined> {
  const run = await store.run(runId);
  if (run === undefined || run.status === 'running') return undefined;
  const steps = await store.steps(run.runId);
  const failedChecks = event === 'run_failed' ? (await store.checkResults({ runId: run.runId })).filter((check) => !check.passed && check.severity === 'error') : [];
  const failed = steps.filter((step) => step.status === 'failed').map((step) => ({ asset: step.asset, error: step.error }));
  const heldBack = steps
    .filter((step) => step.status === 'blocked')
    .map((step) => ({ asset: step.asset, failedChecks: failedChecks.filter((check) => check.asset === step.asset).map((check) => ({ check: check.check, detail: check.detail })) }));
  const outcome = Object.entries(run.summary).map(([status, count]) => `${count} ${status}`).join(', ');
  const names = (list: Array<{ asset: string }>): string => (list.length === 0 ? '' : ` (${list.map((item) => item.asset).slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''})`);
  const text =
    event === 'run_failed'
      ? `weir: run ${run.runId} of ${project.name} ${run.status} in ${run.environment}: ${failed.length} failed${names(failed)}, ${heldBack.length} held back${names(heldBack)}${run.detail ? `: ${run.detail}` : ''}`
      : `weir: run ${run.runId} of ${project.name} succeeded in ${run.environment}${outcome === '' ? '' : `: ${outcome}`}`;
  const notification: RunFinishedNotification = {
    event,
    text,
    project: project.name,
    runId: run.runId,
    status: run.status as RunFinishedNotification['status'],
    environment: run.environment,
    command: run.command,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    summary: run.summary,
    ...(run.detail ? { detail: run.detail } : {}),
    failed,
    heldBack,
    hints: { show: `weir runs show ${run.runId}`, ...(event === 'run_failed' ? { retry: `weir retry ${run.runId}` } : {}) },
  };
  return { notification, steps };
}

function backfillNotification(project: Project, backfill: BackfillRecord): BackfillFinishedNotification {
  const status = backfill.status as BackfillFinishedNotification['status'];
  const summary = backfill.summary ?? {};
  const counts = Object.entries(summary).map(([key, count]) => `${count} ${key}`).join(', ');
  const range = backfill.from === null && backfill.to === null ? '' : ` ${backfill.from ?? '...'} to ${backfill.to ?? '...'}`;
  return {
    event: 'backfill_finished',
    text: `weir: backfill ${backfill.backfillId} of ${project.name}${range} ${status} in ${backfill.environment}${counts === '' ? '' : `: ${counts}`}`,
    project: project.name,
    backfillId: backfill.backfillId,
    status,
    environment: backfill.environment,
    selection: backfill.selection,
    from: backfill.from,
    to: backfill.to,
    summary,
    hints: { show: `weir backfill show ${backfill.backfillId}`, ...(status === 'failed' ? { retry: `weir backfill retry ${backfill.backfillId}` } : {}) },
  };
}
