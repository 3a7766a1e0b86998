/**
 * The asset page's column lineage, from `GET /api/lineage/:asset` (what `weir lineage --json`
 * prints): each column with its direct upstream columns and how it follows from them (exact,
 * derived, unknown). Picking a column shows, end to end across assets, where it comes from and
 * what a change to it would reach (impact analysis), each with a link to that asset.
 */
import { useState } from 'react';
import type { LineageEdgeBody, LineageReachedBody } from '@weir/core';
import { assetDataApi } from './api.js';
import { useApi } from './use-api.js';

const KIND_TEXT = { exact: 'copied unchanged', derived: 'computed from', unknown: 'may come from (columns not known)' } as const;

/** `orders.amount`, or `orders.*` for the asset as a whole. */
function nodeName(node: { asset: string; column: string | null }): string {
  return `${node.asset}.${node.column ?? '*'}`;
}

function EdgeKind({ kind }: { kind: LineageEdgeBody['kind'] }) {
  return (
    <span className={`edge-kind edge-${kind}`} title={KIND_TEXT[kind]}>
      {kind}
    </span>
  );
}

function NodeLink({ node }: { node: { asset: string; column: string | null } }) {
  return <a href={`#/assets/${encodeURIComponent(node.asset)}`}>{nodeName(node)}</a>;
}

/** One end-to-end list: each node reached, the weakest edge on its path, and the path. */
function Reached({ nodes, empty, testId }: { nodes: LineageReachedBody[]; empty: string; testId: string }) {
  if (nodes.length === 0) return <p className="hint">{empty}</p>;
  return (
    <ul className="lineage-reached" data-testid={testId}>
      {nodes.map((node) => (
        <li key={nodeName(node)} data-node={nodeName(node)} data-kind={node.kind}>
          <NodeLink node={node} /> <EdgeKind kind={node.kind} />
          {node.path.length > 1 ? <span className="hint"> via {node.path.slice(0, -1).map(nodeName).join(' → ')}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** Where the picked column comes from and what it reaches. */
function ColumnWalks({ asset, column }: { asset: string; column: string }) {
  const walks = useApi(() => assetDataApi.lineage(asset, column), `${asset}.${column}`);
  if (walks.error) return <p className="error">{walks.error}</p>;
  if (!walks.value) return <p>walking the lineage of {column}…</p>;
  return (
    <div className="lineage-walks" data-testid="column-impact">
      {walks.value.note ? <p className="hint">{walks.value.note}</p> : null}
      <div>
        <h3>Impact: what a change to {asset}.{column} reaches</h3>
        <Reached nodes={walks.value.downstream ?? []} empty="Nothing in the project reads it." testId="lineage-downstream" />
      </div>
      <div>
        <h3>Where {asset}.{column} comes from, end to end</h3>
        <Reached nodes={walks.value.upstream ?? []} empty="From no column of another asset (loaded from outside, a constant or a count)." testId="lineage-upstream" />
      </div>
    </div>
  );
}

/**
 * The section.
 *
 * @example
 * ```tsx
 * <ColumnLineage asset={detail.name} />
 * ```
 */
export function ColumnLineage({ asset }: { asset: string }) {
  const lineage = useApi(() => assetDataApi.lineage(asset), asset);
  const [picked, setPicked] = useState<string | undefined>();
  const body = lineage.value;
  return (
    <>
      <h2>Column lineage</h2>
      {lineage.error ? (
        <p className="error">{lineage.error}</p>
      ) : !body ? (
        <p>loading lineage…</p>
      ) : (
        <>
          <p className="hint">
            Edges: <EdgeKind kind="exact" /> copied unchanged, <EdgeKind kind="derived" /> computed from, <EdgeKind kind="unknown" /> may come from (which column cannot be told).{' '}
            {body.lineage.tableLevel ? `Table-level lineage: ${asset} reads ${body.lineage.inputs.join(', ') || 'no asset'}, and which columns cannot be told${body.lineage.reason ? ` (${body.lineage.reason})` : ''}.` : null}
          </p>
          <table data-testid="column-lineage">
            <thead>
              <tr>
                <th>column</th>
                <th>comes from</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {body.lineage.columns.map((column) => (
                <tr key={column.name} data-column={column.name} className={picked === column.name ? 'picked' : undefined}>
                  <td>{column.name}</td>
                  <td>
                    {column.upstream.length === 0 ? (
                      <span className="hint">{column.known ? (body.lineage.kind === 'sql' || body.lineage.kind === 'typescript' ? 'no column (a constant or a count)' : 'loaded from outside the project') : 'not known'}</span>
                    ) : (
                      column.upstream.map((edge) => (
                        <span key={nodeName(edge)} className="lineage-edge" data-edge={`${nodeName(edge)} ${edge.kind}`}>
                          <NodeLink node={edge} /> <EdgeKind kind={edge.kind} />
                        </span>
                      ))
                    )}
                  </td>
                  <td>
                    <button type="button" className="secondary" aria-pressed={picked === column.name} onClick={() => setPicked(picked === column.name ? undefined : column.name)}>
                      {picked === column.name ? 'Hide impact' : 'Impact'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {body.lineage.complete ? null : <p className="hint">…and columns not listed ({body.lineage.reason ?? 'not known'}).</p>}
          {picked === undefined ? null : <ColumnWalks asset={asset} column={picked} />}
        </>
      )}
    </>
  );
}
