import { describe, expect, test } from 'vitest';
import { normaliseModelQuery, splitModelFile } from './sql-model-text.js';
import { tokenizeSql } from './sql-tokens.js';

describe('splitModelFile', () => {
  test('a file without a header is all query, from line 1', () => {
    expect(splitModelFile('select 1\n')).toEqual({ headerYaml: undefined, headerLine: 1, sql: 'select 1\n', sqlStartLine: 1 });
  });

  test('the header may follow comments and blank lines; the query starts on the line after it', () => {
    const text = '-- revenue per day\n/* owner: finance */\n\n/*---\ntags: [a]\n---*/\nselect 1\n';
    const parts = splitModelFile(text);
    expect(parts).toEqual({ headerYaml: '\ntags: [a]\n', headerLine: 4, sql: 'select 1\n', sqlStartLine: 7 });
  });

  test('a query on the closing line keeps its columns by blanking the header part', () => {
    const parts = splitModelFile('/*--- tags: [a] ---*/ select 1');
    expect(parts).toMatchObject({ headerYaml: ' tags: [a] ', sqlStartLine: 1 });
    if ('sql' in parts) {
      expect(parts.sql.indexOf('select')).toBe('/*--- tags: [a] ---*/ '.length);
      expect(parts.sql.trim()).toBe('select 1');
    }
  });

  test('a /*--- after the query is an ordinary comment', () => {
    expect(splitModelFile('select 1 /*--- x ---*/')).toMatchObject({ headerYaml: undefined, sqlStartLine: 1 });
  });

  test('an unclosed header is reported at its opening line', () => {
    expect(splitModelFile('\n\n/*---\ntags: [a]\nselect 1')).toMatchObject({ line: 3, column: 1 });
  });
});

describe('normaliseModelQuery', () => {
  test('strips a trailing semicolon, even one followed by a comment, and nothing before it', () => {
    expect(normaliseModelQuery('select 1 ;\n')).toEqual({ sql: 'select 1 \n' });
    expect(normaliseModelQuery("select ';' as x; -- done")).toEqual({ sql: "select ';' as x -- done" });
  });

  test('rejects a second statement at its semicolon', () => {
    expect(normaliseModelQuery('select 1;\nselect 2')).toMatchObject({ line: 1, column: 9, message: expect.stringContaining('exactly one query') });
  });

  test('rejects statements that are not queries', () => {
    expect(normaliseModelQuery('\n  insert into t values (1)')).toMatchObject({ line: 2, column: 3, message: expect.stringContaining('"insert"') });
  });

  test('accepts SELECT, WITH, FROM-first and parenthesised queries', () => {
    for (const sql of ['select 1', 'WITH a AS (select 1) select * from a', 'from orders', '(select 1) union (select 2)']) {
      expect(normaliseModelQuery(sql)).toEqual({ sql });
    }
  });

  test('rejects an empty query', () => {
    expect(normaliseModelQuery('  -- nothing\n')).toMatchObject({ message: expect.stringContaining('no query') });
  });
});

describe('tokenizeSql', () => {
  test('semicolons inside strings, identifiers, comments and dollar quotes are not separators', () => {
    const sql = `select ';', ";", $$;$$, $tag$ ; $tag$, E'\\';' /* ; /* nested ; */ ; */ -- ;\n`;
    expect(tokenizeSql(sql).filter((token) => token.kind === 'semicolon')).toEqual([]);
  });

  test('positional parameters are not dollar quotes', () => {
    expect(tokenizeSql('select $1; ').map((token) => token.kind)).toEqual(['word', 'symbol', 'symbol', 'semicolon']);
  });
});
