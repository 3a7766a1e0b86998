/**
 * Events of OpenLineage emission (`openlineage/`): once a run has ended, its lineage events are
 * sent and how that went is recorded, so `weir runs show` and the UI can say whether the lineage
 * backend heard of the run. They change no projection: they are read from the log by run.
 */

/** Fields both emission events share. */
interface OpenLineageEmissionBase {
  at: string;
  runId: string;
  /** `file` or `http`. */
  transport: 'file' | 'http';
  /** Where, as written in weir.yaml (a path, or a URL with its `${VAR}` references unresolved). */
  target: string;
  /** OpenLineage events of the run. */
  events: number;
  /** Events the transport accepted. */
  sent: number;
  /** Requests (or writes) made, retries included. */
  attempts: number;
}

/** Every OpenLineage event of the run was written or accepted. */
export interface OpenLineageEmittedEvent extends OpenLineageEmissionBase {
  type: 'openlineage_emitted';
}

/** Some or all of the run's OpenLineage events could not be sent; the run itself is unaffected. */
export interface OpenLineageFailedEvent extends OpenLineageEmissionBase {
  type: 'openlineage_failed';
  /** Why, for people, with every secret masked. */
  error: string;
  /** The last HTTP status, when the endpoint answered at all. */
  statusCode?: number;
}

/** Every OpenLineage emission event. */
export type OpenLineageEmissionEvent = OpenLineageEmittedEvent | OpenLineageFailedEvent;
