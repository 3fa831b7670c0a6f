import { resourceRule } from "../lib/rule";
import { valuesOf } from "../lib/helm";
import { findSecrets } from "../lib/secrets";
import { T } from "../lib/types";

export const helm003NoLiteralSecretsInValues = resourceRule(
  {
    name: "helm-003-no-literal-secrets-in-values",
    description:
      "Helm values carry no literal secrets, recognised by key name (also the name beside a value in env lists) and by shape (AWS keys, private keys, JWTs, long high-entropy strings): values are stored in the stack state and in the release's history in the cluster.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Sync the secret into a Kubernetes Secret (vault-secrets-operator) and reference it (existingSecret, secretName, …SecretRef) in the values.",
    tags: ["helm", "secrets"],
    sources: [
      "KICS `passwords_and_secrets`",
      "`CKV_K8S_35`",
      "CrossGuard FAQ (values land in state inputs)",
      "Yelp/detect-secrets v1.5.0 `detect_secrets/plugins/high_entropy_strings.py` (base64 limit 4.5 bits per character)",
      "RFC 7519 section 3 (the JWT shape), `checkov/common/util/secrets.py` (credential patterns)",
    ],
  },
  [T.helmRelease],
  (props, _args, report) => {
    // By key name (or the `name` beside a `value` in env lists) and by shape (policy/lib/secrets.ts).
    for (const f of findSecrets(valuesOf(props), "values")) report(`${f.path} ${f.what}`);
  },
);
