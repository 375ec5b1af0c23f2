import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { isInteractive } from '../../core/output.js';
import { terminalConfirm } from '../../core/prompt.js';
import { phaseProgress } from '../../core/progress.js';
import type { SyncResult } from '../../frontend/sync.js';

export default class FrontendSync extends BaseCommand {
  static override summary = 'Sync the build to S3 (plan, changeset, approval, upload) and invalidate CloudFront.';
  static override description = `Replaces the aws_s3_website_sync gem. Settings come from flags, or from the gem's variables in the
environment or sync.env: SYNC_S3_BUCKET, SYNC_CLOUDFRONT_DISTRIBUTION_ID (or the bootcamp's SYNC_CLOUDFRONT_DISTRUBTION_ID),
SYNC_BUILD_DIR, SYNC_OUTPUT_CHANGESET_PATH, SYNC_AUTO_APPROVE, SYNC_IGNORE_FILES; then the bare names of the
bootcamp's Rakefile (S3_BUCKET, CLOUDFRONT_DISTRUBTION_ID, BUILD_DIR, OUTPUT_CHANGESET_PATH, AUTO_APPROVE).

Files are compared by content (size, then MD5 against the ETag, or the MD5 each upload stores in its metadata
when the ETag is not one: SSE-KMS, SSE-C, multipart), never by date, so a fresh CI checkout uploads only what
changed. The changeset is written as JSON and summarised (no_change and ignore rows only in the file); after
approval, assets are uploaded first, HTML entry points last, header-only changes (server-side copies) next,
deletes last (batches of 1,000), then the CloudFront invalidation. What is owed to CloudFront and a lock are kept
in the bucket (<prefix>.cruddur/sync-state.json): a killed deploy is invalidated by the next run from any
checkout, and an overlapping deploy refuses.

Default headers (a single-page app needs no options):
  Cache-Control  content-hashed files (static/js/main.1a2b3c4d.js, assets/index-BdV3x_9k.js):
                 "public, max-age=31536000, immutable"; every other file (index.html, service-worker.js,
                 asset-manifest.json, manifest.json, robots.txt...): "no-cache"
  Content-Type   from the extension, "; charset=utf-8" for text types (HTML, CSS, JS, JSON, text/*);
                 .well-known/apple-app-site-association, openid-configuration, oauth-authorization-server,
                 nodeinfo: application/json; webfinger: application/jrd+json; host-meta: application/xrd+xml
Precedence: --cache-control / --content-type rules, then cruddur.json frontend.routes (first match), then the
defaults. A change of headers alone updates the objects by server-side copy on the next sync (no re-upload).

--exclude / --include follow aws s3 sync: every file is included, the last matching filter decides; excluded
paths are neither uploaded nor deleted. Every option can also be set in cruddur.json under "frontend"
(docs/frontend.md).

CloudFront quotas: batches of at most 3,000 paths; when CloudFront answers TooManyInvalidationsInProgress, fewer
wildcard paths are sent when that is cheaper and the 15-wildcard quota allows, else the sync waits for in-progress
invalidations (progress shown) up to --invalidation-timeout, then exits 1 with the paths kept as owed in the bucket.`;

  static override examples = [
    { description: 'Preview what would change', command: '<%= config.bin %> <%= command.id %> --dry-run' },
    { description: 'Deploy from CI (no prompt)', command: '<%= config.bin %> <%= command.id %> --auto-approve' },
    { description: 'Explicit bucket and distribution, wait for the invalidation', command: '<%= config.bin %> <%= command.id %> --bucket example.com --distribution-id E123ABC --auto-approve --wait' },
    { description: 'Keep files that are not in the build and cache JSON for a minute', command: '<%= config.bin %> <%= command.id %> --no-delete --cache-control "*.json=public, max-age=60"' },
  ];

