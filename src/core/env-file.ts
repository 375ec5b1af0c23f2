import { existsSync, readFileSync } from 'node:fs';
import { CruddurError } from './errors.js';
import { isSecretName } from './redact.js';

/**
 * The one reader for env-style files (`.env`, `.env.local`, `.cruddur/local.env`, `sync.env`,
 * `frontend-react-js.env`, files given by flag), with docker compose's rules, because compose reads the
 * same files (`.env`, `env_file:`). The spec is compose's own parser (compose-go `dotenv` + `template`)
 * and https://docs.docker.com/compose/environment-variables/env-file/ ; docs/env.md lists the rules.
 *
 * - `KEY=VALUE`, `export KEY=VALUE`, `KEY: VALUE`; blank lines and lines starting with `#` are skipped;
 *   a UTF-8 BOM is dropped; a lone `KEY` takes the value from the lookup (process environment) if set.
 * - Unquoted values end at the end of the line; ` #` (a space, then `#`) starts a comment; trailing
 *   whitespace is trimmed; backslashes are literal; `$` interpolation applies.
 * - `'...'`: literal (only `\'` is unescaped), may span lines.
 * - `"..."`: `\n \r \t \a \b \f \v \\ \" \$ \0NNN` escapes, then interpolation; may span lines.
 * - Interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR:+r}`,
 *   `${VAR+r}` (nested), `$$` for a literal `$`. A name is looked up in `lookup` (the process
 *   environment) first, then in the file's earlier lines.
 *
 * Errors (CruddurError, code ENV_FILE_INVALID) name file and line: an unterminated quote, a bad key, text
 * after a closing quote, `${VAR:?msg}` unmet, an invalid `${...}`. An unset `${VAR}`/`$VAR` with no
 * default is a warning naming file and line (compose: "The "X" variable is not set. Defaulting to a
 * blank string.") and becomes empty.
 */
export interface EnvFileOptions {
  /** Shown in errors and warnings: a path relative to the project root. */
  file: string;
  /** Looked up before the file's earlier lines (compose: the process environment). */
  lookup?: Readonly<Record<string, string | undefined>>;
  warn?: (message: string) => void;
}

const SPACE = /[\t\v\f\r \u0085\u00a0]/;

