/**
 * Ruby's ERB for env templates, as the bootcamp ran it: `ERB.new(File.read(template)).result(binding)`
 * (no trim mode), on the small subset of Ruby env templates use. The spec is Ruby's ERB 2.2 compiler
 * (erb.rb: SimpleScanner + Compiler) and CRuby's semantics; src/env/erb.ruby.test.ts compares this module
 * with `ruby -rerb` byte for byte on a corpus. docs/env.md lists the subset.
 *
 * Tags: text, `<%= expr %>`, `<% code %>`, `<%# comment %>`, `<%%` (a literal `<%` in text), `%%>` (a
 * literal `%>` inside a tag). Ruby: `ENV['X']`, `ENV["X"]`, `ENV.fetch('X')`, `ENV.fetch('X', default)` (with
 * or without parentheses), `||`, `&&`, `!`, `==`, `!=`, `if/elsif/else/unless/end` (across tags), `c ? a : b`, `'...'`, `"..."`
 * with `#{}`, `nil`, `true`, `false`, `( )`, and the methods `.nil?`, `.empty?`, `.to_s`, `.strip`,
 * `.downcase`, `.upcase`. Anything else is an ErbError naming Ruby's line and the construct, found before
 * anything is evaluated.
 *
 * Lines are Ruby's: the line of the generated Ruby program, which is the template's line except after a
 * multi-line `<%# %>` comment (ERB drops a comment's newlines).
 */

export class ErbError extends Error {
  constructor(
    /** Ruby's line, 1-based. */
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ErbError';
  }
}

export interface ErbResult {
  content: string;
  /** Variables read while rendering (names only), in first-use order. */
  variables: string[];
  /**
   * Variables whose being unset changed the output as Ruby ran it, with the lines of those reads: an unset
   * `ENV['X']` printed by `<%= %>` or `#{}` (Ruby prints ""), `ENV.fetch('X')` (Ruby: KeyError), or a
   * string method called on it (Ruby: NoMethodError). They render as "" so every one is listed.
   * An unset variable that is tested (`if`, `||`, `.nil?`, `==`, `.to_s`) is not missing.
   */
  missing: Map<string, number[]>;
}

// ---------------------------------------------------------------- scanner (erb.rb SimpleScanner)

type Item = { kind: 'text'; value: string; line: number } | { kind: 'out' | 'code'; code: string; line: number; endLine: number };

function scan(source: string): Item[] {
  const items: Item[] = [];
  let line = 1;
  let text = '';
  let textLine = 1;
  let pos = 0;
  const count = (s: string) => s.split('\n').length - 1;
  while (pos < source.length) {
    const open = source.indexOf('<%', pos);
    if (open < 0) {
      text += source.slice(pos);
      break;
    }
    text += source.slice(pos, open);
    const marker = source[open + 2];
    if (marker === '%') {
      text += '<%';
      pos = open + 3;
      continue;
    }
    if (text) items.push({ kind: 'text', value: text, line: textLine });
    line += count(text);
    text = '';
    const kind = marker === '=' ? 'out' : marker === '#' ? 'comment' : 'code';
    const tagLine = line;
    pos = open + (kind === 'code' ? 2 : 3);
    let code = '';
    for (;;) {
      const close = source.indexOf('%>', pos);
      if (close < 0) {
        throw new ErbError(tagLine, `the tag opened with "${source.slice(open, open + (kind === 'code' ? 2 : 3))}" is never closed with "%>" (Ruby would print its code as text)`);
      }
      if (source[close - 1] === '%' && close - 1 >= pos) {
        code += source.slice(pos, close - 1) + '%>';
        pos = close + 2;
        continue;
      }
      code += source.slice(pos, close);
      pos = close + 2;
      break;
    }
    if (kind === 'comment') {
      textLine = line;
      continue;
    }
    line += count(code);
    items.push({ kind, code, line: tagLine, endLine: line });
    textLine = line;
  }
  if (text) items.push({ kind: 'text', value: text, line: textLine });
  return items;
}

