import { BaseCommand } from '../../base-command.js';
import { execProgram } from '../../core/exec.js';
import { ecrLogin, type EcrLoginResult } from '../../ecr/login.js';

export default class EcrLogin extends BaseCommand {
  static override summary = 'Log Docker in to your account\'s Amazon ECR registry.';
  static override description =
    'Gets an ECR authorization token and runs `docker login --username AWS --password-stdin <registry>`. The password goes to Docker on stdin only: it is never on a command line or printed.';

  static override examples = [
    { description: 'Log in with the default credentials and region', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Another profile and region', command: '<%= config.bin %> <%= command.id %> --profile prod --region eu-west-1' },
  ];

  async run(): Promise<EcrLoginResult> {
    const { flags } = await this.parse(EcrLogin);
    const result = await ecrLogin(await this.aws(flags).ecr(), execProgram);
    this.log(`Logged in to ${result.registry}${result.expiresAt ? ` (valid until ${result.expiresAt})` : ''}`);
    return result;
  }
}
