/**
 * `${VAR}` references in weir.yaml, resolved from the environment. Secrets live in the
 * environment, never in the project: a resolved value is never printed, and a missing variable is
 * named without guessing at its value.
 */
import { isScalar, visit } from 'yaml';
import { WeirError } from '../errors/weir-error.js';
import { locateOffset, type YamlSource } from './yaml-source.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` in every string value (not key) of the document, in place. `$${` stays a
 * literal `${`. Returns one error per missing or malformed reference. The sections named in
 * `keepReferences` (top-level keys) are left as written: their reader resolves them itself.
 *
 * @example
 * ```ts
 * interpolateEnvironment(source, { WEIR_WAREHOUSE_URL: 'postgres://...' });
 * ```
 */
export function interpolateEnvironment(source: YamlSource, env: Record<string, string | undefined>, keepReferences: readonly string[] = []): WeirError[] {
  const problems: WeirError[] = [];
  visit(source.doc, {
    Pair(_, pair, path) {
      // path is [document, top-level map] for a top-level key.
      if (path.length === 2 && isScalar(pair.key) && keepReferences.includes(String(pair.key.value))) return visit.SKIP;
      return undefined;
    },
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const location = locateOffset(source, node.range?.[0] ?? 0);
      const expanded = expandEnvironment(node.value, env);
      node.value = expanded.value;
      for (const variable of expanded.malformed) {
        problems.push(new WeirError('CONFIG_INVALID', `"\${${variable}}" is not a valid environment variable reference`, { location, hint: 'write ${NAME} with letters, digits and _' }));
      }
      for (const variable of expanded.missing) {
        problems.push(new WeirError('CONFIG_INVALID', `environment variable "${variable}" is not set`, { location, hint: `set ${variable} in the environment that runs weir` }));
      }
    },
  });
  return problems;
}

/** A text with its `${NAME}` references replaced, and the references that could not be. */
export interface ExpandedText {
  value: string;
  /** Variables referred to but not set (replaced by nothing). */
  missing: string[];
  /** References that are not variable names. */
  malformed: string[];
}

/**
 * Replaces `${NAME}` in `text` from `env`; `$${` stays a literal `${`. Sources keep their
 * references until they connect, so a secret is read only when needed and never stored.
 *
 * @example
 * ```ts
 * expandEnvironment('postgres://${DB_USER}@db/shop', { DB_USER: 'etl' }).value; // 'postgres://etl@db/shop'
 * ```
 */
export function expandEnvironment(text: string, env: Record<string, string | undefined>): ExpandedText {
  const missing: string[] = [];
  const malformed: string[] = [];
  const value = text.replace(REFERENCE, (match: string, name: string | undefined) => {
    if (match === '$${') return '${';
    const variable = (name ?? '').trim();
    if (!VARIABLE_NAME.test(variable)) {
      malformed.push(variable);
      return '';
    }
    const found = env[variable];
    if (found === undefined) missing.push(variable);
    return found ?? '';
  });
  return { value, missing, malformed };
}
