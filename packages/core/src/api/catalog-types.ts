/**
 * The catalog's API bodies (`GET /api/search`), shared by the server and the web app (types only).
 */
import type { CatalogHit } from '../catalog/catalog-search.js';

/** `GET /api/search?q=...&limit=`: the best matches for `q`, best first. */
export interface CatalogSearchBody {
  /** The query as searched (trimmed). */
  query: string;
  /** How many assets matched, before `limit`. */
  total: number;
  /** The best `limit` matches, each with the fields that matched and the ranges to highlight. */
  hits: CatalogHit[];
}
