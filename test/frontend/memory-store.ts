import { createHash } from 'node:crypto';
import type { DeleteResult, RemoteObject } from '../../src/aws/s3-store.js';
import type { ObjectWriteSettings, SyncPutInput, SyncStore, UploadPartInput } from '../../src/frontend/store.js';

export interface MemoryObject extends ObjectWriteSettings {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  /** Part 1's size for a multipart object (what HeadObject PartNumber=1 answers). */
  partSize?: number;
}

/** A write request as the store received it, without the body (for exact-request assertions). */
export type RecordedWrite = { op: 'put' | 'multipart' | 'copy'; key: string } & ObjectWriteSettings;

export interface MemoryStoreOptions {
  /** SSE-KMS-like: ETags are 32 hex digits but not the MD5 of the bytes (a new one per write). */
  kms?: boolean;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * The sync's store port in memory, the way s3deploy tests its deploys: objects, a log of every call in
 * order, and a "kill" switch. `killAfter(n)` lets n more writes land, then every later call of any kind
 * hangs forever, like a process that was SIGKILLed: whatever it had written stays, nothing else happens.
 */
export class MemoryStore implements SyncStore {
  readonly objects = new Map<string, MemoryObject>();
  readonly calls: string[] = [];
  /** Every PutObject / CreateMultipartUpload / CopyObject with its headers, in order. */
  readonly writes: RecordedWrite[] = [];
  /** Whether HeadObject honours PartNumber (real S3 does; s3rver does not). */
  partNumberHead = true;
  private writesLeft = Number.POSITIVE_INFINITY;
  dead = false;
  private version = 0;
  private readonly uploads = new Map<string, Map<number, Buffer>>();
  /** Returns the error a call fails with (`copy plus+sign.txt`, `put a.txt`), or undefined to let it through. */
  failOn?: (call: string) => Error | undefined;
  /** Called on each write before it lands (a test can pause a run there). */
  beforeWrite?: (what: string) => Promise<void>;

  constructor(private readonly options: MemoryStoreOptions = {}) {}

  killAfter(writes: number): void {
    this.writesLeft = writes;
  }

  private etagFor(body: Buffer): string {
    return this.options.kms ? createHash('sha256').update(body).update(String(++this.version)).digest('hex').slice(0, 32) : md5(body);
  }

  private async gate(call: string, write: boolean): Promise<void> {
    if (this.dead) await new Promise(() => undefined);
    const failure = this.failOn?.(call);
    if (failure) throw failure;
    if (write) {
      if (this.writesLeft <= 0) {
        this.dead = true;
        await new Promise(() => undefined);
      }
      this.writesLeft -= 1;
      await this.beforeWrite?.(call);
    }
    this.calls.push(call);
  }

  /** A foreign object (another tool, no stored MD5). */
  putForeign(key: string, body: string | Buffer): void {
    const bytes = Buffer.from(body);
    this.objects.set(key, { body: bytes, etag: this.etagFor(bytes), metadata: {} });
  }

  /** A foreign multipart object (the AWS CLI's, say): `<md5 of part md5s>-<parts>`, no stored MD5. */
  putForeignMultipart(key: string, body: Buffer, partSize: number): void {
    const digests: Buffer[] = [];
    for (let at = 0; at < body.length; at += partSize) digests.push(createHash('md5').update(body.subarray(at, at + partSize)).digest());
    this.objects.set(key, { body, etag: `${md5(Buffer.concat(digests))}-${digests.length}`, metadata: {}, partSize });
  }

  text(key: string): string | undefined {
    return this.objects.get(key)?.body.toString('utf8');
  }

  async listObjects(_bucket: string, prefix = ''): Promise<RemoteObject[]> {
    await this.gate(prefix ? `list ${prefix}` : 'list', false);
    return [...this.objects].filter(([key]) => key.startsWith(prefix)).map(([key, o]) => ({ key, size: o.body.length, etag: o.etag }));
  }

