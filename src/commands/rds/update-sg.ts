import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { formatView } from '../../rds/rule.js';
import type { UpdateSgResult } from '../../rds/update-sg.js';

export default class RdsUpdateSg extends BaseCommand {
  static override summary = "Allow this machine's public IP to reach the RDS database (security-group rule).";
  static override description = `Finds the inbound rule of the database's security group (DB_SG_ID) by DB_SG_RULE_ID (an id that does not
exist is an error listing the inbound rules), else by its description (GITPOD) and port, and sets it to
<your ip>/32 (/128 for IPv6) on TCP 5432. The IP comes from --ip, GITPOD_IP, or an HTTPS echo service
(checkip.amazonaws.com, then api.ipify.org). Nothing is written when the rule already allows exactly this address,
or when another rule of the group already allows it (that rule is named). A CIDR wider than one host is refused.`;

  static override examples = [
    { description: 'Update the rule for the current public IP', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Show the change without making it', command: '<%= config.bin %> <%= command.id %> --dry-run' },
    { description: 'Explicit group, rule found by description, rule created when missing', command: '<%= config.bin %> <%= command.id %> --group-id sg-0123 --description CODESPACES --create' },
    { description: 'Behind a corporate proxy: your own echo service', command: '<%= config.bin %> <%= command.id %> --ip-service https://ip.example.internal' },
  ];

  static override flags = {
    'group-id': Flags.string({ description: 'Security group of the database (default: DB_SG_ID).' }),
    'rule-id': Flags.string({ description: 'Security-group rule to update (default: DB_SG_RULE_ID; else found by --description and --port).' }),
    description: Flags.string({ description: 'Description that identifies the rule.', default: 'GITPOD' }),
    port: Flags.integer({ description: 'Database port.', default: 5432, min: 1, max: 65535 }),
    ip: Flags.string({ description: 'Public IP to allow (default: GITPOD_IP, else detected).', exclusive: ['cidr'] }),
    cidr: Flags.string({ description: 'Single-host CIDR to allow instead of the IP (/32 or /128 only).', exclusive: ['ip'] }),
    'ip-service': Flags.string({ description: 'HTTPS echo service answering with your IP as text; repeat for fallbacks.', multiple: true }),
    'ip-timeout': Flags.integer({ description: 'Milliseconds to wait for each echo service.', default: 3000, min: 1 }),
    create: Flags.boolean({ description: 'Add the rule when no rule matches.' }),
    'dry-run': Flags.boolean({ description: 'Print the before/after and change nothing.' }),
  };

  async run(): Promise<UpdateSgResult> {
    const { flags } = await this.parse(RdsUpdateSg);
    const project = this.project(flags);
    const logger = this.logger(flags);
    const { updateSecurityGroup } = await import('../../rds/update-sg.js');
    const { createSecurityGroups } = await import('../../rds/security-groups.js');
    const groups = createSecurityGroups(await this.aws(flags).ec2());
    const result = await updateSecurityGroup(
      { env: project.env, groups, logger },
      {
        groupId: flags['group-id'],
        ruleId: flags['rule-id'],
        description: flags.description,
        port: flags.port,
        ip: flags.ip,
        cidr: flags.cidr,
        ipServices: flags['ip-service'],
        ipTimeoutMs: flags['ip-timeout'],
        create: flags.create,
        dryRun: flags['dry-run'],
      },
    );
    const source = result.ip ? ` (IP from ${result.ip.source})` : '';
    const rule = result.ruleId ? `rule ${result.ruleId}` : 'a new rule';
    const before = result.before ? formatView(result.before) : '(no rule)';
    switch (result.action) {
      case 'unchanged':
        this.log(`${result.groupId} ${rule} already up to date: ${formatView(result.after)}${source}`);
        break;
      case 'already-allowed': {
        const by = result.allowedBy;
        const what = by ? `rule ${by.ruleId}${by.description ? ` "${by.description}"` : ''} (${formatView(by.rule)})` : 'another rule';
        this.log(`${result.dryRun ? 'Dry run: nothing to change' : 'Nothing changed'}: ${result.cidr} on port ${result.port} is already allowed in ${result.groupId} by ${what}${source}`);
        break;
      }
      case 'would-modify':
      case 'would-create':
        this.log(`Dry run: would ${result.action === 'would-create' ? 'create' : 'change'} ${rule} in ${result.groupId}${source}`);
        this.log(`  before: ${before}`);
        this.log(`  after:  ${formatView(result.after)}`);
        break;
      default:
        this.log(`${result.action === 'created' ? 'Created' : 'Updated'} ${rule} in ${result.groupId}${source}`);
        this.log(`  before: ${before}`);
        this.log(`  after:  ${formatView(result.after)}`);
        if (result.action === 'created' && result.ruleId) this.log(`Set DB_SG_RULE_ID=${result.ruleId} to pin this rule.`);
    }
    return result;
  }
}
