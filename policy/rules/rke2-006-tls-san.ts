import { stackRule } from "../lib/rule";
import { isFalse, listFlag, rke2ConfigOfInstance, type Rke2Lookup } from "../lib/cloudinit";
import { sameAddress } from "../lib/net";
import { registrationHost } from "../lib/rke2";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { RKE2_NODE_ROLES, roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { Undecided } from "../lib/unknown";

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || sameAddress(a, b);
}

export const rke2006TlsSan = stackRule(
  {
    name: "rke2-006-tls-san",
    description:
      "Every RKE2 server's certificate covers the fixed registration address the other nodes join through (VIP or load balancer) and the configured API names, with no wildcards, and tls-san-security stays on.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "List the registration address, the API floating IP and the API DNS name in tls-san on every server; do not set tls-san-security: false.",
    tags: ["rke2", "tls"],
    sources: [
      'rancher/rke2-docs `docs/install/ha.md` ("launch the server with the `tls-san` parameter set" for the fixed registration address)',
      "rancher/rke2-docs `docs/reference/server_config.md` (`tls-san-security` default true)",
    ],
    configSchema: schema("requiredTlsSans"),
  },
  (args, report) => {
    const undecided = new Undecided();
    // User data not known yet (a first preview) decides nothing; what is known is still checked.
    const configs = ofType(args.resources, T.instance)
      .filter((i) => RKE2_NODE_ROLES.includes(roleOf(i.props) ?? ""))
      .map((i) => {
        const lookup = rke2ConfigOfInstance(i);
        if (lookup !== "unknown") return { i, lookup };
        undecided.note(i, "userData");
        return { i, lookup: { missing: "user data not known yet" } as Rke2Lookup };
      });
    const servers = configs.filter((c) => roleOf(c.i.props) === "server");
    if (servers.length === 0) args.notApplicable("the stack has no RKE2 servers");
    const registration = new Set<string>();
    for (const c of configs) {
      const host = "config" in c.lookup ? registrationHost(c.lookup.config) : undefined;
      if (host !== undefined) registration.add(host);
    }
    const required = [...settings(args).requiredTlsSans];
    // A join target that is a server's own node-ip is served by that server alone, whose certificate
    // carries its node-ip anyway; only shared addresses (VIP, load balancer, names) must be in every SAN list.
    const serverIps = servers.flatMap(({ lookup }) =>
      "config" in lookup && typeof lookup.config["node-ip"] === "string"
        ? [lookup.config["node-ip"] as string]
        : [],
    );
    const shared = [...registration].filter((h) => !serverIps.some((ip) => same(h, ip)));
    for (const { i, lookup } of servers) {
      if (!("config" in lookup)) continue;
      const config = lookup.config;
      if (isFalse(config["tls-san-security"])) {
        report("tls-san-security: false lets clients add names to the serving certificate", i.urn);
      }
      const sans = listFlag(config, "tls-san");
      for (const san of sans) {
        if (san.includes("*") || san === "0.0.0.0" || san === "::")
          report(`tls-san ${san} is a wildcard`, i.urn);
      }
      const need = shared.concat(required);
      const missing = [...new Set(need)].filter((n) => !sans.some((s) => same(s, n)));
      if (missing.length > 0) report(`tls-san does not cover ${missing.join(", ")}`, i.urn);
    }
    undecided.settle();
  },
);
