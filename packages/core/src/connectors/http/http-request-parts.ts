/**
 * Resolves an HTTP source's `${ENV}` references, once, when the API is about to be called, and
 * builds the masker that keeps every secret (credentials, and any value that came from the
 * environment) out of messages and logs.
 */
import { maskConnectionString } from '../../errors/mask-connection-string.js';
import { WeirError } from '../../errors/weir-error.js';
import { expandEnvironment } from '../../project/env-interpolation.js';
import { throwProblems } from '../../project/project-problems.js';
import type { HttpSourceConfig } from './http-source-config.js';

/** What every request of one read shares, with references resolved. */
export interface HttpRequestParts {
  /** The first request's URL, with `query` and query-string credentials applied. */
  url: URL;
  /** Headers to send, credentials included. */
  headers: Record<string, string>;
  /** Credentials sent in the query string, re-applied to URLs the API hands back (Link, next). */
  queryCredential?: { name: string; value: string };
  /** Replaces every secret in a text with `***`. */
  mask: (text: string) => string;
}

/**
 * Values of environment variables shorter than this are not masked unless they are credentials:
 * a 2-character value (a region code, a page size) is no secret, and masking it would garble
 * every message it happens to occur in.
 */
const SHORTEST_MASKED_ENV_VALUE = 4;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Resolves the config's references from `env` and builds the parts of its requests.
 *
 * @throws WeirError `CONFIG_INVALID` naming each variable that is not set, or a URL that is not
 *   http(s) once resolved (shown masked).
 *
 * @example
 * ```ts
 * const parts = resolveHttpRequestParts(config, process.env);
 * parts.mask(`GET ${parts.url}`); // the API key in the query string shown as ***
 * ```
 */
export function resolveHttpRequestParts(config: HttpSourceConfig, env: Record<string, string | undefined>): HttpRequestParts {
  const problems: WeirError[] = [];
  const secrets = new Set<string>();
  const resolve = (template: string, key: string, credential = false): string => {
    const expanded = expandEnvironment(template, env);
    for (const name of expanded.missing) {
      problems.push(
        new WeirError('CONFIG_INVALID', `table "${config.table}": environment variable "${name}" (used in ${key}) is not set`, {
          location: config.location,
          hint: `set ${name} in the environment that runs weir`,
        }),
      );
    }
    for (const match of template.matchAll(REFERENCE)) {
      const value = env[match[1] ?? ''];
      if (value !== undefined && value.length >= SHORTEST_MASKED_ENV_VALUE) secrets.add(value);
    }
    if (credential && expanded.value.length > 0) secrets.add(expanded.value);
    return expanded.value;
  };

  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'weir' };
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = resolve(value, `headers.${name}`);
  const query = Object.entries(config.query).map(([name, value]) => [name, resolve(value, `query.${name}`)] as const);
  const urlText = resolve(config.url, 'url');
  let queryCredential: HttpRequestParts['queryCredential'];
  const auth = config.auth;
  if (auth?.type === 'bearer') {
    headers.authorization = `Bearer ${resolve(auth.token, 'auth.token', true)}`;
  } else if (auth?.type === 'basic') {
    const username = resolve(auth.username, 'auth.username');
    const password = resolve(auth.password, 'auth.password', true);
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  } else if (auth?.type === 'api_key') {
    const name = resolve(auth.name, 'auth.name');
    const value = resolve(auth.value, 'auth.value', true);
    if (auth.in === 'header') headers[name.toLowerCase()] = value;
    else queryCredential = { name, value };
  }
  throwProblems(problems);

  let url: URL | undefined;
  try {
    url = new URL(urlText);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new WeirError('CONFIG_INVALID', `table "${config.table}": "url" resolves to ${maskerOf(secrets)(JSON.stringify(urlText))}, which is not an http:// or https:// URL`, {
      location: config.location,
    });
  }
  if ((url.username !== '' || url.password !== '') && headers.authorization === undefined) {
    // fetch refuses URLs with credentials; user info is how basic auth was written before headers.
    secrets.add(decodeURIComponent(url.password));
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  url.username = '';
  url.password = '';
  for (const [name, value] of query) url.searchParams.set(name, value);
  if (queryCredential !== undefined) url.searchParams.set(queryCredential.name, queryCredential.value);
  return { url, headers, ...(queryCredential === undefined ? {} : { queryCredential }), mask: maskerOf(secrets) };
}

/** A masker for `secrets`, in the raw and the URL-encoded forms a URL or a body may carry them in. */
function maskerOf(secrets: ReadonlySet<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  // Longest first, so a secret containing another is masked whole.
  const ordered = [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = maskConnectionString(text);
    for (const form of ordered) masked = masked.split(form).join('***');
    return masked;
  };
}
