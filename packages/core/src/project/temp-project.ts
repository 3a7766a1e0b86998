/**
 * Writes a small project into a temporary folder. Used by tests (here and in other folders) and
 * handy in examples: projects are files, so tests make real ones.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Creates a temporary folder holding `files` (path relative to the project root -> content) and
 * returns its absolute path. A content written as an indented template literal is dedented (see
 * {@link dedent}), so tests can indent file contents with the code around them.
 *
 * @example
 * ```ts
 * const root = await writeTempProject({ 'weir.yaml': 'name: shop\n', 'models/a.sql': 'select 1 as x' });
 * ```
 */
export async function writeTempProject(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'weir-project-'));
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, dedent(content));
  }
  return root;
}

/** Removes a folder made by {@link writeTempProject}. */
export async function removeTempProject(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/**
 * For template literals that open with a newline and an indented line: removes that newline and
 * the indentation common to every non-blank line. Other text is left exactly as it is.
 */
export function dedent(text: string): string {
  if (!/^\r?\n[ \t]+\S/.test(text)) return text;
  const body = text.replace(/^\r?\n/, '');
  const lines = body.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}
