/**
 * How Weir's datasets are named in OpenLineage, following the spec's naming conventions: the
 * namespace says where the data lives (`duckdb://<warehouse file>`, `postgres://host:port`), the
 * name is `<database>.<schema>.<table>`. A published asset is named by its environment's view
 * (`warehouse.prod.orders`): that name is what people query and it stays the same across
 * versions, so a lineage backend sees one dataset with a history rather than one dataset per
 * build. The physical version table is attached as a `symlinks` identifier and the version
 * fingerprint as the `version` facet.
 */
import path from 'node:path';
import type { RelationRef } from '../engines/engine-adapter.js';
import type { WarehouseConfig } from '../project/project-model.js';

/** Where a warehouse's datasets live. */
export interface WarehouseNaming {
  /** `duckdb:///abs/path/warehouse.duckdb` or `postgres://host:5432`. */
  namespace: string;
  /** The database (DuckDB: the file's catalog name, its base name without extension). */
  database: string;
}

/**
 * The namespace and database of a warehouse. Credentials in a PostgreSQL URL never reach the
 * namespace: only host and port do.
 *
 * @example
 * ```ts
 * warehouseNaming({ engine: 'postgres', url: 'postgres://etl:secret@db.internal/shop' });
 * // { namespace: 'postgres://db.internal:5432', database: 'shop' }
 * ```
 */
export function warehouseNaming(warehouse: WarehouseConfig): WarehouseNaming {
  if (warehouse.engine === 'duckdb') {
    const file = path.resolve(warehouse.path);
    // DuckDB names the attached catalog after the file: `warehouse.duckdb` is catalog `warehouse`.
    return { namespace: `duckdb://${file}`, database: path.basename(file).replace(/\.[^.]*$/, '') };
  }
  let url: URL | undefined;
  try {
    url = new URL(warehouse.url);
  } catch {
    url = undefined;
  }
  const host = url?.hostname || 'localhost';
  const port = url?.port || '5432';
  // libpq's default database is the user's name.
  const database = decodeURIComponent(url?.pathname.replace(/^\//, '') ?? '') || decodeURIComponent(url?.username ?? '') || 'postgres';
  return { namespace: `postgres://${host}:${port}`, database };
}

/**
 * The OpenLineage name of a relation of the warehouse.
 *
 * @example
 * ```ts
 * datasetName(naming, { schema: 'prod', name: 'orders' }); // 'warehouse.prod.orders'
 * ```
 */
export function datasetName(naming: WarehouseNaming, relation: RelationRef): string {
  return `${naming.database}.${relation.schema}.${relation.name}`;
}
