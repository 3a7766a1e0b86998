/** Reads weir.yaml into the project-wide part of {@link Project}: everything but the assets. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WeirError } from '../errors/weir-error.js';
import { fromZodIssues, issuesToErrors, yamlLocator } from './config-issues.js';
import { interpolateEnvironment } from './env-interpolation.js';
import { readNotifications } from './notification-settings.js';
import { readOpenLineage } from './openlineage-settings.js';
import { PROJECT_FILE } from './find-project-root.js';
import { readTriggers } from './orchestration-settings.js';
import type { Project } from './project-model.js';
import { settingsSchema } from './settings-schema.js';
import { assetNameSchema } from './strict-object.js';
import { stripBom } from './text-position.js';
import { parseYamlSource } from './yaml-source.js';

/** The project settings: a {@link Project} without its assets. */
export type ProjectSettings = Omit<Project, 'assets'>;

/** Defaults from docs/project-format.md, in one place. */
export const SETTINGS_DEFAULTS = {
  environment: 'prod',
  warehousePath: '.weir/warehouse.duckdb',
  statePath: '.weir/state.db',
  stateSchema: 'weir_state',
  defaults: {
    materialization: 'table',
    concurrency: 4,
    retries: 0,
    retryDelaySeconds: 1,
    timeoutSeconds: 3600,
    retainVersions: 3,
  },
} as const;

/**
 * Schemas an environment must not take: Weir's own (versions, staging) and the engines' system
 * schemas. An environment's views would otherwise sit among physical versions, where gc drops
 * what it does not know.
 */
export function isReservedSchema(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('weir_') || lower.startsWith('pg_') || ['main', 'public', 'information_schema', 'temp'].includes(lower);
}

/**
 * Reads and validates `<root>/weir.yaml`, resolving `${VAR}` from `env` and relative paths against
 * `root`. `environment` (from `--env`) overrides the file's.
 *
 * @returns the settings, or the file's problems (YAML, `${VAR}` or validation; one kind at a
 *   time, since each step needs the one before it to have succeeded).
 */
export async function readSettings(
  root: string,
  options: { environment?: string; env: Record<string, string | undefined> },
): Promise<{ settings?: ProjectSettings; problems: WeirError[] }> {
  const text = await readFile(path.join(root, PROJECT_FILE), 'utf8');
  const { source, problems } = parseYamlSource(stripBom(text), PROJECT_FILE);
  if (source === undefined) return { problems };
  // Notifications and OpenLineage resolve their own references: a variable not set disables one
  // notification or the lineage endpoint (each delivery says so) instead of every command.
  const envProblems = interpolateEnvironment(source, options.env, ['notifications', 'openlineage']);
  if (envProblems.length > 0) return { problems: envProblems };
  const data: unknown = source.doc.toJS() ?? {};
  const parsed = settingsSchema.safeParse(data);
  if (!parsed.success) return { problems: issuesToErrors(fromZodIssues(parsed.error.issues, data), yamlLocator(source)) };
  const file = parsed.data;

  const environment = options.environment ?? file.environment ?? SETTINGS_DEFAULTS.environment;
  if (options.environment !== undefined && !assetNameSchema.safeParse(options.environment).success) {
    return { problems: [new WeirError('USAGE', `environment "${options.environment}" is not a valid name: use letters, digits, "_" and "-"`)] };
  }
  if (isReservedSchema(environment)) {
    return {
      problems: [
        new WeirError(options.environment !== undefined ? 'USAGE' : 'CONFIG_INVALID', `"${environment}" cannot be an environment: that schema belongs to Weir or to the engine`, {
          ...(options.environment !== undefined ? {} : { location: { file: 'weir.yaml' } }),
          hint: 'pick another name, such as prod, dev-alice or ci-123',
        }),
      ],
    };
  }
  const triggers = readTriggers(file, yamlLocator(source), root);
  const notifications = readNotifications(file.notifications, options.env, yamlLocator(source));
  const openlineage = readOpenLineage(file.openlineage, { projectName: file.name, root, env: options.env, locator: yamlLocator(source) });
  const sectionProblems = [...triggers.problems, ...notifications.problems, ...openlineage.problems];
  if (sectionProblems.length > 0) return { problems: sectionProblems };
  const resolve = (relative: string): string => path.resolve(root, relative);
  const warehouse = file.warehouse ?? { engine: 'duckdb' as const };
  const state = file.state ?? { store: 'sqlite' as const };
  const defaults = file.defaults ?? {};
  const settings: ProjectSettings = {
    name: file.name,
    root,
    environment,
    warehouse:
      warehouse.engine === 'duckdb'
        ? {
            engine: 'duckdb',
            path: resolve(warehouse.path ?? SETTINGS_DEFAULTS.warehousePath),
            ...(warehouse.threads === undefined ? {} : { threads: warehouse.threads }),
            ...(warehouse.memory_limit === undefined ? {} : { memoryLimit: warehouse.memory_limit }),
          }
        : { engine: 'postgres', url: warehouse.url },
    state:
      state.store === 'sqlite'
        ? { store: 'sqlite', path: resolve(state.path ?? SETTINGS_DEFAULTS.statePath) }
        : { store: 'postgres', url: state.url, schema: state.schema ?? SETTINGS_DEFAULTS.stateSchema },
    defaults: {
      materialization: defaults.materialization ?? SETTINGS_DEFAULTS.defaults.materialization,
      concurrency: defaults.concurrency ?? SETTINGS_DEFAULTS.defaults.concurrency,
      retries: defaults.retries ?? SETTINGS_DEFAULTS.defaults.retries,
      retryDelaySeconds: defaults.retry_delay_seconds ?? SETTINGS_DEFAULTS.defaults.retryDelaySeconds,
      timeoutSeconds: defaults.timeout_seconds ?? SETTINGS_DEFAULTS.defaults.timeoutSeconds,
      retainVersions: defaults.retain_versions ?? SETTINGS_DEFAULTS.defaults.retainVersions,
      ...(defaults.run_timeout === undefined ? {} : { runTimeoutSeconds: defaults.run_timeout }),
    },
    ...(triggers.schedules.length > 0 ? { schedules: triggers.schedules } : {}),
    ...(triggers.sensors.length > 0 ? { sensors: triggers.sensors } : {}),
    ...(notifications.notifications.length > 0 ? { notifications: notifications.notifications } : {}),
    ...(openlineage.openlineage === undefined ? {} : { openlineage: openlineage.openlineage }),
    ...(file.pools === undefined || Object.keys(file.pools).length === 0 ? {} : { pools: { ...file.pools } }),
  };
  return { settings, problems: [] };
}
