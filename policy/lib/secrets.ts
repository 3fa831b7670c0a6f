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
  // PKCS#1/#8 ("RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), SEC1 ("EC"), OpenSSH and
  // PGP ("PGP PRIVATE KEY BLOCK"). A certificate or public key block is public and is not matched.
  { label: "private key", re: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/ },
  // A JWT: base64url header and payload, each a JSON object (`{"` encodes as `eyJ`), and a signature
  // (RFC 7519 section 3). Kubernetes service-account tokens and OIDC tokens have this shape.
  { label: "JWT", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/ },
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

/**
 * Key names that hold secrets (`password`, `clientSecret`, `client_secret`, `apiKey` …), anchored at the
 * end. Prefer `isSecretKeyName`, which also sees `pass` only as a word (`proxyBypass` is not a secret).
 */
export const SECRET_KEY_RE =
  /(pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|crypt[-_]?key|credentials?)$/i;

/** Key names that *reference* a secret stored elsewhere (`existingSecret`, `secretName`, `passwordSecretRef`). */
export const SECRET_REFERENCE_RE =
  /^(existing[-_]?secret.*|.*secret[-_]?(name|ref|key[-_]?ref)|.*[-_]?(secret|password|token)[-_]?ref|.*SecretRef|.*_file|.*File|.*[-_]path|.*Path|secretKeyRef)$/i;

/** The words of a key name: `DB_PASSWORD` → [db, password]; `clientSecret` → [client, secret]. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

const SECRET_LAST_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "token",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
  "accesskey",
  "secretkey",
]);
/** `<word> key` pairs that are secrets (`api_key`, `privateKey`, `secret-key`, `encryptionKey`). */
const SECRET_KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "private",
  "secret",
  "crypt",
  "encryption",
  "signing",
]);

/**
 * Whether a key (or the `name` beside a `value`) names a secret held literally: its last word says so
 * (`adminPassword`, `DB_PASSWORD`, `client_secret`, `apiKey`), and it is not a reference to a secret kept
 * elsewhere (`existingSecret`, `passwordSecretRef`, `tokenFile`). Look-alikes whose last word is another
 * (`passwordPolicy`, `tokenTTL`, `secretName`, `proxyBypass`) are not secrets.
 */
export function isSecretKeyName(key: string): boolean {
  if (SECRET_REFERENCE_RE.test(key)) return false;
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_LAST_WORDS.has(last)) return true;
  const before = words[words.length - 2];
  return last === "key" && before !== undefined && SECRET_KEY_QUALIFIERS.has(before);
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Bits per character above which a base64-alphabet token is random: detect-secrets'
 * `Base64HighEntropyString` default limit (Yelp/detect-secrets detect_secrets/plugins/high_entropy_strings.py,
 * v1.5.0: `limit: float = 4.5`).
 */
export const HIGH_ENTROPY_BITS = 4.5;
/** Shortest token judged by entropy (shorter ones cannot reach the limit reliably). */
export const HIGH_ENTROPY_MIN_LENGTH = 32;

/**
 * Long random-looking tokens in `text`: base64/base64url alphabet, at least 32 characters, upper and lower
 * case and digits, entropy at least 4.5 bits per character. Hex strings (checksums, digests, UUIDs) are
 * never judged by shape: a hex alphabet cannot exceed 4 bits, and a sha256 checksum is public; a hex
 * secret is still found by its key's name. Text holding a PEM block (a public certificate's base64 lines)
 * and URLs and paths are not judged either.
 */
export function highEntropyTokens(text: string): string[] {
  if (text.includes("-----BEGIN")) return [];
  const out: string[] = [];
  for (const token of text.split(/[\s"'`,;=:()[\]{}<>]+/)) {
    if (token.length < HIGH_ENTROPY_MIN_LENGTH) continue;
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) continue;
    if (token.startsWith("/") || /^[0-9a-fA-F-]+$/.test(token)) continue;
    if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) continue;
    if (entropy(token) >= HIGH_ENTROPY_BITS) out.push(token);
  }
  return out;
}

/** What a string value is, by shape: the credential kinds it contains, then "high-entropy string". */
export function secretShapes(value: string, options: { readonly entropy?: boolean } = {}): string[] {
  const found = findCredentials(value);
  if ((options.entropy ?? true) && found.length === 0 && highEntropyTokens(value).length > 0)
    found.push("high-entropy string");
  return found;
}

/** One literal secret found in structured data (Helm values, metadata). */
export interface SecretFinding {
  /** Where, as `values.env[0].value`. */
  readonly path: string;
  /** The message tail: `holds a literal secret (named DB_PASSWORD)`, `contains AWS access key ID`. */
  readonly what: string;
}

function isPlaceholder(value: string): boolean {
  // Templated or referenced, not a literal: `${VAR}`, `$(VAR)`, `{{ .Values.x }}`.
  return /^\s*(\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\})\s*$/.test(value);
}

/**
 * Literal secrets in structured data, by the key's name (or the `name` beside a `value`, as in Kubernetes
 * `env: [{name, value}]` lists) and by the value's shape. Never returns a value, only where and what.
 */
export function findSecrets(root: unknown, path: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  const visit = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${at}[${i}]`));
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    const pairName = typeof o["name"] === "string" && typeof o["value"] === "string" ? o["name"] : undefined;
    for (const [k, x] of Object.entries(o)) {
      const here = `${at}.${k}`;
      if (typeof x === "string") {
        if (x === "" || isPlaceholder(x)) continue;
        if (isSecretKeyName(k)) out.push({ path: here, what: "holds a literal secret" });
        else if (k === "value" && pairName !== undefined && isSecretKeyName(pairName))
          out.push({ path: here, what: `holds a literal secret (named ${pairName})` });
        else {
          const shapes = secretShapes(x);
          if (shapes.length > 0) out.push({ path: here, what: `contains ${shapes.join(", ")}` });
        }
      } else visit(x, here);
    }
  };
  visit(root, path);
  return out;
}
