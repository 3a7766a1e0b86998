/** The server's API, same origin. Bodies are the types the server answers with (core/src/api). */
import type { AssetDetail, AssetSummary, ProjectBody, RunDetail, RunSubmittedBody, RunSummary } from '@weir/core';
import type { CheckHistoryBody, SpcChartBody } from '@weir/core';

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status} for ${path}`);
  return body;
}

export const api = {
  project: () => get<ProjectBody>('/api/project'),
  assets: () => get<AssetSummary[]>('/api/assets'),
  asset: (name: string) => get<AssetDetail>(`/api/assets/${encodeURIComponent(name)}`),
  runs: (limit = 20) => get<RunSummary[]>(`/api/runs?limit=${limit}`),
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
  const response = await fetch(path, init);
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
