/**
 * The JSON the server's API answers with, shared by the server (packages/weir/src/server) and the
 * web app, which imports only these types. Times are ISO strings; counts are plain numbers.
 */
import type { SpcChart } from '../checks/spc/spc-types.js';

/** Where an asset stands, for colouring the graph and the lists. */
export type AssetState =
  /** A version is published and its latest checks passed. */
  | 'published'
  /** Published, but a warn-severity check failed on the live version. */
  | 'warning'
  /** The newest build was held back by a failing error check; an older version (or none) is live. */
  | 'blocked'
  /** The last run's step of this asset failed; an older version (or none) is live. */
  | 'failed'
  /** Published, but its data is older than its freshness expectation or an upstream has newer data (see `staleReason`). */
  | 'stale'
  /** Never published in this environment. */
  | 'never_built';

/** One asset in lists and the graph. */
export interface AssetSummary {
  name: string;
  kind: string;
  materialization: string;
  file: string;
  description: string | null;
  owner: string | null;
  tags: string[];
  upstream: string[];
  state: AssetState;
  /** The live version in the environment, or null. */
  version: string | null;
  rows: number | null;
  publishedAt: string | null;
  /** Why the live data is stale (also when a worse state shows), or null: `built 2d ago, older than the 1d sensor "x" allows`. */
  staleReason: string | null;
}

/** One check result as the API shows it. */
export interface CheckResultBody {
  check: string;
  checkType: string;
  severity: string;
  passed: boolean;
  detail: string;
  failingRows: number | null;
  version: string;
  runId: string;
  at: string;
}

/** One version of an asset. */
export interface VersionBody {
  version: string;
  status: string;
  rows: number | null;
  createdAt: string;
  createdByRun: string;
  live: boolean;
}

/** An asset with what its page shows. */
export interface AssetDetail extends AssetSummary {
  environment: string;
  pinned: boolean;
  downstream: string[];
  columns: Array<{ name: string; type: string | null; description: string | null }>;
  versions: VersionBody[];
  checks: CheckResultBody[];
  metrics: Array<{ metric: string; column?: string; value: number | null; at: string }>;
}

/** A run in lists. */
export interface RunSummary {
  runId: string;
  status: string;
  command: string;
  environment: string;
  startedAt: string;
  endedAt: string | null;
  selection: string[];
  summary: Record<string, number>;
}

/** A run with its steps and check results. */
export interface RunDetail extends RunSummary {
  /** `skipReason` says why a skipped step did no work (`unchanged`, `upstream_failed`, ...): a retry leaves `unchanged` and `pinned` alone. */
  steps: Array<{ asset: string; status: string; version: string | null; rows: number | null; startedAt: string | null; endedAt: string | null; durationMs: number | null; skipReason: string | null; detail: string | null; error: unknown }>;
  checks: CheckResultBody[];
}

/** What the project is. */
export interface ProjectBody {
  name: string;
  environment: string;
  engine: string;
  state: string;
  assets: number;
  schedules: number;
  sensors: number;
}

/** Every failure: `{ error: { code, message, hint?, location? } }` with a 4xx or 5xx status. */
export interface ErrorResponse {
  error: { code: string; message: string; hint?: string; location?: { file: string; line?: number; column?: number } };
}

/**
 * `GET /api/assets/:name/spc/:metric`: the control chart of one metric series, exactly what
 * `weir spc show <asset> <metric> --json` prints (points with their verdicts, centre, limits, violations).
 */
export type SpcChartBody = SpcChart;

/** `GET /api/assets/:name/checks`: the asset's recent check results, newest first, every version. */
export type CheckHistoryBody = CheckResultBody[];

/** `POST /api/runs`: the id of the run weir serve accepted (it is recorded once it starts). */
export interface RunSubmittedBody {
  runId: string;
}
