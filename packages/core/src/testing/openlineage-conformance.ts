/**
 * Validating OpenLineage events against the spec's own JSON Schemas
 * (`../shared/conformance/openlineage/spec`, Draft 2020-12), offline: every `spec/**\/*.json`
 * schema is added by its `$id`, and every external `$ref` points at one of them. Also a port of
 * the upstream integration tests' `match(expected, actual)` for golden events. For tests only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The core schema's `$id`. */
export const OPENLINEAGE_CORE_SCHEMA_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

/** Validates events and facets; each method returns the problems found (empty: valid). */
export interface OpenLineageValidator {
  /** Validates a whole event against `OpenLineage.json`. */
  validateEvent(event: unknown): string[];
  /** Validates a facet against the schema its `_schemaURL` names (`<$id>#/$defs/<Facet>`). */
  validateFacet(facet: unknown): string[];
  /** Validates `instance` against the schema `ref` (an `$id`, optionally with a fragment). */
  validate(ref: string, instance: unknown): string[];
}

/**
 * Loads every schema under `specDir` (the spec folder of the OpenLineage corpus).
 *
 * @example
 * ```ts
 * const validator = openLineageValidator(join(corpus.path, 'spec'));
 * expect(validator.validateEvent(event)).toEqual([]);
 * ```
 */
export function openLineageValidator(specDir: string): OpenLineageValidator {
  // strict: false because the spec's schemas use annotation keywords (`example`) Ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const file of schemaFiles(specDir)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof schema.$id === 'string' && ajv.getSchema(schema.$id) === undefined) ajv.addSchema(schema as Parameters<Ajv2020['addSchema']>[0]);
  }
  const compiled = new Map<string, ValidateFunction | undefined>();
  const validate = (ref: string, instance: unknown): string[] => {
    if (!compiled.has(ref)) compiled.set(ref, ajv.getSchema(ref));
    const check = compiled.get(ref);
    if (check === undefined) return [`no schema ${ref}`];
    return check(instance) ? [] : describeErrors(check.errors);
  };
  return {
    validate,
    validateEvent: (event) => validate(OPENLINEAGE_CORE_SCHEMA_ID, event),
    validateFacet: (facet) => {
      const url = (facet as { _schemaURL?: unknown } | null)?._schemaURL;
      if (typeof url !== 'string') return ['facet without _schemaURL'];
      return validate(url, facet);
    },
  };
}

/** The JSON Schema files of the spec folder: `OpenLineage.json`, `facets/`, `registry/` (not `tests/`). */
function schemaFiles(specDir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'tests') walk(path);
      } else if (name.endsWith('.json')) {
        found.push(path);
      }
    }
  };
  walk(specDir);
  return found;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

/**
 * Every facet of an event with where it sits (`run.parent`, `outputs[0].schema`, ...).
 *
 * @example
 * ```ts
 * for (const { where, facet } of facetsOf(event)) expect(validator.validateFacet(facet), where).toEqual([]);
 * ```
 */
export function facetsOf(event: unknown): Array<{ where: string; key: string; facet: unknown }> {
  const found: Array<{ where: string; key: string; facet: unknown }> = [];
  const take = (where: string, facets: unknown): void => {
    if (facets === null || typeof facets !== 'object') return;
    for (const [key, facet] of Object.entries(facets)) found.push({ where: `${where}.${key}`, key, facet });
  };
  const value = event as { run?: { facets?: unknown }; job?: { facets?: unknown }; inputs?: unknown[]; outputs?: unknown[] };
  take('run', value.run?.facets);
  take('job', value.job?.facets);
  for (const [side, list] of [['inputs', value.inputs], ['outputs', value.outputs]] as const) {
    (list ?? []).forEach((dataset, index) => {
      const entry = dataset as { facets?: unknown; inputFacets?: unknown; outputFacets?: unknown };
      take(`${side}[${index}]`, entry.facets);
      take(`${side}[${index}].inputFacets`, entry.inputFacets);
      take(`${side}[${index}].outputFacets`, entry.outputFacets);
    });
  }
  return found;
}

/**
 * Whether `actual` matches `expected` by the rules of OpenLineage's integration tests
 * (`integration/common/.../test.py`, `match`): objects compare only the expected keys; lists
 * must be as long, and elements with a `name` pair by name, others by position; strings with
 * `{{ ... }}` are rendered (`any(result)` is the actual value, `is_datetime(result)` and
 * `is_uuid(result)` are `"true"` / `"false"`, `env_var('X')` reads the environment,
 * `not_match(result, 'x')` is `"true"` when `x` is absent) and match when the rendering is
 * `"true"` or equals the actual value. Returns the mismatches (empty: it matches).
 *
 * @example
 * ```ts
 * expect(matchLineage({ run: { runId: '{{ is_uuid(result) }}' } }, event)).toEqual([]);
 * ```
 */
export function matchLineage(expected: unknown, actual: unknown, at = '$'): string[] {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual)) problems.push(`${at}.${key}: missing`);
      else problems.push(...matchLineage(value, (actual as Record<string, unknown>)[key], `${at}.${key}`));
    }
    return problems;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected a list, got ${JSON.stringify(actual)}`];
    if (expected.length !== actual.length) return [`${at}: expected ${expected.length} elements, got ${actual.length}`];
    const problems: string[] = [];
    expected.forEach((item, index) => {
      const name = item !== null && typeof item === 'object' && 'name' in item ? (item as { name: unknown }).name : undefined;
      if (name === undefined) {
        problems.push(...matchLineage(item, actual[index], `${at}[${index}]`));
        return;
      }
      const partner = actual.find((candidate) => candidate !== null && typeof candidate === 'object' && (candidate as { name?: unknown }).name === name);
      if (partner === undefined) problems.push(`${at}[name=${String(name)}]: missing`);
      else problems.push(...matchLineage(item, partner, `${at}[name=${String(name)}]`));
    });
    return problems;
  }
  if (typeof expected === 'string' && expected.includes('{{')) {
    const rendered = renderTemplate(expected, actual);
    return rendered === 'true' || rendered === actual ? [] : [`${at}: ${expected} rendered ${JSON.stringify(rendered)} for ${JSON.stringify(actual)}`];
  }
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

const TEMPLATE = /\{\{\s*(\w+)\(([^)]*)\)\s*\}\}/g;

/** Renders the few Jinja calls the upstream goldens use. */
function renderTemplate(template: string, result: unknown): unknown {
  const whole = /^\{\{\s*any\(result\)\s*\}\}$/.test(template.trim());
  if (whole) return result;
  return template.replace(TEMPLATE, (_match, name: string, args: string) => {
    const values = args.split(',').map((arg) => arg.trim().replace(/^['"]|['"]$/g, ''));
    switch (name) {
      case 'any':
        return String(result);
      case 'is_datetime':
        return String(typeof result === 'string' && !Number.isNaN(Date.parse(result)) && /^\d{4}-\d{2}-\d{2}T/.test(result));
      case 'is_uuid':
        return String(typeof result === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(result));
      case 'env_var':
        return process.env[values[0] ?? ''] ?? '';
      case 'not_match':
        return String(typeof result === 'string' && !result.includes(values[1] ?? ''));
      default:
        return `unknown template function ${name}`;
    }
  });
}
