/** The Weir web app: hash routes over the server's API (`#/`, `#/assets/<name>`). */
import { Fragment, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AssetPage } from './asset-page.js';
import { CatalogPage } from './catalog-page.js';
import { useAuthSession } from './auth-session.js';
import { SignedInAs, TokenForm } from './sign-in.js';
import { GraphPage } from './graph-page.js';
import { OverviewPage } from './overview-page.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';
import { SchedulesPage } from './schedules-page.js';
import { BackfillsPage } from './backfills-page.js';
import { BackfillPage } from './backfill-page.js';

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function App() {
  const hash = useHash();
  const asset = /^#\/assets\/(.+)$/.exec(hash)?.[1];
  const run = /^#\/runs\/(.+)$/.exec(hash)?.[1];
  const backfill = /^#\/backfills\/(.+)$/.exec(hash)?.[1];
  // After a 401 the token form replaces the page; a sign-in remounts the page so it loads again.
  const { needsToken, generation } = useAuthSession();
  return (
    <>
      <header>
        <h1>Weir</h1>
        <a href="#/">Overview</a>
        <a href="#/runs">Runs</a>
        <a href="#/graph">Graph</a>
        <a href="#/catalog">Catalog</a>
        <a href="#/schedules">Schedules</a>
        <a href="#/backfills">Backfills</a>
        <SignedInAs />
      </header>
      {needsToken ? <TokenForm /> : <Fragment key={generation}>{hash === '#/schedules' ? <SchedulesPage /> : hash === '#/backfills' ? <BackfillsPage /> : backfill !== undefined ? <BackfillPage id={decodeURIComponent(backfill)} /> : hash === '#/runs' ? <RunsPage /> : run !== undefined ? <RunPage runId={decodeURIComponent(run)} /> : hash === '#/graph' ? <GraphPage /> : hash.startsWith('#/catalog') ? <CatalogPage hash={hash} /> : asset === undefined ? <OverviewPage /> : <AssetPage name={decodeURIComponent(asset)} />}</Fragment>}
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
