/**
 * Bundling a TypeScript asset file with esbuild into one ES module under `.weir/cache/assets/`,
 * named by the hash of its text. The content-addressed name matters: Node caches ES modules by
 * URL for the life of the process, so a changed file must get a new URL to be seen by a
 * long-running `weir serve`, and an unchanged one may safely reuse the cached module.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildFailure, type Message, type Plugin } from 'esbuild';
import { WeirError } from '../errors/weir-error.js';
import { utf8OffsetConverter } from './text-position.js';

/** Where bundles are written, relative to the project root. */
export const BUNDLE_FOLDER = '.weir/cache/assets';

/** A bundled asset file. */
export interface AssetBundle {
  /** Absolute path of `<root>/.weir/cache/assets/<codeHash>.mjs`. */
  modulePath: string;
  /** sha256 of the bundle text. */
  codeHash: string;
  /** The source map (JSON), written beside the bundle as `<codeHash>.mjs.map`. */
  sourceMap: string | undefined;
}

let definitionsEntry: string | undefined;

/**
 * The file that `import ... from 'weir'` resolves to inside a project: this package's
 * `definitions/index`. It is found relative to this module, so it works both from the built
 * package (`dist/project/` -> `dist/definitions/index.js`, tried first) and from source, as under
 * vitest (`src/project/` -> `src/definitions/index.ts`, tried second).
 */
export function definitionsEntryPath(): string {
  if (definitionsEntry !== undefined) return definitionsEntry;
  const candidates = ['../definitions/index.js', '../definitions/index.ts'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new WeirError('INTERNAL', `cannot find Weir's definitions module (looked for ${candidates.join(' and ')})`);
  definitionsEntry = found;
  return found;
}

/**
 * Resolves `weir` to the definitions module, loaded under a `weir:` namespace with paths relative
 * to the definitions folder. Without the namespace, esbuild would write the absolute location of
 * this package into the bundle (as path comments), and the code hash, part of every fingerprint,
 * would differ between a laptop and CI for the same project.
 */
const weirImport: Plugin = {
  name: 'weir-definitions',
  setup(context) {
    context.onResolve({ filter: /^weir$/ }, () => ({ path: `definitions/${path.basename(definitionsEntryPath())}`, namespace: 'weir' }));
    context.onResolve({ filter: /^\./, namespace: 'weir' }, (args) => ({
      path: path.posix.join(path.posix.dirname(args.importer), args.path),
      namespace: 'weir',
    }));
    context.onLoad({ filter: /.*/, namespace: 'weir' }, async (args) => {
      const folder = path.dirname(path.dirname(definitionsEntryPath()));
      let file = path.join(folder, args.path);
      // From source, imports keep their `.js` suffix but name `.ts` files.
      if (!existsSync(file) && file.endsWith('.js')) file = `${file.slice(0, -3)}.ts`;
      return { contents: await readFile(file, 'utf8'), loader: file.endsWith('.ts') ? 'ts' : 'js', resolveDir: path.dirname(file) };
    });
  },
};

// esbuild's ESM output cannot `require` Node built-ins from bundled CommonJS packages without this.
const REQUIRE_SHIM = "import { createRequire as __weirCreateRequire } from 'node:module'; const require = __weirCreateRequire(import.meta.url);";

/**
 * Bundles `<root>/<file>` with its imports into one ES module and writes it (once per content).
 * A file that does not compile yields one `USER_CODE_FAILED` error per esbuild message, each at
 * `file:line:column`.
 *
 * @example
 * ```ts
 * const bundle = await bundleAssetFile('/work/shop', 'models/segments.ts');
 * const module = await import(pathToFileURL(bundle.modulePath).href);
 * ```
 */
export async function bundleAssetFile(root: string, file: string): Promise<AssetBundle | WeirError[]> {
  const folder = path.join(root, BUNDLE_FOLDER);
  let output;
  try {
    output = await build({
      entryPoints: [path.join(root, file)],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      // The real name is the content hash, known only after the build; the folder is what counts
      // for the source map's relative paths.
      outfile: path.join(folder, 'bundle.mjs'),
      sourcemap: 'external',
      banner: { js: REQUIRE_SHIM },
      plugins: [weirImport],
      logLevel: 'silent',
    });
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    if (!Array.isArray(messages) || messages.length === 0) throw error;
    return messages.map((message) => bundleError(file, message));
  }
  const code = output.outputFiles.find((one) => one.path.endsWith('.mjs'));
  const map = output.outputFiles.find((one) => one.path.endsWith('.map'));
  if (code === undefined) throw new WeirError('INTERNAL', `esbuild produced no module for ${file}`);
  const codeHash = createHash('sha256').update(code.text).digest('hex');
  const modulePath = path.join(folder, `${codeHash}.mjs`);
  if (!existsSync(modulePath)) {
    await mkdir(folder, { recursive: true });
    if (map !== undefined) await writeAtomically(`${modulePath}.map`, map.text);
    await writeAtomically(modulePath, code.text);
  }
  return { modulePath, codeHash, sourceMap: map?.text };
}

/** Another process may import the bundle while we write it: it must never see half a file. */
async function writeAtomically(target: string, text: string): Promise<void> {
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, target);
}

function bundleError(file: string, message: Message): WeirError {
  const location = message.location;
  if (location === null) return new WeirError('USER_CODE_FAILED', `${file} does not compile: ${message.text}`, { location: { file } });
  // esbuild columns are 0-based UTF-8 byte offsets into the line.
  const column = utf8OffsetConverter(location.lineText)(location.column) + 1;
  const where = location.file.split(path.sep).join('/');
  return new WeirError('USER_CODE_FAILED', `${file} does not compile: ${message.text}`, {
    location: { file: where, line: location.line, column },
    hint: location.lineText.trim() === '' ? undefined : `${location.line} | ${location.lineText.trim()}`,
  });
}
