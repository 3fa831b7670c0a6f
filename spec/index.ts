/** The spec layer: parse with positions, apply defaults, validate → one typed ClusterSpec per cluster. */
export { loadFleet, type FleetLoad, type LoadOptions } from "./load";
export { SpecError, formatIssue, type SpecIssue } from "./issues";
export type * from "./types";
