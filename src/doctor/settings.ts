import type { ProjectConfig, ResolvedSetting, SettingSource } from '../core/config.js';
import { SYNC_VARIABLES, syncSetting } from '../frontend/settings.js';

/**
 * The settings the doctor's checks use, each read through the project's one settings resolver exactly as the
 * command that uses it reads it: the frontend sync ones through `syncSetting` (so `sync.env` ranks the same),
 * the others as plain variables.
 */
export const DOCTOR_SETTINGS = {
  // Shown as host:port/database only, like the database check: no user name, no password.
  connectionUrl: { label: 'database URL', variables: ['CONNECTION_URL'], show: describeDatabaseUrl },
  uploadsBucket: { label: 'avatar uploads bucket', variables: ['UPLOADS_BUCKET_NAME'] },
  assetsBucket: { label: 'avatar assets bucket', variables: ['ASSETS_BUCKET_NAME'] },
  avatarDistributionId: { label: 'avatar CloudFront distribution', variables: ['CLOUDFRONT_DISTRIBUTION_ID'] },
  syncBucket: { label: 'frontend sync bucket', variables: SYNC_VARIABLES.bucket, sync: 'bucket' },
  syncDistributionId: { label: 'frontend sync CloudFront distribution', variables: SYNC_VARIABLES.distributionId, sync: 'distributionId' },
  securityGroupId: { label: 'RDS security group', variables: ['DB_SG_ID'] },
  securityGroupRuleId: { label: 'RDS security group rule', variables: ['DB_SG_RULE_ID'] },
} as const satisfies Record<string, { label: string; variables: readonly string[]; show?: (value: string) => string; sync?: keyof typeof SYNC_VARIABLES }>;

export type DoctorSettingKey = keyof typeof DOCTOR_SETTINGS;

/** The resolved settings by key; a key is absent when nothing sets it. */
export type DoctorSettings = Partial<Record<DoctorSettingKey, ResolvedSetting>>;

/** One row of the report's settings table (and of `--json`'s `settings`): what a check used and where it came from. */
export interface SettingReport {
  key: DoctorSettingKey;
  label: string;
  /** The variable that held the value, or the first one looked for when unset. */
  variable: string;
  /** The value, safe to print (a database URL as host:port/database); null when unset. */
  value: string | null;
  /** Where it came from; null when unset. */
  source: SettingSource | null;
}

/** Resolves every doctor setting once (the checks and the settings table share the result). */
export function resolveDoctorSettings(project: ProjectConfig): DoctorSettings {
  const settings: DoctorSettings = {};
  for (const [key, spec] of Object.entries(DOCTOR_SETTINGS) as Array<[DoctorSettingKey, (typeof DOCTOR_SETTINGS)[DoctorSettingKey]]>) {
    const resolved = 'sync' in spec ? syncSetting(project, spec.sync) : project.setting({ variables: spec.variables });
    if (resolved) settings[key] = resolved;
  }
  return settings;
}

/** The settings as report rows, in the order of {@link DOCTOR_SETTINGS}; a database URL shows no credentials. */
export function settingsReport(settings: DoctorSettings): SettingReport[] {
  return (Object.entries(DOCTOR_SETTINGS) as Array<[DoctorSettingKey, (typeof DOCTOR_SETTINGS)[DoctorSettingKey]]>).map(([key, spec]) => {
    const resolved = settings[key];
    const value = resolved ? ('show' in spec ? spec.show(resolved.value) : resolved.value) : null;
    return { key, label: spec.label, variable: resolved?.name ?? spec.variables[0] ?? key, value, source: resolved?.source ?? null };
  });
}

/** host:port/database of a connection URL: what is safe and useful to show (no user, no password). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : '/'}`;
  } catch {
    return '(unparsable URL)';
  }
}