// ---------------------------------------------------------------- lexer

class UnterminatedString extends Error {}

type Token =
  | { t: 'str'; parts: Array<string | Token[]>; line: number; src: string }
  | { t: 'id' | 'const' | 'punct' | 'kw' | 'method'; v: string; line: number }
  | { t: 'nl'; line: number; v: ';' | '\n' | 'tag' }
  | { t: 'text'; value: string; line: number }
  | { t: 'out'; tokens: Token[]; line: number; endLine: number }
  | { t: 'eof'; line: number };

const KEYWORDS = new Set(['if', 'elsif', 'else', 'unless', 'end', 'then', 'nil', 'true', 'false']);
const RUBY_KEYWORDS = new Set(['and', 'or', 'not', 'case', 'when', 'while', 'until', 'for', 'do', 'def', 'begin', 'rescue', 'ensure', 'return', 'yield', 'self', 'class', 'module', 'defined?']);

function describe(token: Token): string {
  switch (token.t) {
    case 'str':
      return `the string ${token.src}`;
    case 'nl':
      return token.v === 'tag' ? 'the end of the tag' : token.v === ';' ? '";"' : 'the end of the line';
    case 'text':
      return 'template text';
    case 'out':
      return 'a "<%=" tag';
    case 'eof':
      return 'the end of the template';
    default:
      return `"${token.v}"`;
  }
}

function unsupported(line: number, what: string): never {
  throw new ErbError(line, `unsupported Ruby ${what}: cruddur's ERB reads ENV['X'], ENV.fetch, strings, ||, &&, !, ==, !=, if/unless and ?: (see docs/env.md)`);
}

/** Lexes Ruby code; with `inInterpolation`, stops at the unmatched `}` and returns its index. */
function lex(src: string, start: number, startLine: number, inInterpolation: boolean): { tokens: Token[]; end: number; line: number } {
  const tokens: Token[] = [];
  let i = start;
  let line = startLine;
  let depth = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      tokens.push({ t: 'nl', v: '\n', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      line++;
      i += 2;
      continue;
    }
    if (c === ';') {
      tokens.push({ t: 'nl', v: ';', line });
      i++;
      continue;
    }
    if (c === '}' && inInterpolation && depth === 0) return { tokens, end: i, line };
    if (c === "'" || c === '"') {
      const str = lexString(src, i, line);
      tokens.push(str.token);
      line = str.line;
      i = str.end;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '||' || two === '&&' || two === '==' || two === '!=') {
      if (src[i + 2] === '=') unsupported(line, `"${two}="`);
      tokens.push({ t: 'punct', v: two, line });
      i += 2;
      continue;
    }
    if ('[](),.?:!'.includes(c)) {
      if (c === ':' && src[i + 1] === ':') unsupported(line, '"::"');
      if (c === '.' && src[i + 1] === '.') unsupported(line, 'ranges ("..")');
      if (c === '!' && src[i + 1] === '~') unsupported(line, '"!~"');
      tokens.push({ t: 'punct', v: c, line });
      i++;
      if (c === '.') {
        // A method name may end with `?` or `!` (nil?, empty?).
        while (i < src.length && /[ \t]/.test(src[i] as string)) i++;
        const name = /^[a-zA-Z_][a-zA-Z0-9_]*[?!]?/.exec(src.slice(i));
        if (!name) unsupported(line, `"${src.slice(i - 1, i + 1).trim()}"`);
        tokens.push({ t: 'method', v: name[0], line });
        i += name[0].length;
      }
      continue;
    }
    if (c === '{' || c === '}') {
      depth += c === '{' ? 1 : -1;
      unsupported(line, `"${c}" (blocks and hashes)`);
    }
    const word = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      if (w === 'defined' && src[i + w.length] === '?') unsupported(line, '"defined?"');
      if (/^[A-Z]/.test(w)) tokens.push({ t: 'const', v: w, line });
      else if (KEYWORDS.has(w)) tokens.push({ t: 'kw', v: w, line });
      else if (RUBY_KEYWORDS.has(w)) unsupported(line, `"${w}"`);
      else tokens.push({ t: 'id', v: w, line });
      i += w.length;
      continue;
    }
    if (/[0-9]/.test(c)) unsupported(line, `number literals ("${/^[0-9][0-9_.a-zA-Z]*/.exec(src.slice(i))?.[0]}")`);
    if (c === '#') unsupported(line, 'comments ("#" inside a tag; use <%# ... %>)');
    if (c === '-' && i === src.length - 1 && !inInterpolation) {
      throw new ErbError(line, 'syntax error: "-%>" is EJS\'s trim tag; ERB without trim mode (as the bootcamp ran it) reads the "-" as Ruby and fails');
    }
    unsupported(line, `"${c === '=' ? '= (assignment)' : c}"`);
  }
  if (inInterpolation) throw new ErbError(line, 'unterminated "#{" in a string');
  return { tokens, end: i, line };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', s: ' ', e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

