import { resourceRule } from "../lib/rule";
import { valuesOf } from "../lib/helm";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

/**
 * The registry of an image reference, as container runtimes resolve it: the first path component is a
 * registry only when it has a `.` or `:` or is `localhost`, else the image is on Docker Hub
 * (distribution/reference normalize.go `splitDockerDomain`, v0.6.0: `docker.io`).
 */
export function registryOf(ref: string): string {
  const name = ref.trim().split("@")[0] ?? "";
  const i = name.indexOf("/");
  if (i < 0) return "docker.io";
  const first = name.slice(0, i);
  if (first === "localhost" || first.includes(".") || first.includes(":")) return first.toLowerCase();
  return "docker.io";
}

interface ImageRef {
  readonly path: string;
  readonly registry: string;
}

/**
 * Image references in Helm values: `image: "ref"`; an image object `{registry?, repository}` anywhere, or
 * `{registry?, name}` under an `image`-named key (z2jh 4.4.0 `singleuser.image.name`); `imageRegistry`.
 * A sibling `registry` wins over the repository's own first component (the common chart layout). A
 * `registry` key alone outside an image object is something else (external-dns' `registry: txt`).
 */
function imageRefs(v: unknown, key: string, path: string, out: ImageRef[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => imageRefs(x, key, `${path}[${i}]`, out));
    return;
  }
  if (v === null || typeof v !== "object") return;
  const o = v as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const x = o[k];
    return typeof x === "string" && x !== "" && !x.includes("://") ? x : undefined;
  };
  const imageObject = /image$/i.test(key);
  const ref = str("repository") ?? (imageObject ? str("name") : undefined);
  const registry = str("registry");
  const taken = new Set<string>();
  if (ref !== undefined) {
    out.push(
      registry !== undefined
        ? { path: `${path}.registry`, registry: registry.toLowerCase() }
        : { path: `${path}.${o["repository"] === ref ? "repository" : "name"}`, registry: registryOf(ref) },
    );
    taken.add("registry").add(o["repository"] === ref ? "repository" : "name");
  } else if (registry !== undefined && imageObject) {
    out.push({ path: `${path}.registry`, registry: registry.toLowerCase() });
    taken.add("registry");
  }
  for (const [k, x] of Object.entries(o)) {
    if (taken.has(k)) continue;
    if (/image$/i.test(k) && typeof x === "string" && x !== "")
      out.push({ path: `${path}.${k}`, registry: registryOf(x) });
    else if (/^(imageRegistry|systemDefaultRegistry)$/.test(k) && typeof x === "string" && x !== "")
      out.push({ path: `${path}.${k}`, registry: x.toLowerCase() });
    else imageRefs(x, k, `${path}.${k}`, out);
  }
}

export const helm005ApprovedRegistries = resourceRule(
  {
    name: "helm-005-approved-registries",
    description:
      "Images named in add-on values come from the environment's approved container registries (an unqualified name is Docker Hub).",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Pull from a registry in the environment's approved.registries list (or its mirror), with the registry written out.",
    tags: ["helm", "supply-chain"],
    sources: [
      "distribution/reference v0.6.0 normalize.go `splitDockerDomain` (an image name without a registry host is docker.io)",
      "jupyterhub/zero-to-jupyterhub-k8s 4.4.0 `jupyterhub/values.yaml` (`singleuser.image.name`, `imageRegistry` layouts)",
      "supply-chain rationale of `CKV_AWS_386` and the OpenStack Security Guide's chain of trust for images (`instance-management/security-services-for-instances.rst`)",
    ],
    configSchema: schema("approvedRegistries"),
  },
  [T.helmRelease],
  (props, args, report) => {
    const approved = settings(args).approvedRegistries.map((r) => r.toLowerCase());
    if (approved.length === 0) return;
    const refs: ImageRef[] = [];
    imageRefs(valuesOf(props), "", "values", refs);
    for (const r of refs) {
      if (!approved.includes(r.registry))
        report(
          `${r.path} pulls from ${r.registry}, not in the environment's approved.registries list (${approved.join(", ")})`,
        );
    }
  },
);
