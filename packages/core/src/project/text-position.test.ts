import { describe, expect, test } from 'vitest';
import { lineColumnAt, lineText, offsetConverter, stripBom } from './text-position.js';

describe('text positions', () => {
  test('line and column of an offset, with LF and CRLF line breaks', () => {
    expect(lineColumnAt('select 1\nfrom x', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('select 1\nfrom x', 9)).toEqual({ line: 2, column: 1 });
    expect(lineColumnAt('a\r\nbc', 4)).toEqual({ line: 2, column: 2 });
    expect(lineText('a\r\nbc\n', 1)).toBe('a');
  });

  test('UTF-8 byte offsets and code point offsets become UTF-16 offsets', () => {
    const text = "select 'é✓😀' as x from t";
    const bytes = Buffer.from(text);
    const utf8 = offsetConverter(text, 'utf8');
    const fromIndex = bytes.indexOf('from');
    expect(utf8(fromIndex)).toBe(text.indexOf('from'));
    const codePoints = offsetConverter(text, 'codepoint');
    expect(codePoints([...text].indexOf('f'))).toBe(text.indexOf('from'));
    expect(offsetConverter('plain', 'utf8')(3)).toBe(3);
  });

  test('a byte-order mark is dropped', () => {
    expect(stripBom('\ufeffname: shop')).toBe('name: shop');
  });
});
