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

/** True for a variable name that says its value is secret (`DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A JSON property name whose string value is a secret: UPPER_SNAKE names as in env files
 * (`DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`) and the camelCase/snake_case credential fields of the AWS
 * SDK and config (`secretAccessKey`, `sessionToken`, `aws_secret_access_key`), and `password`.
 */
function isSecretKey(key: string): boolean {
  if (/^[A-Z0-9_]+$/.test(key)) return /(SECRET|TOKEN|PASSWORD|PASSWD|SESSION_KEY|API_KEY|PRIVATE_KEY)/.test(key);
  return /^(password|passwd|(aws_)?secret_access_key|(aws_)?session_token|secretAccessKey|sessionToken|authorizationToken)$/i.test(key);
}

interface Pattern {
  regex: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const PATTERNS: Pattern[] = [
  // scheme://user:password@host -> scheme://user:***@host. libpq takes a password with spaces (`p%40ss w0rd`),
  // so the password runs to the `@` on the same line, not to the first space.
  { regex: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\n@'"/]{1,256}?)@/gi, replace: `$1${REDACTED}@` },
  // libpq key/value style: password=secret (only `=`, so prose like "password: wrong" stays readable)
  { regex: /\b(password|passwd)(\s*=\s*)(['"]?)[^\s'"&;,]+\3/gi, replace: `$1$2$3${REDACTED}$3` },
  // AWS access key ids (long-term and temporary)
  { regex: /\b((?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12})[A-Z0-9]{4}\b/g, replace: `$1${REDACTED}` },
  // UPPER_SNAKE variables whose name says secret: AWS_SECRET_ACCESS_KEY=..., PGPASSWORD: ...
  // The value runs on through quoted parts and text glued to them (`"abc"def` is one shell word), or to the
  // end of the line after an unclosed quote, so no part of it survives; a leading quote is kept.
  {
    regex: /\b([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|SESSION_KEY|API_KEY)[A-Z0-9_]*)(\s*[=:]\s*)((?:"[^"\n]*"|'[^'\n]*'|[^\s"',])+|["'][^\n]*)/g,
    replace: (_match: string, name: string, sep: string, value: string) => {
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      return `${name}${sep}${quote}${REDACTED}${quote}`;
    },
  },
  // the AWS credentials file: aws_secret_access_key = ..., aws_session_token = ...
  { regex: /\b((?:aws_)?(?:secret_access_key|session_token|security_token))(\s*[=:]\s*)[^\s"',]+/g, replace: `$1$2${REDACTED}` },
  { regex: /\b(Authorization:\s*)(?:Basic|Bearer|AWS4-HMAC-SHA256)\s+[^\s]+/gi, replace: `$1${REDACTED}` },
];

/** A cheap gate: text without any of these cannot match a pattern (one test instead of one replace per pattern). */
const MAY_MATCH = /:\/\/|passw|AKIA|ASIA|AROA|AIDA|SECRET|TOKEN|SESSION_KEY|API_KEY|PRIVATE_KEY|secret_access_key|security_token|Authorization/i;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** `secrets`, longest first; rebuilt after `add` (redactValue calls `redact` once per string). */
  private sorted: string[] | undefined;
  /** Any registered secret, as one regex: most strings hold none and pay one test. */
  private anySecret: RegExp | undefined;

  /** Registers an exact secret value; short values are ignored (they would blank out ordinary words). */
  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed.length < 6 || PLACEHOLDERS.has(trimmed)) return;
    this.sorted = undefined;
    this.anySecret = undefined;
    this.secrets.add(trimmed);
    // URL-encoded forms show up in printed URLs; JSON-escaped ones (`\"`, `\\`) in logged JSON text.
    for (const form of [encodeURIComponent(trimmed), JSON.stringify(trimmed).slice(1, -1)]) {
      if (form !== trimmed) this.secrets.add(form);
    }
  }

  /** Registers every value in an environment whose name says it is secret, and URL passwords. */
  addFromEnv(env: Readonly<Record<string, string | undefined>>): void {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || value === '') continue;
      if (SECRET_NAME.test(name)) this.add(value);
      for (const password of connectionPasswords(value)) this.add(password);
    }
  }

  private anySecretIn(text: string): boolean {
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    this.anySecret ??= new RegExp(this.sorted.map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '(?!)');
    return this.anySecret.test(text);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is removed whole.
    if (this.anySecretIn(out)) {
      for (const secret of this.sorted ?? []) {
        if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      }
    }
    if (!MAY_MATCH.test(out)) return out;
    for (const { regex, replace } of PATTERNS) out = out.replace(regex, replace as (match: string, ...groups: string[]) => string);
    return out;
  }

  /**
   * Redacts every string inside a JSON-able value (object keys too) and returns a plain JSON value, so
   * `JSON.stringify` of the result is always one valid document. The strings are redacted before
   * serialising: rewriting serialised JSON text would cut through escapes (`\"`, `\\`) and break it.
   * A string under a secret-named key (`DB_PASSWORD`, `secretAccessKey`, `sessionToken`) becomes `***`
   * whole, as `KEY=value` does in text.
   */
  redactValue<T>(value: T): T {
    const text = JSON.stringify(value ?? null) ?? 'null';
    const plain = JSON.parse(text) as unknown;
    // Nothing to hide anywhere (no pattern's or secret key's word, no registered secret, escaped forms included).
    if (!MAY_MATCH.test(text) && !this.anySecretIn(text)) return plain as T;
    const walk = (node: unknown, key: string | undefined): unknown => {
      if (typeof node === 'string') return key !== undefined && isSecretKey(key) && node !== '' ? REDACTED : this.redact(node);
      if (Array.isArray(node)) return node.map((item) => walk(item, undefined));
      if (node !== null && typeof node === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) out[this.redact(k)] = walk(v, k);
        return out;
      }
      return node;
    };
    return walk(plain, undefined) as T;
  }
}

