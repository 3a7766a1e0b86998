/** Finding a project's source, model and asset files. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** The files a project is made of, relative to the root with `/` separators, sorted. */
export interface ProjectFiles {
  sources: string[];
  sqlModels: string[];
  typeScriptModels: string[];
  /** `checks/*.yaml`: checks declared apart from their assets. */
  checks: string[];
  /** `sensors/**\/*.ts`: custom sensors (`defineSensor`) and their helper modules. */
  sensors: string[];
}

/**
 * Lists `sources/*.yaml` (and `.yml`), `models/**\/*.sql`, `models/**\/*.ts`, `checks/*.yaml` and `sensors/**\/*.ts`. Hidden entries
 * and `node_modules` are skipped, and so are TypeScript declaration and test files
 * (`*.d.ts`, `*.test.ts`, `*.spec.ts`), which live beside models without being assets.
 */
export async function listProjectFiles(root: string): Promise<ProjectFiles> {
  const sources = (await listFiles(root, 'sources', false)).filter((file) => /\.ya?ml$/.test(file));
  const models = await listFiles(root, 'models', true);
  const checks = (await listFiles(root, 'checks', false)).filter((file) => /\.ya?ml$/.test(file));
  const sensors = (await listFiles(root, 'sensors', true)).filter(isTypeScriptModule);
  return {
    checks,
    sensors,
    sources,
    sqlModels: models.filter((file) => file.endsWith('.sql')),
    typeScriptModels: models.filter(isTypeScriptModule),
  };
}

function isTypeScriptModule(file: string): boolean {
  return file.endsWith('.ts') && !/\.(d|test|spec)\.ts$/.test(file);
}

async function listFiles(root: string, folder: string, recursive: boolean): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, relative), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory() && recursive) await walk(child);
      else if (entry.isFile()) found.push(child);
    }
  };
  await walk(folder);
  return found.sort();
}
