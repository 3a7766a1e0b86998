/** The server's API, same origin. Bodies are the types the server answers with (core/src/api). */
import type { AssetDetail, AssetSummary, ProjectBody, RunSummary } from '@weir/core';
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

/** Control charts and check history of an asset's page (asset-metrics.tsx, check-history.tsx). */
export const spcApi = {
  /** The chart `weir spc show <asset> <metric> --json` prints; `column` for a column metric. */
  chart: (asset: string, metric: string, column?: string) =>
    get<SpcChartBody>(`/api/assets/${encodeURIComponent(asset)}/spc/${encodeURIComponent(metric)}${column === undefined ? '' : `?column=${encodeURIComponent(column)}`}`),
  /** The asset's recent check results, newest first. */
  checks: (asset: string, limit = 200) => get<CheckHistoryBody>(`/api/assets/${encodeURIComponent(asset)}/checks?limit=${limit}`),
};
