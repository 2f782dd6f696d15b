export { Scenario, loadScenario, loadScenarios } from './scenario.js';
export { runScenario, runDeception, statedValues, type ScenarioResult, type DeceptionReport, type ProbeResult, type TurnLog, type FindingKind } from './probe.js';
