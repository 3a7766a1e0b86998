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
 * A function that turns an offset counted in another unit into a character (UTF-16) offset of
 * `text`. DuckDB counts AST locations in UTF-8 bytes but parser-error positions in code points;
 * JavaScript strings count UTF-16 code units. For ASCII text all three agree, which is by far the
 * common case, so no table is built for it.
 *
 * @example
 * ```ts
 * offsetConverter("select 'é', x", 'utf8')(13); // 12
 * ```
 */
export function offsetConverter(text: string, unit: 'utf8' | 'codepoint'): (offset: number) => number {
  if (!/[^\u0000-\u007f]/.test(text)) return (offset) => Math.max(0, Math.min(offset, text.length));
  const charAt: number[] = [];
  let charOffset = 0;
  for (const codePoint of text) {
    const code = codePoint.codePointAt(0) ?? 0;
    const units = unit === 'codepoint' ? 1 : code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let index = 0; index < units; index++) charAt.push(charOffset);
    charOffset += codePoint.length;
  }
  charAt.push(charOffset);
  return (offset) => charAt[Math.max(0, Math.min(offset, charAt.length - 1))] ?? text.length;
}

/** {@link offsetConverter} for UTF-8 byte offsets. */
export function utf8OffsetConverter(text: string): (byteOffset: number) => number {
  return offsetConverter(text, 'utf8');
}

/** The text of the 1-based `line`, without its line break. */
export function lineText(text: string, line: number): string {
  const lines = text.split('\n');
  return (lines[line - 1] ?? '').replace(/\r$/, '');
}

/** Editors on Windows may save a byte-order mark; YAML and SQL parsers should not see it. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The line of `export const <name>` (or `export default`) in a TypeScript file's source, else 1:
 * where a loading problem of that export is reported.
 *
 * @example
 * ```ts
 * exportLine('import x from "y";\nexport const orders = defineAsset({});', 'orders'); // 2
 * ```
 */
export function exportLine(source: string, exportName: string): number {
  const escaped = exportName.replace(/[$]/g, '\\$');
  const pattern =
    exportName === 'default'
      ? /\bexport\s+default\b/
      : new RegExp(`\\bexport\\s+(?:const|let|var)\\s+${escaped}\\b|\\b(?:const|let|var)\\s+${escaped}\\s*=`);
  const match = pattern.exec(source);
  return match === null ? 1 : lineColumnAt(source, match.index).line;
}
