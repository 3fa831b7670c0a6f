/**
 * Which Vault API paths the xcluster runner touches, derived from what a cluster's plan records (the
 * Vault resources it declares and the Vault reads it invokes), and the least-privilege ACL policy (HCL)
 * that allows exactly those. The API calls each resource makes are those of terraform-provider-vault,
 * which @pulumi/vault 7.x wraps (read at v5.11.0):
 * - provider start-up: `auth/token/lookup-self` (internal/provider/meta.go line 333) and a child token
 *   from `auth/token/create` (line 613; `skip_child_token` is left false);
 * - `vault_kv_secret_v2` / its data source: `<mount>/data/<name>` write/read; the metadata path is read
 *   whenever Vault returns `custom_metadata` (resource_kv_secret_v2.go lines 317-335) and deleted instead
 *   of the data path with `delete_all_versions` (lines 379-399);
 * - `vault_auth_backend`: `sys/auth/<path>` enable/disable (sudo), `sys/mounts/auth/<path>` and its
 *   `/tune` read, tune update on a description change (resource_auth_backend.go lines 112-249; api
 *   sys_auth.go, sys_mounts.go);
 * - `vault_kubernetes_auth_backend_config`: `auth/<backend>/config` write/read, no delete call
 *   (resource_kubernetes_auth_backend_config.go lines 160-375);
 * - `vault_kubernetes_auth_backend_role`: `auth/<backend>/role/<name>` write/read/delete;
 * - `vault_policy`: `sys/policies/acl/<name>` (api sys_policy.go lines 52-122);
 * - `vault_aws_secret_backend_role`: `<backend>/roles/<name>` (resource_aws_secret_backend_role.go
 *   lines 233-338).
 */
import type { RecordedResource } from "./mocks";

/** A Vault ACL capability. */
export type VaultCapability = "create" | "read" | "update" | "delete" | "list" | "sudo";

/** One API path and what the runner does there. */
export interface VaultAccess {
  readonly path: string;
  readonly capabilities: readonly VaultCapability[];
  /** What in the program needs it (a comment in the policy). */
  readonly why: string;
}

/** A recorded invoke. */
export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
}

const WRITE: readonly VaultCapability[] = ["create", "update", "read", "delete"];

/** The Vault accesses behind one cluster's recorded resources and invokes. */
export function vaultAccesses(
  resources: readonly RecordedResource[],
  calls: readonly RecordedCall[],
): VaultAccess[] {
  const out: VaultAccess[] = [];
  const s = (v: unknown) => String(v);
  if (resources.some((r) => r.type === "pulumi:providers:vault")) {
    out.push(
      { path: "auth/token/lookup-self", capabilities: ["read"], why: "the Vault provider checks its token" },
      {
        path: "auth/token/create",
        capabilities: ["update"],
        why: "the Vault provider's short-lived child token",
      },
    );
  }
  for (const c of calls) {
    if (c.token !== "vault:kv/getSecretV2:getSecretV2") continue;
    out.push({
      path: `${s(c.inputs["mount"])}/data/${s(c.inputs["name"])}`,
      capabilities: ["read"],
      why: "a platform credential the program reads",
    });
  }
  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case "vault:kv/secretV2:SecretV2": {
        const [mount, name] = [s(i["mount"]), s(i["name"])];
        const all = i["deleteAllVersions"] === true;
        out.push(
          {
            path: `${mount}/data/${name}`,
            capabilities: all ? ["create", "update", "read"] : WRITE,
            why: "a cluster output written back",
          },
          {
            path: `${mount}/metadata/${name}`,
            capabilities: all ? ["read", "delete"] : ["read"],
            why: all ? "its metadata; every version deleted with the cluster" : "its metadata",
          },
        );
        break;
      }
      case "vault:index/authBackend:AuthBackend":
        out.push(
          {
            path: `sys/auth/${s(i["path"])}`,
            capabilities: ["create", "update", "delete", "sudo"],
            why: "the cluster's auth mount (enable/disable need sudo)",
          },
          { path: `sys/mounts/auth/${s(i["path"])}`, capabilities: ["read"], why: "reading the mount back" },
          {
            path: `sys/mounts/auth/${s(i["path"])}/tune`,
            capabilities: ["read", "update"],
            why: "the mount's tuning (description)",
          },
        );
        break;
      case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
        out.push({
          path: `auth/${s(i["backend"])}/config`,
          capabilities: ["create", "update", "read"],
          why: "the mount's cluster API URL and CA",
        });
        break;
      case "vault:kubernetes/authBackendRole:AuthBackendRole":
        out.push({
          path: `auth/${s(i["backend"])}/role/${s(i["roleName"])}`,
          capabilities: WRITE,
          why: "a namespace's role",
        });
        break;
      case "vault:index/policy:Policy":
        out.push({
          path: `sys/policies/acl/${s(i["name"])}`,
          capabilities: WRITE,
          why: "a namespace role's policy",
        });
        break;
      case "vault:aws/secretBackendRole:SecretBackendRole":
        out.push({
          path: `${s(i["backend"])}/roles/${s(i["name"])}`,
          capabilities: WRITE,
          why: "the cluster's Route53 credentials role",
        });
        break;
      default:
        if (r.type.startsWith("vault:")) {
          // A new Vault resource type must be mapped here before the policy can be trusted.
          throw new Error(
            `no Vault access mapping for ${r.type} (${r.name}): add it to plan/vault-access.ts`,
          );
        }
    }
  }
  return out;
}

const ORDER: readonly VaultCapability[] = ["create", "read", "update", "delete", "list", "sudo"];

/** One rule per path with the union of capabilities, sorted by path. */
export function mergeAccesses(accesses: readonly VaultAccess[]): VaultAccess[] {
  const byPath = new Map<string, { caps: Set<VaultCapability>; why: Set<string> }>();
  for (const a of accesses) {
    const entry = byPath.get(a.path) ?? { caps: new Set(), why: new Set() };
    a.capabilities.forEach((c) => entry.caps.add(c));
    entry.why.add(a.why);
    byPath.set(a.path, entry);
  }
  return [...byPath.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, e]) => ({
      path,
      capabilities: ORDER.filter((c) => e.caps.has(c)),
      why: [...e.why].sort().join("; "),
    }));
}

/** The ACL policy (HCL) allowing exactly `accesses`, one `path` block each, with why as a comment. */
export function renderRunnerPolicy(title: string, accesses: readonly VaultAccess[]): string {
  const lines = [
    `# ${title}`,
    "# Generated by scripts/vault-runner-policy.ts from the plans of the clusters named below; do not edit.",
    "# Exact paths only: add a cluster, regenerate (test/services/vault-policy.spec.ts fails when stale).",
    "",
  ];
  for (const a of mergeAccesses(accesses)) {
    lines.push(`# ${a.why}`);
    lines.push(`path "${a.path}" {`);
    lines.push(`  capabilities = [${a.capabilities.map((c) => `"${c}"`).join(", ")}]`);
    lines.push("}", "");
  }
  return lines.join("\n");
}
