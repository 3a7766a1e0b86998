/**
 * A cheap stamp of a project's definition files: their paths with size, inode, mtime and ctime
 * (nanoseconds). `projectVersion` reads and hashes every file, about 100 ms for 1,000 models,
 * which every API request would pay; stat calls cost about 2 ms for the same project, so the
 * server hashes again only when the stamp moved. ctime is part of it because no tool can set it:
 * any write changes it, even one that restores the mtime.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// The folders projectVersion hashes (sources, models, checks) and weir.yaml; a superset is harmless.
const FOLDERS = ['sources', 'models', 'checks'];

/**
 * The stamp of the project at `root`: equal stamps, equal files.
 *
 * @example
 * ```ts
 * if (projectFilesStamp(root) !== last) version = await projectVersion(root);
 * ```
 */
export function projectFilesStamp(root: string): string {
  const parts: string[] = [];
  const add = (file: string) => {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (stat?.isFile()) parts.push(`${file}\0${stat.size}\0${stat.ino}\0${stat.mtimeNs}\0${stat.ctimeNs}`);
  };
  const walk = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // absent (or not a folder): projectVersion skips it too
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(child);
      else add(child);
    }
  };
  add(path.join(root, 'weir.yaml'));
  for (const folder of FOLDERS) walk(path.join(root, folder));
  return parts.join('\n');
}
