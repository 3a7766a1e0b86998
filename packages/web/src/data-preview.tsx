/**
 * The asset page's data preview: the first rows of the live version, from
 * `GET /api/assets/:name/preview` (values already JSON-safe: big numbers as strings, dates as ISO).
 */
import { assetDataApi } from './api.js';
import { useApi } from './use-api.js';

const ROWS = 50;

function cell(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The table; loaded again when the live version changes (a run or a rollback).
 *
 * @example
 * ```tsx
 * <DataPreview asset={detail.name} version={detail.version} />
 * ```
 */
export function DataPreview({ asset, version }: { asset: string; version: string | null }) {
  const preview = useApi(() => (version === null ? Promise.resolve(undefined) : assetDataApi.preview(asset, ROWS)), `${asset}@${version ?? ''}`);
  return (
    <>
      <h2>Data preview</h2>
      {version === null ? (
        <p>Never built in this environment: no rows yet.</p>
      ) : preview.error ? (
        <p className="error">{preview.error}</p>
      ) : !preview.value ? (
        <p>loading rows…</p>
      ) : (
        <>
          <p className="hint" data-testid="preview-caption">
            {preview.value.rows.length < preview.value.limit ? `all ${preview.value.rows.length} rows` : `the first ${preview.value.limit} rows`} of version {preview.value.version}
          </p>
          <div className="preview-scroll">
            <table data-testid="data-preview">
              <thead>
                <tr>
                  {preview.value.columns.map((column) => (
                    <th key={column.name} title={column.type}>
                      {column.name} <span className="column-type">{column.type}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.value.rows.map((row, index) => (
                  <tr key={index}>
                    {row.map((value, column) => (
                      <td key={column} className={value === null ? 'null' : typeof value === 'number' ? 'number' : undefined}>
                        {cell(value)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
