/**
 * Which URL comes after a page: page numbers, offsets, a cursor read from the body, or the
 * `Link: <...>; rel="next"` header (RFC 8288). A cursor or link that comes back a second time
 * would loop forever, so it fails the read instead.
 */
import { WeirError } from '../../errors/weir-error.js';
import type { HttpPagination } from './http-source-config.js';

/** What the paginator needs to know about the page just read. */
export interface PageSeen {
  body: unknown;
  headers: Headers;
  /** The URL that answered (after redirects); relative links resolve against it. */
  answerUrl: string;
  recordCount: number;
}

/** A value found at a dotted path, or where the path ran out. */
export type PathLookup = { found: true; value: unknown } | { found: false; missing: string; parentPath: string; parentKeys: string[] | undefined };

/**
 * Follows a dotted path (`meta.next_cursor`, `data.0.items`) into a parsed JSON body.
 *
 * @example
 * ```ts
 * lookupPath({ meta: { next: 'abc' } }, 'meta.next'); // { found: true, value: 'abc' }
 * ```
 */
export function lookupPath(body: unknown, path: string): PathLookup {
  let value = body;
  const walked: string[] = [];
  for (const segment of path.split('.')) {
    const container = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    if (container === undefined || !Object.hasOwn(container, segment)) {
      return { found: false, missing: segment, parentPath: walked.join('.'), parentKeys: container === undefined || Array.isArray(container) ? undefined : Object.keys(container) };
    }
    value = container[segment];
    walked.push(segment);
  }
  return { found: true, value };
}

/**
 * The `rel="next"` target of a Link header, or undefined.
 *
 * @example
 * ```ts
 * nextLink('<https://api.example.com/orders?page=2>; rel="next", <...?page=9>; rel="last"'); // 'https://api.example.com/orders?page=2'
 * ```
 */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    for (const param of (match[2] ?? '').split(';')) {
      const [name, raw] = param.split('=').map((part) => part.trim());
      if (name?.toLowerCase() !== 'rel' || raw === undefined) continue;
      // rel may list several types: rel="next last".
      if (raw.replace(/^"|"$/g, '').toLowerCase().split(/\s+/).includes('next')) return match[1];
    }
  }
  return undefined;
}

/**
 * Walks the pages of one read: {@link first} is the first URL, {@link next} the one after a page
 * (undefined when that page was the last).
 *
 * @example
 * ```ts
 * const pages = new HttpPaginator({ type: 'page', param: 'page', start: 1, size: 100, sizeParam: 'per_page' }, base, 'orders');
 * let url = pages.first();
 * // ... fetch url, then: url = pages.next({ body, headers, answerUrl, recordCount });
 * ```
 */
export class HttpPaginator {
  private position = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly pagination: HttpPagination,
    private readonly base: URL,
    private readonly table: string,
    private readonly queryCredential?: { name: string; value: string },
  ) {}

  /** The URL of the first page. */
  first(): URL {
    const pagination = this.pagination;
    if (pagination.type === 'page') {
      this.position = pagination.start;
      return this.pageUrl();
    }
    if (pagination.type === 'offset') return this.withParams({ [pagination.param]: '0', [pagination.limitParam]: String(pagination.limit) });
    return new URL(this.base);
  }

  /** The URL after the page just read, or undefined when it was the last. */
  next(page: PageSeen): URL | undefined {
    const pagination = this.pagination;
    if (pagination.type === 'none' || page.recordCount === 0) return undefined;
    switch (pagination.type) {
      case 'page':
        if (pagination.size !== undefined && page.recordCount < pagination.size) return undefined;
        this.position += 1;
        return this.pageUrl();
      case 'offset':
        // Advance by what came back: a server that caps the limit lower still gets every record.
        if (page.recordCount < pagination.limit) return undefined;
        this.position += page.recordCount;
        return this.withParams({ [pagination.param]: String(this.position), [pagination.limitParam]: String(pagination.limit) });
      case 'cursor':
        return this.cursorUrl(pagination.param, pagination.next, page.body);
      case 'link': {
        const target = nextLink(page.headers.get('link'));
        return target === undefined ? undefined : this.followed(new URL(target, page.answerUrl), 'Link header');
      }
    }
  }

  private pageUrl(): URL {
    const pagination = this.pagination as Extract<HttpPagination, { type: 'page' }>;
    const params: Record<string, string> = { [pagination.param]: String(this.position) };
    if (pagination.sizeParam !== undefined && pagination.size !== undefined) params[pagination.sizeParam] = String(pagination.size);
    return this.withParams(params);
  }

  private cursorUrl(param: string, path: string, body: unknown): URL | undefined {
    const lookup = lookupPath(body, path);
    if (!lookup.found || lookup.value === null || lookup.value === '') return undefined;
    const value = lookup.value;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new WeirError('SOURCE_READ_FAILED', `table "${this.table}": the next cursor at "${path}" is a ${Array.isArray(value) ? 'list' : typeof value}, not a string or number`, {
        hint: 'point pagination.next at the field that holds the cursor itself',
      });
    }
    const cursor = String(value);
    // Some APIs hand back the whole next URL rather than a token.
    if (/^https?:\/\//i.test(cursor)) return this.followed(new URL(cursor), `cursor at "${path}"`);
    if (this.seen.has(cursor)) throw this.loopError(`the cursor at "${path}"`);
    this.seen.add(cursor);
    return this.withParams({ [param]: cursor });
  }

  /** A URL the API handed back, with query-string credentials put back if it dropped them. */
  private followed(url: URL, from: string): URL {
    const key = url.toString();
    if (this.seen.has(key)) throw this.loopError(`the ${from}`);
    this.seen.add(key);
    if (this.queryCredential !== undefined && !url.searchParams.has(this.queryCredential.name)) {
      url.searchParams.set(this.queryCredential.name, this.queryCredential.value);
    }
    return url;
  }

  private withParams(params: Record<string, string>): URL {
    const url = new URL(this.base);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url;
  }

  private loopError(what: string): WeirError {
    // The value itself is not quoted: a cursor may embed a token.
    return new WeirError('SOURCE_READ_FAILED', `table "${this.table}": ${what} points at a page already read; the pagination would never end`, {
      hint: 'check that pagination.next (or the API) gives a new cursor for every page',
    });
  }
}