function lexString(src: string, start: number, startLine: number): { token: Token; end: number; line: number } {
  const quote = src[start] as string;
  const parts: Array<string | Token[]> = [];
  let current = '';
  let line = startLine;
  let i = start + 1;
  const fail = (what: string): never => unsupported(line, what);
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) {
      if (current || parts.length === 0) parts.push(current);
      return { token: { t: 'str', parts, line: startLine, src: src.slice(start, i + 1).split('\n')[0] ?? '' }, end: i + 1, line };
    }
    if (c === '\n') line++;
    if (quote === "'") {
      if (c === '\\' && (src[i + 1] === '\\' || src[i + 1] === "'")) {
        current += src[i + 1];
        i += 2;
      } else {
        current += c;
        i++;
      }
      continue;
    }
    if (c === '#') {
      const next = src[i + 1];
      if (next === '{') {
        if (current) parts.push(current);
        current = '';
        const inner = lex(src, i + 2, line, true);
        parts.push(inner.tokens);
        line = inner.line;
        i = inner.end + 1;
        continue;
      }
      if ((next === '@' || next === '$') && /[a-zA-Z_@$0-9~!&`'+*\\/<>,.;:=?"-]/.test(src[i + 2] ?? '')) fail(`"#${next}" interpolation`);
      current += c;
      i++;
      continue;
    }
    if (c !== '\\') {
      current += c;
      i++;
      continue;
    }
    const e = src[i + 1] ?? '';
    i += 2;
    if (e === '\n') {
      line++;
      continue;
    }
    if (e in SIMPLE_ESCAPES && !(e === '0' && /[0-7]/.test(src[i] ?? ''))) {
      current += SIMPLE_ESCAPES[e];
      continue;
    }
    if (/[0-7]/.test(e)) {
      const digits = e + (/^[0-7]{0,2}/.exec(src.slice(i))?.[0] ?? '');
      i += digits.length - 1;
      current += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      continue;
    }
    if (e === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i))?.[0];
      if (!hex) fail('"\\x" without hex digits');
      current += String.fromCharCode(Number.parseInt(hex as string, 16));
      i += (hex as string).length;
      continue;
    }
    if (e === 'u') {
      const braced = /^\{([0-9a-fA-F]{1,6}(?:[ \t]+[0-9a-fA-F]{1,6})*)\}/.exec(src.slice(i));
      const plain = /^[0-9a-fA-F]{4}/.exec(src.slice(i));
      if (braced) {
        for (const cp of (braced[1] as string).trim().split(/[ \t]+/)) current += String.fromCodePoint(Number.parseInt(cp, 16));
        i += braced[0].length;
      } else if (plain) {
        current += String.fromCodePoint(Number.parseInt(plain[0], 16));
        i += 4;
      } else fail('an invalid "\\u" escape');
      continue;
    }
    if (e === 'c' || e === 'C' || e === 'M') fail(`the "\\${e}" escape`);
    current += e;
  }
  // Ruby's string runs on through the rest of the generated program: the error is at its last line.
  throw new UnterminatedString(`syntax error: unterminated string meets end of file (the string ${src.slice(start, start + 20).split('\n')[0]} is never closed)`);
}

// ---------------------------------------------------------------- parser

type Expr =
  | { k: 'str'; parts: Array<string | Expr>; line: number }
  | { k: 'lit'; value: null | boolean; line: number }
  | { k: 'env'; key: Expr; line: number }
  | { k: 'fetch'; key: Expr; fallback?: Expr; line: number }
  | { k: 'or' | 'and'; left: Expr; right: Expr; line: number }
  | { k: 'not'; operand: Expr; line: number }
  | { k: 'eq' | 'ne'; left: Expr; right: Expr; line: number }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr; line: number }
  | { k: 'call'; target: Expr; method: string; line: number };

type Stmt =
  | { k: 'text'; value: string }
  | { k: 'out'; expr: Expr | undefined; line: number }
  | { k: 'if'; branches: Array<{ test: Expr; negate: boolean; body: Stmt[] }>; otherwise: Stmt[] }
  | { k: 'expr'; expr: Expr };

const METHODS = new Set(['nil?', 'empty?', 'to_s', 'strip', 'downcase', 'upcase']);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly eofLine: number,
  ) {}

  private peek(): Token {
    return this.tokens[this.i] ?? { t: 'eof', line: this.eofLine };
  }
  private next(): Token {
    const token = this.peek();
    this.i++;
    return token;
  }
  private is(t: Token['t'], v?: string): boolean {
    const token = this.peek();
    return token.t === t && (v === undefined || ('v' in token && token.v === v));
  }
  /** Whether the next token can begin a method argument written without parentheses. */
  private startsArgument(): boolean {
    const token = this.tokens[this.i];
    if (token === undefined) return false;
    if (token.t === 'str' || token.t === 'const' || token.t === 'id') return true;
    if (token.t === 'kw') return token.v === 'nil' || token.v === 'true' || token.v === 'false';
    return token.t === 'punct' && token.v === '!';
  }

  private skipNewlines(): void {
    while (this.is('nl')) this.i++;
  }
  private unexpected(expected?: string): never {
    const token = this.peek();
    if (token.t === 'id') {
      throw new ErbError(token.line, `unsupported Ruby "${token.v}" (only ENV, string literals, nil, true and false are values here; see docs/env.md)`);
    }
    // ENV itself in an unexpected place (`<%= ENV['A'];ENV['B'] %>`) is a syntax error, not an unknown constant.
    if (token.t === 'const' && token.v !== 'ENV') throw new ErbError(token.line, `unsupported Ruby "${token.v}" (only ENV is available; see docs/env.md)`);
    throw new ErbError(token.line, `syntax error: unexpected ${describe(token)}${expected ? `, expecting ${expected}` : ''}`);
  }
  private expectPunct(v: string): void {
    if (!this.is('punct', v)) this.unexpected(`"${v}"`);
    this.i++;
  }

  program(): Stmt[] {
    const body = this.statements();
    if (!this.is('eof')) this.unexpected();
    return body;
  }

  private statements(): Stmt[] {
    const body: Stmt[] = [];
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (token.t === 'eof') return body;
      if (token.t === 'kw' && ['elsif', 'else', 'end'].includes(token.v)) return body;
      if (token.t === 'text') {
        this.i++;
        body.push({ k: 'text', value: token.value });
        continue;
      }
      if (token.t === 'out') {
        this.i++;
        const inner = new Parser(token.tokens, token.endLine);
        inner.skipNewlines();
        const expr = inner.is('eof') ? undefined : inner.expression();
        inner.skipNewlines();
        if (!inner.is('eof')) inner.unexpected();
        body.push({ k: 'out', expr, line: token.line });
        continue;
      }
      if (token.t === 'kw' && (token.v === 'if' || token.v === 'unless')) {
        body.push(this.conditional());
      } else {
        body.push({ k: 'expr', expr: this.expression() });
      }
      const after = this.peek();
      if (after.t === 'eof' || after.t === 'nl' || after.t === 'text' || after.t === 'out') continue;
      if (after.t === 'kw' && ['elsif', 'else', 'end'].includes(after.v)) continue;
      this.unexpected();
    }
  }

  private conditional(): Stmt {
    const head = this.next() as { v: string; line: number };
    const branches: Array<{ test: Expr; negate: boolean; body: Stmt[] }> = [];
    let negate = head.v === 'unless';
    for (;;) {
      const test = this.expression();
      if (this.is('kw', 'then')) this.i++;
      else if (!this.is('nl')) this.unexpected('"then" or the end of the tag');
      branches.push({ test, negate, body: this.statements() });
      negate = false;
      if (this.is('kw', 'elsif')) {
        if (head.v === 'unless') this.unexpected();
        this.i++;
        continue;
      }
      break;
    }
    let otherwise: Stmt[] = [];
    if (this.is('kw', 'else')) {
      this.i++;
      otherwise = this.statements();
    }
    if (!this.is('kw', 'end')) this.unexpected('"end"');
    this.i++;
    return { k: 'if', branches, otherwise };
  }

  expression(): Expr {
    const test = this.or();
    if (!this.is('punct', '?')) return test;
    const line = this.next().line;
    this.skipNewlines();
    const then = this.expression();
    this.skipNewlines();
    this.expectPunct(':');
    this.skipNewlines();
    return { k: 'cond', test, then, else: this.expression(), line };
  }

  private or(): Expr {
    let left = this.and();
    while (this.is('punct', '||')) {
      const line = this.next().line;
      this.skipNewlines();
      left = { k: 'or', left, right: this.and(), line };
    }
    return left;
  }

  private and(): Expr {
    let left = this.equality();
    while (this.is('punct', '&&')) {
      const line = this.next().line;
      this.skipNewlines();
      left = { k: 'and', left, right: this.equality(), line };
    }
    return left;
  }

  private equality(): Expr {
    const left = this.unary();
    if (this.is('punct', '==') || this.is('punct', '!=')) {
      const op = this.next() as { v: string; line: number };
      this.skipNewlines();
      const right = this.unary();
      if (this.is('punct', '==') || this.is('punct', '!=')) this.unexpected();
      return { k: op.v === '==' ? 'eq' : 'ne', left, right, line: op.line };
    }
    return left;
  }

  private unary(): Expr {
    if (this.is('punct', '!')) {
      const line = this.next().line;
      return { k: 'not', operand: this.unary(), line };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let target = this.primary();
    while (this.is('punct', '.')) {
      this.i++;
      const name = this.next() as { v: string; line: number };
      if (!METHODS.has(name.v)) {
        throw new ErbError(name.line, `unsupported Ruby method ".${name.v}" (cruddur's ERB has .nil?, .empty?, .to_s, .strip, .downcase, .upcase; see docs/env.md)`);
      }
      if (this.is('punct', '(')) {
        this.i++;
        this.expectPunct(')');
      }
      target = { k: 'call', target, method: name.v, line: name.line };
    }
    if (this.is('punct', '[')) unsupported(this.peek().line, '"[...]" on a value');
    return target;
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.t) {
      case 'str':
        return {
          k: 'str',
          line: token.line,
          parts: token.parts.map((part) => {
            if (typeof part === 'string') return part;
            const inner = new Parser(part, token.line);
            inner.skipNewlines();
            if (inner.is('eof')) return { k: 'lit', value: null, line: token.line } as Expr;
            const expr = inner.expression();
            inner.skipNewlines();
            if (!inner.is('eof')) inner.unexpected();
            return expr;
          }),
        };
      case 'kw':
        if (token.v === 'nil') return { k: 'lit', value: null, line: token.line };
        if (token.v === 'true' || token.v === 'false') return { k: 'lit', value: token.v === 'true', line: token.line };
        break;
      case 'punct':
        if (token.v === '(') {
          this.skipNewlines();
          const inner = this.expression();
          this.skipNewlines();
          this.expectPunct(')');
          return inner;
        }
        break;
      case 'const':
        if (token.v === 'ENV') return this.envAccess(token.line);
        break;
    }
    this.i--;
    return this.unexpected('a value');
  }

  private envAccess(line: number): Expr {
    if (this.is('punct', '[')) {
      this.i++;
      this.skipNewlines();
      const key = this.expression();
      this.skipNewlines();
      this.expectPunct(']');
      return { k: 'env', key, line };
    }
    if (this.is('punct', '.')) {
      const method = this.tokens[this.i + 1] as { v?: string; line: number } | undefined;
      if (method?.v === 'fetch') {
        this.i += 2;
        // Ruby also calls a method without parentheses (`ENV.fetch 'A', 'd'`): the arguments then run to the
        // end of the expression, on the same line (a line break after a comma continues it).
        const parens = this.is('punct', '(');
        if (parens) this.i++;
        else if (!this.startsArgument()) this.unexpected('"(" or an argument');
        if (parens) this.skipNewlines();
        const key = this.expression();
        if (parens) this.skipNewlines();
        let fallback: Expr | undefined;
        if (this.is('punct', ',')) {
          this.i++;
          this.skipNewlines();
          fallback = this.expression();
          if (parens) this.skipNewlines();
        }
        if (parens) this.expectPunct(')');
        if (this.is('kw', 'do') || this.is('punct', '{')) this.unexpected();
        return { k: 'fetch', key, fallback, line };
      }
      if (method) throw new ErbError(method.line, `unsupported Ruby "ENV.${method.v ?? ''}" (cruddur's ERB has ENV['X'] and ENV.fetch; see docs/env.md)`);
    }
    throw new ErbError(line, 'unsupported Ruby "ENV" on its own (write ENV[\'NAME\'] or ENV.fetch(\'NAME\', \'default\'))');
  }
}

