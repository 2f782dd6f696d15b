/**
 * The wiring layer between the CLI and the features: environments built from pillars.yaml (the
 * pack, the one configured guard, the targets, the judges, the store) and the jobs the commands
 * run on them. CLI files parse flags, call these and print; features never import run/.
 */
export { wire, guardModel, customGuardModel, type Wiring } from './wiring.js';
export { prepareEval, requireTarget, openSuites, configSuiteRefs, targetRecord, probeFor, settingsFor, reportsDir, type EvalEnv } from './eval-env.js';
export { evalOne, evalTargets, watchRun, type EvalOneResult, type EvalTargetsInput, type TargetEvalOutcome, type WatchRunInput, type WatchHooks } from './eval.js';
export { openFeatureEnv, type FeatureEnv } from './feature-env.js';
export { createReportLoader, defaultReportsDir } from './reports.js';
export { selectCheckpointRun, type SelectCheckpointInput } from './select-checkpoint.js';
export { deceptionRun, type DeceptionRunInput } from './deception.js';
export { frontierRun, frontierGateProvider, type FrontierRunInput } from './frontier.js';
export { redteamRun, suiteItems, writeRedteamReports, type RedteamRunInput, type RedteamRunResult } from './redteam.js';
