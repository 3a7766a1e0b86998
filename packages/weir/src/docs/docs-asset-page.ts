/**
 * One asset's page of the static docs site: what it is, its columns with their lineage both ways,
 * its declared checks, and its neighbours, every name a link.
 */
import type { DocsAsset, DocsEdge, DocsSite } from './docs-model.js';
import { assetFileName, columnAnchor, escapeHtml, htmlPage } from './docs-html.js';

/**
 * The HTML of `asset`'s page (written to `assets/<name>.html`).
 *
 * @example
 * ```ts
 * writeFileSync(join(out, 'assets', assetFileName(asset.entry.name)), assetPageHtml(site, asset));
 * ```
 */
export function assetPageHtml(site: DocsSite, asset: DocsAsset): string {
  const { entry, live, lineage } = asset;
  const known = new Set(site.assets.map((candidate) => candidate.entry.name));
  const link = (name: string): string => (known.has(name) ? `<a href="${escapeHtml(assetFileName(name))}">${escapeHtml(name)}</a>` : `<code>${escapeHtml(name)}</code>`);
  const edge = (target: DocsEdge, direction: 'from' | 'to'): string => {
    const label = target.column === undefined ? `${target.asset}.*` : `${target.asset}.${target.column}`;
    const href = `${assetFileName(target.asset)}${target.column === undefined ? '' : `#${columnAnchor(target.column)}`}`;
    const here = known.has(target.asset) ? `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>` : `<code>${escapeHtml(label)}</code>`;
    return `<li data-${direction}="${escapeHtml(label)}" data-kind="${target.kind}">${here}<span class="kind kind-${target.kind}">${target.kind}</span></li>`;
  };
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(entry.name)}</h1>`);
  parts.push(`<p class="meta">${escapeHtml(entry.kind)} · ${escapeHtml(entry.materialization)} · <code>${escapeHtml(entry.file)}</code></p>`);
  parts.push(entry.description === null ? '<p class="note">No description.</p>' : `<p class="description">${escapeHtml(entry.description)}</p>`);
  parts.push(
    `<p>owner: ${entry.owner === null ? '<span class="note">none</span>' : `<span class="owner">${escapeHtml(entry.owner)}</span>`} · tags: ${
      entry.tags.length === 0 ? '<span class="note">none</span>' : entry.tags.map((tag) => `<span class="tag">${escapeHtml(tag)}</span>`).join('')
    }</p>`,
  );
  parts.push(
    live === null
      ? `<p class="note">Not published in ${escapeHtml(site.environment)}.</p>`
      : `<p>Live in ${escapeHtml(site.environment)}: version <code>${escapeHtml(live.version)}</code>${live.pinned ? ' (pinned by a rollback)' : ''}, published ${escapeHtml(live.publishedAt)}${live.rows === null ? '' : `, ${live.rows} rows`}.</p>`,
  );

  parts.push('<h2>Columns</h2>');
  const columnsFrom =
    entry.columnsFrom === 'warehouse'
      ? 'As the warehouse describes the live version.'
      : `As declared in the project's files (and worked out from its SQL)${live === null ? `: not published in ${site.environment}` : site.warehouseNote === null ? '' : `: ${site.warehouseNote}`}.`;
  parts.push(`<p class="note columns-from">${escapeHtml(columnsFrom)}</p>`);
  if (lineage?.tableLevel) parts.push('<p class="note">Table-level lineage only: which columns feed which cannot be told.</p>');
  if (asset.columns.length === 0) parts.push('<p class="note">No columns known.</p>');
  else {
    parts.push('<table class="columns"><thead><tr><th>column</th><th>type</th><th>description</th><th>comes from</th><th>read by</th></tr></thead><tbody>');
    for (const column of asset.columns) {
      const from = column.from === undefined ? '<span class="note">not known</span>' : column.from.length === 0 ? `<span class="note">${entry.kind === 'sql' || entry.kind === 'typescript' ? 'no column (a constant or a count)' : 'loaded from outside the project'}</span>` : `<ul class="edges">${column.from.map((source) => edge(source, 'from')).join('')}</ul>`;
      const readBy = column.readBy.length === 0 ? '' : `<ul class="edges">${column.readBy.map((reader) => edge(reader, 'to')).join('')}</ul>`;
      parts.push(
        `<tr id="${escapeHtml(columnAnchor(column.name))}" data-column="${escapeHtml(column.name)}"><td><code>${escapeHtml(column.name)}</code></td><td>${escapeHtml(column.type ?? '')}</td><td>${escapeHtml(column.description ?? '')}</td><td>${from}</td><td>${readBy}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  if (lineage !== undefined && !lineage.complete) parts.push(`<p class="note">There may be more columns: ${escapeHtml(lineage.reason ?? 'not all are known')}.</p>`);

  parts.push('<h2>Checks</h2>');
  if (asset.checks.length === 0) parts.push('<p class="note">No checks declared.</p>');
  else {
    parts.push('<table class="checks"><thead><tr><th>check</th><th>type</th><th>severity</th><th>settings</th><th>last result on the live version</th></tr></thead><tbody>');
    for (const check of asset.checks) {
      const last = check.last === null ? '<span class="note">not recorded</span>' : `<span class="${check.last.passed ? 'pass' : 'fail'}">${check.last.passed ? 'passed' : 'failed'}</span> ${escapeHtml(check.last.detail)}`;
      parts.push(`<tr data-check="${escapeHtml(check.name)}"><td>${escapeHtml(check.name)}</td><td>${escapeHtml(check.type)}</td><td>${escapeHtml(check.severity)}</td><td><code>${escapeHtml(check.detail)}</code></td><td>${last}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }

  parts.push('<h2>Upstream and downstream</h2>');
  parts.push(`<p>reads: <span class="upstream">${entry.upstream.length === 0 ? '<span class="note">nothing in the project</span>' : entry.upstream.map(link).join(', ')}</span></p>`);
  parts.push(`<p>read by: <span class="downstream">${entry.downstream.length === 0 ? '<span class="note">nothing</span>' : entry.downstream.map(link).join(', ')}</span></p>`);

  return htmlPage({ title: `${entry.name} · ${site.project}`, site: site.project, root: '../', body: `<main>${parts.join('\n')}</main>` });
}
