/**
 * The HTTP source config: the good form comes back typed with its defaults and its `${ENV}`
 * references untouched; every bad form names the file, line, table and key, and says what was
 * expected, without echoing the value.
 */
import { describe, expect, it } from 'vitest';
import { isWeirError, type WeirError } from '../../errors/weir-error.js';
import { ProjectProblems } from '../../project/project-problems.js';
import { parseHttpSourceConfig } from './http-source-config.js';

const where = { file: 'sources/shop.yaml', line: 7, table: 'orders' };

function errorOf(raw: unknown): WeirError {
  try {
    parseHttpSourceConfig(raw, where);
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('parseHttpSourceConfig', () => {
  it('keeps ${ENV} templates and fills the documented defaults', () => {
    const config = parseHttpSourceConfig(
      {
        url: 'https://${API_HOST}/v1/orders',
        headers: { Accept: 'application/json', 'X-Version': 3 },
        query: { status: 'all', archived: false },
        auth: { type: 'bearer', token: '${API_TOKEN}' },
        records: 'data.items',
        pagination: { type: 'page', size_param: 'per_page', size: 100 },
        incremental: { param: 'updated_since', cursor: 'updated_at', initial: '2020-01-01T00:00:00Z' },
        rate_limit: { requests_per_second: 5 },
        retry: { attempts: 3 },
      },
      where,
    );
    expect(config).toEqual({
      table: 'orders',
      location: { file: 'sources/shop.yaml', line: 7 },
      url: 'https://${API_HOST}/v1/orders',
      headers: { Accept: 'application/json', 'X-Version': '3' },
      query: { status: 'all', archived: 'false' },
      auth: { type: 'bearer', token: '${API_TOKEN}' },
      records: 'data.items',
      pagination: { type: 'page', param: 'page', start: 1, sizeParam: 'per_page', size: 100 },
      maxPages: 100_000,
      incremental: { param: 'updated_since', cursor: 'updated_at', initial: '2020-01-01T00:00:00Z' },
      rateLimit: { requestsPerSecond: 5 },
      retry: { attempts: 3, initialDelayMs: 200, maxDelayMs: 30_000 },
      timeoutSeconds: 30,
    });
  });

  it('reads every pagination and auth form, with their defaults', () => {
    const parse = (extra: object) => parseHttpSourceConfig({ url: 'http://127.0.0.1/x', ...extra }, where);
    expect(parse({}).pagination).toEqual({ type: 'none' });
    expect(parse({ pagination: { type: 'offset' } }).pagination).toEqual({ type: 'offset', param: 'offset', limitParam: 'limit', limit: 100 });
    expect(parse({ pagination: { type: 'cursor', next: 'meta.next', max_pages: 9 } })).toMatchObject({ pagination: { type: 'cursor', param: 'cursor', next: 'meta.next' }, maxPages: 9 });
    expect(parse({ pagination: { type: 'link' } }).pagination).toEqual({ type: 'link' });
    expect(parse({ auth: { type: 'basic', username: 'etl', password: '${PW}' } }).auth).toEqual({ type: 'basic', username: 'etl', password: '${PW}' });
    expect(parse({ auth: { type: 'api_key', name: 'X-Api-Key', value: '${KEY}' } }).auth).toEqual({ type: 'api_key', name: 'X-Api-Key', value: '${KEY}', in: 'header' });
    expect(parse({ incremental: { param: 'since', cursor: 'id', initial: 0 } }).incremental).toEqual({ param: 'since', cursor: 'id', initial: '0' });
  });

  const badShapes: { name: string; raw: unknown; code?: string; message: string; hint?: string }[] = [
    { name: 'no url', raw: { records: 'data' }, message: '"url" is required' },
    { name: 'not an http URL', raw: { url: 'ftp://example.com/x' }, message: '"url": expected an http:// or https:// URL' },
    { name: 'a misspelt top-level key', raw: { url: 'http://x.test', pagnation: { type: 'link' } }, code: 'CONFIG_UNKNOWN_KEY', message: 'unknown key "pagnation"', hint: 'did you mean "pagination"?' },
    { name: 'an unknown auth type', raw: { url: 'http://x.test', auth: { type: 'beare', token: 't' } }, message: '"auth.type": expected one of bearer, basic, api_key', hint: 'did you mean "bearer"?' },
    { name: 'bearer without a token', raw: { url: 'http://x.test', auth: { type: 'bearer' } }, message: '"auth.token" is required', hint: 'type: bearer, token:' },
    { name: 'an api key in the body', raw: { url: 'http://x.test', auth: { type: 'api_key', name: 'k', value: 'v', in: 'body' } }, message: '"auth.in": expected one of header, query' },
    { name: 'pagination as a word', raw: { url: 'http://x.test', pagination: 'link' }, message: '"pagination": expected a mapping', hint: '{ type: link }' },
    { name: 'a cursor without next', raw: { url: 'http://x.test', pagination: { type: 'cursor' } }, message: '"pagination.next" is required', hint: 'next is the dotted path of the next cursor' },
    { name: 'a key of another pagination type', raw: { url: 'http://x.test', pagination: { type: 'page', limit: 10 } }, code: 'CONFIG_UNKNOWN_KEY', message: 'unknown key "limit" in "pagination"' },
    { name: 'size_param without size', raw: { url: 'http://x.test', pagination: { type: 'page', size_param: 'per_page' } }, message: 'size_param needs size' },
    { name: 'zero pages', raw: { url: 'http://x.test', pagination: { type: 'link', max_pages: 0 } }, message: '"pagination.max_pages": expected a whole number >= 1' },
    { name: 'a zero rate', raw: { url: 'http://x.test', rate_limit: { requests_per_second: 0 } }, message: '"rate_limit.requests_per_second": expected a number > 0' },
    { name: 'zero attempts', raw: { url: 'http://x.test', retry: { attempts: 0 } }, message: '"retry.attempts": expected a whole number >= 1' },
    { name: 'a cap below the first delay', raw: { url: 'http://x.test', retry: { initial_delay_ms: 500, max_delay_ms: 100 } }, message: 'max_delay_ms must be at least initial_delay_ms' },
    { name: 'a timeout in words', raw: { url: 'http://x.test', timeout_seconds: 'soon' }, message: '"timeout_seconds": expected a number of seconds, got a string' },
    { name: 'a header that is a list', raw: { url: 'http://x.test', headers: { Accept: ['a'] } }, message: '"headers.Accept": expected a string, number or boolean' },
    { name: 'an incremental without cursor', raw: { url: 'http://x.test', incremental: { param: 'since' } }, message: '"incremental.cursor" is required', hint: 'incremental: { param: updated_since' },
    { name: 'a malformed reference', raw: { url: 'http://x.test', auth: { type: 'bearer', token: '${API-TOKEN}' } }, message: '"auth.token": "${API-TOKEN}" is not a valid environment variable reference' },
    { name: 'a list instead of a mapping', raw: ['http://x.test'], message: 'an HTTP source table must be a mapping' },
  ];
  for (const shape of badShapes) {
    it(`rejects ${shape.name}, naming file, line, table and key`, () => {
      const error = errorOf(shape.raw);
      expect(error.code).toBe(shape.code ?? 'CONFIG_INVALID');
      expect(error.location).toEqual({ file: 'sources/shop.yaml', line: 7 });
      expect(error.message).toContain('table "orders": ');
      expect(error.message).toContain(shape.message);
      if (shape.hint !== undefined) expect(error.hint).toContain(shape.hint);
      expect(error.describe()).toMatch(/^sources\/shop\.yaml:7: /);
    });
  }

  it('never echoes a value, which may be a secret', () => {
    const error = errorOf({ url: 'http://x.test', auth: { type: 'basic', username: 'etl', password: 98765432 } });
    expect(error.message).toContain('"auth.password": expected a string, got a whole number');
    expect(error.describe()).not.toContain('98765432');
  });

  it('reports every problem at once, each at the line `locate` gives its key', () => {
    const lines: Record<string, number> = { '': 7, retry: 12, 'retry.attempts': 13, pagination: 9, 'pagination.type': 10 };
    let thrown: unknown;
    try {
      parseHttpSourceConfig(
        { url: 'http://x.test', retry: { attempts: -1 }, pagination: { type: 'pages' } },
        { ...where, locate: (path) => ({ file: where.file, line: lines[path.join('.')] ?? 99 }) },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProjectProblems);
    const problems = (thrown as ProjectProblems).problems;
    expect(problems.map((problem) => [problem.location?.line, problem.message])).toEqual([
      [10, 'table "orders": "pagination.type": expected one of page, offset, cursor, link'],
      [13, 'table "orders": "retry.attempts": expected a whole number >= 1'],
    ]);
    expect(problems[0]?.hint).toBe('did you mean "page"?');
  });
});
