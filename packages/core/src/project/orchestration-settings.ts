/**
 * The `schedules:` and `sensors:` sections of weir.yaml: their zod shape, and their conversion
 * into {@link ScheduleSpec}s and {@link SensorSpec}s with every problem placed at its file:line.
 * Selections are checked later, once the asset graph exists (`validateTriggerSelections`).
 */
import path from 'node:path';
import * as z from 'zod';
import { didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import type { Locator } from './config-issues.js';
import { cronProblem, timezoneProblem } from './cron-pattern.js';
import { parseDuration } from './duration.js';
import type { Project } from './project-model.js';
import { assetNameSchema, nonEmptyString, positiveSeconds, strictObject, stringOrList, wholeNumber } from './strict-object.js';
import type { ScheduleSpec, SensorSpec, TriggerSelection, TriggerSpec } from './trigger-specs.js';
import type { ValuePath } from './yaml-source.js';

/** Defaults of the orchestration settings (docs/project-format.md). */
export const TRIGGER_DEFAULTS = {
  timezone: 'UTC',
  missed: 'skip',
  maxCatchUp: 5,
  sensorIntervalSeconds: 30,
} as const;

const common = {
  name: assetNameSchema,
  paused: z.boolean({ error: 'expected true or false' }).optional(),
};

const scheduleSchema = strictObject({
  ...common,
  cron: nonEmptyString,
  timezone: nonEmptyString.optional(),
  select: stringOrList,
  exclude: stringOrList.optional(),
  missed: z.enum(['skip', 'catch_up']).optional(),
  max_catch_up: wholeNumber(1).optional(),
});

const sensorCommon = { ...common, interval_seconds: positiveSeconds.optional(), exclude: stringOrList.optional() };

const sensorSchema = z.discriminatedUnion('type', [
  strictObject({ ...sensorCommon, type: z.literal('file'), path: nonEmptyString, select: stringOrList }),
  strictObject({ ...sensorCommon, type: z.literal('asset_published'), assets: stringOrList, select: stringOrList.optional() }),
  strictObject({
    ...sensorCommon,
    type: z.literal('freshness'),
    asset: assetNameSchema,
    max_age: z.union([nonEmptyString, z.number()], { error: 'expected a duration such as 90s, 30m, 6h or 2d' }),
    select: stringOrList.optional(),
  }),
  strictObject({
    ...sensorCommon,
    type: z.literal('webhook'),
    token: z.string().min(16, { error: 'expected a secret of at least 16 characters, e.g. ${WEIR_HOOK_TOKEN} from the environment' }),
    select: stringOrList,
  }),
]);

/** `schedules:` of weir.yaml. */
export const schedulesSchema = z.array(scheduleSchema, { error: 'expected a list of schedules' });
/** `sensors:` of weir.yaml. */
export const sensorsSchema = z.array(sensorSchema, { error: 'expected a list of sensors' });

type ScheduleEntry = z.output<typeof scheduleSchema>;
type SensorEntry = z.output<typeof sensorSchema>;

/**
 * Turns the validated sections into specs, checking what zod cannot: cron patterns, time zones,
 * durations, `max_catch_up` without `missed: catch_up`, and names used twice. Every problem names
 * the trigger and its file:line.
 *
 * @example
 * ```ts
 * const { schedules, sensors, problems } = readTriggers(file, yamlLocator(source), root);
 * ```
 */
export function readTriggers(
  file: { schedules?: ScheduleEntry[] | undefined; sensors?: SensorEntry[] | undefined },
  locator: Locator,
  root: string,
): { schedules: ScheduleSpec[]; sensors: SensorSpec[]; problems: WeirError[] } {
  const problems: WeirError[] = [];
  const schedules = (file.schedules ?? []).map((entry, index) => toSchedule(entry, ['schedules', index], locator, problems));
  const sensors = (file.sensors ?? []).map((entry, index) => toSensor(entry, ['sensors', index], locator, root, problems));
  const seen = new Map<string, TriggerSpec>();
  for (const trigger of [...schedules, ...sensors]) {
    const first = seen.get(trigger.name.toLowerCase());
    if (first === undefined) {
      seen.set(trigger.name.toLowerCase(), trigger);
      continue;
    }
    problems.push(
      new WeirError('CONFIG_INVALID', `${label(trigger)} has the same name as the ${first.kind} at line ${first.location.line}`, {
        location: trigger.location,
        hint: 'schedule and sensor names are unique together (ignoring case): `weir schedules pause <name>` finds either',
      }),
    );
  }
  return { schedules, sensors, problems };
}

function toSchedule(entry: ScheduleEntry, at: ValuePath, locator: Locator, problems: WeirError[]): ScheduleSpec {
  const timezone = entry.timezone ?? TRIGGER_DEFAULTS.timezone;
  const missed = entry.missed ?? TRIGGER_DEFAULTS.missed;
  const spec: ScheduleSpec = {
    kind: 'schedule',
    name: entry.name,
    cron: entry.cron.trim(),
    timezone,
    selection: selection(entry.select, entry.exclude),
    missed,
    maxCatchUp: entry.max_catch_up ?? TRIGGER_DEFAULTS.maxCatchUp,
    paused: entry.paused ?? false,
    location: locator.locate(at),
    fieldLocations: selectorLocations(entry, at, locator),
  };
  const cron = cronProblem(entry.cron);
  if (cron !== undefined) {
    problems.push(
      new WeirError('CONFIG_INVALID', `schedule "${entry.name}": invalid cron expression "${entry.cron}": ${cron}`, {
        location: locator.locate([...at, 'cron']),
        hint: 'five fields "minute hour day month weekday" (e.g. "0 2 * * *"), or six with seconds first',
      }),
    );
  }
  const zone = timezoneProblem(timezone);
  if (zone !== undefined) {
    problems.push(
      new WeirError('CONFIG_INVALID', `schedule "${entry.name}": ${zone.message} "${timezone}"`, { location: locator.locate([...at, 'timezone']), hint: zone.hint }),
    );
  }
  if (entry.max_catch_up !== undefined && missed !== 'catch_up') {
    problems.push(
      new WeirError('CONFIG_INVALID', `schedule "${entry.name}": max_catch_up applies only with missed: catch_up`, {
        location: locator.locate([...at, 'max_catch_up'], true),
        hint: 'add "missed: catch_up", or remove max_catch_up',
      }),
    );
  }
  return spec;
}

function toSensor(entry: SensorEntry, at: ValuePath, locator: Locator, root: string, problems: WeirError[]): SensorSpec {
  const base = {
    kind: 'sensor' as const,
    name: entry.name,
    paused: entry.paused ?? false,
    intervalSeconds: entry.interval_seconds ?? TRIGGER_DEFAULTS.sensorIntervalSeconds,
    location: locator.locate(at),
    fieldLocations: selectorLocations(entry, at, locator),
  };
  switch (entry.type) {
    case 'file':
      return { ...base, type: 'file', path: entry.path, absolutePath: path.resolve(root, entry.path), selection: selection(entry.select, entry.exclude) };
    case 'asset_published': {
      entry.assets.forEach((_, index) => (base.fieldLocations[`assets[${index}]`] = locator.locate([...at, 'assets', index])));
      // A single string is written without a list; its location is the value itself.
      if (entry.assets.length === 1) base.fieldLocations['assets[0]'] = locateListOrValue(locator, [...at, 'assets']);
      return {
        ...base,
        type: 'asset_published',
        assets: entry.assets,
        ...(entry.select === undefined ? {} : { selection: selection(entry.select, entry.exclude) }),
      };
    }
    case 'webhook':
      return { ...base, type: 'webhook', token: entry.token, selection: selection(entry.select, entry.exclude) };
    case 'freshness': {
      base.fieldLocations.asset = locator.locate([...at, 'asset']);
      const seconds = parseDuration(entry.max_age);
      if (seconds === undefined) {
        problems.push(
          new WeirError('CONFIG_INVALID', `sensor "${entry.name}": max_age is not a duration`, {
            location: locator.locate([...at, 'max_age']),
            hint: 'write a duration such as 90s, 30m, 6h, 2d or 1w, or a number of seconds',
          }),
        );
      }
      return {
        ...base,
        type: 'freshness',
        asset: entry.asset,
        maxAgeSeconds: seconds ?? 0,
        selection: entry.select === undefined ? selection([`+${entry.asset}`], entry.exclude) : selection(entry.select, entry.exclude),
      };
    }
  }
}

function selection(select: string[], exclude: string[] | undefined): TriggerSelection {
  return { select: [...select], exclude: [...(exclude ?? [])] };
}

/** Where each selector was written; a lone string (not a list) is located at the key's value. */
function selectorLocations(entry: { select?: string[] | undefined; exclude?: string[] | undefined }, at: ValuePath, locator: Locator): Record<string, SourceLocation> {
  const locations: Record<string, SourceLocation> = {};
  for (const field of ['select', 'exclude'] as const) {
    const values = entry[field] ?? [];
    values.forEach((_, index) => (locations[`${field}[${index}]`] = locator.locate([...at, field, index])));
    if (values.length === 1) locations[`${field}[0]`] = locateListOrValue(locator, [...at, field]);
  }
  return locations;
}

/** The first item of a list, or the value itself when it was written as one string. */
function locateListOrValue(locator: Locator, at: ValuePath): SourceLocation {
  // locatePath stops at the deepest node that exists: for a plain string, index 0 does not exist
  // and the string's own position comes back, which is what we want either way.
  return locator.locate([...at, 0]);
}

function label(trigger: TriggerSpec): string {
  return `${trigger.kind} "${trigger.name}"`;
}

/**
 * Checks that every selection of every trigger selects something real, and that the assets named
 * by sensors exist. Problems are `SELECTION_INVALID` / `ASSET_UNKNOWN` at the selector's file:line.
 *
 * @example
 * ```ts
 * problems.push(...validateTriggerSelections(project, buildAssetGraph(project)));
 * ```
 */
export function validateTriggerSelections(project: Project, graph: AssetGraph): WeirError[] {
  const problems: WeirError[] = [];
  for (const trigger of [...(project.schedules ?? []), ...(project.sensors ?? [])]) {
    const selections: Array<{ field: 'select' | 'exclude'; values: string[] }> = [];
    // asset_published and custom sensors may have no selection of their own.
    const chosen: TriggerSelection | undefined = trigger.selection;
    if (chosen !== undefined) selections.push({ field: 'select', values: chosen.select }, { field: 'exclude', values: chosen.exclude });
    for (const { field, values } of selections) {
      // Freshness sensors default to `+asset`: an unknown asset is reported once, as the asset.
      if (trigger.kind === 'sensor' && trigger.type === 'freshness' && !project.assets.has(trigger.asset) && trigger.fieldLocations['select[0]'] === undefined) continue;
      values.forEach((selector, index) => {
        try {
          selectAssets(graph, project, { select: [selector], exclude: [] });
        } catch (error) {
          if (!(error instanceof WeirError) || error.code !== 'SELECTION_INVALID') throw error;
          problems.push(
            new WeirError('SELECTION_INVALID', `${label(trigger)}: ${error.message}`, {
              location: trigger.fieldLocations[`${field}[${index}]`] ?? trigger.location,
              ...(error.hint === undefined ? {} : { hint: error.hint }),
            }),
          );
        }
      });
    }
    if (trigger.kind === 'sensor' && (trigger.type === 'freshness' || trigger.type === 'asset_published')) {
      const named = trigger.type === 'freshness' ? [{ asset: trigger.asset, key: 'asset' }] : trigger.assets.map((asset, index) => ({ asset, key: `assets[${index}]` }));
      for (const { asset, key } of named) {
        if (project.assets.has(asset)) continue;
        problems.push(
          new WeirError('ASSET_UNKNOWN', `${label(trigger)} watches "${asset}", which is not an asset of this project`, {
            location: trigger.fieldLocations[key] ?? trigger.location,
            ...(didYouMean(asset, project.assets.keys()) === undefined ? {} : { hint: didYouMean(asset, project.assets.keys()) }),
          }),
        );
      }
    }
  }
  return problems;
}
