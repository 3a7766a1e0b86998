/**
 * The HTML frame of every page of the static docs site: escaping (every text from the project is
 * escaped: descriptions are written by people and may hold `<`), the shared page layout and its
 * stylesheet, inlined so a page opened from `file://` needs nothing else.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * `text` safe inside HTML text and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x" & y</b>'); // '&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/**
 * JSON safe inside a `<script>` element: `<` is written `\u003c`, so no value can close the element
 * (`</script>`) or open a comment; U+2028/2029 are escaped for older parsers.
 *
 * @example
 * ```ts
 * jsonForScript({ description: '</script>' }); // '{"description":"\\u003c/script>"}'
 * ```
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A file name for an asset's page: asset names are identifiers, but nothing is assumed (a
 * character outside `[A-Za-z0-9_-]` is written as `~` and its code).
 *
 * @example
 * ```ts
 * assetFileName('orders'); // 'orders.html'
 * ```
 */
export function assetFileName(asset: string): string {
  return `${asset.replace(/[^A-Za-z0-9_-]/g, (character) => `~${character.codePointAt(0)!.toString(16)}`)}.html`;
}

/**
 * The anchor of a column's row on its asset's page (names compare ignoring case, as DuckDB's do).
 *
 * @example
 * ```ts
 * columnAnchor('Customer_ID'); // 'column-customer_id'
 * ```
 */
export function columnAnchor(column: string): string {
  return `column-${encodeURIComponent(column.toLowerCase())}`;
}

/**
 * A whole page: `body` is HTML already escaped; `root` is the relative path to the site's root
 * (`''` for the root pages, `'../'` for asset pages).
 *
 * @example
 * ```ts
 * writeFileSync('index.html', htmlPage({ title: 'shop', site: 'shop', root: '', body: '<main>...</main>' }));
 * ```
 */
export function htmlPage(options: { title: string; site: string; root: string; body: string; script?: string }): string {
  const { title, site, root, body } = options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<header><b>${escapeHtml(site)}</b><a href="${root}index.html">Catalog</a><a href="${root}lineage.html">Lineage</a></header>
${body}
${options.script === undefined ? '' : `<script>${options.script}</script>`}
</body>
</html>
`;
}

const STYLES = `
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1d2733; background: #f6f8fa; }
header { background: #12324a; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
header a { color: #cfe6ff; text-decoration: none; }
main { padding: 16px 24px; max-width: 1100px; }
h1 { font-size: 20px; margin: 8px 0; } h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: #1f5fa8; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
code { font-family: ui-monospace, monospace; font-size: 13px; }
.meta, .note { color: #5b6b7c; }
.tag { background: #eef2f6; border-radius: 10px; padding: 1px 8px; font-size: 12px; margin-right: 4px; }
.kind { border-radius: 8px; padding: 0 6px; font-size: 11px; margin-left: 4px; }
.kind-exact { background: #daf5e3; color: #13653a; } .kind-derived { background: #e3ecfb; color: #1f4f9b; } .kind-unknown { background: #eee; color: #5b6b7c; }
.pass { color: #13653a; } .fail { color: #9b1c1c; }
ul.edges { list-style: none; margin: 0; padding: 0; }
#search { width: min(720px, 100%); padding: 8px 10px; font: inherit; font-size: 15px; border: 1px solid #9aa8b6; border-radius: 4px; }
ol.hits { list-style: none; padding: 0; display: flex; flex-direction: column; gap: 8px; }
ol.hits li { background: #fff; border: 1px solid #e3e8ee; border-radius: 6px; padding: 8px 12px; }
ol.hits .name { font-weight: 600; font-size: 15px; margin-right: 8px; }
ol.hits p { margin: 4px 0 0; }
mark { background: #ffe58a; color: inherit; border-radius: 2px; }
.layers { display: flex; gap: 16px; overflow-x: auto; align-items: flex-start; padding-bottom: 8px; }
.layer { display: flex; flex-direction: column; gap: 6px; min-width: 160px; }
.layer h3 { font-size: 12px; color: #5b6b7c; margin: 0; font-weight: 400; }
.layer a { display: block; background: #fff; border: 1px solid #9aa8b6; border-radius: 4px; padding: 4px 8px; text-decoration: none; }
`;
