import type { Command } from 'commander';
import { formatProblem } from '../../core/errors.js';
import { diffPacks, formatDiff } from '../../policy/diff.js';
import { explainPolicy, formatExplanation } from '../../policy/explain.js';
import { policySchemaJson } from '../../policy/json-schema.js';
import { checkPack, loadPack } from '../../policy/load.js';
import { loadConfig } from '../../config/load.js';
import { example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

interface PackOpts extends CommonOpts {
  policy?: string;
}

export function registerPolicy(program: Command): void {
  const policy = example(program.command('policy').description('validate, explain, diff and export the schema of policy packs'), [
    'pillars policy validate',
    'pillars policy explain safety.cbrn',
    'pillars policy diff policies/v1 policies/v2',
  ]);

  example(
    withJson(withConfig(policy.command('validate [path]').description('validate a policy pack (file or folder); one FILE:LINE:COL line per problem, exit 1 when any'))),
    ['pillars policy validate policies/acme.yaml', 'pillars policy validate            # the pack named in pillars.yaml, else the built-in default'],
  ).action((path: string | undefined, opts: CommonOpts) => {
    const config = loadConfig({ config: opts.config });
    const target = path ?? config.policyPath;
    const { loaded, problems } = checkPack(target);
    if (opts.json) printJson({ path: target, valid: problems.length === 0, problems });
    else for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    if (problems.length > 0 || !loaded) {
      process.exitCode = 1;
      return;
    }
    const pack = loaded.pack;
    if (!opts.json) process.stdout.write(`${target}: valid (pack ${pack.id} ${pack.version}, ${pack.policies.length} policies)\n`);
  });

  example(
    withJson(withConfig(policy.command('explain <id>').description('explain one policy: behaviour at each level, boundary, exceptions, regulations, owners'))).option(
      '--policy <path>',
      'policy pack (default: the pack named in pillars.yaml, else the built-in default)',
    ),
    ['pillars policy explain safety.cbrn', 'pillars policy explain safety.cyber --json'],
  ).action((id: string, opts: PackOpts) => {
    const config = loadConfig({ config: opts.config });
    const { pack } = loadPack(opts.policy ?? config.policyPath);
    const e = explainPolicy({ pack, id });
    if (opts.json) printJson(e);
    else process.stdout.write(formatExplanation(e));
  });

  example(
    withJson(policy.command('diff <old> <new>').description('behavioural diff of two packs: changed actions per (topic, level, tier, context), exceptions, severities, policies; exit 0 either way')),
    ['pillars policy diff policies/v1 policies/v2', 'pillars policy diff old.yaml new.yaml --json'],
  ).action((oldPath: string, newPath: string, opts: CommonOpts) => {
    const a = loadPack(oldPath).pack;
    const b = loadPack(newPath).pack;
    const d = diffPacks({ old: a, new: b });
    if (opts.json) printJson(d);
    else process.stdout.write(formatDiff(d));
  });

  example(policy.command('schema').description('print the JSON Schema of a policy pack (for editor autocompletion)'), [
    'pillars policy schema > pillars-policy.schema.json',
  ]).action(() => {
    printJson(policySchemaJson());
  });
}
