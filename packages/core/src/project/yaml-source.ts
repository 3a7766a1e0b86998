/**
 * YAML parsed with its positions kept, so that every problem found later (by zod, by the check
 * parser, by the graph) can name the file, line and column of the value it is about.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';

/** A path to a value inside a YAML document or a JS object: keys and array indices. */
export type ValuePath = ReadonlyArray<PropertyKey>;

/** A parsed YAML text and where it sits in its file. */
export interface YamlSource {
  /** The file, relative to the project root, for messages. */
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The file line of the YAML text's first line (header blocks start mid-file). */
  firstLine: number;
  /** Columns to add on the YAML text's first line (a header's YAML starts after `/*---`). */
  firstLineColumnShift: number;
}

/**
 * Parses YAML keeping positions. A syntax error comes back as a `YAML_MALFORMED` error naming
 * `file:line:column` (only the first: the rest usually follow from it), and `source` is undefined.
 *
 * @example
 * ```ts
 * const { source, problems } = parseYamlSource('name: shop\n', 'weir.yaml');
 * ```
 */
export function parseYamlSource(
  text: string,
  file: string,
  position: { firstLine?: number; firstLineColumnShift?: number } = {},
): { source: YamlSource | undefined; problems: WeirError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = {
    file,
    doc,
    lineCounter,
    firstLine: position.firstLine ?? 1,
    firstLineColumnShift: position.firstLineColumnShift ?? 0,
  };
  // One mistake often yields several parser errors; the first is the one worth reading.
  const problems = doc.errors
    .slice(0, 1)
    .map((error) => new WeirError('YAML_MALFORMED', `malformed YAML: ${firstSentence(error.message)}`, { location: locateOffset(source, error.pos[0]) }));
  return { source: problems.length === 0 ? source : undefined, problems };
}

function firstSentence(message: string): string {
  // The yaml package appends its own "at line x, column y" and an excerpt; we give the location ourselves.
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** The file location of a character offset in the YAML text. */
export function locateOffset(source: YamlSource, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(offset);
  return {
    file: source.file,
    line: source.firstLine + line - 1,
    column: line === 1 ? col + source.firstLineColumnShift : col,
  };
}

/**
 * The location of the value at `path`, or of its key when `atKey` is set. When the path goes
 * further than the document (a missing key), the deepest node that exists is named, which is
 * the mapping the key is missing from.
 */
export function locatePath(source: YamlSource, path: ValuePath, atKey = false): SourceLocation {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth];
    if (isAlias(node)) node = node.resolve(source.doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      const isLast = depth === path.length - 1;
      const keyStart = rangeStart(pair.key);
      if ((isLast && atKey) || pair.value === null || pair.value === undefined) {
        if (keyStart !== undefined) offset = keyStart;
        if (isLast && atKey) break;
      }
      next = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    } else {
      break;
    }
    const start = rangeStart(next);
    if (start === undefined) break;
    offset = start;
    node = next;
  }
  return locateOffset(source, offset);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Formats a value path for messages: `tables[0].options.delimiter`. */
export function formatPath(path: ValuePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
