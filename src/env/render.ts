import { CruddurError, firstLine } from '../core/errors.js';
import { ErbError, renderErb } from './erb.js';

export interface MissingVariable {
  name: string;
  template: string;
  /** 1-based lines of the template that reference the variable. */
  lines: number[];
}

export interface RenderResult {
  content: string;
  /** Variables the template read, in first-use order (names only, never values). */
  variables: string[];
  missing: MissingVariable[];
}

export interface RenderInput {
  source: string;
  /** Shown in errors: a path relative to the project root. */
  templateName: string;
  env: Readonly<Record<string, string>>;
  root: string;
  /**
   * `erb`: Ruby's ERB (src/env/erb.ts), `ejs`: EJS with the `ENV`/`env`/`root`/`optional` helpers.
   * Default: `erb` when the template name ends in `.erb`, else `ejs`.
   */
  engine?: 'erb' | 'ejs';
}

type EjsModule = typeof import('ejs');
let ejsModule: EjsModule | undefined;
async function loadEjs(): Promise<EjsModule> {
  ejsModule ??= (await import('ejs')).default;
  return ejsModule;
}

/**
 * An `ENV` object for templates: `ENV['X']`, `ENV.X`, and Ruby's `ENV.fetch('X', default)` so the
 * bootcamp's ERB templates render unchanged. Reading an unset variable records it as missing.
 */
function envProxy(env: Readonly<Record<string, string>>, used: Set<string>, missing: Set<string>) {
  const read = (name: string): string => {
    used.add(name);
    const value = env[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return value;
  };
  const fetch = (name: string, fallback?: string): string => {
    used.add(name);
    return env[name] ?? (fallback === undefined ? read(name) : fallback);
  };
  return new Proxy({} as Record<string, unknown>, {
    get(_target, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop === 'fetch') return fetch;
      if (prop === 'toJSON' || prop === 'then') return undefined;
      return read(prop);
    },
    has: (_target, prop) => typeof prop === 'string' && prop in env,
  });
}

/** Lines of the template that mention the variable inside a tag. */
function referenceLines(source: string, name: string): number[] {
  const pattern = new RegExp(`<%[^%]*\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b[^%]*%>`);
  const lines: number[] = [];
  source.split('\n').forEach((line, index) => {
    if (pattern.test(line)) lines.push(index + 1);
  });
  return lines;
}

export async function renderTemplate(input: RenderInput): Promise<RenderResult> {
  if (input.source.includes('\u0000')) {
    throw new CruddurError(`${input.templateName} is not a text template (it contains binary data)`, {
      suggestion: 'point the template folder at .env.erb/.env.ejs text files only',
      code: 'ENV_TEMPLATE_INVALID',
    });
  }
  if ((input.engine ?? (input.templateName.endsWith('.erb') ? 'erb' : 'ejs')) === 'erb') return renderErbTemplate(input);
  const ejs = await loadEjs();
  const used = new Set<string>();
  const missing = new Set<string>();
  const ENV = envProxy(input.env, used, missing);
  const data = {
    ENV,
    env: ENV,
    root: input.root,
    /** `optional('X', 'default')`: a variable that may be unset. */
    optional: (name: string, fallback = '') => {
      used.add(name);
      return input.env[name] ?? fallback;
    },
  };
  let content: string;
  try {
    content = ejs.render(input.source, data, {
      filename: input.templateName,
      // Env files are not HTML: print values exactly as they are.
      escape: (value: unknown) => (value === undefined || value === null ? '' : String(value)),
      async: false,
    });
  } catch (error) {
    throw templateError(error, input.templateName);
  }
  return {
    content,
    variables: [...used],
    missing: [...missing].map((name) => ({ name, template: input.templateName, lines: referenceLines(input.source, name) })),
  };
}

function templateError(error: unknown, templateName: string): CruddurError {
  const message = error instanceof Error ? error.message : String(error);
  // EJS prefixes runtime errors with "file:line" and a code excerpt; the last line is the cause.
  const located = /^(?:.*?):(\d+)\n/.exec(message);
  const cause = message.trim().split('\n').filter(Boolean).pop() ?? message;
  const where = located ? `${templateName}:${located[1]}` : templateName;
  const what = /while compiling ejs/.test(message) ? `syntax error: ${firstLine(message).replace(/ in .* while compiling ejs.*/, '')}` : cause;
  return new CruddurError(`Template ${where} could not be rendered: ${what}`, {
    suggestion: 'fix the template: .ejs tags hold a JavaScript expression, e.g. <%= ENV[\'NAME\'] %>',
    code: 'ENV_TEMPLATE_INVALID',
    cause: error,
  });
}

/** A `.erb` template with Ruby's ERB rules; errors name Ruby's line and the construct. */
function renderErbTemplate(input: RenderInput): RenderResult {
  try {
    const result = renderErb(input.source, input.env);
    return {
      content: result.content,
      variables: result.variables,
      missing: [...result.missing].map(([name, lines]) => ({ name, template: input.templateName, lines })),
    };
  } catch (error) {
    if (!(error instanceof ErbError)) throw error;
    throw new CruddurError(`Template ${input.templateName}:${error.line} could not be rendered: ${error.message}`, {
      suggestion: `fix line ${error.line}: .erb templates are rendered as Ruby's ERB (no trim mode) with the Ruby subset in docs/env.md, e.g. <%= ENV['NAME'] || 'default' %>`,
      code: 'ENV_TEMPLATE_INVALID',
      cause: error,
    });
  }
}
