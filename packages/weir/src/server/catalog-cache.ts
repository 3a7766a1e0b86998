/**
 * The served project's catalog entries, kept between requests. Describing a table is the slow
 * part of a search (one engine call per asset), so each built asset is described once per
 * published version, and the entries are rebuilt only when the project's files or the
 * environment's publication pointers change: a search over 1,000 assets describes nothing when
 * nothing changed.
 */
import { buildAssetGraph, catalogEntries, environmentView, inferOutputColumns, type AssetColumns, type CatalogEntry, type ColumnInfo, type Project } from '@weir/core';
import type { ProjectView } from './project-view.js';

/**
 * Catalog entries of a {@link ProjectView}, cached per project version and publication pointers.
 *
 * @example
 * ```ts
 * const catalog = new CatalogCache(view);
 * const { hits } = searchCatalog(await catalog.entries(), 'email');
 * ```
 */
export class CatalogCache {
  /** Columns worked out from the files, per loaded project (the view hands out one object per project version). */
  private inferred: { project: Project; columns: Promise<Map<string, AssetColumns>> } | undefined;
  /** Warehouse columns by `asset\0version`; undefined when the view could not be described. */
  private described = new Map<string, Promise<ColumnInfo[] | undefined>>();
  private built: { project: Project; pointers: string; entries: Promise<CatalogEntry[]> } | undefined;

  constructor(private readonly view: ProjectView) {}

  /** Every asset's entry, as of the project's files and the environment's pointers now. */
  async entries(): Promise<CatalogEntry[]> {
    const project = await this.view.project();
    const pointers = (await this.view.store.pointers(project.environment)).filter((pointer) => project.assets.has(pointer.asset));
    const signature = pointers.map((pointer) => `${pointer.asset}\0${pointer.version}`).sort().join('\n');
    if (this.built?.project === project && this.built.pointers === signature) return this.built.entries;
    const entries = this.build(project, pointers);
    this.built = { project, pointers: signature, entries };
    entries.catch(() => {
      if (this.built?.entries === entries) this.built = undefined;
    });
    return entries;
  }

  /**
   * Builds the entries ahead of the first search (weir serve calls it once it listens): describing
   * every published asset and working out the unbuilt ones' columns takes seconds on a large
   * project. A failure is left for the first search to report.
   */
  async warm(): Promise<void> {
    await this.entries().then(
      () => undefined,
      () => undefined,
    );
  }

  private async build(project: Project, pointers: Array<{ asset: string; version: string }>): Promise<CatalogEntry[]> {
    if (this.inferred?.project !== project) {
      // The loader worked these out already without failing; should it fail here, search by the declared columns.
      const columns = inferOutputColumns(project.assets, buildAssetGraph(project)).catch(() => new Map<string, AssetColumns>());
      this.inferred = { project, columns };
    }
    const inferred = this.inferred.columns;
    const live = new Set(pointers.map((pointer) => `${pointer.asset}\0${pointer.version}`));
    // Versions no longer live are forgotten: a rollback to one describes it again, once.
    for (const key of this.described.keys()) if (!live.has(key)) this.described.delete(key);
    const described = new Map<string, ColumnInfo[]>();
    for (const pointer of pointers) {
      const key = `${pointer.asset}\0${pointer.version}`;
      let columns = this.described.get(key);
      if (columns === undefined) {
        // A view that cannot be described (dropped by hand, say) falls back to the declared columns.
        columns = this.view.engine.describe(environmentView(project.environment, pointer.asset)).catch(() => undefined);
        this.described.set(key, columns);
      }
      const found = await columns;
      if (found !== undefined) described.set(pointer.asset, found);
    }
    return catalogEntries(project.assets, { described, inferred: await inferred });
  }
}
