/**
 * The static docs site's front page: every asset in a table, and a search box that runs core's
 * `searchCatalog` in the browser over the catalog embedded in the page as JSON (no server, works
 * from `file://`). The query is kept in the address (`index.html#q=email`) so a search can be shared.
 */
import { searchCatalog } from '@weir/core';
import type { DocsSite } from './docs-model.js';
import { assetFileName, escapeHtml, htmlPage, jsonForScript } from './docs-html.js';

/**
 * The HTML of `index.html`.
 *
 * @example
 * ```ts
 * writeFileSync(join(out, 'index.html'), indexPageHtml(site));
 * ```
 */
export function indexPageHtml(site: DocsSite): string {
  const entries = site.assets.map((asset) => asset.entry);
  const pages = Object.fromEntries(entries.map((entry) => [entry.name, `assets/${assetFileName(entry.name)}`]));
  const rows = entries.map(
    (entry) =>
      `<tr data-asset="${escapeHtml(entry.name)}"><td><a href="${escapeHtml(pages[entry.name]!)}">${escapeHtml(entry.name)}</a></td><td>${escapeHtml(entry.kind)}</td><td>${escapeHtml(entry.owner ?? '')}</td><td>${entry.tags
        .map((tag) => `<span class="tag">${escapeHtml(tag)}</span>`)
        .join('')}</td><td>${escapeHtml(entry.description ?? '')}</td><td>${entry.columns.length}</td></tr>`,
  );
  const body = `<main>
<h1>${escapeHtml(site.project)}</h1>
<p class="meta">${entries.length} assets in ${escapeHtml(site.environment)} · generated ${escapeHtml(site.generatedAt)} by <code>weir docs</code></p>
<p class="note columns-from">${escapeHtml(site.warehouseNote === null ? 'Columns of published assets as the warehouse describes them; of the others as declared in the project.' : `Columns as declared in the project's files: ${site.warehouseNote}.`)}</p>
<input id="search" type="search" autofocus placeholder="search names, columns, tags, owners, descriptions (e.g. email, tag:finance, col:customer_id)" aria-label="search the catalog">
<p id="count" class="note"></p>
<ol id="hits" class="hits"></ol>
<table id="all"><thead><tr><th>asset</th><th>kind</th><th>owner</th><th>tags</th><th>description</th><th>columns</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<script type="application/json" id="catalog-data">${jsonForScript({ entries, pages })}</script>
</main>`;
  return htmlPage({ title: `${site.project} · catalog`, site: site.project, root: '', body, script: searchScript() });
}

/**
 * The page's script: core's search function from its own source (see catalog-search.ts), and DOM
 * code that writes every text with textContent, never as HTML.
 */
function searchScript(): string {
  return `
const searchCatalog = (${searchCatalog.toString()});
const data = JSON.parse(document.getElementById('catalog-data').textContent);
const input = document.getElementById('search');
const hits = document.getElementById('hits');
const count = document.getElementById('count');
const all = document.getElementById('all');
function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
function highlighted(tag, className, text, ranges) {
  const node = element(tag, className);
  let at = 0;
  for (const [start, end] of ranges || []) {
    if (start > at) node.append(text.slice(at, start));
    node.append(element('mark', '', text.slice(start, end)));
    at = end;
  }
  if (at < text.length) node.append(text.slice(at));
  return node;
}
function render() {
  const query = input.value.trim();
  const address = location.href.split('#')[0] + (query === '' ? '' : '#q=' + encodeURIComponent(query));
  if (address !== location.href) history.replaceState(null, '', address);
  hits.replaceChildren();
  all.hidden = query !== '';
  if (query === '') { count.textContent = ''; return; }
  const result = searchCatalog(data.entries, query, { limit: 100 });
  count.textContent = result.total === 0 ? 'No asset matches "' + query + '".' : result.total + (result.total === 1 ? ' asset matches' : ' assets match') + (result.total > result.hits.length ? ' (best ' + result.hits.length + ' shown)' : '');
  for (const hit of result.hits) {
    const match = (field) => hit.matches.find((candidate) => candidate.field === field);
    const item = element('li');
    item.dataset.asset = hit.name;
    const link = highlighted('a', 'name', hit.name, match('name')?.ranges);
    link.href = data.pages[hit.name];
    item.append(link, element('span', 'meta', hit.kind));
    if (hit.owner !== null) item.append(' ', element('span', 'meta', 'owner '), highlighted('span', 'meta', hit.owner, match('owner')?.ranges));
    for (const tag of hit.tags) item.append(' ', highlighted('span', 'tag', tag, hit.matches.find((candidate) => candidate.field === 'tag' && candidate.text === tag)?.ranges));
    if (hit.description !== null) item.append(highlighted('p', '', hit.description, match('description')?.ranges));
    for (const found of hit.matches.filter((candidate) => candidate.field === 'column' || candidate.field === 'column_description')) {
      const line = element('p', 'column-match');
      if (found.field === 'column') line.append('column ', highlighted('code', '', found.text, found.ranges));
      else line.append('column ', element('code', '', found.column), ': ', highlighted('span', '', found.text, found.ranges));
      item.append(line);
    }
    hits.append(item);
  }
}
input.addEventListener('input', render);
const linked = new URLSearchParams(location.hash.slice(1)).get('q');
if (linked) input.value = linked;
render();
`;
}
