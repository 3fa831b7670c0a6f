/**
 * Stack names: `<environment>.<cluster>`. Environment and cluster names are DNS labels (no dots), so the
 * dot makes the name reversible — `reconcile` maps a stack found in the backend back to its environment
 * and cluster, which a hyphen (`prod-eo-data`) could not do. Pulumi allows dots in stack names.
 */
import type { ClusterSpec } from "../spec/types";

export const PROJECT_NAME = "xcluster";

export function stackName(spec: Pick<ClusterSpec, "environment" | "name">): string {
  return `${spec.environment}.${spec.name}`;
}

export interface ParsedStackName {
  readonly environment: string;
  readonly cluster: string;
}

/**
 * The environment and cluster of a stack name as the backend lists it (`prod.a`, or fully qualified
 * `organization/xcluster/prod.a`); undefined for stacks that do not follow the naming scheme.
 */
export function parseStackName(name: string): ParsedStackName | undefined {
  const short = name.slice(name.lastIndexOf("/") + 1);
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(short);
  return m ? { environment: m[1] as string, cluster: m[3] as string } : undefined;
}

/** A Kubernetes object name (DNS-1035 label: the operator derives Service names from it, so no dots). */
export function objectName(spec: Pick<ClusterSpec, "environment" | "name">): string {
  return `${spec.environment}-${spec.name}`.slice(0, 63).replace(/-+$/, "");
}
