import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import picomatch from 'picomatch';
import type { RemoteObject } from '../aws/s3-store.js';
import { CruddurError } from '../core/errors.js';
import type { Logger } from '../core/output.js';
import { PART_SIZE } from './apply.js';
import type { Cdn } from './cdn.js';
import { filterMatcher, type PathFilter } from './filters.js';
import { hashAllOffThread, multipartEtag, type HashTarget } from './hash.js';
import { keyFor } from './headers.js';
import { keysNeedingStoredMd5, multipartParts, partSizeCandidates, type HashedFile, type LocalFile } from './plan.js';
import { readPending } from './pending.js';
import { mapLimit } from '../core/pool.js';
import type { SyncSettings } from './settings.js';
import { headersResolver, type Encoding } from './routes.js';
import { parseState, STATE_KEY, type SyncState } from './state.js';
import { prefixedStore, type SyncStore } from './store.js';
import { walkBuildDir } from './walk.js';

/** Hashing is disk + CPU work on a 2-core runner: more at once only adds contention. */
const HASH_CONCURRENCY = 4;
/** HeadObject calls in flight when reading stored MD5s. */
const HEAD_CONCURRENCY = 32;

export interface PreparePorts {
  store: () => Promise<SyncStore>;
  cdn: () => Promise<Cdn>;
  logger: Logger;
}

/** What the sync knows before deciding anything: the build (hashed), the bucket and the sync state. Read-only downstream. */
export interface Prepared {
  files: readonly HashedFile[];
  ignored: readonly LocalFile[];
  /** Compressed bodies (routes with gzip/brotli), by absPath, for the upload (apply takes them out as it goes). */
  bodies: Map<string, Buffer>;
  skipped: ReadonlyArray<{ file: string; reason: string }>;
  /** The bucket's objects, without the sync's state object. */
  remote: ReadonlyMap<string, RemoteObject>;
  /** Stored MD5s of objects whose ETag did not settle the comparison (null: the object has none). */
  stored: ReadonlyMap<string, string | null>;
  /** The state object as read (empty when there was none). */
  state: SyncState;
  stateExists: boolean;
  /** [ETag, MD5] pairs learned by HeadObject this run, worth keeping in the state. */
  learned: Record<string, [string, string]>;
  /** Keys owed by an earlier cruddur that kept them only in `.cruddur/sync-pending-<bucket>.json`. */
  legacyOwed: string[];
  store: SyncStore;
  cdn: Cdn | undefined;
  /** Whether a key of the bucket or the build matches the ignore list. */
  isIgnored: (path: string) => boolean;
}

/**
 * The ignore list as one predicate over keys and build paths: a glob without `/` matches a file name
 * anywhere (`.DS_Store`), one with `/` the whole path (`uploads/**`). The sync's state object always matches:
 * it is never uploaded, deleted or invalidated as content.
 */
