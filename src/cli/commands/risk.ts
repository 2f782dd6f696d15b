import { Option, type Command } from 'commander';
import { loadPack } from '../../policy/load.js';
import { isProductKind, PRODUCT_KINDS } from '../../policy/risk-catalog.js';
import { UserError } from '../../core/errors.js';
import { assessRisk, formatRiskMarkdown } from '../../policy/risk.js';
import { loadConfig, section } from '../../config/load.js';
import { GatewayConfig } from '../../gateway/config.js';
import { toolRiskControls } from '../../gateway/tools-policy.js';
import { example, printJson, withConfig, type CommonOpts } from '../shared.js';

interface RiskOpts extends CommonOpts {
  product: string;
  policy?: string;
  format: 'md' | 'json';
}

export function registerRisk(program: Command): void {
  const risk = example(program.command('risk').description('launch risk assessment: anticipated harms per pillar, mapped to the policy'), [
    'pillars risk assess --product chat-assistant',
  ]);
  example(
    withConfig(risk.command('assess').description('risk register for a product kind: harms per pillar, the policies covering each, and the gaps'))
      .requiredOption('--product <kind>', `product kind: ${PRODUCT_KINDS.join(', ')}`)
      .option('--policy <path>', 'policy pack (default: the pack named in pillars.yaml, else the built-in default)')
      .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
      .option('--json', 'same as --format json'),
    ['pillars risk assess --product image-generator', 'pillars risk assess --product agent-with-tools --format json'],
  ).action((opts: RiskOpts) => {
    if (!isProductKind(opts.product)) {
      throw new UserError(`unknown product kind "${opts.product}"; kinds: ${PRODUCT_KINDS.join(', ')}`, { code: 'usage' });
    }
    const config = loadConfig({ config: opts.config });
    const path = opts.policy ?? config.policyPath;
    const { pack } = loadPack(path);
    // Runtime controls outside the pack: the gateway's tool rules cover an agent's excessive agency.
    const controls = toolRiskControls(section(config, 'gateway', GatewayConfig.prefault({})).tools);
    const register = assessRisk({ product: opts.product, pack, packPath: path, controls });
    if (opts.format === 'json' || opts.json) printJson(register);
    else process.stdout.write(formatRiskMarkdown(register));
  });
}
