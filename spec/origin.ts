/**
 * Where a policy finding comes from in the specs: for the rules that a spec setting decides, the field
 * and its `file:line:col`, in the cluster spec or, when the cluster inherits it, in its environment (or
 * "the default" when neither writes it). `xcluster plan` prints it under the finding, so the fix starts
 * at the right line.
 */
import * as fs from "fs";
import * as path from "path";
import { formatPath, type PathSegment } from "./issues";
import { parseYaml, type YamlSource } from "./yaml-source";
import type { ClusterSpec } from "./types";

const P = ["spec", "parameters"] as const;

interface Setting {
  /** The field in the cluster spec. */
  readonly cluster?: readonly PathSegment[];
  /** The field in the environment the cluster inherits. */
  readonly environment?: readonly PathSegment[];
}

/** The policies (policy/rules/) whose findings a spec setting decides, and that setting. */
export const POLICY_SETTINGS: Readonly<Record<string, Setting>> = {
  "rke2-001-cis-profile": {
    cluster: [...P, "rke2", "cisProfile"],
    environment: ["spec", "defaults", "rke2", "cisProfile"],
  },
  "rke2-002-secrets-encryption": {
    cluster: [...P, "rke2", "secretsEncryption"],
    environment: ["spec", "defaults", "rke2", "secretsEncryption"],
  },
  "rke2-003-etcd-snapshots": {
    cluster: [...P, "rke2", "etcdSnapshots"],
    environment: ["spec", "defaults", "rke2", "etcdSnapshots"],
  },
  "os-ha-001-odd-server-count": { cluster: [...P, "numberOfMasters"] },
  "os-ha-002-server-anti-affinity": { cluster: [...P, "controlPlane", "serverGroupPolicy"] },
  "os-sg-001-sensitive-ports": { cluster: [...P, "adminCidrs"], environment: ["spec", "adminCidrs"] },
  "os-lb-001-restricted-control-listeners": {
    cluster: [...P, "adminCidrs"],
    environment: ["spec", "adminCidrs"],
  },
  "os-image-001-approved-images": { cluster: [...P, "images"], environment: ["spec", "images"] },
  "jhub-001-authenticator": { environment: ["spec", "jupyterhub", "auth"] },
  "r53-001-no-private-targets-in-public-zones": { environment: ["spec", "dns", "privateZone"] },
};

/**
 * `spec.parameters.rke2.cisProfile at stacks/prod/x.yaml:21:19` for a policy a setting decides, else
 * undefined. File names are the spec's own (relative to `cwd`).
 */
export function settingOrigin(spec: ClusterSpec, policy: string, cwd: string): string | undefined {
  const setting = POLICY_SETTINGS[policy];
  if (!setting) return undefined;
  const candidates: [readonly PathSegment[] | undefined, string][] = [
    [setting.cluster, spec.source.clusterFile],
    [setting.environment, spec.source.environmentFile],
  ];
  for (const [field, file] of candidates) {
    if (!field) continue;
    const src = read(path.resolve(cwd, file), file);
    if (src && has(src.data, field)) {
      const { line, col } = src.position(field);
      return `${formatPath(field)} at ${file}:${line}:${col}`;
    }
  }
  const field = setting.cluster ?? setting.environment!;
  return `${formatPath(field)} (not set: the default applies)`;
}

function read(file: string, name: string): YamlSource | undefined {
  try {
    return parseYaml(name, fs.readFileSync(file, "utf8")).source;
  } catch {
    return undefined;
  }
}

function has(data: unknown, field: readonly PathSegment[]): boolean {
  let cur: unknown = data;
  for (const seg of field) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, seg))
      return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return true;
}
