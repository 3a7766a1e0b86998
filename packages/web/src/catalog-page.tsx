/**
 * `#/catalog`: full-text search over the catalog (`GET /api/search`). The query lives in the hash
 * (`#/catalog?q=email`) so a search can be linked to; without one, every asset is listed.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AssetSummary, CatalogHit, CatalogMatch, CatalogSearchBody } from '@weir/core';
import { api } from './api.js';

/** How long typing must pause before a search is sent: one request per word, not per key. */
const DEBOUNCE_MS = 200;
const LIMIT = 50;

/** The `q` of a `#/catalog?q=...` hash. */
function queryOf(hash: string): string {
  const at = hash.indexOf('?');
  return at === -1 ? '' : (new URLSearchParams(hash.slice(at + 1)).get('q') ?? '');
}

function catalogHash(query: string): string {
  return query.trim() === '' ? '#/catalog' : `#/catalog?${new URLSearchParams({ q: query }).toString()}`;
}

export function CatalogPage({ hash }: { hash: string }) {
  const linked = queryOf(hash);
  const [text, setText] = useState(linked);
  const [result, setResult] = useState<{ query: string; body?: CatalogSearchBody; error?: string }>();
  const [assets, setAssets] = useState<AssetSummary[]>();
  const latest = useRef(0);

  // A link or the back button changed the hash: show that search.
  useEffect(() => setText((current) => (current.trim() === linked.trim() ? current : linked)), [linked]);

  useEffect(() => {
    const query = text.trim();
    const timer = window.setTimeout(() => {
      if (catalogHash(query) !== window.location.hash) {
        // Replaced, not pushed: one history entry per visit, not per word; told to the app as a hash change.
        window.history.replaceState(null, '', catalogHash(query));
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      }
      if (query === '') return setResult(undefined);
      const request = ++latest.current;
      api.search(query, LIMIT).then(
        (body) => request === latest.current && setResult({ query, body }),
        (error: unknown) => request === latest.current && setResult({ query, error: error instanceof Error ? error.message : String(error) }),
      );
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    if (text.trim() === '' && assets === undefined) void api.assets().then(setAssets, () => setAssets([]));
  }, [text, assets]);

  return (
    <main className="catalog-page">
      <h2>Catalog</h2>
      <input
        className="catalog-search"
        data-testid="catalog-search"
        type="search"
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="search names, columns, tags, owners, descriptions (e.g. email, tag:finance, col:customer_id)"
        aria-label="search the catalog"
      />
      {result?.error && <p className="error">{result.error}</p>}
      {result?.body && (
        <>
          <p className="hint" data-testid="catalog-count">
            {result.body.total === 0 ? `No asset matches "${result.body.query}".` : `${result.body.total} asset${result.body.total === 1 ? '' : 's'} match${result.body.total === 1 ? 'es' : ''}${result.body.total > result.body.hits.length ? ` (best ${result.body.hits.length} shown)` : ''}`}
          </p>
          <ol className="catalog-hits" data-testid="catalog-hits">
            {result.body.hits.map((hit) => (
              <HitItem key={hit.name} hit={hit} />
            ))}
          </ol>
        </>
      )}
      {text.trim() === '' && assets && <AllAssets assets={assets} />}
    </main>
  );
}

function HitItem({ hit }: { hit: CatalogHit }) {
  const of = (field: CatalogMatch['field']) => hit.matches.filter((match) => match.field === field);
  const name = of('name')[0];
  const description = of('description')[0];
  const columns = hit.matches.filter((match) => match.field === 'column' || match.field === 'column_description');
  const tagRanges = new Map(of('tag').map((match) => [match.text, match.ranges]));
  const owner = of('owner')[0];
  return (
    <li className="catalog-hit" data-asset={hit.name}>
      <div className="catalog-hit-head">
        <a href={`#/assets/${encodeURIComponent(hit.name)}`} className="catalog-hit-name">
          <Highlighted text={hit.name} ranges={name?.ranges ?? []} />
        </a>
        <span className="catalog-kind">{hit.kind}</span>
        {hit.owner && (
          <span className="catalog-owner">
            owner <Highlighted text={hit.owner} ranges={owner?.ranges ?? []} />
          </span>
        )}
        {hit.tags.map((tag) => (
          <span key={tag} className="catalog-tag">
            <Highlighted text={tag} ranges={tagRanges.get(tag) ?? []} />
          </span>
        ))}
      </div>
      {hit.description && (
        <p className="catalog-description">
          <Highlighted text={hit.description} ranges={description?.ranges ?? []} />
        </p>
      )}
      {columns.length > 0 && (
        <ul className="catalog-columns" data-testid="matched-columns">
          {columns.map((match) => (
            <li key={`${match.field}:${match.column}`}>
              {match.field === 'column' ? (
                <>
                  column <code><Highlighted text={match.text} ranges={match.ranges} /></code>
                </>
              ) : (
                <>
                  column <code>{match.column}</code>: <Highlighted text={match.text} ranges={match.ranges} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function AllAssets({ assets }: { assets: AssetSummary[] }) {
  return (
    <>
      <p className="hint">{assets.length} assets; type to search them.</p>
      <ol className="catalog-hits" data-testid="catalog-all">
        {assets.map((asset) => (
          <li key={asset.name} className="catalog-hit" data-asset={asset.name}>
            <div className="catalog-hit-head">
              <a href={`#/assets/${encodeURIComponent(asset.name)}`} className="catalog-hit-name">
                {asset.name}
              </a>
              <span className="catalog-kind">{asset.kind}</span>
              {asset.owner && <span className="catalog-owner">owner {asset.owner}</span>}
              {asset.tags.map((tag) => (
                <span key={tag} className="catalog-tag">
                  {tag}
                </span>
              ))}
            </div>
            {asset.description && <p className="catalog-description">{asset.description}</p>}
          </li>
        ))}
      </ol>
    </>
  );
}

/** `text` with the `[start, end)` ranges in `<mark>`. */
function Highlighted({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
