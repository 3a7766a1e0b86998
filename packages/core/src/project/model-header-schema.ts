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
});

/** A model header as validated. */
export type ModelHeader = z.output<typeof modelHeaderSchema>;
