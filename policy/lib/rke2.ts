/** Finding the RKE2 config of an RKE2 node; rules on other instances are not applicable. */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { Rke2Config, rke2ConfigOf } from "./cloudinit";
import { RKE2_NODE_ROLES, roleOf } from "./tags";

/**
 * The RKE2 config of an instance whose role is one of `roles`. A node without a readable config is
 * reported by rke2-010 once; every other RKE2 rule is then not applicable to it.
 */
export function nodeConfig(
  props: Record<string, unknown>,
  args: Pick<ResourceValidationArgs, "notApplicable">,
  roles: readonly string[] = RKE2_NODE_ROLES,
): Rke2Config {
  const role = roleOf(props);
  if (role === undefined || !roles.includes(role))
    args.notApplicable(`applies to instances with role ${roles.join("/")}`);
  const found = rke2ConfigOf(props);
  if (!("config" in found)) return args.notApplicable(`no readable RKE2 config: ${found.missing}`);
  return found.config;
}

/** The host of an RKE2 `server:` URL (`https://10.0.0.10:9345` → `10.0.0.10`). */
export function registrationHost(config: Rke2Config): string | undefined {
  const url = config["server"];
  if (typeof url !== "string" || url === "") return undefined;
  const m = /^[a-z]+:\/\/(\[[^\]]+\]|[^:/]+)/i.exec(url);
  return m?.[1]?.replace(/^\[|\]$/g, "");
}
