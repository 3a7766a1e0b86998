/**
 * The file sensor: new or changed files under a glob, polled. Its cursor is what it has seen:
 * each file's size and modification time, by path (relative to the project root when inside it,
 * so a cursor means the same on every machine).
 *
 * - New files and changed files (size or mtime) ask for one run, naming the files in the reason.
 * - Deleted files only update the cursor (no run).
 * - The first evaluation (no cursor) sees every present file as new: files that landed while
 *   nothing watched are not lost.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { listSourceFiles } from '../connectors/files/list-source-files.js';
import type { FileSensorSpec } from '../project/trigger-specs.js';
import type { SensorDecision } from './sensor-decision.js';

/** One file as the sensor sees it. */
export interface SensedFile {
  /** Absolute path. */
  path: string;
  size: number;
  modifiedMs: number;
}

/** The file sensor's cursor: `[size, mtime ms]` by path. */
export interface FileSensorCursor {
  files: Record<string, [number, number]>;
}

/**
 * The files matching the sensor's glob now, with size and modification time.
 *
 * @example
 * ```ts
 * listSensorFiles(sensor); // [{ path: '/shop/data/landing/a.csv', size: 120, modifiedMs: 1774742400000 }]
 * ```
 */
export function listSensorFiles(sensor: Pick<FileSensorSpec, 'absolutePath'>): SensedFile[] {
  // Globs are written with "/" in weir.yaml; listSourceFiles matches "/" paths on every platform.
  return listSourceFiles([sensor.absolutePath.split(path.sep).join('/')]);
}

/**
 * Compares what is there now with the cursor.
 *
 * @example
 * ```ts
 * const decision = evaluateFileSensor(sensor, stored?.cursor, listSensorFiles(sensor), root, clock.now());
 * if (decision.request) await queue.enqueue(decision.request);
 * ```
 */
export function evaluateFileSensor(
  sensor: Pick<FileSensorSpec, 'name' | 'path' | 'selection'>,
  cursor: unknown,
  files: readonly SensedFile[],
  root: string,
  now: Date,
): SensorDecision {
  const previous = readCursor(cursor);
  const seen: Record<string, [number, number]> = {};
  const added: string[] = [];
  const changed: string[] = [];
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const key = cursorPath(file.path, root);
    seen[key] = [file.size, file.modifiedMs];
    const before = previous?.files[key];
    if (before === undefined) added.push(key);
    else if (before[0] !== file.size || before[1] !== file.modifiedMs) changed.push(key);
  }
  const removed = Object.keys(previous?.files ?? {}).filter((key) => !(key in seen));
  const next: FileSensorCursor = { files: seen };
  if (added.length === 0 && changed.length === 0) {
    // Only deletions (or nothing): remember them, run nothing. The first look at an empty folder is recorded too.
    return removed.length > 0 || previous === undefined ? { cursor: next } : {};
  }
  // The occasion is "these entries, seen after that cursor": evaluating the same folder again
  // before the cursor is recorded gives the same key.
  const digest = createHash('sha256')
    .update(JSON.stringify([previous?.files ?? null, [...added, ...changed].map((key) => [key, seen[key]])]))
    .digest('hex')
    .slice(0, 16);
  const parts = [added.length > 0 ? `${added.length} new` : '', changed.length > 0 ? `${changed.length} changed` : ''].filter(Boolean);
  return {
    cursor: next,
    request: {
      trigger: `sensor:${sensor.name}`,
      dedupeKey: `sensor:${sensor.name}:${digest}`,
      selection: { select: [...sensor.selection.select], exclude: [...sensor.selection.exclude] },
      reason: `sensor "${sensor.name}" (${sensor.path}): ${parts.join(' and ')} file(s): ${listNames([...added, ...changed])}`,
      scheduledFor: now.toISOString(),
    },
  };
}

function readCursor(cursor: unknown): FileSensorCursor | undefined {
  if (cursor === null || typeof cursor !== 'object' || !('files' in cursor)) return undefined;
  const files = (cursor as { files: unknown }).files;
  return files !== null && typeof files === 'object' ? (cursor as FileSensorCursor) : undefined;
}

function cursorPath(file: string, root: string): string {
  const relative = path.relative(root, file);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  return (inside ? relative : file).split(path.sep).join('/');
}

/** Up to ten names, then how many more: a reason is for people, and may be stored with every run. */
export function listNames(names: readonly string[], limit = 10): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}
