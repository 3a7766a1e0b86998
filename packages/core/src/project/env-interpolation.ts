/**
 * `${VAR}` references in weir.yaml, resolved from the environment. Secrets live in the
 * environment, never in the project: a resolved value is never printed, and a missing variable is
 * named without guessing at its value.
 */
import { visit } from 'yaml';
import { WeirError } from '../errors/weir-error.js';
import { locateOffset, type YamlSource } from './yaml-source.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` in every string value (not key) of the document, in place. `$${` stays a
 * literal `${`. Returns one error per missing or malformed reference.
 *
 * @example
 * ```ts
 * interpolateEnvironment(source, { WEIR_WAREHOUSE_URL: 'postgres://...' });
 * ```
 */
export function interpolateEnvironment(source: YamlSource, env: Record<string, string | undefined>): WeirError[] {
  const problems: WeirError[] = [];
  visit(source.doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const location = locateOffset(source, node.range?.[0] ?? 0);
      node.value = node.value.replace(REFERENCE, (match: string, name: string | undefined) => {
        if (match === '$${') return '${';
        const variable = (name ?? '').trim();
        if (!VARIABLE_NAME.test(variable)) {
          problems.push(new WeirError('CONFIG_INVALID', `"\${${variable}}" is not a valid environment variable reference`, { location, hint: 'write ${NAME} with letters, digits and _' }));
          return '';
        }
        const value = env[variable];
        if (value === undefined) {
          problems.push(
            new WeirError('CONFIG_INVALID', `environment variable "${variable}" is not set`, {
              location,
              hint: `set ${variable} in the environment that runs weir`,
            }),
          );
          return '';
        }
        return value;
      });
    },
  });
  return problems;
}
