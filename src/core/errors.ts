/** Exit codes: 1 for a failure, 2 for a usage mistake (bad flag, unknown name). */
export type ExitCode = 1 | 2;

export interface CruddurErrorOptions {
  /** What to do about it; rendered as a `Try:` line. */
  suggestion?: string;
  exitCode?: ExitCode;
  /** A stable machine-readable code for --json consumers, e.g. `ENV_MISSING_VARIABLES`. */
  code?: string;
  cause?: unknown;
  /** Extra structured detail for --json (never secrets). */
  details?: unknown;
}

/** The one error type: a one-line message saying what is wrong and a suggestion saying how to fix it. */
export class CruddurError extends Error {
  readonly suggestion: string | undefined;
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly details: unknown;

  constructor(message: string, options: CruddurErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CruddurError';
    this.suggestion = options.suggestion;
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? (this.exitCode === 2 ? 'USAGE' : 'FAILED');
    this.details = options.details;
  }
}

export function usageError(message: string, suggestion?: string): CruddurError {
  return new CruddurError(message, { exitCode: 2, suggestion, code: 'USAGE' });
}

/**
 * The error for an explicit `--flag ''`: a usage error, never a fallback to the variable or default the flag
 * would override (explicit settings are never replaced by guesses).
 */
export function emptyFlag(flag: string): CruddurError {
  return usageError(`${flag} was given an empty value`, `pass a value, or leave ${flag} out to use its default (or the variable that sets it)`);
}

export function isCruddurError(error: unknown): error is CruddurError {
  return error instanceof CruddurError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

interface ErrnoLike {
  code?: unknown;
  path?: unknown;
}

/** Maps the common Node system errors to a CruddurError with a fix; anything else keeps its message. */
export function toCruddurError(error: unknown): CruddurError {
  if (error instanceof CruddurError) return error;
  const errno = (typeof error === 'object' && error !== null ? error : {}) as ErrnoLike;
  const file = typeof errno.path === 'string' ? errno.path : undefined;
  switch (errno.code) {
    case 'ENOENT':
      return new CruddurError(`${file ?? 'A file'} does not exist`, {
        suggestion: 'check the path (or --cwd) and try again',
        cause: error,
        code: 'ENOENT',
      });
    case 'EACCES':
    case 'EPERM':
      return new CruddurError(`Permission denied: ${file ?? 'a file'}`, {
        suggestion: 'check the file permissions or run from a folder you own',
        cause: error,
        code: 'EACCES',
      });
    default:
      return new CruddurError(firstLine(errorMessage(error)) || 'Unexpected error', {
        suggestion: 'run again with DEBUG=cruddur* for details',
        cause: error,
      });
  }
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
