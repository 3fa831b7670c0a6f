/** Helpers for stack rules: resources by type and references between resources. */
import type { PolicyResource } from "@pulumi/policy";

export function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((r) => r.type === type);
}

/**
 * Resources of `type` that `resource.prop` refers to. The engine resolves `propertyDependencies` to
 * resources (an ID is unknown at preview, the dependency is not), so rules correlate through them.
 */
export function referenced(resource: PolicyResource, prop: string, type: string): PolicyResource[] {
  return (resource.propertyDependencies[prop] ?? []).filter((r) => r.type === type);
}
