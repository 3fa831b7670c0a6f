/**
 * Content-based secret detection. CrossGuard hands policies plaintext and cannot tell which inputs are
 * Pulumi secrets, so rules look at what a value *is*. Messages name the kind of secret, never the value.
 * Patterns follow Checkov's secrets.py / KICS' regex rules plus the credentials this project handles.
 */

export interface SecretPattern {
  readonly label: string;
  readonly re: RegExp;
}

/** Cloud and admin credentials. RKE2 join tokens are not here: rke2-008 governs those. */
export const CREDENTIAL_PATTERNS: readonly SecretPattern[] = [
  { label: "OpenStack password", re: /\bOS_PASSWORD\s*[=:]\s*\S+/ },
  {
    label: "OpenStack application credential secret",
    re: /\b(OS_APPLICATION_CREDENTIAL_SECRET|application_credential_secret)\b\s*["']?\s*[=:]\s*["']?[^\s"']{6,}/i,
  },
  { label: "AWS access key ID", re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { label: "AWS secret access key", re: /\baws_secret_access_key\b\s*["']?\s*[=:]\s*["']?[^\s"']{16,}/i },
  { label: "Vault token", re: /\b(hvs|hvb|hvr)\.[A-Za-z0-9_-]{20,}/ },
  { label: "Vault token", re: /\bVAULT_TOKEN\s*=\s*\S+/ },
  { label: "kubeconfig client key", re: /\bclient-key-data\s*:\s*\S{16,}/ },
  { label: "Rancher API key", re: /\btoken-[a-z0-9]{5}:[a-z0-9]{40,}/ },
  { label: "private key", re: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/ },
];

/** Kinds of credential found in `text` (each once, in pattern order). */
export function findCredentials(
  text: string,
  patterns: readonly SecretPattern[] = CREDENTIAL_PATTERNS,
): string[] {
  const found: string[] = [];
  for (const p of patterns) if (p.re.test(text) && !found.includes(p.label)) found.push(p.label);
  return found;
}

/** Key names that hold secrets (`password`, `clientSecret`, `client_secret`, `apiKey` …). */
export const SECRET_KEY_RE =
  /(pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|crypt[-_]?key|credentials?)$/i;

/** Key names that *reference* a secret stored elsewhere (`existingSecret`, `secretName`, `passwordSecretRef`). */
export const SECRET_REFERENCE_RE =
  /^(existing[-_]?secret.*|.*secret[-_]?(name|ref|key[-_]?ref)|.*[-_]?(secret|password|token)[-_]?ref|.*SecretRef|.*_file|.*File|.*[-_]path|.*Path|secretKeyRef)$/i;
