/**
 * A resource's inputs as the plan report shows them: plain JSON, with every secret replaced by
 * `"[secret]"`. Two kinds of secret are masked: what the program made a Pulumi secret (the mocks receive
 * it in the RPC wire form, `@pulumi/pulumi` runtime/rpc.js `specialSigKey`/`specialSecretSig`), and any
 * literal the pack's secret detector recognises by its key's name or its shape (policy/lib/secrets.ts),
 * so that a credential a user wrote into add-on values is reported by helm-003 but never copied into a
 * report that CI keeps as an artifact.
 */
import { findSecrets, secretShapes } from "../policy/lib/secrets";

/** What a masked value reads as. */
export const SECRET_MASK = "[secret]";

/** The RPC wire form of a secret and of a resource reference (`@pulumi/pulumi` runtime/rpc.js). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Plain JSON of a deserialised input: secrets masked; assets, archives and resource references (class
 * instances the mocks deserialise) named by kind, since their content is not the reviewer's concern;
 * `undefined` (a value the program left unset) dropped.
 */
function toJson(v: unknown): Json | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map((x) => toJson(x) ?? null);
  if (typeof v !== "object") return String(v);
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) return SECRET_MASK;
  if (!isPlainObject(o)) return `[${(o.constructor as { name?: string } | undefined)?.name ?? "object"}]`;
  const out: { [key: string]: Json } = {};
  for (const k of Object.keys(o).sort()) {
    const x = toJson(o[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

/**
 * Whether the detector flags string `value` under key `key` of object `owner`: the same judgement as
 * findSecrets (key name, the `name` beside a `value`, shape), asked of that one entry, so that keys with
 * dots or brackets (`pod-security.kubernetes.io/enforce`) need no path parsing.
 */
function detected(owner: { [key: string]: Json }, key: string, value: string): boolean {
  const name = owner["name"];
  const probe: Record<string, string> =
    key === "value" && typeof name === "string" ? { name, value } : { [key]: value };
  return findSecrets(probe, "").some((f) => f.path === `.${key}`);
}

function maskDetected(v: Json): void {
  if (Array.isArray(v)) {
    // A bare string in a list (a command-line flag, a line of text) is judged by its shape only.
    v.forEach((x, i) => {
      if (typeof x === "string") {
        if (x !== SECRET_MASK && secretShapes(x).length > 0) v[i] = SECRET_MASK;
      } else maskDetected(x);
    });
    return;
  }
  if (v === null || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string") {
      if (x !== SECRET_MASK && detected(v, k, x)) v[k] = SECRET_MASK;
    } else maskDetected(x);
  }
}

/** The inputs as the report carries them: keys sorted, Pulumi secrets and detected literals masked. */
export function reportInputs(inputs: Record<string, unknown>): { [key: string]: Json } {
  // A dynamic provider's serialised code (with whatever its closures captured) is not an input to review.
  const { __provider: code, ...rest } = inputs;
  const json = toJson(code === undefined ? rest : { ...rest, __provider: "[dynamic provider]" });
  const root = json !== null && typeof json === "object" && !Array.isArray(json) ? json : {};
  maskDetected(root);
  return root;
}
