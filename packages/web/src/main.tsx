/** The Weir web app: hash routes over the server's API (`#/`, `#/assets/<name>`). */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AssetPage } from './asset-page.js';
import { GraphPage } from './graph-page.js';
import { OverviewPage } from './overview-page.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';

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
  return (
    <>
      <header>
        <h1>Weir</h1>
        <a href="#/">Overview</a>
        <a href="#/runs">Runs</a>
        <a href="#/graph">Graph</a>
      </header>
      {hash === '#/runs' ? <RunsPage /> : run !== undefined ? <RunPage runId={decodeURIComponent(run)} /> : hash === '#/graph' ? <GraphPage /> : asset === undefined ? <OverviewPage /> : <AssetPage name={decodeURIComponent(asset)} />}
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
