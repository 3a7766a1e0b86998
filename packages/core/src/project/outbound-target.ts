/**
 * An HTTP endpoint Weir posts to (a notification webhook, an OpenLineage endpoint), as declared in
 * weir.yaml: its URL and headers with `${VAR}` references resolved from the environment, the URL
 * as written (what messages show), the texts never to show, and the variables not set.
 */
import { expandEnvironment } from './env-interpolation.js';
import type { ValuePath } from './yaml-source.js';

/**
 * Values of environment variables shorter than this are not masked (a region code is no secret,
 * and masking it would garble every message it occurs in); header values always are.
 */
const SHORTEST_MASKED_VALUE = 4;
/** `${NAME}` (and the `$${` escape, which refers to nothing). */
const REFERENCE = /\$\$\{|\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g;

/** An outbound HTTP target with its references resolved. */
export interface OutboundTarget {
  /** The URL with its `${VAR}` references resolved. */
  url: string;
  /** Header names as written, values resolved. */
  headers: Record<string, string>;
  /** The URL as written in weir.yaml, references unresolved: what messages and the event log show. */
  shownUrl: string;
  /** Texts never to show: values that came from the environment, and header values. Longest first. */
  secrets: string[];
  /** Environment variables referred to but not set: nothing can be sent until they are. */
  missing: string[];
}

/**
 * Resolves a declared URL and headers. Every header value counts as a secret (endpoints'
 * headers are their credentials far more often than not), and so does every value taken from the
 * environment, also URL-encoded as it may appear inside a URL. `malformed` hears of each bad
 * reference with where it was written (`['url']`, `['headers', name]`).
 *
 * @example
 * ```ts
 * const target = resolveOutboundTarget('https://hooks.example.com/${HOOK}', { Authorization: 'Bearer ${TOKEN}' }, process.env, report);
 * ```
 */
export function resolveOutboundTarget(
  url: string,
  headers: Readonly<Record<string, string>> | undefined,
  env: Record<string, string | undefined>,
  malformed: (where: ValuePath, variable: string) => void,
): OutboundTarget {
  const secrets = new Set<string>();
  const missing = new Set<string>();
  const resolve = (template: string, where: ValuePath): string => {
    const expanded = expandEnvironment(template, env);
    for (const variable of expanded.malformed) malformed(where, variable);
    for (const variable of expanded.missing) missing.add(variable);
    for (const match of template.matchAll(REFERENCE)) {
      const value = match[1] === undefined ? undefined : env[match[1]];
      if (value !== undefined && value.length >= SHORTEST_MASKED_VALUE) secrets.add(value);
    }
    return expanded.value;
  };
  const resolvedUrl = resolve(url, ['url']);
  const resolvedHeaders: Record<string, string> = {};
  for (const [name, template] of Object.entries(headers ?? {})) {
    resolvedHeaders[name] = resolve(template, ['headers', name]);
    if (resolvedHeaders[name].length >= SHORTEST_MASKED_VALUE) secrets.add(resolvedHeaders[name]);
  }
  for (const secret of [...secrets]) secrets.add(encodeURIComponent(secret));
  return {
    url: resolvedUrl,
    headers: resolvedHeaders,
    shownUrl: url,
    secrets: [...secrets].sort((left, right) => right.length - left.length),
    missing: [...missing],
  };
}

/**
 * `text` as it may be shown: the resolved URL (as typed or as `URL` normalises it) replaced by
 * the URL as written, then every secret by `***`.
 *
 * @example
 * ```ts
 * const shown = maskTargetText(target, `could not reach ${target.url}: connection refused`);
 * ```
 */
export function maskTargetText(target: OutboundTarget, text: string): string {
  let masked = text;
  const resolved = [target.url, parsedHref(target.url)].filter((url): url is string => url !== undefined && url !== target.shownUrl);
  for (const url of [...new Set(resolved)].sort((left, right) => right.length - left.length)) masked = masked.split(url).join(target.shownUrl);
  for (const secret of target.secrets) masked = masked.split(secret).join('***');
  return masked;
}

/**
 * A wait or timeout for messages: `250 ms`, `1.5 s`.
 *
 * @example
 * ```ts
 * formatWait(1500); // '1.5 s'
 * ```
 */
export function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function parsedHref(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}
