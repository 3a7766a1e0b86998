/**
 * The shape of weir.yaml. Keys are snake_case as users write them; `read-settings.ts` turns the
 * validated value into the camelCase model.
 */
import * as z from 'zod';
import { notificationsSchema } from './notification-settings.js';
import { openLineageSchema } from './openlineage-settings.js';
import { schedulesSchema, sensorsSchema } from './orchestration-settings.js';
import { parseDuration } from './duration.js';
import { assetNameSchema, nonEmptyString, positiveSeconds, strictObject, wholeNumber } from './strict-object.js';

/** An empty section (`warehouse:` with nothing under it) means "use the defaults". */
function optionalSection<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

/** Fills a missing discriminator so that `warehouse: { path: x }` means the default engine. */
function withDefault(key: string, value: string) {
  return (input: unknown) =>
    input !== null && typeof input === 'object' && !Array.isArray(input) && !(key in input) ? { ...input, [key]: value } : input;
}

const warehouseSchema = z.preprocess(
  withDefault('engine', 'duckdb'),
  z.discriminatedUnion('engine', [
    strictObject({
      engine: z.literal('duckdb'),
      path: nonEmptyString.optional(),
      threads: wholeNumber(1).optional(),
      memory_limit: nonEmptyString.optional(),
    }),
    strictObject({ engine: z.literal('postgres'), url: nonEmptyString }),
  ]),
);

const stateSchema = z.preprocess(
  withDefault('store', 'sqlite'),
  z.discriminatedUnion('store', [
    strictObject({ store: z.literal('sqlite'), path: nonEmptyString.optional() }),
    strictObject({ store: z.literal('postgres'), url: nonEmptyString, schema: assetNameSchema.optional() }),
  ]),
);

// A duration as people write it (`90s`, `30m`, `6h`, `2d`) or seconds, read as seconds.
const durationSchema = z.union([nonEmptyString, z.number()], { error: 'expected a duration such as 90s, 30m, 6h or 2d' }).transform((value, context) => {
  const seconds = parseDuration(value);
  if (seconds !== undefined) return seconds;
  context.addIssue({ code: 'custom', message: `expected a duration such as 90s, 30m, 6h or 2d, not ${JSON.stringify(value)}` });
  return z.NEVER;
});

const defaultsSchema = strictObject({
  materialization: z.enum(['view', 'table', 'incremental']).optional(),
  concurrency: wholeNumber(1).optional(),
  retries: wholeNumber(0).optional(),
  retry_delay_seconds: z.number({ error: 'expected a number of seconds' }).min(0, { error: 'expected a number of seconds >= 0' }).optional(),
  timeout_seconds: positiveSeconds.optional(),
  run_timeout: durationSchema.optional(),
  retain_versions: wholeNumber(0).optional(),
});

/** weir.yaml. */
export const settingsSchema = strictObject({
  name: assetNameSchema,
  environment: assetNameSchema.optional(),
  warehouse: optionalSection(warehouseSchema),
  state: optionalSection(stateSchema),
  defaults: optionalSection(defaultsSchema),
  schedules: optionalSection(schedulesSchema),
  sensors: optionalSection(sensorsSchema),
  notifications: optionalSection(notificationsSchema),
  openlineage: optionalSection(openLineageSchema),
  pools: optionalSection(
    z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a pool name is letters, digits and _' }),
      wholeNumber(1),
      { error: 'expected pool names, each with the most jobs it may run at once, e.g. { prod_db: 2 }' },
    ),
  ),
});

/** weir.yaml as validated, before defaults are applied. */
export type SettingsFile = z.output<typeof settingsSchema>;
