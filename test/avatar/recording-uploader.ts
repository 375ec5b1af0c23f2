import { Readable } from 'node:stream';
import type { UploadInput, Uploader } from '../../src/avatar/upload.js';

/**
 * An uploader that records what it was asked to upload and reads none of it (a stream body is destroyed);
 * it reports a multipart upload above `partSize` bytes, as the real one would.
 */
export function recordingUploader(partSize = 8 * 1024 * 1024): Uploader & { inputs: UploadInput[] } {
  const inputs: UploadInput[] = [];
  return {
    inputs,
    async upload(input) {
      inputs.push(input);
      if (input.body instanceof Readable) input.body.destroy();
      return { multipart: input.size > partSize };
    },
  };
}
