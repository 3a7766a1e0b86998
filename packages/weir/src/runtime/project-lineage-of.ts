/**
 * A project's column lineage as `weir lineage` and `weir serve` compute it: from the files only,
 * with CSV headers and Parquet schemas of file sources described by an in-memory DuckDB (never
 * the warehouse, which `weir serve` may own), so a `*` over a file source expands.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { buildProjectLineage, readerCall, toDuckDBParams, type DescribeSource, type Project, type ProjectLineage } from '@weir/core';

/**
 * Builds the project's lineage; a file source that cannot be read leaves its columns unknown.
 *
 * @example
 * ```ts
 * const lineage = await projectLineageOf(await loadProject(process.cwd()));
 * lineage.upstreamOf('revenue', 'revenue').reached;
 * ```
 */
export async function projectLineageOf(project: Project): Promise<ProjectLineage> {
  if (![...project.assets.values()].some((asset) => asset.kind === 'source')) return buildProjectLineage(project.assets);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const describeSource: DescribeSource = async (source) => {
      const call = readerCall(source.read);
      const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${call.sql}`, toDuckDBParams(call.params));
      return reader.getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
    };
    return await buildProjectLineage(project.assets, { describeSource });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
