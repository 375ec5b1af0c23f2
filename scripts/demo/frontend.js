// Demo step: build the sample frontend, then sync it to a bucket on the local S3 (s3rver) and show the plan.
// Wired into scripts/demo.js by the lead: step({ cli, appDir, env, log }).
import { S3Client, CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';

export default async function step({ cli, appDir, env, log }) {
  const bucket = env.SYNC_S3_BUCKET || env.DOMAIN_NAME || 'cruddur-demo-frontend';
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('the frontend demo needs the local S3 (AWS_ENDPOINT_URL_S3 in env)');

  // The website bucket is the user's to create in AWS; on the local S3 the demo makes it.
  const s3 = new S3Client({
    region: env.AWS_REGION || 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID || 'S3RVER', secretAccessKey: env.AWS_SECRET_ACCESS_KEY || 'S3RVER' },
  });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket })).catch(() => s3.send(new CreateBucketCommand({ Bucket: bucket })));
  } finally {
    s3.destroy();
  }

  log('$ cruddur frontend static-build');
  const built = await cli(['frontend', 'static-build', '--cwd', appDir], { REACT_APP_BACKEND_URL: env.REACT_APP_BACKEND_URL || env.BACKEND_URL || 'http://localhost:4567' });
  if (built.exitCode !== 0) throw new Error(`static-build failed (exit ${built.exitCode}):\n${built.stderr}`);

  const args = ['frontend', 'sync', '--cwd', appDir, '--bucket', bucket, '--auto-approve'];
  log(`$ cruddur ${args.slice(0, 2).join(' ')} --bucket ${bucket} --auto-approve`);
  const synced = await cli(args);
  if (synced.exitCode !== 0) throw new Error(`frontend sync failed (exit ${synced.exitCode}):\n${synced.stderr}`);
  log(synced.stdout.trimEnd());

  // A second run shows that an unchanged build uploads nothing.
  log(`$ cruddur frontend sync --bucket ${bucket} --auto-approve   # again, nothing changed`);
  const again = await cli(args);
  if (again.exitCode !== 0) throw new Error(`second frontend sync failed (exit ${again.exitCode}):\n${again.stderr}`);
  log(again.stdout.trimEnd());
}
