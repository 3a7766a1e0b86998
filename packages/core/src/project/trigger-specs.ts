/**
 * Schedules and sensors as the loaded project holds them (declared in weir.yaml under
 * `schedules:` and `sensors:`, and custom sensors in `sensors/*.ts`). Inert data: `orchestration/` decides when they fire.
 */
import type { SourceLocation } from '../errors/weir-error.js';

/** The assets a trigger runs, in the selection syntax of `weir run` (`orders+`, `tag:finance`). */
export interface TriggerSelection {
  select: string[];
  exclude: string[];
}

/** Fields every schedule and sensor shares. */
interface TriggerSpecBase {
  /** Unique across schedules and sensors (`weir schedules pause <name>` finds either). */
  name: string;
  /** The declared pause state; `weir schedules pause|resume` overrides it (see orchestration/README.md). */
  paused: boolean;
  /** Where the entry starts in weir.yaml. */
  location: SourceLocation;
  /**
   * Where each selector was written, by field: `select[0]`, `exclude[1]`, `assets[0]`, `asset`.
   * Selection problems found after the graph is built are reported there.
   */
  fieldLocations: Record<string, SourceLocation>;
}

/** What to do with the ticks that passed while nothing evaluated the schedule (serve was down). */
export type MissedTickPolicy = 'skip' | 'catch_up';

/** A cron schedule on a selection of assets. */
export interface ScheduleSpec extends TriggerSpecBase {
  kind: 'schedule';
  /** A croner pattern of 5 or 6 fields (with seconds), or a nickname such as `@daily`. */
  cron: string;
  /** IANA time zone the pattern is read in. */
  timezone: string;
  selection: TriggerSelection;
  missed: MissedTickPolicy;
  /** With `missed: catch_up`, at most this many missed ticks run (the newest ones). */
  maxCatchUp: number;
}

/** Fields every sensor shares. */
interface SensorSpecBase extends TriggerSpecBase {
  kind: 'sensor';
  /** Evaluate at most this often. */
  intervalSeconds: number;
}

/** New or changed files matching a glob. */
export interface FileSensorSpec extends SensorSpecBase {
  type: 'file';
  /** The glob as written, relative to the project root (or absolute). */
  path: string;
  /** The glob made absolute. */
  absolutePath: string;
  selection: TriggerSelection;
}

/** An upstream asset was published in the project's environment. */
export interface AssetPublishedSensorSpec extends SensorSpecBase {
  type: 'asset_published';
  assets: string[];
  /** Absent: the assets downstream of the ones published (not those themselves). */
  selection?: TriggerSelection;
}

/** An asset's newest publication is older than `maxAgeSeconds`. */
export interface FreshnessSensorSpec extends SensorSpecBase {
  type: 'freshness';
  asset: string;
  maxAgeSeconds: number;
  /** Defaults to `+<asset>`: the asset and its upstream (unchanged ones are skipped by fingerprint). */
  selection: TriggerSelection;
}

/**
 * A call to `POST /api/hooks/<name>` of `weir serve` carrying `Authorization: Bearer <token>`.
 * Never polled: the server evaluates it when a call arrives.
 */
export interface WebhookSensorSpec extends SensorSpecBase {
  type: 'webhook';
  /** The shared secret (from weir.yaml, usually `${ENV}`); never printed. */
  token: string;
  selection: TriggerSelection;
}

/**
 * A custom sensor: `defineSensor(...)` exported from `sensors/<name>.ts`. Its `evaluate` runs in a
 * worker thread (see `orchestration/typescript-sensor-runner.ts`); `location` is its export line.
 */
export interface TypeScriptSensorSpec extends SensorSpecBase {
  type: 'typescript';
  /** The file, relative to the project root (`sensors/export_ready.ts`). */
  file: string;
  /** The bundle to import in the worker, and the export holding the definition. */
  modulePath: string;
  exportName: string;
  /** An evaluation running longer is stopped and recorded as failed. */
  timeoutSeconds: number;
  /** Absent: every run request must name its own `select`. */
  selection?: TriggerSelection;
}

/** Any sensor. */
export type SensorSpec = FileSensorSpec | AssetPublishedSensorSpec | FreshnessSensorSpec | WebhookSensorSpec | TypeScriptSensorSpec;

/** A schedule or a sensor. */
export type TriggerSpec = ScheduleSpec | SensorSpec;
