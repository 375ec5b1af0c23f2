import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CruddurError } from '../../core/errors.js';
import type { StaticBuildResult } from '../../frontend/build.js';

export default class FrontendStaticBuild extends BaseCommand {
  static override summary = "Build the React app (npm run build) with the REACT_APP_* variables.";
  static override description = `Runs the frontend's \`npm run build\` (folder "frontend" in cruddur.json, default frontend-react-js/) with
the REACT_APP_* variables from the generated frontend-react-js.env; the same names set in the environment win.
Every name the frontend env template (frontend-react-js.env.erb) defines must have a value, or the command
stops before building (--allow-missing builds anyway). The build's output is streamed to stderr and its exit
code is kept. Replaces bin/frontend/static-build.`;

  static override examples = [
    { description: 'Build with the generated env file', command: '<%= config.bin %> env generate frontend-react-js && <%= config.bin %> <%= command.id %>' },
    { description: 'Override one variable for a production build', command: 'REACT_APP_BACKEND_URL=https://api.example.com <%= config.bin %> <%= command.id %>' },
    { description: 'Run another npm script', command: '<%= config.bin %> <%= command.id %> --script build:prod' },
  ];

  static override flags = {
    script: Flags.string({ description: 'The npm script to run.', default: 'build' }),
    'allow-missing': Flags.boolean({ description: 'Build even when names the frontend env template (frontend-react-js.env.erb) defines are unset.' }),
  };

  async run(): Promise<StaticBuildResult> {
    const { flags } = await this.parse(FrontendStaticBuild);
    const { staticBuild } = await import('../../frontend/build.js');
    const result = await staticBuild(this.project(flags), { script: flags.script, allowMissing: flags['allow-missing'] }, this.logger(flags));
    if (result.exitCode !== 0) {
      throw new CruddurError(`npm run ${result.script} failed with exit code ${result.exitCode}`, {
        suggestion: 'read the build output above; check the REACT_APP_* variables (`cruddur env generate frontend-react-js`)',
        code: 'FRONTEND_BUILD_FAILED',
        details: result,
      });
    }
    if (!this.jsonEnabled()) this.log(`Built ${result.frontendDir} in ${(result.durationMs / 1000).toFixed(1)}s (output: ${result.buildDir})`);
    return result;
  }
}
