// Cruddur avatar thumbnails: an upload to the uploads bucket triggers this handler, which writes
// `<outputFolder>/<name>.jpg` to DEST_BUCKET_NAME. The transform settings live in
// thumbnail-settings.json, the same file `cruddur avatar process` reads, so local thumbnails are
// byte-for-byte what this Lambda produces (cruddur's tests compare the two).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const SETTINGS = JSON.parse(readFileSync(new URL('./thumbnail-settings.json', import.meta.url), 'utf8'));

// A Lambda runs one image at a time: give libvips every core and no cache between invocations.
sharp.cache(false);

/** The transform: rotate by EXIF, cover-crop to the square from the centre, flatten alpha, JPEG, no metadata. */
export function thumbnail(input, settings = SETTINGS) {
  let image = sharp(input, { failOn: settings.failOn });
  if (settings.autoOrient) image = image.rotate();
  image = image.resize({ width: settings.width, height: settings.height, fit: settings.fit, position: settings.position });
  const format = settings.format ?? 'jpeg';
  if (format === 'jpeg') return image.flatten({ background: settings.background }).jpeg(settings.jpeg).toBuffer();
  return image.toFormat(format).toBuffer();
}

/** `uploads/Some Photo.png` -> `avatars/Some Photo.jpg` (FOLDER_OUTPUT overrides the folder, as in the bootcamp stack). */
export function outputKey(sourceKey, folder = process.env.FOLDER_OUTPUT || SETTINGS.outputFolder) {
  const name = path.posix.parse(sourceKey).name;
  return `${folder.replace(/\/+$/, '')}/${name}${SETTINGS.outputExtension}`;
}

let client;

export async function handler(event, _context, s3 = (client ??= new S3Client({}))) {
  const destination = process.env.DEST_BUCKET_NAME;
  if (!destination) throw new Error('DEST_BUCKET_NAME is not set');
  const written = [];
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    // Event keys are URL-encoded with `+` for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    // One bucket for both: never process our own output (it would trigger this Lambda again).
    const outputFolder = (process.env.FOLDER_OUTPUT || SETTINGS.outputFolder).replace(/\/+$/, '');
    if (bucket === destination && key.startsWith(`${outputFolder}/`)) continue;
    const source = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await source.Body.transformToByteArray());
    const output = await thumbnail(body);
    const destinationKey = outputKey(key);
    await s3.send(
      new PutObjectCommand({ Bucket: destination, Key: destinationKey, Body: output, ContentType: SETTINGS.contentType }),
    );
    console.log(JSON.stringify({ source: `s3://${bucket}/${key}`, output: `s3://${destination}/${destinationKey}`, bytes: output.length }));
    written.push(destinationKey);
  }
  return { written };
}
