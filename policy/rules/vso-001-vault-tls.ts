import { resourceRule } from "../lib/rule";
import { chartName, get, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

export const vso001VaultTls = resourceRule(
  {
    name: "vso-001-vault-tls",
    description: "vault-secrets-operator reaches Vault over verified TLS.",
    priority: "P1",
    severity: "high",
    remediationSteps:
      "Use an https Vault address in defaultVaultConnection and a caCertSecret instead of skipTLSVerify.",
    tags: ["helm", "vault", "tls"],
    sources: [
      '`hashicorp/vault-secrets-operator@9b840a5a:chart/values.yaml` ("strongly recommended … a secure Vault environment which includes a configuration utilizing TLS")',
      "Vault production hardening",
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "vault-secrets-operator")
      args.notApplicable("applies to the vault-secrets-operator chart only");
    const conn = get(valuesOf(props), "defaultVaultConnection");
    const address = get(conn, "address");
    if (typeof address === "string" && address.toLowerCase().startsWith("http://")) {
      report(`vault-secrets-operator talks to Vault over plain http (${address})`);
    }
    if (get(conn, "skipTLSVerify") === true) report("vault-secrets-operator skips Vault's TLS verification");
  },
);
