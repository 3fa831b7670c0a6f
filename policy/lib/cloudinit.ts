/**
 * Reading node configuration out of an Instance's `userData`: a `#cloud-config` document whose
 * `write_files` entries carry RKE2's config (at `RKE2_CONFIG_PATH`) and keepalived's (at
 * `KEEPALIVED_CONFIG_PATH`). Parsed once per distinct user-data text: several rules read the same file.
 *
 * Parsed with `parseYaml` (./yaml-core.ts): js-yaml made to read exactly what `yaml`, the renderers'
 * library, reads, because a plan parses every node's user data and js-yaml is 5× faster at it.
 */
import { gunzipSync } from "zlib";
import type { PolicyResource } from "@pulumi/policy";
import { stringify } from "yaml";
import { parseYaml } from "./yaml-core";
import { KEEPALIVED_CONFIG_PATH, RKE2_CONFIG_PATH } from "../../components/conventions";
import { propertyOf, tryRead } from "./unknown";

export interface UserData {
  /** The whole user data (decoded files appended), for text scans. */
  readonly text: string;
  /** `write_files` by path, contents decoded. */
  readonly files: ReadonlyMap<string, string>;
  /** The document without its `write_files` (the whole text when it is not cloud-config). */
  readonly outsideFiles: string;
  /** Why the document could not be read as cloud-config, if it could not. */
  readonly error?: string;
}

function decode(content: string, encoding: unknown): string {
  const enc = typeof encoding === "string" ? encoding.toLowerCase() : "";
  if (enc === "b64" || enc === "base64") return Buffer.from(content, "base64").toString("utf8");
  if (enc === "gzip" || enc === "gz") return gunzipSync(Buffer.from(content, "binary")).toString("utf8");
  if (enc === "gz+b64" || enc === "gzip+base64" || enc === "gz+base64" || enc === "gzip+b64") {
    return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  }
  return content;
}

function read(text: string): UserData {
  const files = new Map<string, string>();
  if (!text.startsWith("#cloud-config")) return { text, files, outsideFiles: text };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const error = `user data is not valid YAML: ${(e as Error).message.split("\n")[0]}`;
    return { text, files, outsideFiles: text, error };
  }
  const entries =
    doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)["write_files"] : undefined;
  let decoded = "";
  if (Array.isArray(entries)) {
    for (const f of entries) {
      if (f === null || typeof f !== "object") continue;
      const { path, content, encoding } = f as Record<string, unknown>;
      if (typeof path !== "string" || typeof content !== "string") continue;
      try {
        const body = decode(content, encoding);
        files.set(path, body);
        if (body !== content) decoded += `\n${body}`;
      } catch (e) {
        return { text, files, outsideFiles: text, error: `cannot decode ${path}: ${(e as Error).message}` };
      }
    }
  }
  const rest = doc !== null && typeof doc === "object" ? { ...(doc as Record<string, unknown>) } : {};
  delete rest["write_files"];
  return { text: decoded === "" ? text : text + decoded, files, outsideFiles: stringify(rest) };
}

const cache = new Map<string, UserData>();
/** Enough for every node of a large fleet plan: stack rules re-read what resource rules parsed. */
const CACHE_LIMIT = 20000;

export function userDataOf(props: Record<string, unknown>): UserData | undefined {
  const raw = props["userData"];
  if (typeof raw !== "string" || raw === "") return undefined;
  let hit = cache.get(raw);
  if (hit === undefined) {
    hit = read(raw);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(raw, hit);
  }
  return hit;
}

export type Rke2Config = Readonly<Record<string, unknown>>;

/** Result of looking for the RKE2 config: found, missing, or unreadable (with why). */
export type Rke2Lookup = { readonly config: Rke2Config } | { readonly missing: string };

const configCache = new Map<string, Rke2Lookup>();

/** The RKE2 config.yaml inside the instance's user data. */
export function rke2ConfigOf(props: Record<string, unknown>): Rke2Lookup {
  const ud = userDataOf(props);
  if (ud === undefined) return { missing: "the instance has no user data" };
  if (ud.error !== undefined) return { missing: ud.error };
  const body = ud.files.get(RKE2_CONFIG_PATH);
  if (body === undefined) return { missing: `user data writes no ${RKE2_CONFIG_PATH}` };
  let hit = configCache.get(body);
  if (hit === undefined) {
    try {
      const doc: unknown = parseYaml(body);
      hit =
        doc !== null && typeof doc === "object" && !Array.isArray(doc)
          ? { config: doc as Rke2Config }
          : doc === null || doc === undefined
            ? { config: {} }
            : { missing: `${RKE2_CONFIG_PATH} is not a YAML mapping` };
    } catch (e) {
      hit = { missing: `${RKE2_CONFIG_PATH} is not valid YAML: ${(e as Error).message.split("\n")[0]}` };
    }
    if (configCache.size >= CACHE_LIMIT) configCache.clear();
    configCache.set(body, hit);
  }
  return hit;
}

/** keepalived.conf inside the user data, if the instance has one. */
export function keepalivedConfigOf(props: Record<string, unknown>): string | undefined {
  return userDataOf(props)?.files.get(KEEPALIVED_CONFIG_PATH);
}

/** An RKE2 list flag (`tls-san`, `node-taint`, `kube-apiserver-arg`): YAML list or comma-separated string. */
export function listFlag(config: Rke2Config, key: string): string[] {
  const v = config[key];
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === "string") return v === "" ? [] : v.split(",").map((s) => s.trim());
  return [];
}

/** RKE2 booleans may be written `true`, `"true"`. */
export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}
export function isFalse(v: unknown): boolean {
  return v === false || v === "false";
}

/**
 * A stack rule's `rke2ConfigOf`: `unknown` when the user data is set but not known yet (it embeds the
 * cluster PKI, which exists only after the first `up`: ADR 0002, ADR 0004).
 */
export function rke2ConfigOfInstance(instance: PolicyResource): Rke2Lookup | "unknown" {
  if (propertyOf(instance, "userData").state === "unknown") return "unknown";
  const read = tryRead(() => rke2ConfigOf(instance.props));
  return read === "unknown" ? "unknown" : read.value;
}