/** Parses a template; every unsupported construct is an ErbError before anything runs. */
export function parseErb(source: string): Stmt[] {
  const tokens: Token[] = [];
  let lastLine = 1;
  const items = scan(source);
  const last = items.at(-1);
  const finalLine = last === undefined ? 1 : last.kind === 'text' ? last.line + last.value.split('\n').length - 1 : last.endLine;
  for (const item of items) {
    if (item.kind === 'text') {
      tokens.push({ t: 'text', value: item.value, line: item.line });
      lastLine = item.line + item.value.split('\n').length - 1;
      continue;
    }
    const code = item.code;
    if (item.kind === 'code' && /^-/.test(code)) {
      throw new ErbError(item.line, 'syntax error: "<%-" is EJS/Rails trim syntax; ERB without trim mode (as the bootcamp ran it) reads it as Ruby code');
    }
    let lexed: ReturnType<typeof lex>;
    try {
      lexed = lex(code, 0, item.line, false);
    } catch (error) {
      if (error instanceof UnterminatedString) throw new ErbError(finalLine, error.message);
      throw error;
    }
    if (item.kind === 'out') tokens.push({ t: 'out', tokens: lexed.tokens, line: item.line, endLine: item.endLine });
    else tokens.push(...lexed.tokens, { t: 'nl', v: 'tag', line: item.endLine });
    lastLine = item.endLine;
  }
  return new Parser(tokens, lastLine).program();
}

