/**
 * The asset page's check history: for each check, its newest results across builds (newest on the
 * right), the latest verdict and what it said. From `GET /api/assets/:name/checks`.
 */
import type { CheckResultBody } from '@weir/core';
import { spcApi } from './api.js';
import { useApi } from './use-api.js';

/** How many results of each check the row shows. */
const SHOWN = 20;

/** The results of each check, newest first, in the order checks first appear (newest results first). */
function byCheck(results: CheckResultBody[]): Array<[string, CheckResultBody[]]> {
  const groups = new Map<string, CheckResultBody[]>();
  for (const result of results) {
    const group = groups.get(result.check) ?? [];
    group.push(result);
    groups.set(result.check, group);
  }
  return [...groups];
}

/**
 * The table.
 *
 * @example
 * ```tsx
 * <CheckHistory asset="orders" />
 * ```
 */
export function CheckHistory({ asset }: { asset: string }) {
  const history = useApi(() => spcApi.checks(asset), asset);
  if (history.error) return <p className="error">{history.error}</p>;
  if (!history.value) return <p>loading check history…</p>;
  const groups = byCheck(history.value);
  if (groups.length === 0) return <p>No check has run on this asset yet.</p>;
  return (
    <table data-testid="check-history">
      <thead>
        <tr>
          <th>check</th>
          <th>severity</th>
          <th>latest</th>
          <th>last {SHOWN} results (newest right)</th>
          <th>latest detail</th>
        </tr>
      </thead>
      <tbody>
        {groups.map(([check, results]) => {
          const latest = results[0]!;
          return (
            <tr key={check} data-check={check}>
              <td>{check}</td>
              <td>{latest.severity}</td>
              <td className={latest.passed ? 'check-pass' : 'check-fail'}>{latest.passed ? 'pass' : 'FAIL'}</td>
              <td className="check-marks">
                {results
                  .slice(0, SHOWN)
                  .reverse()
                  .map((result) => (
                    <span
                      key={`${result.runId}-${result.at}`}
                      className={result.passed ? 'mark pass' : 'mark fail'}
                      data-passed={result.passed}
                      title={`${result.at} ${result.passed ? 'pass' : 'FAIL'} (${result.runId}, version ${result.version}): ${result.detail}`}
                    />
                  ))}
              </td>
              <td>{latest.detail}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
