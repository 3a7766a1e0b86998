/**
 * Bodies of an asset's data routes: the first rows of its live version and going back to an
 * earlier version (`weir rollback`).
 */

/** `GET /api/assets/:name/preview?limit=`: the first rows of the live version, as JSON-safe values. */
export interface DataPreviewBody {
  asset: string;
  environment: string;
  /** The live version the rows were read from. */
  version: string;
  columns: Array<{ name: string; type: string }>;
  /**
   * One array per row, in `columns` order. Whole numbers beyond 2^53 and exact decimals that a
   * double would round are strings; dates and timestamps are ISO strings; bytes are `\x` hex.
   */
  rows: unknown[][];
  /** The limit asked for; fewer rows means the asset has no more. */
  limit: number;
}

/** `POST /api/assets/:name/rollback`: the version to go back to (an id or a unique prefix); absent: the one live before. */
export interface RollbackRequest {
  version?: string;
  /** Queue behind a run in progress instead of answering 409 PROJECT_LOCKED. */
  wait?: boolean;
}

/** `POST /api/assets/:name/unpin`: runs may build and publish the asset again; `released` is false when it was not pinned. */
export interface UnpinBody {
  asset: string;
  environment: string;
  released: boolean;
}

/** What a rollback did: the environment's view moved from one version to another, and the asset is pinned there. */
export interface RollbackBody {
  asset: string;
  environment: string;
  from: string;
  to: string;
  pinned: true;
}
