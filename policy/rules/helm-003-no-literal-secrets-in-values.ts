import { resourceRule } from "../lib/rule";
import { valuesOf } from "../lib/helm";
import { findCredentials, SECRET_KEY_RE, SECRET_REFERENCE_RE } from "../lib/secrets";
import { T } from "../lib/types";

function walk(v: unknown, path: string, visit: (path: string, key: string, value: unknown) => void): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, `${path}[${i}]`, visit));
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      visit(`${path}.${k}`, k, x);
      walk(x, `${path}.${k}`, visit);
    }
  }
}

export const helm003NoLiteralSecretsInValues = resourceRule(
  {
    name: "helm-003-no-literal-secrets-in-values",
    description:
      "Helm values carry no literal secrets (passwords, tokens, client secrets, keys): values are stored in the stack state and in the release's history in the cluster.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Sync the secret into a Kubernetes Secret (vault-secrets-operator) and reference it (existingSecret, secretName, …SecretRef) in the values.",
    tags: ["helm", "secrets"],
  },
  [T.helmRelease],
  (props, _args, report) => {
    walk(valuesOf(props), "values", (path, key, value) => {
      if (typeof value !== "string" || value === "") return;
      if (SECRET_KEY_RE.test(key) && !SECRET_REFERENCE_RE.test(key)) report(`${path} holds a literal secret`);
      else {
        const found = findCredentials(value);
        if (found.length > 0) report(`${path} contains ${found.join(", ")}`);
      }
    });
  },
);
