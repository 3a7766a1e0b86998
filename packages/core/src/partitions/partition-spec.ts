/**
 * How an asset is cut into partitions, as the project declares it (`partitioned_by` in a model's
 * header), and one partition's slice as the builder filters it. Pure data: nothing here runs SQL.
 */

/** Time granularities a partitioned asset can be cut by. */
export type PartitionGranularity = 'hour' | 'day' | 'month';

/** Partitions by time: one per hour, day or month of `column`, from `start` on. */
export interface TimePartitioning {
  kind: 'time';
  column: string;
  granularity: PartitionGranularity;
  /** The first partition's start, as written (`2026-01-01`, or `2026-01-01T06:00` for hours), local to `timezone`. */
  start: string;
  /** Partitions end before this instant (as written, local to `timezone`); absent: now, so only complete partitions exist. */
  end?: string;
  /** IANA time zone of the boundaries (default `UTC`). */
  timezone: string;
}

/** Partitions by a fixed list of values of `column` (`region: [eu, us, apac]`). */
export interface StaticPartitioning {
  kind: 'values';
  column: string;
  values: string[];
}

/** Either kind of partitioning. */
export type PartitionSpec = TimePartitioning | StaticPartitioning;

/**
 * One partition: its key (what users type and the state records) and the slice of rows it owns.
 * Time slices are half-open, `start <= column < end`, given both as wall-clock times local to the
 * declared zone (for `DATE` and `TIMESTAMP` columns) and as UTC instants (for `TIMESTAMPTZ`).
 */
export type PartitionWindow =
  | { kind: 'time'; key: string; column: string; granularity: PartitionGranularity; localStart: string; localEnd: string; startInstant: string; endInstant: string }
  | { kind: 'values'; key: string; column: string; value: string };
