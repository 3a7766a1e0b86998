/**
 * What the static docs site shows, gathered before any HTML is written: the catalog entries, and
 * per asset its declared checks (with the live version's last result when recorded), its column
 * lineage both ways, and its live version. Pure: the command reads the project, state and
 * warehouse and hands them here.
 */
import type { AssetLineage, CatalogEntry, CheckResultRecord, CheckSpec, LineageEdgeKind, PointerRecord, Project, ProjectLineage, VersionRecord } from '@weir/core';

/** One declared check and how it last went on the live version. */
export interface DocsCheck {
  name: string;
  type: string;
  severity: string;
  /** Its settings for people: `column: customer_id`, `sql: revenue >= 0`. */
  detail: string;
  last: { passed: boolean; detail: string; at: string } | null;
}

/** One column edge as a page lists it: the column at the other end and how they are related. */
export interface DocsEdge {
  asset: string;
  /** Absent: the asset as a whole (a column whose sources cannot be told). */
  column?: string;
  kind: LineageEdgeKind;
}

/** One column with its lineage both ways. */
export interface DocsColumn {
  name: string;
  type: string | null;
  description: string | null;
  /** Where its values come from (one hop). Undefined when lineage does not list the column. */
  from?: DocsEdge[];
  /** The columns of other assets computed from it (one hop). */
  readBy: DocsEdge[];
}

/** Everything one asset page shows. */
export interface DocsAsset {
  entry: CatalogEntry;
  columns: DocsColumn[];
  checks: DocsCheck[];
  lineage: AssetLineage | undefined;
  live: { version: string; publishedAt: string; rows: number | null; pinned: boolean } | null;
}

/** The whole site. */
export interface DocsSite {
  project: string;
  environment: string;
  generatedAt: string;
  /** Why the warehouse's columns are not shown (not built, held by `weir serve`...); null when they are. */
  warehouseNote: string | null;
  /** In the project's graph order (every asset after its inputs). */
  assets: DocsAsset[];
}

/** What {@link docsSite} is built from. */
export interface DocsInputs {
  project: Project;
  entries: CatalogEntry[];
  lineage: ProjectLineage;
  pointers: PointerRecord[];
  versions: VersionRecord[];
  /** Check results of the live versions (any order; the newest per check is shown). */
  checkResults: CheckResultRecord[];
  warehouseNote: string | null;
  generatedAt: string;
}

/**
 * Assembles the site's content.
 *
 * @example
 * ```ts
 * const site = docsSite({ project, entries, lineage, pointers, versions, checkResults, warehouseNote: null, generatedAt: new Date().toISOString() });
 * site.assets[0].columns[0].readBy; // [{ asset: 'orders', column: 'order_id', kind: 'exact' }]
 * ```
 */
export function docsSite(inputs: DocsInputs): DocsSite {
  const { project, lineage } = inputs;
  const readers = readersOf(lineage);
  const order = [...lineage.assets.keys(), ...inputs.entries.map((entry) => entry.name).filter((name) => !lineage.assets.has(name))];
  const entries = new Map(inputs.entries.map((entry) => [entry.name, entry]));
  const pointers = new Map(inputs.pointers.map((pointer) => [pointer.asset, pointer]));
  const rows = new Map(inputs.versions.map((version) => [`${version.asset}\0${version.version}`, version.rows]));
  const results = newestResults(inputs.checkResults, pointers);
  const assets = order.flatMap((name): DocsAsset[] => {
    const entry = entries.get(name);
    const spec = project.assets.get(name);
    if (entry === undefined || spec === undefined) return [];
    const assetLineage = lineage.assets.get(name);
    const pointer = pointers.get(name);
    const columns = entry.columns.map((column): DocsColumn => {
      const key = column.name.toLowerCase();
      const listed = assetLineage?.columns.find((candidate) => candidate.name.toLowerCase() === key);
      return {
        ...column,
        ...(listed === undefined ? {} : { from: listed.upstream.map((edge) => ({ asset: edge.asset, ...(edge.column === undefined ? {} : { column: edge.column }), kind: edge.kind })) }),
        readBy: readers.get(`${name.toLowerCase()}\0${key}`) ?? [],
      };
    });
    return [
      {
        entry,
        columns,
        checks: spec.checks.map((check) => ({ name: check.name, type: check.type, severity: check.severity, detail: checkDetail(check), last: results.get(`${name}\0${check.name}`) ?? null })),
        lineage: assetLineage,
        live: pointer === undefined ? null : { version: pointer.version, publishedAt: pointer.publishedAt, rows: rows.get(`${name}\0${pointer.version}`) ?? null, pinned: pointer.pinned },
      },
    ];
  });
  return { project: project.name, environment: project.environment, generatedAt: inputs.generatedAt, warehouseNote: inputs.warehouseNote, assets };
}

/** Per upstream column (`asset\0column`, lower case): the columns computed from it. */
function readersOf(lineage: ProjectLineage): Map<string, DocsEdge[]> {
  const readers = new Map<string, DocsEdge[]>();
  for (const assetLineage of lineage.assets.values()) {
    for (const column of assetLineage.columns) {
      for (const edge of column.upstream) {
        if (edge.column === undefined) continue;
        const key = `${edge.asset.toLowerCase()}\0${edge.column.toLowerCase()}`;
        readers.set(key, [...(readers.get(key) ?? []), { asset: assetLineage.asset, column: column.name, kind: edge.kind }]);
      }
    }
  }
  return readers;
}

/** The newest result of each check on each asset's live version. */
function newestResults(results: CheckResultRecord[], pointers: Map<string, PointerRecord>): Map<string, DocsCheck['last']> {
  const newest = new Map<string, CheckResultRecord>();
  for (const result of results) {
    if (pointers.get(result.asset)?.version !== result.version) continue;
    const key = `${result.asset}\0${result.check}`;
    const seen = newest.get(key);
    if (seen === undefined || seen.evaluatedAt < result.evaluatedAt) newest.set(key, result);
  }
  return new Map([...newest].map(([key, result]) => [key, { passed: result.passed, detail: result.detail, at: result.evaluatedAt }]));
}

/** A check's own settings (everything but its name, type, severity and where it is written). */
function checkDetail(check: CheckSpec): string {
  const skip = new Set(['name', 'type', 'severity', 'declaredAt']);
  return Object.entries(check)
    .filter(([key, value]) => !skip.has(key) && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}
