/**
 * Offsets, lines and columns inside a text. Engines and parsers speak in offsets (DuckDB in UTF-8
 * bytes, JavaScript in UTF-16 code units); people read lines and columns.
 */

/** A 1-based line and column. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * The 1-based line and column of a character offset. A CRLF counts as one line break because
 * only the `\n` starts a new line.
 *
 * @example
 * ```ts
 * lineColumnAt('select 1\nfrom x', 9); // { line: 2, column: 1 }
 * ```
 */
export function lineColumnAt(text: string, offset: number): LineColumn {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A function that turns a UTF-8 byte offset into `text` into a character (UTF-16) offset. For
 * ASCII text both are the same, which is by far the common case, so no table is built for it.
 */
export function utf8OffsetConverter(text: string): (byteOffset: number) => number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(text)) return (byteOffset) => Math.min(byteOffset, text.length);
  const charAtByte: number[] = [];
  let charOffset = 0;
  for (const codePoint of text) {
    const code = codePoint.codePointAt(0) ?? 0;
    const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let byte = 0; byte < bytes; byte++) charAtByte.push(charOffset);
    charOffset += codePoint.length;
  }
  charAtByte.push(charOffset);
  return (byteOffset) => charAtByte[Math.max(0, Math.min(byteOffset, charAtByte.length - 1))] ?? text.length;
}

/** The text of the 1-based `line`, without its line break. */
export function lineText(text: string, line: number): string {
  const lines = text.split('\n');
  return (lines[line - 1] ?? '').replace(/\r$/, '');
}
