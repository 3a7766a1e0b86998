/**
 * Bad command lines: each is refused with exit 2 and a message a person can act on, before
 * anything is written or run.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltShop } from './shop-fixture.js';
import { createTempDir, runWeirIn, show, type WeirTestProject } from './weir-test-project.js';

describe('weir init refuses bad requests', () => {
  const temp = createTempDir();
  afterAll(() => temp.remove());

  it('an unknown size, an unsafe seed, or a folder that is not empty', async () => {
    const size = await runWeirIn(temp.dir, ['init', 'a', '--size', 'huge']);
    expect(size.code, show(size)).toBe(2);
    expect(size.stderr).toContain('--size must be one of small, medium, large');
    const seed = await runWeirIn(temp.dir, ['init', 'b', '--seed', '1e20']);
    expect(seed.code, show(seed)).toBe(2);
    expect(seed.stderr).toContain('--seed must be a whole number');
    writeFileSync(join(temp.dir, 'notes.txt'), 'mine');
    const busy = await runWeirIn(temp.dir, ['init']);
    expect(busy.code, show(busy)).toBe(2);
    expect(busy.stderr).toContain('is not empty');
    // Nothing was written: the user's file is the only thing there.
    expect(readdirSync(temp.dir)).toEqual(['notes.txt']);
  });
});

describe('weir run refuses bad options', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createBuiltShop();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('a concurrency that is not a positive whole number', async () => {
    for (const value of ['0', 'two']) {
      const result = await project.weir(['run', '--concurrency', value]);
      expect(result.code, show(result)).toBe(2);
      expect(result.stderr).toContain('--concurrency must be a whole number >= 1');
    }
  });

  it('an environment named like a schema Weir or the engine owns', async () => {
    const result = await project.weir(['run', '--env', 'weir_versions']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('cannot be an environment');
    expect((await project.weir(['ls', '--env', 'dev'])).code).toBe(0);
  });

  it('an unknown command or option', async () => {
    const command = await project.weir(['rnu']);
    expect(command.code, show(command)).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'rnu'/);
    const option = await project.weir(['run', '--selct', 'orders']);
    expect(option.code, show(option)).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--selct'/);
  });
});

describe('weir serve and weir worker refuse bad options', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createBuiltShop();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('a port out of range, a port in use, a lease that is not a positive number, a worker outside team mode', async () => {
    const port = await project.weir(['serve', '--port', '99999']);
    expect(port.code, show(port)).toBe(2);
    expect(port.stderr).toContain('--port must be a whole number from 0 to 65535');

    // A port another process listens on: named, with what to do instead.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const busy = await project.weir(['serve', '--port', String((taken.address() as AddressInfo).port)]);
      expect(busy.code, show(busy)).toBe(2);
      expect(busy.stderr).toContain('is in use');
      expect(busy.stderr).toContain('--port 0');
      // Nothing is left claiming the project: a plain command works at once.
      expect(existsSync(join(project.root, '.weir', 'serve.json'))).toBe(false);
      const runs = await project.weir(['runs']);
      expect(runs.code, show(runs)).toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }

    const lease = await project.weir(['worker', '--lease', '0']);
    expect(lease.code, show(lease)).toBe(2);
    expect(lease.stderr).toContain('--lease must be a number of seconds > 0');
    const embedded = await project.weir(['worker']);
    expect(embedded.code, show(embedded)).toBe(2);
    expect(embedded.stderr).toContain('weir worker needs team mode');
  });
});
