import type { Command } from 'commander';
import { formatProblem } from '../../core/errors.js';
import { checkPack } from '../../policy/load.js';
import { policySchemaJson } from '../../policy/json-schema.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('validate, explain, diff and export the schema of policy packs');

  example(
    withJson(withConfig(policy.command('validate [path]').description('validate a policy pack (file or folder); one FILE:LINE:COL line per problem'))),
    ['pillars policy validate policies/acme.yaml'],
  ).action((path: string | undefined, opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const target = path ?? config.policyPath;
    const { loaded, problems } = checkPack(target);
    if (opts.json) printJson({ valid: problems.length === 0, problems });
    else for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    if (problems.length > 0) {
      process.exitCode = 1;
      return;
    }
    const pack = loaded!.pack;
    if (!opts.json) process.stdout.write(`${target}: valid (pack ${pack.id} ${pack.version}, ${pack.policies.length} policies)\n`);
  });

  example(policy.command('schema').description('print the JSON Schema of a policy pack (for editor autocompletion)'), [
    'pillars policy schema > pillars-policy.schema.json',
  ]).action(() => {
    printJson(policySchemaJson());
  });
}
