/**
 * The `openlineage:` section of weir.yaml: its zod shape, and its conversion into an
 * {@link OpenLineageSpec} with every problem placed at its file:line. Like `notifications:`, the
 * section reaches here as written (`readSettings` leaves its `${VAR}` references), so an HTTP
 * endpoint is shown as written and the texts that came from the environment are masked; a
 * variable of the HTTP transport that is not set disables emission (each run records why)
 * instead of failing every command of the project.
 */
import path from 'node:path';
import * as z from 'zod';
import { WeirError } from '../errors/weir-error.js';
import type { Locator } from './config-issues.js';
import { expandEnvironment } from './env-interpolation.js';
import { resolveOutboundTarget } from './outbound-target.js';
import type { OpenLineageHttpTransport, OpenLineageSpec, OpenLineageTransport } from './openlineage-spec.js';
import { nonEmptyString, positiveSeconds, strictObject } from './strict-object.js';
import type { ValuePath } from './yaml-source.js';

/** Where `transport: file` writes when no path is given, relative to the project root. */
export const DEFAULT_OPENLINEAGE_FILE = '.weir/openlineage.ndjson';

/** How long one POST of an event may take when `timeout_seconds` is not written. */
export const DEFAULT_OPENLINEAGE_TIMEOUT_SECONDS = 5;


const fileTransportSchema = strictObject({ type: z.literal('file'), path: nonEmptyString.optional() });
const httpTransportSchema = strictObject({
  type: z.literal('http'),
  url: nonEmptyString,
  headers: z.record(z.string(), z.string({ error: 'expected a text value' }), { error: 'expected a mapping of header names to values' }).optional(),
  timeout_seconds: positiveSeconds.optional(),
});

const transportSchema = z.preprocess(
  // `transport: file` is `{ type: file }` with the default path.
  (value) => (value === 'file' ? { type: 'file' } : value),
  z.discriminatedUnion('type', [fileTransportSchema, httpTransportSchema], { error: 'expected { type: file, path: ... } or { type: http, url: ... }' }),
);

/** `openlineage:` of weir.yaml. */
export const openLineageSchema = strictObject({
  transport: transportSchema,
  namespace: nonEmptyString.optional(),
});

type OpenLineageEntry = z.output<typeof openLineageSchema>;

/**
 * Turns the validated section into a spec, resolving `${VAR}` references from `env` and checking
 * what zod cannot: references, the URL once resolved, and header names and values.
 *
 * @example
 * ```ts
 * const { openlineage, problems } = readOpenLineage(file.openlineage, { projectName: 'shop', root, env: process.env, locator: yamlLocator(source) });
 * ```
 */
export function readOpenLineage(
  entry: OpenLineageEntry | undefined,
  context: { projectName: string; root: string; env: Record<string, string | undefined>; locator: Locator },
): { openlineage?: OpenLineageSpec; problems: WeirError[] } {
  if (entry === undefined) return { problems: [] };
  const { env, locator } = context;
  const problems: WeirError[] = [];
  const at: ValuePath = ['openlineage'];
  /** A text that must resolve completely (a path, a namespace): a missing variable is a load error. */
  const required = (template: string, where: ValuePath): string => {
    const expanded = expandEnvironment(template, env);
    for (const variable of expanded.malformed) problems.push(malformedReference(variable, locator.locate([...at, ...where])));
    for (const variable of expanded.missing) {
      problems.push(new WeirError('CONFIG_INVALID', `environment variable "${variable}" is not set`, { location: locator.locate([...at, ...where]), hint: `set ${variable} in the environment that runs weir` }));
    }
    return expanded.value;
  };
  const namespace = entry.namespace === undefined ? `weir://${context.projectName}` : required(entry.namespace, ['namespace']);
  let transport: OpenLineageTransport;
  if (entry.transport.type === 'file') {
    const written = entry.transport.path ?? DEFAULT_OPENLINEAGE_FILE;
    transport = { type: 'file', path: path.resolve(context.root, required(written, ['transport', 'path'])), shownPath: written };
  } else {
    transport = httpTransport(entry.transport, env, (where, variable) => problems.push(malformedReference(variable, locator.locate([...at, 'transport', ...where]))));
    if (transport.missing.length === 0) checkHttpTransport(transport, [...at, 'transport'], locator, problems);
  }
  return problems.length > 0 ? { problems } : { openlineage: { transport, namespace, location: locator.locate(at) }, problems };
}

function malformedReference(variable: string, location: ReturnType<Locator['locate']>): WeirError {
  return new WeirError('CONFIG_INVALID', `openlineage: "\${${variable}}" is not a valid environment variable reference`, {
    location,
    hint: 'write ${NAME} with letters, digits and _ (and $${ for a literal ${)',
  });
}

function httpTransport(
  entry: Extract<OpenLineageEntry['transport'], { type: 'http' }>,
  env: Record<string, string | undefined>,
  malformed: (where: ValuePath, variable: string) => void,
): OpenLineageHttpTransport {
  return {
    type: 'http',
    ...resolveOutboundTarget(entry.url, entry.headers, env, malformed),
    timeoutMs: Math.round((entry.timeout_seconds ?? DEFAULT_OPENLINEAGE_TIMEOUT_SECONDS) * 1000),
  };
}

function checkHttpTransport(transport: OpenLineageHttpTransport, at: ValuePath, locator: Locator, problems: WeirError[]): void {
  let url: URL | undefined;
  try {
    url = new URL(transport.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(
      new WeirError('CONFIG_INVALID', `openlineage: url "${transport.shownUrl}" is not an http(s) URL${transport.shownUrl === transport.url ? '' : ' once its environment variables are resolved'}`, {
        location: locator.locate([...at, 'url']),
        hint: 'write the endpoint in full, such as http://marquez:5000/api/v1/lineage',
      }),
    );
  } else if (url.username !== '' || url.password !== '') {
    problems.push(
      new WeirError('CONFIG_INVALID', 'openlineage: url carries a user name or password', {
        location: locator.locate([...at, 'url']),
        hint: 'send credentials in a header instead: headers: { Authorization: "Bearer ${OL_TOKEN}" }',
      }),
    );
  }
  for (const [name, value] of Object.entries(transport.headers)) {
    try {
      new Headers([[name, value]]);
    } catch {
      const shown = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(name) ? name : '(name not shown)';
      problems.push(
        new WeirError('CONFIG_INVALID', `openlineage: header "${shown}" is not a valid HTTP header (name of letters, digits and -, value on one line)`, {
          location: locator.locate([...at, 'headers', name]),
          hint: 'check the header and the environment variable its value comes from',
        }),
      );
    }
  }
}
