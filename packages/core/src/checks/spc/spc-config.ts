/**
 * Settings of an `spc` check and the defaults of Weir's built-in monitors. Why the defaults are
 * what they are is in this folder's README ("Defaults and false alarms").
 */
import { WeirError } from '../../errors/weir-error.js';

/**
 * The Western Electric rules. 1: a point outside the control limits (3σ). 2: two of three
 * consecutive points beyond 2σ on one side. 3: four of five beyond 1σ on one side. 4: eight in a
 * row on one side of the centre line.
 */
export type SpcRule = 1 | 2 | 3 | 4;

/** Every rule, in order. */
export const SPC_RULES: readonly SpcRule[] = [1, 2, 3, 4];

/** Which deviations may alert: a freshness lag that shrinks is never a problem, so it watches `increase` only. */
export type SpcDirection = 'both' | 'increase' | 'decrease';

/** `day_of_week`: each point is compared only with points of the same weekday. */
export type SpcSeasonality = 'none' | 'day_of_week';

/** The complete settings of one control chart. */
export interface SpcConfig {
  /** Points in a full baseline; the limits freeze when it is full. */
  baselinePoints: number;
  /** Points needed before anything is judged; fewer means `learning`. */
  minPoints: number;
  /** Which rules are on. */
  rules: Record<SpcRule, boolean>;
  /** A deviation from the centre smaller than this (in the metric's unit) never counts toward a rule. */
  absoluteFloor: number;
  /** A deviation smaller than this fraction of |centre| never counts toward a rule. */
  relativeFloor: number;
  direction: SpcDirection;
  seasonality: SpcSeasonality;
  /** The IANA time zone weekdays are taken in, for day-of-week seasonality. */
  timeZone: string;
}

/** Settings as a person writes them: everything optional, rules one by one. */
export type SpcConfigInput = Partial<Omit<SpcConfig, 'rules'>> & { rules?: Partial<Record<SpcRule, boolean>> };

/**
 * The built-in monitors. `volume`: row counts. `freshness`: lag of the newest data, in hours.
 * `rate`: proportions between 0 and 1 (null rate, distinct rate). `measure`: anything else (mean,
 * min, max, lengths, build duration).
 */
export type SpcMonitorKind = 'volume' | 'freshness' | 'rate' | 'measure';

/**
 * The generic defaults. The relative floor of 10% keeps a metric that barely varies (a mean that
 * moves by 0.1%) from alerting on changes nobody would act on; see the README.
 */
const GENERIC_DEFAULTS: SpcConfig = {
  baselinePoints: 20,
  minPoints: 8,
  rules: { 1: true, 2: true, 3: true, 4: true },
  absoluteFloor: 0,
  relativeFloor: 0.1,
  direction: 'both',
  seasonality: 'none',
  timeZone: 'UTC',
};

/**
 * What each built-in monitor changes from the generic defaults. Volume: a change under 10% of the
 * usual row count never alerts. Freshness (hours): only a growing lag alerts, and only when it is
 * more than 1 hour and 50% above its usual level. Rate: a move of under 1 percentage point (and
 * under 10% of the usual rate) never alerts.
 */
export const SPC_MONITOR_DEFAULTS: Readonly<Record<SpcMonitorKind, Readonly<SpcConfigInput>>> = {
  volume: { relativeFloor: 0.1 },
  freshness: { absoluteFloor: 1, relativeFloor: 0.5, direction: 'increase' },
  rate: { absoluteFloor: 0.01, relativeFloor: 0.1 },
  measure: {},
};

/**
 * The complete settings from what a person wrote, checked. Throws `CONFIG_INVALID` naming the
 * setting when a value cannot work.
 *
 * @example
 * ```ts
 * const config = defaultSpcConfig({ rules: { 4: false }, absoluteFloor: 50 });
 * config.baselinePoints; // 20
 * config.rules[4]; // false
 * ```
 */
export function defaultSpcConfig(input: SpcConfigInput = {}): SpcConfig {
  const config: SpcConfig = {
    ...GENERIC_DEFAULTS,
    ...definedOnly(input),
    rules: { ...GENERIC_DEFAULTS.rules, ...definedOnly(input.rules ?? {}) },
  };
  validateSpcConfig(config);
  return config;
}

/**
 * The settings of a built-in monitor, with a person's overrides on top.
 *
 * @example
 * ```ts
 * const volume = monitorSpcConfig('volume');            // relativeFloor 0.1
 * const lag = monitorSpcConfig('freshness', { absoluteFloor: 2 });
 * ```
 */
export function monitorSpcConfig(kind: SpcMonitorKind, input: SpcConfigInput = {}): SpcConfig {
  const base = SPC_MONITOR_DEFAULTS[kind];
  return defaultSpcConfig({ ...base, ...definedOnly(input), rules: { ...base.rules, ...input.rules } });
}

function validateSpcConfig(config: SpcConfig): void {
  const problem = (setting: string, expected: string, got: unknown): never => {
    throw new WeirError('CONFIG_INVALID', `spc setting "${setting}" must be ${expected} (got ${typeof got === 'number' ? String(got) : JSON.stringify(got)})`);
  };
  if (!Number.isInteger(config.minPoints) || config.minPoints < 2) problem('minPoints', 'a whole number of at least 2', config.minPoints);
  if (!Number.isInteger(config.baselinePoints) || config.baselinePoints < config.minPoints) {
    problem('baselinePoints', `a whole number of at least minPoints (${config.minPoints})`, config.baselinePoints);
  }
  if (!Number.isFinite(config.absoluteFloor) || config.absoluteFloor < 0) problem('absoluteFloor', 'a number >= 0', config.absoluteFloor);
  if (!Number.isFinite(config.relativeFloor) || config.relativeFloor < 0) problem('relativeFloor', 'a number >= 0', config.relativeFloor);
  if (!['both', 'increase', 'decrease'].includes(config.direction)) problem('direction', 'one of both, increase, decrease', config.direction);
  if (!['none', 'day_of_week'].includes(config.seasonality)) problem('seasonality', 'one of none, day_of_week', config.seasonality);
  for (const key of Object.keys(config.rules)) {
    if (!SPC_RULES.includes(Number(key) as SpcRule)) problem(`rules.${key}`, 'one of the rules 1, 2, 3, 4', key);
  }
  for (const rule of SPC_RULES) {
    if (typeof config.rules[rule] !== 'boolean') problem(`rules.${rule}`, 'true or false', config.rules[rule]);
  }
  if (!isTimeZone(config.timeZone)) problem('timeZone', 'an IANA time zone such as "UTC" or "Europe/Berlin"', config.timeZone);
}

// Constructing an Intl.DateTimeFormat costs far more than the rest of a check; ask once per zone.
const knownTimeZones = new Set(['UTC']);

function isTimeZone(timeZone: unknown): boolean {
  if (typeof timeZone !== 'string') return false;
  if (knownTimeZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  knownTimeZones.add(timeZone);
  return true;
}

/** Drops keys whose value is undefined, so `{ minPoints: undefined }` keeps the default. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
