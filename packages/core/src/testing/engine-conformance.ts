/**
 * The one conformance suite every {@link EngineAdapter} passes, run against the real engine.
 * Materializations, checks and the executor rely on exactly what is asserted here; an engine that
 * passes it can be wired in without the layers above knowing which engine it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { fileCases } from './engine-conformance-files.js';
import { relationCases } from './engine-conformance-relations.js';
import { sessionCases } from './engine-conformance-sessions.js';
import { valueCases } from './engine-conformance-values.js';
import type { ConformanceContext } from './engine-conformance-support.js';

/**
 * Registers the conformance suite for one engine as a vitest `describe` block. `open` must return
 * an adapter on an empty warehouse; the suite closes it, then calls `cleanup` (to remove the
 * database or file behind it).
 *
 * @example
 * ```ts
 * const dir = mkdtempSync(join(tmpdir(), 'weir-duckdb-'));
 * runEngineConformance(
 *   'duckdb',
 *   () => openDuckDBAdapter({ path: join(dir, 'warehouse.duckdb') }),
 *   async () => rmSync(dir, { recursive: true, force: true }),
 * );
 * ```
 */
export function runEngineConformance(name: string, open: () => Promise<EngineAdapter>, cleanup?: () => Promise<void>): void {
  describe(`${name} engine conformance`, () => {
    let engine: EngineAdapter | undefined;
    let dir: string | undefined;
    let schemas = 0;

    const context: ConformanceContext = {
      get engine(): EngineAdapter {
        if (engine === undefined) throw new Error(`the ${name} engine is not open (did beforeAll fail?)`);
        return engine;
      },
      get dir(): string {
        if (dir === undefined) throw new Error('the scratch directory is not ready');
        return dir;
      },
      async freshSchema(label: string): Promise<string> {
        schemas += 1;
        const schema = `conformance_${label}_${schemas}`;
        await context.engine.createSchema(schema);
        return schema;
      },
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'weir-conformance-'));
      engine = await open();
    });

    afterAll(async () => {
      try {
        await engine?.close();
      } finally {
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
        await cleanup?.();
      }
    });

    describe('relations', () => relationCases(context));
    describe('files', () => fileCases(context));
    describe('sessions and bulk data', () => sessionCases(context));
    describe('values', () => valueCases(context));
  });
}