export function ignoreMatcher(globs: readonly string[], filters: readonly PathFilter[] = []): (path: string) => boolean {
  const byName = globs.filter((g) => !g.includes('/'));
  const byPath = globs.filter((g) => g.includes('/'));
  const name = byName.length > 0 ? picomatch(byName, { dot: true, basename: true }) : () => false;
  const path = byPath.length > 0 ? picomatch(byPath, { dot: true }) : () => false;
  const filteredOut = filterMatcher(filters);
  return (p) => p === STATE_KEY || name(p) || path(p) || filteredOut(p);
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * A route's compressed bytes, the same for the same input on every run (so an unchanged file stays
 * no_change): gzip level 9 with no name and mtime 0 (Node's zlib writes neither), brotli quality 11 in
 * text mode with the input size as hint.
 */
export async function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(body, { level: 9 });
  return brotliAsync(body, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
}

async function checkBuildDir(buildDir: string): Promise<void> {
  const info = await stat(buildDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CruddurError(`The build dir ${buildDir} ${info ? 'is a file, not a folder' : 'does not exist'}`, {
      suggestion: 'run `cruddur frontend static-build` first, or point --build-dir / SYNC_BUILD_DIR at the build output',
      code: 'SYNC_NO_BUILD_DIR',
    });
  }
}

/** Only for files whose bucket copy was uploaded in parts: that ETag recomputed with the plausible part sizes. */
async function withMultipartEtags(files: HashedFile[], remote: ReadonlyMap<string, RemoteObject>): Promise<HashedFile[]> {
  const partsOf = (file: HashedFile) => {
    const object = remote.get(file.key);
    return object && !file.encoding && object.size === file.size && object.etag !== file.md5 ? multipartParts(object.etag) : undefined;
  };
  // Most runs have none: no promise per file then.
  if (!files.some((f) => partsOf(f) !== undefined)) return files;
  return mapLimit(files, HASH_CONCURRENCY, async (file) => {
    const parts = partsOf(file);
    if (parts === undefined) return file;
    const sizes = partSizeCandidates(file.size, parts, [PART_SIZE]);
    return { ...file, multipartEtags: await Promise.all(sizes.map((size) => multipartEtag(file.absPath, file.size, size))) };
  });
}

/**
 * A multipart object's part size from HeadObject PartNumber=1 (its ContentLength); when the file's
 * multipart ETag for that part size is the object's, the object holds the file's bytes and its MD5 is
 * returned (kept in the sync state's hashes, so the next run needs neither the HEAD nor the re-hash).
 * An S3 that ignores PartNumber answers the whole length: that part size cannot give the part count,
 * and undefined is returned (the object is uploaded once, with its MD5 stored).
 */
async function md5FromFirstPart(store: SyncStore, bucket: string, file: HashedFile, etag: string): Promise<string | undefined> {
  const parts = multipartParts(etag);
  if (parts === undefined || file.encoding) return undefined;
  const part = await store.headFirstPart(bucket, file.key);
  if (!part || part.partSize <= 0 || Math.ceil(file.size / part.partSize) !== parts) return undefined;
  const mine = await multipartEtag(file.absPath, file.size, part.partSize);
  return mine.toLowerCase() === etag.toLowerCase() ? file.md5 : undefined;
}

/**
 * Walks and hashes the build, lists the bucket, reads the sync state (only when the listing shows it) and
 * the stored MD5s the ETags cannot settle (from the state, else one HeadObject each). Refuses before
 * anything is changed when the build is missing or empty, or the bucket or distribution does not exist
 * (a dry run does not ask CloudFront).
 */
export async function prepareSync(settings: SyncSettings, ports: PreparePorts): Promise<Prepared> {
  const { logger } = ports;
  await checkBuildDir(settings.buildDir);
  // The listing (and the distribution check) go out first: the walk, hashing and planning of the local side run
  // while S3 answers, which is most of a no-change run.
  const store = prefixedStore(await ports.store(), settings.prefix);
  // No HeadBucket first: the listing answers NoSuchBucket itself, one round trip sooner.
  const listing = store.listObjects(settings.bucket).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'AWS_NO_SUCH_BUCKET') throw error;
    throw new CruddurError(`The bucket ${settings.bucket} does not exist (or is not visible with these credentials)`, {
      suggestion: 'check SYNC_S3_BUCKET / --bucket and --region, or create the bucket first',
      code: 'SYNC_NO_BUCKET',
      cause: error,
    });
  });
  listing.catch(() => undefined);
  // A dry run never calls CloudFront: it plans, and a plan needs no invalidation (the id's form was checked locally).
  const cdn = settings.distributionId && !settings.dryRun ? await ports.cdn() : undefined;
  if (settings.distributionId && settings.dryRun) logger.info(`Dry run: CloudFront is not asked whether distribution ${settings.distributionId} exists.`);
  const distributionExists = cdn && settings.distributionId ? cdn.getDistribution(settings.distributionId).then((d) => d !== undefined) : Promise.resolve(true);
  distributionExists.catch(() => undefined);
  const walked = await walkBuildDir(settings.buildDir);
  for (const s of walked.skipped) logger.warn(`skipped ${s.file}: ${s.reason}`);
  if (walked.files.length === 0) {
    throw new CruddurError(`The build dir ${settings.buildDir} is empty; refusing to sync (it would delete the whole site)`, {
      suggestion: 'run `cruddur frontend static-build` and check that it writes into this folder',
      code: 'SYNC_EMPTY_BUILD',
    });
  }
  const isIgnored = ignoreMatcher(settings.ignore, settings.filters);
  const all: LocalFile[] = walked.files.map((f) => ({ ...f, key: keyFor(f.file, { stripHtml: settings.stripHtmlExtension }) }));
  const ignored = all.filter((f) => isIgnored(f.key) || isIgnored(f.file));
  const kept = all.filter((f) => !(isIgnored(f.key) || isIgnored(f.file)));
  // Files a route compresses are hashed as the compressed bytes they are uploaded as.
  const headersOf = settings.headers.routes.some((r) => r.gzip || r.brotli) ? headersResolver(settings.headers) : undefined;
  const encodingOf = new Map<string, Encoding>();
  if (headersOf) for (const f of kept) { const e = headersOf(f.file, f.key).contentEncoding; if (e) encodingOf.set(f.absPath, e); }
  const toHash = kept.filter((f) => !encodingOf.has(f.absPath));
  const compressing = mapLimit(kept.filter((f) => encodingOf.has(f.absPath)), HASH_CONCURRENCY, async (f): Promise<HashedFile> => {
    const encoding = encodingOf.get(f.absPath) as Encoding;
    const body = await compress(await readFile(f.absPath), encoding);
    return { ...f, size: body.length, md5: createHash('md5').update(body).digest('hex'), encoding, body } as HashedFile & { body: Buffer };
  });
  compressing.catch(() => undefined);
  // Hashing runs on a worker thread for big trees, while the listing pages arrive.
  const targets: HashTarget[] = toHash.map((f) => ({ absPath: f.absPath, size: f.size }));
  const hashing = hashAllOffThread(targets, { concurrency: HASH_CONCURRENCY });
  hashing.catch(() => undefined);
  if (!(await distributionExists)) {
    throw new CruddurError(`The CloudFront distribution ${settings.distributionId} does not exist`, {
      suggestion: 'check SYNC_CLOUDFRONT_DISTRIBUTION_ID / --distribution-id (aws cloudfront list-distributions)',
      code: 'SYNC_NO_DISTRIBUTION',
    });
  }
  if (!settings.distributionId) logger.info('No CloudFront distribution configured: the sync will not invalidate any cache.');
  const objects = await listing;
  const stateExists = objects.some((o) => o.key === STATE_KEY);
  // The one extra request, and only when the listing shows a state object.
  const stateRead = stateExists ? store.getObjectText(settings.bucket, STATE_KEY) : Promise.resolve(undefined);
  stateRead.catch(() => undefined);
  await hashing;
  const remote = new Map(objects.filter((o) => o.key !== STATE_KEY).map((o) => [o.key, o]));
  const bodies = new Map<string, Buffer>();
  const hashed: HashedFile[] = toHash.map((f, i) => {
    const t = targets[i] as HashTarget;
    if (t.md5 === undefined) throw new Error(`prepareSync: ${f.file} was not hashed`);
    return { ...f, size: t.size, md5: t.md5 };
  });
  for (const c of await compressing) {
    const { body, ...file } = c as HashedFile & { body: Buffer };
    bodies.set(file.absPath, body);
    hashed.push(file);
  }
  const files = await withMultipartEtags(hashed, remote);
  const state = parseState(await stateRead);
  if (state.unreadable) logger.warn(`s3://${settings.bucket}/${STATE_KEY} is not a sync state this cruddur reads; it is replaced after this run`);

  const stored = new Map<string, string | null>();
  const learned: Record<string, [string, string]> = {};
  const heads: string[] = [];
  for (const key of keysNeedingStoredMd5(files, remote)) {
    const known = state.hashes[key];
    if (known && known[0] === remote.get(key)?.etag) stored.set(key, known[1]);
    else heads.push(key);
  }
  const byKey = new Map(files.map((f) => [f.key, f]));
  await mapLimit(heads, HEAD_CONCURRENCY, async (key) => {
    const head = await store.headStoredMd5(settings.bucket, key);
    const etag = remote.get(key)?.etag ?? '';
    let md5 = head?.md5;
    // No stored MD5 on a multipart object (the AWS CLI's, say): part 1's size, read once, settles it.
    const file = byKey.get(key);
    if (md5 === undefined && head && file && multipartParts(etag) !== undefined) md5 = await md5FromFirstPart(store, settings.bucket, file, etag);
    stored.set(key, md5 ?? null);
    if (md5 && head?.etag === etag) learned[key] = [etag, md5.toLowerCase()];
  });
  const legacyOwed = settings.distributionId ? await readPending(settings.pendingPath, settings.bucket, settings.distributionId) : [];
  return { files, ignored, bodies, skipped: walked.skipped, remote, stored, state, stateExists, learned, legacyOwed, store, cdn, isIgnored };
}
