/**
 * OpenLineage emission as the loaded project holds it (declared in weir.yaml under
 * `openlineage:`). Inert data: `openlineage/` builds the events and sends them.
 */
import type { OutboundTarget } from './outbound-target.js';
import type { SourceLocation } from '../errors/weir-error.js';

/** Appends one event per line (NDJSON) to a file. */
export interface OpenLineageFileTransport {
  type: 'file';
  /** Absolute path. */
  path: string;
  /** The path as written in weir.yaml (relative to the project root), for messages. */
  shownPath: string;
}

/**
 * POSTs each event as JSON to `url` (an OpenLineage endpoint such as Marquez's
 * `http://marquez:5000/api/v1/lineage`). As with webhooks, the resolved `url` and `headers` are
 * for the request only: messages show `shownUrl` and go through a mask of `secrets`; a variable
 * that is not set is listed in `missing` and every emission is recorded as failed, naming it.
 */
export interface OpenLineageHttpTransport extends OutboundTarget {
  type: 'http';
  /** Per request, the answer included. */
  timeoutMs: number;
}

/** Where the events go. */
export type OpenLineageTransport = OpenLineageFileTransport | OpenLineageHttpTransport;

/** `openlineage:` of weir.yaml. */
export interface OpenLineageSpec {
  transport: OpenLineageTransport;
  /** The namespace of Weir's jobs (`weir://<project name>` when not written). */
  namespace: string;
  /** Where the section starts in weir.yaml. */
  location: SourceLocation;
}
