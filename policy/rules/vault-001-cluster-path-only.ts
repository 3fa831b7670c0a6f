import { resourceRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const vault001ClusterPathOnly = resourceRule(
  {
    name: "vault-001-cluster-path-only",
    description:
      "A cluster writes Vault secrets only as KV v2, on its mount and under its own path (<prefix>/<cluster>/…), so one cluster can never overwrite another's secrets.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Write with vault.kv.SecretV2 on the environment's KV mount, with a name under the cluster's path (vault.clusterPathPrefix/<cluster>/).",
    tags: ["vault", "secrets"],
    sources: [
      "`hashicorp/terraform-provider-vault:vault/resource_kv_secret_v2.go` (`data_json` is `Sensitive` → secret in Pulumi; `disable_read`), `website/docs/r/kv_secret_v2.html.md`",
      "Vault production hardening (least privilege needs predictable paths)",
    ],
    configSchema: schema("vaultMounts", "vaultClusterPath"),
  },
  [T.vaultSecretV2, T.vaultSecretV1],
  (props, args, report) => {
    if (args.type === T.vaultSecretV1) {
      report("KV v1 secret; write KV v2 (vault:kv/secretV2:SecretV2)");
      return;
    }
    const s = settings(args);
    const mount = String(props["mount"] ?? "");
    const name = String(props["name"] ?? "");
    if (s.vaultMounts.length > 0 && !s.vaultMounts.includes(mount)) {
      report(`writes to mount ${mount}, not ${s.vaultMounts.join(", ")}`);
    }
    if (name.startsWith("/") || name.split("/").includes(".."))
      report(`path ${name} is not a plain relative path`);
    else if (s.vaultClusterPath !== "" && !name.startsWith(`${s.vaultClusterPath.replace(/\/+$/, "")}/`)) {
      report(`writes ${name}, outside the cluster's path ${s.vaultClusterPath}/`);
    }
  },
);
