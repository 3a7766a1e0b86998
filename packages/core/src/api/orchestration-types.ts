/**
 * Bodies of the orchestration routes: schedules and sensors (`GET /api/triggers`, pause and
 * resume), and backfills (`GET /api/backfills`, `GET /api/backfills/:id`). The same data
 * `weir schedules ls` and `weir backfill ls|show` print.
 */

/** One fire time of a schedule: the instant, and the schedule's wall clock (`2026-03-29 03:00 +02:00`). */
export interface FireTimeBody {
  utc: string;
  local: string;
}

/** A run a schedule or sensor started (its command is `schedule:<name>` or `sensor:<name>`). */
export interface TriggerRunBody {
  runId: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
}

/** A sensor's newest failed evaluation (`sensor_failed` in the log). */
export interface TriggerFailureBody {
  at: string;
  message: string;
  file?: string;
  line?: number;
}

/** One schedule or sensor with its state. Schedule-only and sensor-only fields are null for the other kind. */
export interface TriggerBody {
  name: string;
  kind: 'schedule' | 'sensor';
  /** `cron` for a schedule; a sensor's type (`file`, `asset_published`, `freshness`, `webhook`, `typescript`). */
  type: string;
  paused: boolean;
  /** Where the pause state comes from: weir.yaml, or a pause or resume (command or API). */
  pausedBy: 'weir.yaml' | 'command';
  cron: string | null;
  timezone: string | null;
  /** The next fire times after now (a preview while paused). Empty for sensors. */
  next: FireTimeBody[];
  lastTick: FireTimeBody | null;
  intervalSeconds: number | null;
  /** A custom sensor's file (`sensors/export_ready.ts`). */
  file: string | null;
  /** When the stored state last changed (a tick, a moved cursor, a pause). */
  updatedAt: string | null;
  /** The sensor's cursor as short JSON (cut at 200 characters), null before its first evaluation. */
  cursor: string | null;
  lastFailure: TriggerFailureBody | null;
  /** True when the last failure is newer than the last recorded change of the state. */
  failing: boolean;
  /** The newest runs it started, newest first (at most 5). */
  recentRuns: TriggerRunBody[];
}

/** `GET /api/triggers`. */
export interface TriggersBody {
  /** When the listing was made (next fire times are after it). */
  now: string;
  triggers: TriggerBody[];
}

/** `POST /api/triggers/:name/pause|resume`: what was done. */
export interface TriggerPauseBody {
  name: string;
  kind: 'schedule' | 'sensor';
  paused: boolean;
  /** False when it already was in that state (nothing recorded). */
  changed: boolean;
}

/** The state of one asset x partition task of a backfill. */
export type BackfillTaskStateBody = 'done' | 'running' | 'failed' | 'missing';

/** A backfill as listed: `interrupted` when recorded running by a process of this host that is gone. */
export interface BackfillSummaryBody {
  backfillId: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  environment: string;
  requestedAt: string;
  endedAt: string | null;
  selection: string[];
  from: string | null;
  to: string | null;
  concurrency: number;
  /** Assets with their versions and partition counts. */
  assets: Array<{ asset: string; version: string; partitions: number }>;
  /** Tasks (assets x partitions) by state, now. */
  counts: Record<BackfillTaskStateBody, number>;
  total: number;
}

/** `GET /api/backfills/:id`: the backfill and every task. */
export interface BackfillDetailBody extends BackfillSummaryBody {
  tasks: Array<{ asset: string; version: string; partition: string; status: BackfillTaskStateBody; detail?: string }>;
}
