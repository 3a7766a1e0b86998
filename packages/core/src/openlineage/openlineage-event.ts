/**
 * The OpenLineage values Weir emits (spec 2-0-2): the RunEvent, its run, job and datasets, and
 * the facets Weir fills. Plain JSON, typed only as far as Weir writes it. Every facet carries
 * `_producer` (Weir's repository at its version) and `_schemaURL` (the facet schema's `$defs`
 * entry), which is also what tests validate it against.
 */
import { readFileSync } from 'node:fs';

/** The core schema every event names in `schemaURL`. */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/**
 * Where Weir's source lives; with the version it is the `producer` of every event. The project
 * has no public home yet: change this one constant when it does.
 */
export const WEIR_REPOSITORY_URL = 'https://github.com/weir-data/weir';

/** Weir's version, read from the core package (the same file in `src/` and `dist/` layouts). */
export const WEIR_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** `producer` and `_producer` of everything Weir emits. */
export const WEIR_PRODUCER = `${WEIR_REPOSITORY_URL}/tree/v${WEIR_VERSION}`;

/**
 * The facet schemas Weir uses: facet key to the `$id` of its schema file and the `$defs` name.
 * A facet's `_schemaURL` is `<id>#/$defs/<definition>`.
 */
export const FACET_SCHEMAS = {
  parent: { id: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json', definition: 'ParentRunFacet' },
  processing_engine: { id: 'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json', definition: 'ProcessingEngineRunFacet' },
  errorMessage: { id: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json', definition: 'ErrorMessageRunFacet' },
  tags: { id: 'https://openlineage.io/spec/facets/1-0-0/TagsRunFacet.json', definition: 'TagsRunFacet' },
  jobType: { id: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json', definition: 'JobTypeJobFacet' },
  sql: { id: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json', definition: 'SQLJobFacet' },
  documentation: { id: 'https://openlineage.io/spec/facets/1-1-0/DocumentationJobFacet.json', definition: 'DocumentationJobFacet' },
  schema: { id: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json', definition: 'SchemaDatasetFacet' },
  columnLineage: { id: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json', definition: 'ColumnLineageDatasetFacet' },
  dataQualityAssertions: { id: 'https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json', definition: 'DataQualityAssertionsDatasetFacet' },
  dataSource: { id: 'https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json', definition: 'DatasourceDatasetFacet' },
  version: { id: 'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json', definition: 'DatasetVersionDatasetFacet' },
  symlinks: { id: 'https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json', definition: 'SymlinksDatasetFacet' },
  outputStatistics: { id: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json', definition: 'OutputStatisticsOutputDatasetFacet' },
} as const;

/** A facet key Weir fills. */
export type FacetKey = keyof typeof FACET_SCHEMAS;

/** The fields every facet carries. */
export interface FacetBase {
  _producer: string;
  _schemaURL: string;
}

/** A facet: its base fields and its own. */
export type Facet = FacetBase & Record<string, unknown>;

/**
 * Makes the facet `key` with `fields`, stamped with Weir as producer and the facet's schema URL.
 *
 * @example
 * ```ts
 * facet('sql', { query: 'select 1', dialect: 'duckdb' });
 * // { _producer: 'https://github.com/weir-data/weir/tree/v0.1.0', _schemaURL: '...SQLJobFacet.json#/$defs/SQLJobFacet', query: ..., dialect: ... }
 * ```
 */
export function facet(key: FacetKey, fields: Record<string, unknown>): Facet {
  const schema = FACET_SCHEMAS[key];
  return { _producer: WEIR_PRODUCER, _schemaURL: `${schema.id}#/$defs/${schema.definition}`, ...fields };
}

/** A dataset as an event names it. */
export interface LineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, Facet>;
}

/** An output dataset: with output facets (row counts). */
export interface LineageOutputDataset extends LineageDataset {
  outputFacets?: Record<string, Facet>;
}

/** The transitions Weir emits. */
export type LineageEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** One OpenLineage RunEvent. */
export interface LineageRunEvent {
  eventType: LineageEventType;
  eventTime: string;
  run: { runId: string; facets?: Record<string, Facet> };
  job: { namespace: string; name: string; facets?: Record<string, Facet> };
  inputs: LineageDataset[];
  outputs: LineageOutputDataset[];
  producer: string;
  schemaURL: string;
}
