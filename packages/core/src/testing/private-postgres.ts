/**
 * A throwaway PostgreSQL server for one test process: `initdb` into a temporary folder with the
 * newest PostgreSQL installed under /usr/lib/postgresql, started on a free port of 127.0.0.1 with
 * trust authentication, and stopped and deleted afterwards.
 *
 * Tests use it for what they must not do to the shared server other suites are using at the same
 * time: settings that need a restart (`wal_level = logical`), or restarting the server itself.
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestService } from './services.js';

const run = promisify(execFile);

/** A server started by {@link startPrivatePostgres}. */
export interface PrivatePostgres {
  /** Its `postgres` database, e.g. `postgres://postgres@127.0.0.1:40123/postgres`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops the server (`-m fast`: sessions are terminated, as in a real restart) and starts it again
   * on the same port with the same data and settings. Resolves once it accepts connections.
   */
  restart(): Promise<void>;
  /** Stops the server at once and deletes its folder; safe to call twice. */
  stop(): void;
}

/** Options of {@link startPrivatePostgres}. */
export interface PrivatePostgresOptions {
  /** Server settings passed as `-c name=value`, e.g. `{ wal_level: 'logical' }`. */
  settings?: Record<string, string | number>;
  /** Prefix of the temporary folder's name. Default `weir-pg-`. */
  folderPrefix?: string;
}

/**
 * The folder holding `initdb` and `pg_ctl` of the newest installed PostgreSQL, or undefined when
 * there is none (then no private server can be started).
 *
 * @example
 * ```ts
 * if (privatePostgresBinaries() === undefined) console.warn('no PostgreSQL installation');
 * ```
 */
export function privatePostgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin')).find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/**
 * Whether {@link startPrivatePostgres} can work here, for `describeWithService`: skipped with a
 * message outside CI, a failure under `CI=true`, when PostgreSQL is not installed.
 */
export const privatePostgresService: TestService = {
  name: 'a private PostgreSQL server (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin)',
  available: () => Promise.resolve(privatePostgresBinaries() !== undefined && (process.getuid?.() !== 0 || postgresUser() !== undefined)),
};

/**
 * Initialises and starts a private server. It is stopped and deleted by `stop()`, and, as a
 * fallback only (test workers may end without running exit handlers), when the process exits.
 *
 * @example
 * ```ts
 * const server = await startPrivatePostgres({ settings: { wal_level: 'logical' } });
 * const database = await createTestDatabase('weir_x', server.url);
 * await server.restart();
 * await database.drop();
 * server.stop();
 * ```
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = privatePostgresBinaries();
  if (bin === undefined) throw new Error('no PostgreSQL installation found (looked for /usr/lib/postgresql/<version>/bin/initdb)');
  const settings = Object.entries({ fsync: 'off', max_connections: 200, ...options.settings }).map(([name, value]) => {
    // pg_ctl hands -o to a shell: only plain names and values, so nothing needs quoting.
    if (!/^[a-z_.]+$/.test(name) || !/^[\w.,:/-]+$/.test(String(value))) throw new Error(`unsupported server setting ${name}=${String(value)}`);
    return `-c ${name}=${String(value)}`;
  });
  const dir = mkdtempSync(join(tmpdir(), options.folderPrefix ?? 'weir-pg-'));
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (process.getuid?.() === 0) {
    if (owner === undefined) throw new Error('running as root, and there is no postgres system user to run PostgreSQL as');
    chownSync(dir, owner.uid, owner.gid);
  }
  const command = (program: string, args: string[]): [string, string[]] =>
    owner === undefined ? [join(bin, program), args] : ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]];
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'pipe' });
    } catch {
      // Not running (never started, or already stopped).
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    const port = await freePort();
    await run(...command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']));
    const serverOptions = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...settings].join(' ');
    await run(...command('pg_ctl', ['-D', data, '-l', log, '-w', '-o', serverOptions, 'start']));
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      // pg_ctl restart reuses the options of the last start (postmaster.opts): same port, same settings.
      restart: async () => {
        if (stopped) throw new Error('the private PostgreSQL server was stopped');
        await run(...command('pg_ctl', ['-D', data, '-l', log, '-m', 'fast', '-w', 'restart']));
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