/**
 * The userinfo of a URL as libpq reads it, found by position, not by a URL parser (WHATWG `URL` rejects
 * what psql accepts, such as a space in the password): `scheme://[user[:password]@]host...`. The
 * userinfo runs from `://` to the last `@` before the first `/` after it (libpq stops at the first `@`;
 * the last one also covers an unencoded `@` in a password); the password is everything after the first
 * `:` in it. Offsets are into `value`; undefined when there is no `scheme://...:...@`.
 */
function urlPasswordSpan(value: string): { start: number; end: number } | undefined {
  const scheme = /^\s*[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (!scheme) return undefined;
  const authorityStart = scheme[0].length;
  const slash = value.indexOf('/', authorityStart);
  const authorityEnd = slash < 0 ? value.length : slash;
  const at = value.lastIndexOf('@', authorityEnd - 1);
  if (at < authorityStart) return undefined;
  const colon = value.indexOf(':', authorityStart);
  if (colon < 0 || colon > at) return undefined;
  return { start: colon + 1, end: at };
}

/** `%40` -> `@`; the text as written when it holds a malformed escape. */
function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Every password a connection string carries, in the forms it may be printed in: a libpq URL's userinfo
 * password (the `:`-after-the-first-`@` reading libpq uses, and the last-`@` reading) and its
 * `?password=` query parameter, each as written and percent-decoded; a key/value conninfo string's
 * `password=secret` or `password='it\'s'` (libpq: single quotes, `\'` and `\\` escapes). Spec: libpq
 * "Connection Strings" (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING).
 */
export function connectionPasswords(value: string): string[] {
  const found: string[] = [];
  const span = urlPasswordSpan(value);
  if (span) {
    const password = value.slice(span.start, span.end);
    found.push(password);
    // libpq's own reading ends the userinfo at the first `@`.
    const firstAt = password.indexOf('@');
    if (firstAt >= 0) found.push(password.slice(0, firstAt));
  }
  if (/^\s*[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const query = value.indexOf('?');
    if (query >= 0) {
      for (const pair of value.slice(query + 1).split(/[&#]/)) {
        const eq = pair.indexOf('=');
        if (eq > 0 && percentDecode(pair.slice(0, eq)).trim().toLowerCase() === 'password') found.push(pair.slice(eq + 1));
      }
    }
  } else {
    for (const match of value.matchAll(/(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'?|\S+)/gi)) {
      const raw = match[1] as string;
      found.push(raw);
      if (raw.startsWith("'")) found.push(raw.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1'));
    }
  }
  return [...new Set(found.flatMap((p) => [p, percentDecode(p)]))].filter((p) => p !== '');
}

/** The process-wide redactor every printer goes through. */
export const redactor = new Redactor();
redactor.addFromEnv(process.env);

export function redact(text: string): string {
  return redactor.redact(text);
}

/**
 * A URL safe to print: the password replaced, whatever its shape. A URL that WHATWG `URL` rejects (a space
 * in the password, which psql accepts) has its userinfo password found the way libpq finds it.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = REDACTED;
    return redact(url.toString());
  } catch {
    const span = urlPasswordSpan(value);
    const masked = span ? `${value.slice(0, span.start)}${REDACTED}${value.slice(span.end)}` : value;
    return redact(masked);
  }
}
