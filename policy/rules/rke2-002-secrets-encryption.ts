import { resourceRule } from "../lib/rule";
import { isFalse, listFlag } from "../lib/cloudinit";
import { nodeConfig } from "../lib/rke2";
import { T } from "../lib/types";

const PROVIDERS = ["aescbc", "secretbox"];

export const rke2002SecretsEncryption = resourceRule(
  {
    name: "rke2-002-secrets-encryption",
    description:
      "RKE2 servers encrypt Kubernetes secrets at rest in etcd (aescbc or secretbox), and nothing overrides the encryption config.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Leave secrets encryption on (do not set secrets-encryption: false), use secrets-encryption-provider aescbc or secretbox, and do not pass encryption-provider-config in kube-apiserver-arg.",
    tags: ["rke2", "cis", "secrets"],
    sources: [
      "rancher/rke2-docs `docs/security/secrets_encryption.md`",
      "CIS 1.2.27 (rancher/rke2-docs `docs/security/cis_self_assessment112.md`)",
    ],
  },
  [T.instance],
  (props, args, report) => {
    const config = nodeConfig(props, args, ["server"]);
    if (isFalse(config["secrets-encryption"]))
      report("secrets-encryption: false leaves secrets unencrypted in etcd");
    const provider = config["secrets-encryption-provider"];
    if (provider !== undefined && !PROVIDERS.includes(String(provider))) {
      report(`secrets-encryption-provider ${String(provider)} is neither aescbc nor secretbox`);
    }
    if (listFlag(config, "kube-apiserver-arg").some((a) => a.startsWith("encryption-provider-config"))) {
      report("kube-apiserver-arg overrides encryption-provider-config");
    }
  },
);
