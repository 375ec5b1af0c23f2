import { createHash } from 'node:crypto';
import type { DeleteResult, RemoteObject } from '../../src/aws/s3-store.js';
import type { SyncPutInput, SyncStore, UploadPartInput } from '../../src/frontend/store.js';

export interface MemoryObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  contentType?: string;
  cacheControl?: string;
}

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
  private writesLeft = Number.POSITIVE_INFINITY;
  dead = false;
  private version = 0;
  private readonly uploads = new Map<string, Map<number, Buffer>>();
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

  text(key: string): string | undefined {
    return this.objects.get(key)?.body.toString('utf8');
  }

  async listObjects(_bucket: string): Promise<RemoteObject[]> {
    await this.gate('list', false);
    return [...this.objects].map(([key, o]) => ({ key, size: o.body.length, etag: o.etag }));
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
    this.objects.set(input.key, { body: Buffer.from(input.body), etag, metadata: { ...input.metadata }, contentType: input.contentType, cacheControl: input.cacheControl });
    return etag;
  }

  async deleteObjects(_bucket: string, keys: string[]): Promise<DeleteResult> {
    await this.gate(`delete ${keys.join(',')}`, true);
    for (const key of keys) this.objects.delete(key);
    return { deleted: [...keys], failed: [] };
  }

  async createMultipartUpload(input: { key: string; metadata?: Record<string, string> }): Promise<string> {
    await this.gate(`multipart ${input.key}`, true);
    const id = `u${++this.version}`;
    this.uploads.set(id, new Map());
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
    this.objects.set(input.key, { body, etag, metadata: { 'cruddur-md5': md5(body) } });
    return etag;
  }

  async abortMultipartUpload(input: { uploadId: string }): Promise<void> {
    this.uploads.delete(input.uploadId);
  }
}
