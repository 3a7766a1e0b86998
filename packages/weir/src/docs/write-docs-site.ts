/**
 * Writes the static docs site into a folder: `index.html` (catalog and search), `lineage.html`,
 * and `assets/<name>.html`. A folder that holds anything but an earlier export is refused, so
 * `--out .` cannot overwrite a project's files.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError, messageOf } from '@weir/core';
import { assetPageHtml } from './docs-asset-page.js';
import { assetFileName } from './docs-html.js';
import { indexPageHtml } from './docs-index-page.js';
import { lineagePageHtml } from './docs-lineage-page.js';
import type { DocsSite } from './docs-model.js';

/** The file that marks a folder as a `weir docs` export (and so safe to write over). */
export const DOCS_MARKER = '.weir-docs';

/**
 * Checks that `out` can take the site: a folder (made when missing) that is empty or an earlier
 * export, and writable. Run before anything slow, so a bad `--out` fails at once.
 *
 * @throws WeirError `USAGE` naming the path and what is wrong with it.
 * @example
 * ```ts
 * prepareDocsFolder('/tmp/shop-docs');
 * ```
 */
export function prepareDocsFolder(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new WeirError('USAGE', `--out ${out} is a file, not a folder`, { hint: 'give a folder for the site, e.g. --out docs-site' });
    const present = readdirSync(out);
    if (present.length > 0 && !present.includes(DOCS_MARKER)) {
      throw new WeirError('USAGE', `--out ${out} is not empty and holds no earlier weir docs export; weir docs will not write over its files`, { hint: 'give a new or empty folder' });
    }
  } else {
    try {
      mkdirSync(out, { recursive: true });
    } catch (error) {
      throw new WeirError('USAGE', `cannot create --out ${out}: ${messageOf(error)}`, { hint: 'give a folder you may write to', cause: error });
    }
  }
  try {
    accessSync(out, constants.W_OK);
  } catch (error) {
    throw new WeirError('USAGE', `cannot write to --out ${out}: ${messageOf(error)}`, { hint: 'give a folder you may write to', cause: error });
  }
}

/**
 * Writes `site` into `out` (checked by {@link prepareDocsFolder}); pages of assets no longer in the
 * project are removed. Returns the number of files written.
 *
 * @example
 * ```ts
 * prepareDocsFolder(out);
 * writeDocsSite(site, out);
 * ```
 */
export function writeDocsSite(site: DocsSite, out: string): number {
  const assets = join(out, 'assets');
  rmSync(assets, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const files: Array<[string, string]> = [
    [join(out, DOCS_MARKER), `Written by weir docs for ${site.project} at ${site.generatedAt}; weir docs rewrites this folder.\n`],
    [join(out, 'index.html'), indexPageHtml(site)],
    [join(out, 'lineage.html'), lineagePageHtml(site)],
    ...site.assets.map((asset): [string, string] => [join(assets, assetFileName(asset.entry.name)), assetPageHtml(site, asset)]),
  ];
  try {
    for (const [path, content] of files) writeFileSync(path, content);
  } catch (error) {
    throw new WeirError('USAGE', `cannot write the docs site into ${out}: ${messageOf(error)}`, { cause: error });
  }
  return files.length - 1;
}
