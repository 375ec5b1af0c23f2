/**
 * Removes secrets from every line cruddur prints. Two layers: patterns that recognise secrets by
 * shape (URL passwords, AWS keys, key=value secrets) and exact values registered at run time
 * (values of secret-named variables, a docker password received from ECR).
 */
export const REDACTED = '***';

/**
 * Well-known placeholder values (the local stack's PostgreSQL and s3rver credentials, the bootcamp's
 * docker-compose password) are not registered as exact secrets: masking every "postgres" in every line
 * would make output unreadable. Inside URLs they are still masked by pattern.
 */
const PLACEHOLDERS = new Set(['postgres', 'password', 'S3RVER']);

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY)/i;

interface Pattern {
  regex: RegExp;
  replace: string;
}

const PATTERNS: Pattern[] = [
  // scheme://user:password@host -> scheme://user:***@host
  { regex: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@'"/]+)@/gi, replace: `$1${REDACTED}@` },
  // libpq key/value style: password=secret (only `=`, so prose like "password: wrong" stays readable)
  { regex: /\b(password|passwd)(\s*=\s*)(['"]?)[^\s'"&;,]+\3/gi, replace: `$1$2$3${REDACTED}$3` },
  // AWS access key ids (long-term and temporary)
  { regex: /\b((?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12})[A-Z0-9]{4}\b/g, replace: `$1${REDACTED}` },
  // UPPER_SNAKE variables whose name says secret: AWS_SECRET_ACCESS_KEY=..., PGPASSWORD: ...
  {
    regex: /\b([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|SESSION_KEY|API_KEY)[A-Z0-9_]*)(\s*[=:]\s*)(["']?)[^\s"',]+\3/g,
    replace: `$1$2$3${REDACTED}$3`,
  },
  // the AWS credentials file: aws_secret_access_key = ..., aws_session_token = ...
  { regex: /\b((?:aws_)?(?:secret_access_key|session_token|security_token))(\s*[=:]\s*)[^\s"',]+/g, replace: `$1$2${REDACTED}` },
  { regex: /\b(Authorization:\s*)(?:Basic|Bearer|AWS4-HMAC-SHA256)\s+[^\s]+/gi, replace: `$1${REDACTED}` },
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers an exact secret value; short values are ignored (they would blank out ordinary words). */
  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed.length < 6 || PLACEHOLDERS.has(trimmed)) return;
    this.secrets.add(trimmed);
    // URL-encoded forms show up in printed URLs.
    const encoded = encodeURIComponent(trimmed);
    if (encoded !== trimmed) this.secrets.add(encoded);
  }

  /** Registers every value in an environment whose name says it is secret, and URL passwords. */
  addFromEnv(env: Readonly<Record<string, string | undefined>>): void {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || value === '') continue;
      if (SECRET_NAME.test(name)) this.add(value);
      const password = urlPassword(value);
      if (password !== undefined) this.add(password);
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(REDACTED);
    }
    for (const { regex, replace } of PATTERNS) out = out.replace(regex, replace);
    return out;
  }

  /** Redacts every string inside a JSON-able value. */
  redactValue<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value ?? null))) as T;
  }
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    return undefined;
  }
}

/** The process-wide redactor every printer goes through. */
export const redactor = new Redactor();
redactor.addFromEnv(process.env);

export function redact(text: string): string {
  return redactor.redact(text);
}

/** A URL safe to print: the password replaced, whatever its shape. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = REDACTED;
    return url.toString();
  } catch {
    return redact(value);
  }
}
