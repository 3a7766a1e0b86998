/**
 * `sensors/**\/*.ts`: files that export `defineSensor(...)` definitions. Each file is bundled like a
 * TypeScript asset (`typescript-bundle.ts`) and imported here to read the definitions; only
 * `evaluate` is later called, in a worker (`orchestration/typescript-sensor-runner.ts`). A file
 * directly in `sensors/` must export a sensor; files in subfolders may be helper modules.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { isAssetDefinition } from '../definitions/asset-definition.js';
import { SENSOR_DEFINITION_MARKER, isSensorDefinition, type SensorDefinition } from '../definitions/sensor-definition.js';
import { isSourceDefinition } from '../definitions/source-definition.js';
import { messageOf, WeirError, type SourceLocation } from '../errors/weir-error.js';
import { locateUserFrame } from './bundle-stack-location.js';
import { fixedLocator, fromZodIssues, issuesToErrors } from './config-issues.js';
import { parseDuration } from './duration.js';
import { TRIGGER_DEFAULTS } from './orchestration-settings.js';
import { assetNameSchema, positiveSeconds, stringOrList, strictObject } from './strict-object.js';
import { exportLine } from './text-position.js';
import type { TriggerSpec, TypeScriptSensorSpec } from './trigger-specs.js';
import { bundleAssetFile } from './typescript-bundle.js';

/** Seconds an evaluation may take by default before it is stopped and recorded as failed. */
export const SENSOR_TIMEOUT_SECONDS = 30;

/** The options of `defineSensor`, checked at run time: TypeScript types do not survive a bundle. */
const definitionSchema = strictObject({
  [SENSOR_DEFINITION_MARKER]: z.literal(true),
  name: assetNameSchema.optional(),
  select: stringOrList.optional(),
  exclude: stringOrList.optional(),
  interval: z.union([z.string(), z.number()], { error: 'expected a duration such as 30s, 5m or 1h, or a number of seconds' }).optional(),
  timeoutSeconds: positiveSeconds.optional(),
  paused: z.boolean({ error: 'expected true or false' }).optional(),
  evaluate: z.custom<SensorDefinition['evaluate']>((value) => typeof value === 'function', { error: 'expected a function (evaluate(ctx) { return { runRequests: true } })' }),
});

/** The sensors of one file, and what is wrong with it. */
export interface SensorFileLoad {
  sensors: TypeScriptSensorSpec[];
  problems: WeirError[];
}

/**
 * Loads one sensor file.
 *
 * @param file - the path relative to the project root, with `/` separators.
 * @example
 * ```ts
 * const { sensors, problems } = await loadSensorFile('/work/shop', 'sensors/export_ready.ts');
 * ```
 */
