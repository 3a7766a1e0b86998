/**
 * The asset graph (`#/graph`): every asset of the project laid out by elkjs on the server
 * (`/api/graph`), coloured by state from `/api/assets`, with search, zoom and pan; a click on an
 * asset opens its page. When `/api/graph` fails the page shows its error: the browser does not lay
 * the graph out itself (that would ship elkjs, 1.4 MB, to every visitor for a rare failure).
 *
 * Built to stay fast at 500+ assets: the drawing is one SVG rendered by React once per layout
 * (memoised), and what changes afterwards (the view transform, the search highlight) is written to
 * the DOM directly, so typing in the search box or zooming never re-renders the nodes.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { api } from './api.js';
import { serverGraphLayout, type GraphLayout, type GraphNodeBox } from './graph-layout.js';
import { PanZoom } from './graph-pan-zoom.js';
import { useApi } from './use-api.js';

const LEGEND = ['published', 'warning', 'stale', 'blocked', 'failed', 'never_built'];

export function GraphPage() {
  const assets = useApi(api.assets, 'assets');
  // Fetched side by side: the layout is cached on the server, the states change with every run.
  const graph = useApi(api.graph, 'graph');
  const [query, setQuery] = useState('');
  const [matchCount, setMatchCount] = useState(0);
  const svgRef = useRef<SVGSVGElement>(null);
  const drawingRef = useRef<SVGGElement>(null);
  const panZoom = useRef<PanZoom>(undefined);
  const matches = useRef<{ boxes: GraphNodeBox[]; next: number }>({ boxes: [], next: 0 });

  const layout = useMemo(() => {
    if (!assets.value || !graph.value) return undefined;
    // A user timing entry, so a profile (and bench/ui-graph.js) can tell joining the server's layout
    // with the states from rendering.
    const started = performance.now();
    const joined = serverGraphLayout(graph.value, assets.value);
    performance.measure('weir:graph-layout', { start: started, end: performance.now(), detail: { source: 'server' } });
    return joined;
  }, [assets.value, graph.value]);

  useEffect(() => {
    if (!layout || !svgRef.current || !drawingRef.current) return;
    const attached = new PanZoom(svgRef.current, drawingRef.current);
    attached.fit({ x: 0, y: 0, width: layout.width, height: layout.height });
    panZoom.current = attached;
    return () => attached.detach();
  }, [layout]);

  // The highlight goes straight to the nodes' classes: a React render of every node per keystroke
  // is what makes big graphs sluggish.
  useEffect(() => {
    const svg = svgRef.current;
    if (!layout || !svg) return;
    const needle = query.trim().toLowerCase();
    const found = needle === '' ? [] : layout.nodes.filter((node) => node.name.toLowerCase().includes(needle));
    // An exact name first: searching `orders` centres on `orders`, not on `big_orders`.
    found.sort((a, b) => Number(b.name.toLowerCase() === needle) - Number(a.name.toLowerCase() === needle));
    const names = new Set(found.map((node) => node.name));
    svg.classList.toggle('searching', needle !== '');
    for (const element of svg.querySelectorAll<SVGElement>('.graph-node')) element.classList.toggle('match', names.has(element.dataset.asset ?? ''));
    matches.current = { boxes: found, next: 1 };
    setMatchCount(found.length);
    if (found[0]) panZoom.current?.centreOn(found[0]);
  }, [query, layout]);

  const nextMatch = () => {
    const { boxes, next } = matches.current;
    if (boxes.length === 0) return;
    panZoom.current?.centreOn(boxes[next % boxes.length]!);
    matches.current.next = next + 1;
  };
  const fit = () => layout && panZoom.current?.fit({ x: 0, y: 0, width: layout.width, height: layout.height });

  const error = assets.error ?? graph.error;
  return (
    <main className="graph-page">
      <div className="graph-toolbar">
        <input
          type="search"
          placeholder="Search assets"
          aria-label="Search assets"
          data-testid="graph-search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => event.key === 'Enter' && nextMatch()}
        />
        {query.trim() !== '' && <span data-testid="graph-matches">{matchCount === 1 ? '1 match' : `${matchCount} matches`}</span>}
        <button type="button" title="Zoom in" data-testid="zoom-in" onClick={() => panZoom.current?.zoomBy(1.25)}>
          +
        </button>
        <button type="button" title="Zoom out" data-testid="zoom-out" onClick={() => panZoom.current?.zoomBy(0.8)}>
          −
        </button>
        <button type="button" title="Show the whole graph" data-testid="zoom-fit" onClick={fit}>
          Fit
        </button>
        <span className="graph-legend">
          {LEGEND.map((state) => (
            <span key={state} className={`state state-${state}`}>
              {state.replace('_', ' ')}
            </span>
          ))}
        </span>
        {layout && <span data-testid="graph-count">{layout.nodes.length} assets</span>}
      </div>
      {error && (
        <p className="error" data-testid="graph-error">
          {error}
        </p>
      )}
      {!error && !layout && <p>Laying out the graph…</p>}
      <svg ref={svgRef} className="graph" data-testid="graph" role="img" aria-label="Asset graph" style={layout ? undefined : { display: 'none' }}>
        <defs>
          <marker id="graph-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0L8,4L0,8z" />
          </marker>
        </defs>
        <g ref={drawingRef}>{layout && <GraphDrawing layout={layout} />}</g>
      </svg>
    </main>
  );
}

/** The nodes and edges: rendered once per layout. */
const GraphDrawing = memo(function GraphDrawing({ layout }: { layout: GraphLayout }) {
  return (
    <>
      <g className="graph-edges">
        {layout.edges.map((edge) => (
          <path key={edge.id} d={edge.d} markerEnd="url(#graph-arrow)" />
        ))}
      </g>
      {layout.nodes.map((node) => (
        // The box is an SVG link: a click (or Enter) opens the asset's page like any link.
        <g key={node.name} className={`graph-node state-${node.state}`} data-asset={node.name} transform={`translate(${node.x},${node.y})`}>
          <a href={`#/assets/${encodeURIComponent(node.name)}`}>
            <title>{`${node.name} (${node.kind}): ${node.state.replace('_', ' ')}`}</title>
            <rect width={node.width} height={node.height} rx={6} />
            <text x={11} y={node.height / 2 + 4}>
              {node.name}
            </text>
          </a>
        </g>
      ))}
    </>
  );
});
