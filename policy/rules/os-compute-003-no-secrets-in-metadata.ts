import { resourceRule } from "../lib/rule";
import { isSecretKeyName, secretShapes } from "../lib/secrets";
import { T } from "../lib/types";

export const osCompute003NoSecretsInMetadata = resourceRule(
  {
    name: "os-compute-003-no-secrets-in-metadata",
    description:
      "Instance metadata and personality files carry no secrets: the metadata service serves them to anything on the instance, pods included.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Keep metadata to identity keys (cluster, role, environment); deliver secrets from Vault at boot; write files with cloud-init, not personality.",
    tags: ["compute", "openstack", "secrets"],
    sources: [
      'TF `compute_instance_v2.md` (`metadata` is "available from within the instance")',
      "Kubernetes securing-a-cluster (metadata API reachable by pods)",
      'OpenStack Security Guide "disable filters that parse things that are provided by users … such as metadata" (`instance-management/security-services-for-instances.rst`)',
    ],
  },
  [T.instance],
  (props, _args, report) => {
    const md = props["metadata"];
    if (md !== null && typeof md === "object" && !Array.isArray(md)) {
      for (const [k, v] of Object.entries(md as Record<string, unknown>)) {
        if (isSecretKeyName(k)) report(`metadata key ${k} names a secret`);
        else if (typeof v === "string") {
          const shapes = secretShapes(v);
          if (shapes.length > 0) report(`metadata value of ${k} contains ${shapes.join(", ")}`);
        }
      }
    }
    const personality = props["personalities"];
    if (Array.isArray(personality) && personality.length > 0) report("personality file injection is used");
  },
);
