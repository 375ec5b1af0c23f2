import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { tempDir, type TempDir } from '../support/tmp.js';

const run = promisify(execFile);

/**
 * Debian's PostgreSQL (postgresql-15 + postgresql-client-15, installed by .ci/run) for differential tests: its
 * pg_dump must match the server's major version, which the embedded PostgreSQL 17 would not. One server per
 * test file; `stop()` ends it within 30 s and removes its files.
 */
export interface DebianPostgres {
  port: number;
  dir: string;
  /** A URL for a database on 127.0.0.1 as the `postgres` superuser (trust auth unless `hba` says otherwise). */
  url(database: string, params?: string): string;
  /** Path of a client program of the same version (psql, pg_dump). */
  bin(name: 'psql' | 'pg_dump' | 'createdb'): string;
  createDatabase(prefix: string): Promise<string>;
  query<T extends pg.QueryResultRow>(database: string, sql: string): Promise<T[]>;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major>/bin that has both a server and pg_dump. */
export function debianPostgresBin(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres')) && existsSync(join(base, v, 'bin', 'pg_dump'))) : [];
  const major = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!major) throw new Error('Debian PostgreSQL not found: apt-get install -y postgresql-15 postgresql-client-15');
  return join(base, major, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface StartOptions {
  /** Extra postgresql.conf lines. */
  conf?: string[];
  /** pg_hba.conf contents (default: trust on loopback and the socket). */
  hba?: string;
  /** Files to place in the data directory before start (e.g. server.crt), mode 0600, owned by the server. */
  files?: Record<string, string>;
}

export async function startDebianPostgres(options: StartOptions = {}): Promise<DebianPostgres> {
  const bin = debianPostgresBin();
  const tmp: TempDir = await tempDir('cruddur-pg15-');
  const data = join(tmp.path, 'data');
  const asRoot = process.getuid?.() === 0;
  // As root the server must run as an unprivileged user (the `postgres` one the Debian package creates).
  const sh = (program: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', program, ...args], { timeout: 60_000 }) : run(program, args, { timeout: 60_000 }));
  const owner = asRoot ? await run('id', ['-u', 'postgres']).then((r) => ({ uid: Number(r.stdout), gid: Number(r.stdout) })) : undefined;
  if (owner) {
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    await chown(tmp.path, owner.uid, gid);
    owner.gid = gid;
  }
  await chmod(tmp.path, 0o755);
  const port = await freePort();
  try {
    await sh(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await writeFile(
      join(data, 'postgresql.conf'),
      [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${tmp.path}'`, 'fsync = off', 'max_connections = 40', ...(options.conf ?? [])].join('\n') + '\n',
      { flag: 'a' },
    );
    if (options.hba !== undefined) await writeFile(join(data, 'pg_hba.conf'), options.hba);
    for (const [name, content] of Object.entries(options.files ?? {})) {
      await writeFile(join(data, name), content, { mode: 0o600 });
      if (owner) await chown(join(data, name), owner.uid, owner.gid);
    }
    await sh(join(bin, 'pg_ctl'), ['-D', data, '-l', join(tmp.path, 'log'), '-w', '-t', '30', 'start']);
  } catch (error) {
    await tmp.cleanup();
    throw error;
  }
  const url = (database: string, params = '') => `postgresql://postgres@127.0.0.1:${port}/${database}${params ? `?${params}` : ''}`;
  const query = async <T extends pg.QueryResultRow>(database: string, sql: string) => {
    const client = new pg.Client({ host: tmp.path, port, user: 'postgres', database });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  // PostgreSQL 15 made WAL_LOG the default strategy: it writes the whole template through the WAL (about 7.5 MB a
  // database). FILE_COPY copies the files after a checkpoint, cheap with fsync off: the psql differential (114
  // databases) spent 12.1-12.7 s of server CPU with it against 13.8-14.0 s without (bench/RESULTS.md, 2026-11-30).
  const fileCopy = Number(basename(dirname(bin))) >= 15 ? ' STRATEGY FILE_COPY' : '';
  let n = 0;
  return {
    port,
    dir: tmp.path,
    url,
    bin: (name) => join(bin, name),
    async createDatabase(prefix) {
      n += 1;
      const name = `${prefix}_${process.pid}_${n}`;
      await query('postgres', `CREATE DATABASE "${name}"${fileCopy}`);
      return name;
    },
    query,
    async stop() {
      try {
        await sh(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      } finally {
        await tmp.cleanup();
      }
    },
  };
}
