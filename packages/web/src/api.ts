/** The server's API, same origin. Bodies are the types the server answers with (core/src/api). */
import type { AssetDetail, AssetSummary, ProjectBody, RunDetail, RunSubmittedBody, RunSummary } from '@weir/core';
import type { CheckHistoryBody, SpcChartBody } from '@weir/core';
import type { AssetFeedbackBody, FeedbackBody, FeedbackListBody, FeedbackStatusChangeBody, FeedbackSubmissionBody } from '@weir/core';
import type { GraphBody, MeBody } from '@weir/core';
import type { CatalogSearchBody } from '@weir/core';
import type { KpisBody } from '@weir/core';
import type { DataPreviewBody, LineageBody, LineageDirection, RollbackBody, UnpinBody } from '@weir/core';
import type { BackfillDetailBody, BackfillSummaryBody, TriggerPauseBody, TriggersBody } from '@weir/core';
import { authSession } from './auth-session.js';

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: authSession.headers() });
  if (response.status === 401) authSession.unauthorized();
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status} for ${path}`);
  return body;
}

export const api = {
  project: () => get<ProjectBody>('/api/project'),
  assets: () => get<AssetSummary[]>('/api/assets'),
  asset: (name: string) => get<AssetDetail>(`/api/assets/${encodeURIComponent(name)}`),
  runs: (limit = 20) => get<RunSummary[]>(`/api/runs?limit=${limit}`),
  /** The graph laid out by the server (no states: join with `assets`). */
  graph: () => get<GraphBody>('/api/graph'),
  /** The caller's token name and role; null in local mode. */
  me: () => get<MeBody>('/api/me'),
  /** Catalog search: the best `limit` assets for `q`, with the fields that matched. */
  search: (q: string, limit = 20) => get<CatalogSearchBody>(`/api/search?q=${encodeURIComponent(q)}&limit=${limit}`),
  /** The DataOps KPIs over the last `days` days, with daily trends. */
  kpis: (days = 30) => get<KpisBody>(`/api/kpis?days=${days}`),
};

/** An API failure with the server's stable error code (`RUN_UNKNOWN`, `PROJECT_LOCKED`, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { ...authSession.headers(), ...(init?.headers as Record<string, string> | undefined) } });
  if (response.status === 401) authSession.unauthorized();
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code: string; message: string; hint?: string } };
  if (!response.ok) {
    const error = body.error;
    throw new ApiError(error ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : `HTTP ${response.status} for ${path}`, error?.code ?? 'HTTP', response.status);
  }
  return body;
}

function post<T>(path: string, body: unknown): Promise<T> {
  return call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * Runs this page submitted: weir serve records a run when it starts, a moment after answering, so
 * the run's page waits for these (and only these) to appear instead of calling them unknown.
 */
const submitted = new Set<string>();

async function submit(body: unknown): Promise<RunSubmittedBody> {
  const answer = await post<RunSubmittedBody>('/api/runs', body);
  submitted.add(answer.runId);
  return answer;
}

/** Runs: the list, one run, and starting, retrying and cancelling runs in weir serve. */
export const runApi = {
  list: (status: string | undefined, limit = 200) => call<RunSummary[]>(`/api/runs?limit=${limit}${status ? `&status=${encodeURIComponent(status)}` : ''}`),
  detail: (runId: string) => call<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
  start: (select: string[]) => submit({ command: 'run', select, exclude: [] }),
  retry: (retryOf: string, assets: string[]) => submit({ command: 'retry', select: assets, exclude: [], assets, retryOf }),
  /** True for a run this page submitted (it may not be recorded yet). */
  submittedHere: (runId: string) => submitted.has(runId),
  cancel: (runId: string) => post<{ cancelled: string }>(`/api/runs/${encodeURIComponent(runId)}/cancel`, {}),
  /** The run's event log as server-sent events, live while the run is running. */
  eventsUrl: (runId: string) => `/api/runs/${encodeURIComponent(runId)}/events`,
};

/** Control charts and check history of an asset's page (asset-metrics.tsx, check-history.tsx). */
export const spcApi = {
  /** The chart `weir spc show <asset> <metric> --json` prints; `column` for a column metric. */
  chart: (asset: string, metric: string, column?: string) =>
    get<SpcChartBody>(`/api/assets/${encodeURIComponent(asset)}/spc/${encodeURIComponent(metric)}${column === undefined ? '' : `?column=${encodeURIComponent(column)}`}`),
  /** The asset's recent check results, newest first. */
  checks: (asset: string, limit = 200) => get<CheckHistoryBody>(`/api/assets/${encodeURIComponent(asset)}/checks?limit=${limit}`),
};

/** Consumer feedback (asset-feedback.tsx, open-reports.tsx): rate, comment, report; move reports along. */
export const feedbackApi = {
  forAsset: (asset: string) => call<AssetFeedbackBody>(`/api/assets/${encodeURIComponent(asset)}/feedback`),
  submit: (asset: string, body: FeedbackSubmissionBody) => post<FeedbackBody>(`/api/assets/${encodeURIComponent(asset)}/feedback`, body),
  /** Reports across assets; `unresolved` (open or acknowledged) by default. */
  reports: (status = 'unresolved') => call<FeedbackListBody>(`/api/feedback?status=${encodeURIComponent(status)}`),
  setStatus: (id: string, body: FeedbackStatusChangeBody) => post<FeedbackBody>(`/api/feedback/${encodeURIComponent(id)}/status`, body),
};

/** Column lineage, data preview and rollback of an asset's page (column-lineage.tsx, data-preview.tsx, asset-versions.tsx). */
export const assetDataApi = {
  /** What `weir lineage <asset>[.<column>] --json` prints: each column's direct upstream and the walks. */
  lineage: (asset: string, column?: string, direction: LineageDirection = 'both') =>
    call<LineageBody>(`/api/lineage/${encodeURIComponent(asset)}?direction=${direction}${column === undefined ? '' : `&column=${encodeURIComponent(column)}`}`),
  /** The first `limit` rows of the live version. */
  preview: (asset: string, limit = 50) => call<DataPreviewBody>(`/api/assets/${encodeURIComponent(asset)}/preview?limit=${limit}`),
  /** Points the asset at `version` (editors); refused with the server's sentence otherwise. */
  rollback: (asset: string, version: string) => post<RollbackBody>(`/api/assets/${encodeURIComponent(asset)}/rollback`, { version }),
  /** Lets runs publish the asset again after a rollback (editors). */
  unpin: (asset: string) => post<UnpinBody>(`/api/assets/${encodeURIComponent(asset)}/unpin`, {}),
};

/** Schedules, sensors and backfills (schedules-page.tsx, backfills-page.tsx, backfill-page.tsx). */
export const orchestrationApi = {
  triggers: () => call<TriggersBody>('/api/triggers'),
  /** Pauses or resumes a schedule or sensor (editors), as `weir schedules pause|resume`. */
  setPaused: (name: string, paused: boolean) => post<TriggerPauseBody>(`/api/triggers/${encodeURIComponent(name)}/${paused ? 'pause' : 'resume'}`, {}),
  backfills: () => call<BackfillSummaryBody[]>('/api/backfills'),
  backfill: (id: string) => call<BackfillDetailBody>(`/api/backfills/${encodeURIComponent(id)}`),
};