// ---------------------------------------------------------------- evaluator

/** nil read from an unset ENV variable: Ruby's nil, remembered so its use can be reported as missing. */
class EnvNil {
  constructor(
    readonly name: string,
    readonly line: number,
  ) {}
}
type Value = string | boolean | null | EnvNil;

const isNil = (v: Value): v is null | EnvNil => v === null || v instanceof EnvNil;
const truthy = (v: Value): boolean => !(isNil(v) || v === false);
const RUBY_SPACE = /^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g;

/** Renders a parsed template with `env` as Ruby's ENV. Runtime errors are ErbErrors with Ruby's line. */
export function evaluateErb(program: Stmt[], env: Readonly<Record<string, string>>): ErbResult {
  const variables = new Set<string>();
  const missing = new Map<string, number[]>();
  const markMissing = (nil: EnvNil) => {
    const lines = missing.get(nil.name) ?? [];
    if (!lines.includes(nil.line)) lines.push(nil.line);
    missing.set(nil.name, lines);
  };
  const toS = (v: Value): string => {
    if (v instanceof EnvNil) {
      markMissing(v);
      return '';
    }
    return v === null ? '' : String(v);
  };
  const keyOf = (e: Expr): string => {
    const key = value(e);
    if (typeof key !== 'string') throw new ErbError(e.line, `ENV keys must be strings, got ${isNil(key) ? 'nil' : String(key)} (Ruby: TypeError)`);
    return key;
  };
  const equal = (a: Value, b: Value): boolean => (isNil(a) && isNil(b)) || a === b;

  function value(e: Expr): Value {
    switch (e.k) {
      case 'str':
        return e.parts.map((p) => (typeof p === 'string' ? p : toS(value(p)))).join('');
      case 'lit':
        return e.value;
      case 'env': {
        const name = keyOf(e.key);
        variables.add(name);
        return Object.hasOwn(env, name) ? (env[name] as string) : new EnvNil(name, e.line);
      }
      case 'fetch': {
        const name = keyOf(e.key);
        variables.add(name);
        const fallback = e.fallback === undefined ? undefined : value(e.fallback);
        if (Object.hasOwn(env, name)) return env[name] as string;
        if (fallback !== undefined) return fallback;
        // Ruby: KeyError (key not found). Listed as missing; rendered as "" with --allow-missing.
        markMissing(new EnvNil(name, e.line));
        return '';
      }
      case 'or': {
        const left = value(e.left);
        return truthy(left) ? left : value(e.right);
      }
      case 'and': {
        const left = value(e.left);
        return truthy(left) ? value(e.right) : left;
      }
      case 'not':
        return !truthy(value(e.operand));
      case 'eq':
        return equal(value(e.left), value(e.right));
      case 'ne':
        return !equal(value(e.left), value(e.right));
      case 'cond':
        return truthy(value(e.test)) ? value(e.then) : value(e.else);
      case 'call': {
        let target = value(e.target);
        if (e.method === 'nil?') return isNil(target);
        if (e.method === 'to_s') return isNil(target) ? '' : String(target);
        if (target instanceof EnvNil) {
          // Ruby: NoMethodError on nil because the variable is unset.
          markMissing(target);
          target = '';
        }
        if (typeof target !== 'string') {
          const cls = target === null ? 'nil:NilClass' : `${String(target)}:${target ? 'TrueClass' : 'FalseClass'}`;
          throw new ErbError(e.line, `undefined method '${e.method}' for ${cls} (Ruby: NoMethodError)`);
        }
        switch (e.method) {
          case 'empty?':
            return target === '';
          case 'strip':
            return target.replace(RUBY_SPACE, '');
          case 'downcase':
            return target.toLowerCase();
          default:
            return target.toUpperCase();
        }
      }
    }
  }

  let content = '';
  const run = (body: Stmt[]): void => {
    for (const stmt of body) {
      switch (stmt.k) {
        case 'text':
          content += stmt.value;
          break;
        case 'out':
          if (stmt.expr) content += toS(value(stmt.expr));
          break;
        case 'expr':
          value(stmt.expr);
          break;
        case 'if': {
          const taken = stmt.branches.find((b) => truthy(value(b.test)) !== b.negate);
          run(taken ? taken.body : stmt.otherwise);
          break;
        }
      }
    }
  };
  run(program);
  return { content, variables: [...variables], missing };
}

/** `ERB.new(source).result(binding)` with `env` as ENV. */
export function renderErb(source: string, env: Readonly<Record<string, string>>): ErbResult {
  return evaluateErb(parseErb(source), env);
}
