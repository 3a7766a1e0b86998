import { describe, expect, test } from 'vitest';
import type { FileSourceAsset, TypeScriptAsset } from '../project/project-model.js';
import type { FileReadOptions } from '../engines/engine-adapter.js';
import { fileSourceColumns, typeScriptAssetColumns } from './input-asset-columns.js';

const base = { file: 'sources/shop.yaml', line: 1, tags: [], columns: {}, checks: [] };

function source(name: string, read: FileReadOptions): FileSourceAsset {
  return { ...base, name, kind: 'source', materialization: 'table', source: 'shop', read, inputs: [] };
}

function typeScript(outputColumns?: Record<string, string>): TypeScriptAsset {
  const asset: TypeScriptAsset = { ...base, name: 'from_api', kind: 'typescript', materialization: 'table', inputs: [], modulePath: '', exportName: 'fromApi', codeHash: '' };
  if (outputColumns !== undefined) asset.outputColumns = outputColumns;
  return asset;
}

describe('fileSourceColumns', () => {
  test('JSON with declared columns reads exactly those', async () => {
    const columns = await fileSourceColumns(source('events', { format: 'ndjson', paths: ['/d/e.ndjson'], columns: { id: 'bigint', kind: 'VARCHAR' } }), undefined);
    expect(columns).toEqual({ complete: true, columns: [{ name: 'id', type: 'BIGINT', nameCertain: true }, { name: 'kind', type: 'VARCHAR', nameCertain: true }] });
  });

  test('a CSV header may hold more columns than "columns:" types', async () => {
    const columns = await fileSourceColumns(source('orders', { format: 'csv', paths: ['/d/o.csv'], columns: { id: 'BIGINT' } }), undefined);
    expect(columns).toEqual({ complete: false, columns: [{ name: 'id', type: 'BIGINT', nameCertain: true }], reason: 'the columns of "orders" come from its CSV header ("columns:" only fixes the types of those it lists)' });
  });

  test('described files are complete; a failed description is not an error', async () => {
    const parquet = source('orders', { format: 'parquet', paths: ['/d/o.parquet'] });
    expect(await fileSourceColumns(parquet, async () => [{ name: 'id', type: 'BIGINT' }])).toEqual({ complete: true, columns: [{ name: 'id', type: 'BIGINT', nameCertain: true }] });
    expect(await fileSourceColumns(parquet, async () => undefined)).toMatchObject({ complete: false, reason: 'the columns of "orders" come from its parquet files' });
    const failed = await fileSourceColumns(parquet, () => Promise.reject(new Error('No files found that match the pattern')));
    expect(failed).toEqual({ complete: false, columns: [], reason: 'describing the files of "orders" failed: No files found that match the pattern' });
  });
});

describe('typeScriptAssetColumns', () => {
  test('declared outputColumns are the table; without them nothing is known', () => {
    expect(typeScriptAssetColumns(typeScript({ id: 'BIGINT', payload: 'json' }))).toEqual({
      complete: true,
      columns: [
        { name: 'id', type: 'BIGINT', nameCertain: true },
        { name: 'payload', type: 'JSON', nameCertain: true },
      ],
    });
    expect(typeScriptAssetColumns(typeScript())).toEqual({ complete: false, columns: [], reason: 'TypeScript asset "from_api" does not declare outputColumns' });
  });
});
