/**
 * The fleet driver: one Pulumi stack per cluster through the automation API, operations over the whole
 * fleet with waves, bounded parallelism and reports.
 */
export {
  runFleet,
  preflight,
  fleetExitCode,
  type FleetOptions,
  type FleetReport,
  type OrphanStack,
} from "./run-fleet";
export {
  runOperation,
  OPERATIONS,
  type Operation,
  type ClusterResult,
  type ClusterOutcome,
} from "./operation";
export { reconcile, listBackendStacks, type ReconcileOptions } from "./reconcile";
export { stackOutputs, maskOutputs, MASK } from "./outputs";
export {
  operatorStack,
  renderOperatorStacks,
  type OperatorExportOptions,
  type OperatorStack,
} from "./operator-export";
export { findPulumi, cliRoot } from "./pulumi-cli";
export {
  missingPrerequisites,
  requirePrerequisites,
  programPlugins,
  PrerequisitesMissingError,
  type MissingPiece,
  type RequiredPlugin,
} from "./preflight";
export { SPEC_TAG, PROTECT_TAG, readStackRecords, type StackRecord } from "./spec-ownership";
export { loadEnvironmentSpecs, type EnvironmentSpecs } from "./environment-specs";
export { backendStacks, type BackendStack } from "./backend";
export { stackName, parseStackName, objectName, PROJECT_NAME } from "./stack-name";
export { stackConfig, type ExtraConfig } from "./stack-config";
export {
  openStack,
  workspaceOptions,
  checkSecretsProviders,
  PASSPHRASE_VARS,
  type ProgramFactory,
} from "./workspace";
export { layout, backendUrl, workspaceDir, type Layout } from "./layout";
export { planWaves, type CanarySelection } from "./waves";
export { offlinePolicyGate, OFFLINE_PACK, type PolicyGate, type GateFinding } from "./policy-gate";
export { renderTable, renderMarkdown, renderJson } from "./report";
export { EngineTally, type Changes, type PolicyViolation, type DriftItem } from "./tally";
export * from "./errors";