  async headFirstPart(_bucket: string, key: string): Promise<{ etag: string; partSize: number; partsCount: number | undefined } | undefined> {
    await this.gate(`head-part1 ${key}`, false);
    const o = this.objects.get(key);
    if (!o) return undefined;
    const parts = /-(\d+)$/.exec(o.etag)?.[1];
    if (!this.partNumberHead || !o.partSize) return { etag: o.etag, partSize: o.body.length, partsCount: undefined };
    return { etag: o.etag, partSize: Math.min(o.partSize, o.body.length), partsCount: parts ? Number(parts) : undefined };
  }

  async copyObject(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string> {
    await this.gate(`copy ${input.key}`, true);
    const o = this.objects.get(input.key);
    if (!o) throw new Error('NoSuchKey');
    const { bucket: _b, key, ...settings } = input;
    this.writes.push({ op: 'copy', key, ...settings });
    // A copy is a new single-part object: its ETag is the MD5 (a new one under KMS).
    const etag = this.etagFor(o.body);
    this.objects.set(key, { body: o.body, etag, ...settings, metadata: { ...settings.metadata } });
    return etag;
  }

  async getObjectText(_bucket: string, key: string): Promise<string | undefined> {
    await this.gate(`get ${key}`, false);
    return this.text(key);
  }

  async headStoredMd5(_bucket: string, key: string): Promise<{ etag: string; md5: string | undefined } | undefined> {
    await this.gate(`head ${key}`, false);
    const o = this.objects.get(key);
    return o ? { etag: o.etag, md5: o.metadata['cruddur-md5'] } : undefined;
  }

  async putObject(input: SyncPutInput): Promise<string> {
    await this.gate(`put ${input.key}`, true);
    if (input.contentMD5 && Buffer.from(md5(input.body), 'hex').toString('base64') !== input.contentMD5) throw new Error('BadDigest');
    const etag = this.etagFor(input.body);
    const { bucket: _b, key, body, contentMD5: _m, ...settings } = input;
    this.writes.push({ op: 'put', key, ...settings });
    this.objects.set(key, { body: Buffer.from(body), etag, ...settings, metadata: { ...input.metadata } });
    return etag;
  }

  async deleteObjects(_bucket: string, keys: string[]): Promise<DeleteResult> {
    await this.gate(`delete ${keys.join(',')}`, true);
    for (const key of keys) this.objects.delete(key);
    return { deleted: [...keys], failed: [] };
  }

  private readonly pending = new Map<string, ObjectWriteSettings>();

  async createMultipartUpload(input: { bucket: string; key: string } & ObjectWriteSettings): Promise<string> {
    await this.gate(`multipart ${input.key}`, true);
    const id = `u${++this.version}`;
    this.uploads.set(id, new Map());
    const { bucket: _b, key, ...settings } = input;
    this.writes.push({ op: 'multipart', key, ...settings });
    this.pending.set(id, settings);
    return id;
  }

  async uploadPart(input: UploadPartInput): Promise<string> {
    await this.gate(`part ${input.key} #${input.partNumber}`, true);
    this.uploads.get(input.uploadId)?.set(input.partNumber, Buffer.from(input.body));
    return md5(input.body);
  }

  async completeMultipartUpload(input: { key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> }): Promise<string> {
    await this.gate(`complete ${input.key}`, true);
    const parts = this.uploads.get(input.uploadId) ?? new Map<number, Buffer>();
    const body = Buffer.concat(input.parts.map((p) => parts.get(p.partNumber) ?? Buffer.alloc(0)));
    const digests = Buffer.concat(input.parts.map((p) => Buffer.from(md5(parts.get(p.partNumber) ?? Buffer.alloc(0)), 'hex')));
    const etag = this.options.kms ? this.etagFor(body) : `${md5(digests)}-${input.parts.length}`;
    const settings = this.pending.get(input.uploadId) ?? {};
    const first = parts.get(1);
    this.objects.set(input.key, { body, etag, ...settings, metadata: { ...settings.metadata }, ...(first ? { partSize: first.length } : {}) });
    return etag;
  }

  async abortMultipartUpload(input: { uploadId: string }): Promise<void> {
    this.uploads.delete(input.uploadId);
  }
}
