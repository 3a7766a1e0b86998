/** The shape of a SQL model's header block, as users write it in YAML. */
import * as z from 'zod';
import { assetNameSchema, nonEmptyString, positiveSeconds, stringOrList, strictObject, wholeNumber } from './strict-object.js';

/** Column descriptions: `order_id: The order's id`, or `{ description: ... }`, or nothing. */
export const columnDescriptionsSchema = z.record(
  z.string(),
  z.union([z.string(), z.null(), strictObject({ description: z.string().optional() })], {
    error: 'expected a description, or { description: ... }',
  }),
);

/** Normalises {@link columnDescriptionsSchema} to the model's shape. */
export function columnDescriptions(value: z.output<typeof columnDescriptionsSchema> | undefined): Record<string, { description?: string }> {
  const result: Record<string, { description?: string }> = {};
  for (const [column, entry] of Object.entries(value ?? {})) {
    const description = typeof entry === 'string' ? entry : entry?.description;
    result[column] = description === undefined ? {} : { description };
  }
  return result;
}

/** A date as YAML may read it: text, or a number for a bare year. */
const dateText = z.union([nonEmptyString, z.number()], { error: 'expected a date such as 2026-01-01' }).transform(String);

/**
 * `partitioned_by`: `{ column, granularity, start, end?, timezone? }` for time partitions or
 * `{ column, values }` for static ones; which keys go together is checked by the loader.
 */
export const partitionedBySchema = strictObject({
  column: nonEmptyString,
  granularity: z.enum(['hour', 'day', 'month']).optional(),
  start: dateText.optional(),
  end: dateText.optional(),
  timezone: nonEmptyString.optional(),
  values: z
    .array(z.union([nonEmptyString, z.number()]).transform(String), { error: 'expected a list of partition values' })
    .min(1, { error: 'expected at least one value' })
    .optional(),
});

/** A SQL model's header block. `checks` is validated by the check parser, which knows more. */
export const modelHeaderSchema = strictObject({
  materialization: z.enum(['view', 'table', 'incremental']).optional(),
  incremental: strictObject({
    strategy: z.enum(['append', 'merge']).optional(),
    unique_key: stringOrList.optional(),
    cursor: nonEmptyString.optional(),
  }).optional(),
  description: z.string().optional(),
  owner: nonEmptyString.optional(),
  tags: stringOrList.optional(),
  columns: columnDescriptionsSchema.optional(),
  inputs: z.array(assetNameSchema, { error: 'expected a list of asset names' }).optional(),
  retries: wholeNumber(0).optional(),
  timeout_seconds: positiveSeconds.optional(),
  checks: z.unknown().optional(),
  partitioned_by: partitionedBySchema.optional(),
  pool: nonEmptyString.optional(),
});

/** A model header as validated. */
export type ModelHeader = z.output<typeof modelHeaderSchema>;
