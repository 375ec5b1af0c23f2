// `npm run demo` step: make a sample avatar with sharp in the demo app, then thumbnail it locally
// with `cruddur avatar process` (the Lambda's transform, no AWS needed) and print the result.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SAMPLE = 'bin/avatar/files/data.jpg';
const OUT = 'tmp/avatars';

/** A 1600x1200 photo-like JPEG: a gradient with a circle off-centre, stored with EXIF orientation 6. */
async function sampleImage() {
  const { default: sharp } = await import('sharp');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4f46e5"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs>
    <rect width="1600" height="1200" fill="url(#g)"/><circle cx="800" cy="600" r="380" fill="#fff" fill-opacity="0.85"/>
    <text x="800" y="660" font-size="200" text-anchor="middle" font-family="sans-serif" fill="#111">demo</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
}

export default async function step({ cli, appDir, log }) {
  await mkdir(join(appDir, 'bin/avatar/files'), { recursive: true });
  await writeFile(join(appDir, SAMPLE), await sampleImage());
  log(`generated ${SAMPLE} (1600x1200 JPEG, EXIF orientation 6)`);

  const result = await cli(['avatar', 'process', SAMPLE, '--out', OUT, '--json', '--cwd', appDir]);
  if (result.exitCode !== 0) {
    throw new Error(`cruddur avatar process failed (exit ${result.exitCode}):\n${result.stderr || result.stdout}`);
  }
  const doc = JSON.parse(result.stdout);
  for (const file of doc.files) {
    log(`cruddur avatar process ${file.input} -> ${file.output}: ${file.width}x${file.height} JPEG, ${file.bytes} bytes, ${file.ms} ms`);
  }
  return doc;
}
