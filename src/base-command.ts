import { statSync } from 'node:fs';
import { Command, Flags, Interfaces } from '@oclif/core';
import { AwsClients, describeAwsSettings, loadAwsSettings } from './aws/clients.js';
import { loadProjectConfig, type ProjectConfig } from './core/config.js';
import { CruddurError, emptyFlag, toCruddurError } from './core/errors.js';
import { installInterruptHandler, interruptExitCode } from './core/interrupt.js';
import { stderrLogger, type Logger } from './core/output.js';
import { redact, redactor } from './core/redact.js';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export type BaseFlags = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags']>;

interface OclifErrorLike {
  oclif?: { exit?: number };
  code?: string;
  message?: string;
}

/**
 * Shared flags (--cwd, --json, --profile, --region, --verbose), project configuration, AWS clients,
 * redacted output and error rendering. Commands stay thin: parse, call a service, render.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    cwd: Flags.string({ helpGroup: 'GLOBAL', description: 'Run as if cruddur was started in this folder.' }),
    profile: Flags.string({ helpGroup: 'GLOBAL', description: 'AWS profile to use (default: AWS_PROFILE or the default chain).' }),
    region: Flags.string({ helpGroup: 'GLOBAL', description: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s region, us-east-1).' }),
    verbose: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Print debug detail (retries, requests) to stderr.' }),
  };

  private projectConfig: ProjectConfig | undefined;

  override async init(): Promise<void> {
    await super.init();
    installInterruptHandler((message) => process.stderr.write(`\n${message}\n`));
  }
  private awsClients: AwsClients | undefined;

  /** The user's project: root, paths and merged variables. Registers secret values for redaction. */
  protected project(flags: BaseFlags): ProjectConfig {
    if (!this.projectConfig) {
      // An explicit --profile '' or --region '' is a usage error, never a fallback to AWS_PROFILE / AWS_REGION.
      for (const name of ['profile', 'region'] as const) {
        const value = flags[name];
        if (value !== undefined && value.trim() === '') throw emptyFlag(`--${name}`);
      }
      if (flags.cwd !== undefined && !isDirectory(flags.cwd)) {
        throw new CruddurError(`--cwd ${flags.cwd} is not a folder`, { exitCode: 2, code: 'USAGE', suggestion: 'pass the path of your app repository (or a folder inside it)' });
      }
      this.projectConfig = loadProjectConfig({ cwd: flags.cwd, warn: (message) => this.logger(flags).warn(message) });
      redactor.addFromEnv(this.projectConfig.env);
    }
    return this.projectConfig;
  }

  /** The AWS clients; --verbose prints each resolved AWS setting with its source once it is known. */
  protected aws(flags: BaseFlags): AwsClients {
    if (!this.awsClients) {
      const project = this.project(flags);
      const logger = this.logger(flags);
      const settings = loadAwsSettings({ env: project.env, region: flags.region, profile: flags.profile, sourceOf: (name) => project.sourceOf(name) });
      settings.then(
        (s) => {
          for (const row of describeAwsSettings(s)) logger.debug(`aws ${row.name} ${row.value} (${row.source})`);
          for (const problem of s.problems) logger.warn(problem);
        },
        () => undefined,
      );
      this.awsClients = new AwsClients(settings, logger, project.env);
    }
    return this.awsClients;
  }

  protected logger(flags: BaseFlags): Logger {
    return stderrLogger({ verbose: flags.verbose });
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(redact(message), ...args);
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(redact(message), ...args);
  }

  /** One JSON document, uncoloured and redacted, so pipes and `jq` always get valid JSON. */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(redactor.redactValue(json), null, 2)}\n`);
  }

  protected override async catch(err: Error & OclifErrorLike): Promise<void> {
    if (err.code === 'EEXIT') throw err;
    // Ctrl-C/SIGTERM: the handler has said so and is exiting; what failed because of it (a child killed by the same
    // signal) is not another error to print.
    const stopping = interruptExitCode();
    if (stopping !== undefined) {
      process.exitCode = stopping;
      return;
    }
    const error = this.normalise(err);
    process.exitCode = error.exitCode;
    if (this.jsonEnabled()) {
      this.logJson({
        error: { code: error.code, message: error.message, suggestion: error.suggestion, details: error.details ?? undefined },
      });
      return;
    }
    const lines = [`Error: ${error.message}`];
    if (error.suggestion) lines.push(`Try: ${error.suggestion}`);
    if (/\bcruddur/.test(process.env.DEBUG ?? '')) {
      const cause = (error.cause as Error | undefined) ?? error;
      if (cause.stack) lines.push(cause.stack);
    }
    process.stderr.write(`${redact(lines.join('\n'))}\n`);
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    this.awsClients?.destroy();
    await super.finally(error);
  }

  private normalise(err: Error & OclifErrorLike): CruddurError {
    if (err instanceof CruddurError) return err;
    if (err.oclif?.exit === 2 || /^(Nonexistent flag|Unexpected argument|Missing required|Expected --|Expected a|Parsing --)/.test(err.message ?? '')) {
      const message = (err.message ?? 'Invalid usage')
        .split('\n')
        .filter((l) => !/^\s*(See more help|The following errors? occurred:)/.test(l))
        .join(' ')
        .replace(/\s+/g, ' ')
        .replace(/--(\S+)=true\b/g, '--$1')
        .trim();
      return new CruddurError(message, { exitCode: 2, code: 'USAGE', suggestion: `cruddur ${this.id?.replaceAll(':', ' ') ?? ''} --help` });
    }
    return toCruddurError(err);
  }
}