export function parseEnvFile(source: string, options: EnvFileOptions): Record<string, string> {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const out: Record<string, string> = {};
  const lookup = options.lookup ?? {};
  let pos = 0;
  let line = 1;
  // Messages never quote a value or a line that may be one: a malformed value is often a password with a
  // quote in it, and parsing stopped before it could be registered for redaction. They name the file, the
  // line, the key and what is wrong.
  const fail = (atLine: number, problem: string, fix?: string): never => {
    throw new CruddurError(`${options.file}:${atLine}: ${problem}`, {
      suggestion: `${fix ?? `fix line ${atLine} of ${options.file}`} (KEY=value; quote values with spaces; see docs/env.md)`,
      code: 'ENV_FILE_INVALID',
    });
  };
  // A name with a space may be a key and a value with the `=` forgotten (`DB_PASSWORD hunter2`): only its
  // first word is shown.
  const spaced = (name: string): never =>
    fail(line, `the key starting ${JSON.stringify(name.split(/\s/)[0])} contains a space`, `fix line ${line} of ${options.file}: one name, then "=" and the value`);
  const own = (map: Readonly<Record<string, string | undefined>>, name: string) => (Object.hasOwn(map, name) ? map[name] : undefined);
  const resolve = (name: string): string | undefined => own(lookup, name) ?? own(out, name);

  while (pos < text.length) {
    // Skip whitespace and blank lines.
    const ch = text[pos] as string;
    if (ch === '\n') {
      line++;
      pos++;
      continue;
    }
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '#') {
      const end = text.indexOf('\n', pos);
      pos = end < 0 ? text.length : end;
      continue;
    }
    const startLine = line;
    let rest = text.slice(pos);
    const exported = /^export[\t\v\f\r \u0085\u00a0]+/.exec(rest);
    if (exported) {
      pos += exported[0].length;
      rest = text.slice(pos);
    }
    // The key: letters, digits, `_ . - [ ]`, ended by `=`, `:` or the end of the line.
    let i = 0;
    let keyEnd = -1;
    let inherited = false;
    for (; i < rest.length; i++) {
      const c = rest[i] as string;
      if (SPACE.test(c)) continue;
      if (c === '=' || c === ':') {
        keyEnd = i;
        break;
      }
      if (c === '\n') {
        keyEnd = i;
        inherited = true;
        break;
      }
      if (!/[\p{L}\p{N}_.\-[\]]/u.test(c)) {
        // Only text before a `=`/`:` on the same line is a name; anything else may be part of a value.
        const line0 = rest.split('\n')[0] as string;
        const isName = /[=:]/.test(line0.slice(i));
        const before = rest.slice(0, i).trim();
        if (isName && /\s/.test(before)) spaced(before);
        fail(
          startLine,
          isName
            ? `unexpected character ${JSON.stringify(c)} in the variable name ${JSON.stringify(rest.slice(0, i).trim() + c)}`
            : `not a KEY=value line (a character that cannot be in a variable name, and no "=")`,
          isName ? `rename the variable on line ${startLine} of ${options.file} with letters, digits and _ . - [ ] only` : `fix line ${startLine} of ${options.file}; if it continues the value above, quote that value`,
        );
      }
    }
    if (keyEnd < 0) {
      keyEnd = rest.length;
      inherited = true;
    }
    const key = rest.slice(0, keyEnd).replace(/\s+$/, '');
    if (/\s/.test(key)) {
      if (inherited) fail(startLine, 'not a KEY=value line (words with spaces and no "=")', `fix line ${startLine} of ${options.file}; if it continues the value above, quote that value`);
      spaced(key);
    }
    pos += keyEnd + 1;
    if (inherited) {
      line++;
      const value = own(lookup, key);
      if (value !== undefined) out[key] = value;
      continue;
    }
    while (pos < text.length && SPACE.test(text[pos] as string)) pos++;
    const quote = text[pos];
    if (quote === '"' || quote === "'") {
      let chars = '';
      let escaped = false;
      let closed = -1;
      for (let j = pos + 1; j < text.length; j++) {
        const c = text[j] as string;
        if (c === '\n') line++;
        if (c !== quote) {
          if (!escaped && c === '\\') {
            escaped = true;
            continue;
          }
          if (escaped) {
            escaped = false;
            chars += '\\';
          }
          chars += c;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += c;
          continue;
        }
        closed = j;
        break;
      }
      if (closed < 0) fail(startLine, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value for ${key}`);
      const valueLine = startLine;
      out[key] = quote === '"' ? interpolate(unescapeDouble(chars), valueLine, key) : chars;
      pos = closed + 1;
      // After the closing quote: whitespace, then a comment or the end of the line.
      const tail = /^[^\n]*/.exec(text.slice(pos))?.[0] ?? '';
      if (!/^[\t\v\f\r \u0085\u00a0]*(#.*)?$/.test(tail)) {
        const q = quote === '"' ? 'double' : 'single';
        fail(
          line,
          `the value of ${key} has text after its closing ${q} quote (a ${q} quote inside the value ends it)`,
          `on line ${line} of ${options.file}, put the whole value of ${key} in one pair of quotes and write a ${quote} inside it as \\${quote}`,
        );
      }
      pos += tail.length;
      continue;
    }
    const end = text.indexOf('\n', pos);
    let raw = text.slice(pos, end < 0 ? text.length : end);
    pos = end < 0 ? text.length : end;
    const comment = raw.indexOf(' #');
    if (comment >= 0) raw = raw.slice(0, comment);
    out[key] = interpolate(raw.replace(/\s+$/, ''), startLine, key);
  }
  return out;

  function interpolate(value: string, atLine: number, key: string): string {
    return substitute(value, atLine, key);
  }

  function substitute(value: string, atLine: number, key: string): string {
    let result = '';
    let k = 0;
    while (k < value.length) {
      const dollar = value.indexOf('$', k);
      if (dollar < 0) {
        result += value.slice(k);
        break;
      }
      result += value.slice(k, dollar);
      const next = value[dollar + 1];
      if (next === '$') {
        result += '$';
        k = dollar + 2;
        continue;
      }
      const named = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(value.slice(dollar + 1));
      if (named) {
        result += lookupOrWarn(named[0], atLine, key);
        k = dollar + 1 + named[0].length;
        continue;
      }
      if (next !== '{') {
        result += '$';
        k = dollar + 1;
        continue;
      }
      // `${...}` up to its matching brace (nested `${` count).
      let depth = 0;
      let close = -1;
      for (let m = dollar + 1; m < value.length; m++) {
        if (value[m] === '{') depth++;
        else if (value[m] === '}' && --depth === 0) {
          close = m;
          break;
        }
      }
      const body = close < 0 ? '' : value.slice(dollar + 2, close);
      const braced = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
      if (close < 0 || !braced) {
        fail(
          atLine,
          close < 0 ? `the value of ${key} has a "\${" with no closing "}"` : `the value of ${key} has an invalid "\${...}" (it takes a name, then optionally :-, -, :+, +, :? or ? and a word)`,
          `on line ${atLine} of ${options.file}, write $$ for a literal $ in the value of ${key}, or use \${NAME} or \${NAME:-default}`,
        );
      }
      const [, name = '', op, word = ''] = braced as RegExpExecArray;
      const current = resolve(name);
      const set = current !== undefined;
      const nonEmpty = set && current !== '';
      switch (op) {
        case undefined:
          result += lookupOrWarn(name, atLine, key);
          break;
        case ':-':
          result += nonEmpty ? current : substitute(word, atLine, key);
          break;
        case '-':
          result += set ? current : substitute(word, atLine, key);
          break;
        case ':+':
          result += nonEmpty ? substitute(word, atLine, key) : (current ?? '');
          break;
        case '+':
          result += set ? substitute(word, atLine, key) : '';
          break;
        case ':?':
        case '?':
          if (op === ':?' ? !nonEmpty : !set) {
            const reason = substitute(word, atLine, key);
            fail(atLine, `required variable ${name} is missing a value${reason ? `: ${reason}` : ''}`);
          }
          result += current;
          break;
      }
      k = close + 1;
    }
    return result;
  }

  function lookupOrWarn(name: string, atLine: number, key: string): string {
    const value = resolve(name);
    if (value === undefined) {
      // In a secret (`DB_PASSWORD=pa$sword`) or a name unlike a variable's the "name" is likely part of a
      // password with a `$` in it: the warning names the key instead.
      options.warn?.(
        isSecretName(key) || !/^[A-Z_][A-Z0-9_]*$/.test(name)
          ? `${options.file}:${atLine}: the value of ${key} has a "$" followed by the name of a variable that is not set; defaulting to a blank string (write $$ for a literal $)`
          : `${options.file}:${atLine}: the "${name}" variable is not set; defaulting to a blank string`,
      );
      return '';
    }
    return value;
  }
}

const DOUBLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', $: '$$' };

/** compose's escapes inside double quotes; unknown ones (`\q`) stay as written. `\$` becomes `$$` (a literal `$`). */
function unescapeDouble(value: string): string {
  // compose: `\0` plus exactly three octal digits is a byte (`\0101` is `A`); other `\0...` stay as written.
  return value.replace(/\\(?:([abfnrtv$"\\])|0(\d{0,3}))/g, (match, simple: string | undefined, digits: string | undefined) => {
    if (simple !== undefined) return DOUBLE_ESCAPES[simple] ?? match;
    if (!/^[0-7]{3}$/.test(digits ?? '')) return match;
    const code = Number.parseInt(digits as string, 8);
    return code > 0xff ? match : String.fromCharCode(code);
  });
}

/** Reads and parses an env file; a missing file is `{}`. */
export function readEnvFile(path: string, options: EnvFileOptions): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnvFile(readFileSync(path, 'utf8'), options);
}
