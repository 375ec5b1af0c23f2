import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CruddurError } from '../../core/errors.js';
import { generateEnvFiles, type GenerateResult } from '../../env/generate.js';

export default class EnvGenerate extends BaseCommand {
  static override summary = 'Render env files from ERB/EJS templates.';
  static override description =
    'Renders erb/*.env.erb with Ruby ERB\'s rules (no trim mode, the Ruby subset in docs/env.md) or templates/*.env.ejs with EJS (the built-in templates when the repository has none) to <name>.env at the project root. ENV holds the merged variables (process env > .env.local > .env > cruddur.json "env" > .cruddur/local.env; .env files read with docker compose\'s rules). Every unset variable the output depends on is an error listing template and line, and nothing is written. Files are written atomically with mode 0600.';

  static override strict = false;
  static override args = {
    names: Args.string({ ignoreStdin: true, description: 'Templates to render (backend-flask, frontend-react-js, sync); default all.' }),
  };

  static override examples = [
    { description: 'Render every template', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Only the frontend env file', command: '<%= config.bin %> <%= command.id %> frontend-react-js' },
    { description: 'Fail in CI when a committed env file is stale', command: '<%= config.bin %> <%= command.id %> --check' },
    { description: 'Preview with secrets redacted', command: '<%= config.bin %> <%= command.id %> sync --stdout' },
  ];

  static override flags = {
    check: Flags.boolean({ description: 'Write nothing; exit 1 and print a redacted diff if any file would change.', exclusive: ['stdout'] }),
    stdout: Flags.boolean({ description: 'Print the rendered files (secrets redacted) instead of writing them.' }),
    'allow-missing': Flags.boolean({ description: 'Render unset variables as empty, with a warning.' }),
  };

  async run(): Promise<GenerateResult> {
    const { flags, argv } = await this.parse(EnvGenerate);
    const project = this.project(flags);
    const result = await generateEnvFiles(
      project,
      { names: argv as string[], check: flags.check, stdout: flags.stdout, allowMissing: flags['allow-missing'] },
      this.logger(flags),
    );
    const stale = result.files.filter((f) => f.status === 'would-change');
    for (const file of result.files) {
      if (file.status === 'printed') {
        this.log(`# ${file.output}`);
        this.log(file.content?.replace(/\n$/, '') ?? '');
      } else if (file.status === 'would-change') {
        this.log(`${file.output} would change:`);
        for (const line of file.diff ?? []) this.log(`  ${line}`);
      } else {
        this.log(`${file.status === 'written' ? 'wrote' : 'unchanged'} ${file.output} (from ${file.template})`);
      }
    }
    if (flags.check && stale.length > 0) {
      throw new CruddurError(`${stale.length} env file${stale.length > 1 ? 's are' : ' is'} out of date: ${stale.map((f) => f.output).join(', ')}`, {
        suggestion: 'run `cruddur env generate` and commit or keep the result',
        code: 'ENV_STALE',
        details: { files: result.files.map(({ content: _c, ...f }) => f) },
      });
    }
    // --stdout --json: the rendered text is the output, so it goes in the document (redacted like every --json value).
    return { ...result, files: result.files.map(({ content, ...f }) => (f.status === 'printed' && content !== undefined ? { ...f, content } : f)) };
  }
}