export async function loadSensorFile(root: string, file: string): Promise<SensorFileLoad> {
  const bundle = await bundleAssetFile(root, file);
  if (Array.isArray(bundle)) return { sensors: [], problems: bundle };
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundle.modulePath).href)) as Record<string, unknown>;
  } catch (error) {
    const location = (error instanceof Error ? locateUserFrame(root, bundle.modulePath, error.stack, bundle.sourceMap) : undefined) ?? { file };
    const problem = new WeirError('USER_CODE_FAILED', `${file} threw while being loaded: ${messageOf(error)}`, {
      location,
      cause: error,
      hint: 'top-level code of a sensor file runs when the project loads; move work into evaluate()',
    });
    return { sensors: [], problems: [problem] };
  }
  const sourceText = await readFile(path.join(root, file), 'utf8');
  const definitions = Object.entries(exports).filter(([, value]) => isSensorDefinition(value)) as Array<[string, SensorDefinition]>;
  const result: SensorFileLoad = { sensors: [], problems: [] };
  for (const [exportName, value] of Object.entries(exports)) {
    if (!isAssetDefinition(value) && !isSourceDefinition(value)) continue;
    result.problems.push(
      new WeirError('CONFIG_INVALID', `${file}: export "${exportName}" is an asset, but files under sensors/ declare sensors`, {
        location: { file, line: exportLine(sourceText, exportName) },
        hint: 'move defineAsset and defineSource definitions to models/',
      }),
    );
  }
  if (definitions.length === 0 && result.problems.length === 0 && !file.slice('sensors/'.length).includes('/')) {
    result.problems.push(
      new WeirError('CONFIG_INVALID', `${file} exports no defineSensor(...) definition`, {
        location: { file, line: 1 },
        hint: `write: export const ${path.posix.basename(file, '.ts')} = defineSensor({ evaluate(ctx) { ... } }); helper modules go in a subfolder such as sensors/lib/`,
      }),
    );
  }
  const fileName = path.posix.basename(file, '.ts');
  for (const [exportName, definition] of definitions) {
    const location: SourceLocation = { file, line: exportLine(sourceText, exportName) };
    const parsed = definitionSchema.safeParse(definition);
    if (!parsed.success) {
      result.problems.push(...issuesToErrors(fromZodIssues(parsed.error.issues, definition, [exportName]), fixedLocator(location)));
      continue;
    }
    const options = parsed.data;
    const name = options.name ?? (definitions.length > 1 && exportName !== 'default' ? exportName : fileName);
    if (!assetNameSchema.safeParse(name).success) {
      result.problems.push(new WeirError('CONFIG_INVALID', `"${name}" is not a valid sensor name: use letters, digits, "_" and "-"`, { location, hint: 'set "name:" in defineSensor, or rename the export or file' }));
      continue;
    }
    const intervalSeconds = options.interval === undefined ? TRIGGER_DEFAULTS.sensorIntervalSeconds : parseDuration(options.interval);
    if (intervalSeconds === undefined) {
      result.problems.push(
        new WeirError('CONFIG_INVALID', `sensor "${name}": interval ${JSON.stringify(options.interval)} is not a duration`, {
          location,
          hint: 'write a duration such as 30s, 5m or 1h, or a number of seconds',
        }),
      );
      continue;
    }
    const selectors: Record<string, SourceLocation> = {};
    for (const field of ['select', 'exclude'] as const) (options[field] ?? []).forEach((_, index) => (selectors[`${field}[${index}]`] = location));
    result.sensors.push({
      kind: 'sensor',
      type: 'typescript',
      name,
      file,
      modulePath: bundle.modulePath,
      exportName,
      paused: options.paused ?? false,
      intervalSeconds,
      timeoutSeconds: options.timeoutSeconds ?? SENSOR_TIMEOUT_SECONDS,
      location,
      fieldLocations: selectors,
      ...(options.select === undefined ? {} : { selection: { select: options.select, exclude: options.exclude ?? [] } }),
    });
  }
  return result;
}

/**
 * Problems of names: a custom sensor named like a schedule or sensor of weir.yaml, or like
 * another custom sensor (ignoring case, as `weir schedules pause <name>` finds either).
 *
 * @example
 * ```ts
 * problems.push(...sensorNameClashes([...(settings.schedules ?? []), ...(settings.sensors ?? [])], loaded));
 * ```
 */
export function sensorNameClashes(declared: readonly TriggerSpec[], custom: readonly TypeScriptSensorSpec[]): WeirError[] {
  const seen = new Map(declared.map((trigger) => [trigger.name.toLowerCase(), trigger]));
  const problems: WeirError[] = [];
  for (const sensor of custom) {
    const first = seen.get(sensor.name.toLowerCase());
    if (first === undefined) {
      seen.set(sensor.name.toLowerCase(), sensor);
      continue;
    }
    const where = first.kind === 'sensor' && first.type === 'typescript' ? `${first.file}:${first.location.line}` : `weir.yaml:${first.location.line}`;
    problems.push(
      new WeirError('CONFIG_INVALID', `sensor "${sensor.name}" has the same name as the ${first.kind} "${first.name}" at ${where}`, {
        location: sensor.location,
        hint: 'schedule and sensor names are unique together (ignoring case); set another "name:" in defineSensor',
      }),
    );
  }
  return problems;
}
