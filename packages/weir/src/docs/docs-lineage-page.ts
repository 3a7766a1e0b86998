/**
 * The static docs site's lineage overview: assets in layers (each after everything it reads), and
 * a table of every asset with what it reads and what reads it, and how much of its column lineage
 * is known. Column edges themselves are on the asset pages.
 */
import type { DocsSite } from './docs-model.js';
import { assetFileName, escapeHtml, htmlPage } from './docs-html.js';

/**
 * The HTML of `lineage.html`.
 *
 * @example
 * ```ts
 * writeFileSync(join(out, 'lineage.html'), lineagePageHtml(site));
 * ```
 */
export function lineagePageHtml(site: DocsSite): string {
  const href = (name: string) => `assets/${assetFileName(name)}`;
  const known = new Set(site.assets.map((asset) => asset.entry.name));
  // Layer = the longest chain of inputs below an asset; assets come in graph order, inputs first.
  const layer = new Map<string, number>();
  for (const { entry } of site.assets) layer.set(entry.name, Math.max(-1, ...entry.upstream.map((input) => layer.get(input) ?? -1)) + 1);
  const layers: string[][] = [];
  for (const { entry } of site.assets) (layers[layer.get(entry.name)!] ??= []).push(entry.name);
  const link = (name: string) => (known.has(name) ? `<a href="${escapeHtml(href(name))}">${escapeHtml(name)}</a>` : `<code>${escapeHtml(name)}</code>`);

  const columns = layers.map(
    (names, index) => `<div class="layer" data-layer="${index}"><h3>${index === 0 ? 'reads nothing in the project' : `layer ${index}`}</h3>${names.map((name) => `<a href="${escapeHtml(href(name))}" data-asset="${escapeHtml(name)}">${escapeHtml(name)}</a>`).join('')}</div>`,
  );
  const rows = site.assets.map(({ entry, lineage, columns: cols }) => {
    const edges = cols.reduce((sum, column) => sum + (column.from?.length ?? 0), 0);
    const columnLineage = entry.upstream.length === 0 ? 'reads nothing in the project' : lineage === undefined ? 'not known' : lineage.tableLevel ? 'table-level only' : `${edges} column edge${edges === 1 ? '' : 's'}${lineage.complete ? '' : ', more columns may exist'}`;
    return `<tr data-asset="${escapeHtml(entry.name)}"><td>${link(entry.name)}</td><td>${entry.upstream.map(link).join(', ')}</td><td>${entry.downstream.map(link).join(', ')}</td><td>${escapeHtml(columnLineage)}</td></tr>`;
  });
  const body = `<main>
<h1>Lineage of ${escapeHtml(site.project)}</h1>
<p class="note">Each asset sits right of everything it reads. Open an asset for its column lineage: each edge exact (copied unchanged), derived (computed from) or unknown (may come from).</p>
<div class="layers">${columns.join('')}</div>
<h2>Assets</h2>
<table id="lineage"><thead><tr><th>asset</th><th>reads</th><th>read by</th><th>column lineage</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</main>`;
  return htmlPage({ title: `${site.project} · lineage`, site: site.project, root: '', body });
}
