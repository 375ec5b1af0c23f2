import { assetsKey } from './plan.js';
import { thumbnail, thumbnailSettings } from './transform.js';

export interface Avatar {
  /** Where the Lambda would write it: `avatars/<name>.jpg`. */
  key: string;
  body: Buffer;
  contentType: string;
}

/**
 * What the thumbnail Lambda does with one upload, minus the S3 calls: for the local stack's worker,
 * which reads `uploadKey` from the uploads bucket and puts the result in the assets bucket.
 */
export async function avatarForUpload(upload: Buffer, uploadKey: string): Promise<Avatar> {
  const settings = thumbnailSettings();
  return {
    key: assetsKey(uploadKey, settings.outputFolder, settings.outputExtension),
    body: await thumbnail(upload, settings),
    contentType: settings.contentType,
  };
}