  static override flags = {
    bucket: Flags.string({ description: 'Bucket to sync to (default: SYNC_S3_BUCKET).' }),
    'distribution-id': Flags.string({ description: 'CloudFront distribution to invalidate (default: SYNC_CLOUDFRONT_DISTRIBUTION_ID).' }),
    'build-dir': Flags.string({ description: 'Build output to upload (default: SYNC_BUILD_DIR, then frontend-react-js/build).' }),
    changeset: Flags.string({ description: 'Where to write the changeset JSON (default: SYNC_OUTPUT_CHANGESET_PATH, then tmp/changeset.json; "-" for none).' }),
    'auto-approve': Flags.boolean({ description: 'Apply without asking (default: SYNC_AUTO_APPROVE).' }),
    'dry-run': Flags.boolean({ description: 'Plan, write the changeset and stop.' }),
    delete: Flags.boolean({ description: 'Delete bucket objects that are not in the build (--no-delete keeps them).', allowNo: true, default: true }),
    force: Flags.boolean({ description: 'Upload every file even when the bucket already has the same bytes (header changes alone need no --force: they are copied).' }),
    'max-delete': Flags.integer({ description: 'Refuse a plan that deletes more objects than this.', default: 256, min: 0 }),
    concurrency: Flags.integer({ description: 'Uploads in flight at once (32: measured best against a 20 ms-per-request S3; see bench/RESULTS.md).', default: 32, min: 1, max: 256 }),
    ignore: Flags.string({ description: 'Glob of keys to leave alone on both sides (repeatable, adds to SYNC_IGNORE_FILES; a glob without "/" matches file names).', multiple: true, multipleNonGreedy: true }),
    'cache-control': Flags.string({ description: 'GLOB=VALUE Cache-Control rule, checked before the built-in ones (repeatable).', multiple: true, multipleNonGreedy: true }),
    'strip-html-extension': Flags.boolean({ description: 'Upload about.html as "about" (never index.html).' }),
    'max-invalidation-paths': Flags.integer({ description: 'Coalesce invalidation paths into wildcards past this many.', default: 15, min: 1, max: 3000 }),
    wait: Flags.boolean({ description: 'Wait until the CloudFront invalidation completes.' }),
    'invalidation-timeout': Flags.integer({ description: "Seconds to wait out CloudFront's in-progress invalidation quota before exiting 1.", default: 600, min: 0 }),
    prefix: Flags.string({ description: 'Deploy under this key prefix (plan, deletes and invalidation paths stay inside it).' }),
    exclude: Flags.string({ description: 'aws s3 sync filter: leave paths matching this pattern alone (repeatable; the last matching --exclude/--include wins).', multiple: true, multipleNonGreedy: true }),
    include: Flags.string({ description: 'aws s3 sync filter: take back paths an earlier --exclude left out (repeatable).', multiple: true, multipleNonGreedy: true }),
    acl: Flags.string({ description: 'Canned ACL of every object (private, public-read, bucket-owner-full-control, ...).' }),
    sse: Flags.string({ description: 'Server-side encryption of every object: AES256 or aws:kms.' }),
    'sse-kms-key-id': Flags.string({ description: 'KMS key for --sse aws:kms (id, alias or ARN).' }),
    'storage-class': Flags.string({ description: 'Storage class of every object (STANDARD, STANDARD_IA, INTELLIGENT_TIERING, ...).' }),
    'content-type': Flags.string({ description: 'GLOB=TYPE Content-Type rule, checked before routes and the built-in types (repeatable).', multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<SyncResult> {
    // The gem's users write --delete=false; oclif booleans only know --no-delete.
    this.argv = this.argv.map((a) => (/^--delete=(false|0|no)$/i.test(a) ? '--no-delete' : /^--delete=(true|1|yes)$/i.test(a) ? '--delete' : a));
    const { flags } = await this.parse(FrontendSync);
    const [{ resolveSyncSettings }, { syncFrontend }, { syncStoreOf }, { createS3Store }, { createCloudFront }, report] = await Promise.all([
      import('../../frontend/settings.js'),
      import('../../frontend/sync.js'),
      import('../../frontend/store.js'),
      import('../../aws/s3-store.js'),
      import('../../aws/cloudfront.js'),
      import('../../frontend/report.js'),
    ]);
    const [{ filtersFromArgv }] = await Promise.all([import('../../frontend/filters.js')]);
    const project = this.project(flags);
    const settings = resolveSyncSettings(project, {
      bucket: flags.bucket,
      distributionId: flags['distribution-id'],
      buildDir: flags['build-dir'],
      changeset: flags.changeset,
      autoApprove: flags['auto-approve'],
      dryRun: flags['dry-run'],
      delete: flags.delete,
      force: flags.force,
      maxDelete: flags['max-delete'],
      concurrency: flags.concurrency,
      ignore: flags.ignore,
      cacheControl: flags['cache-control'],
      stripHtmlExtension: flags['strip-html-extension'],
      maxInvalidationPaths: flags['max-invalidation-paths'],
      wait: flags.wait,
      invalidationTimeout: flags['invalidation-timeout'],
      prefix: flags.prefix,
      filters: filtersFromArgv(this.argv),
      acl: flags.acl,
      sse: flags.sse,
      sseKmsKeyId: flags['sse-kms-key-id'],
      storageClass: flags['storage-class'],
      contentType: flags['content-type'],
    });
    const logger = this.logger(flags);
    logger.debug(`settings: ${JSON.stringify(settings.sources)}`);
    const aws = this.aws(flags);
    const json = this.jsonEnabled();
    let result: SyncResult;
    try {
      result = await syncFrontend(settings, {
        store: async () => syncStoreOf(createS3Store(await aws.s3())),
        cdn: async () => createCloudFront(await aws.cloudfront()),
        confirm: terminalConfirm({ assumeYes: settings.autoApprove, yesFlag: '--auto-approve' }),
        logger,
        onPlan: (plan, counts) => {
          if (!json) this.log(report.summaryText(plan.changeset, counts));
          if (settings.changesetPath && !json) this.log(`Changeset: ${settings.changesetPath}`);
        },
        onProgress: json ? undefined : phaseProgress(process.stderr, isInteractive(process.stderr)),
      });
    } catch (error) {
      const details = (error as { details?: unknown }).details as SyncResult | undefined;
      if (process.env.GITHUB_STEP_SUMMARY && details?.counts && details.changeset) {
        await report.appendStepSummary(process.env.GITHUB_STEP_SUMMARY, report.stepSummaryMarkdown(details));
      }
      throw error;
    }
    if (process.env.GITHUB_STEP_SUMMARY) await report.appendStepSummary(process.env.GITHUB_STEP_SUMMARY, report.stepSummaryMarkdown(result));
    if (!json) {
      if (result.dryRun) this.log('Dry run: nothing was changed.');
      else if (result.applied) {
        const inv = result.invalidation;
        this.log(`Uploaded ${result.uploaded.length}${result.copied.length > 0 ? `, updated the headers of ${result.copied.length}` : ''}, deleted ${result.deleted.length}${result.deleteBatches > 1 ? ` (${result.deleteBatches} batches)` : ''}.`);
        this.log(`CloudFront: ${inv.status}${inv.id ? ` ${inv.id}` : ''}${inv.paths.length > 0 ? ` (${inv.paths.join(' ')})` : ''}${inv.reason ? ` - ${inv.reason}` : ''}`);
      }
    }
    return result;
  }
}
