import { resourceRule } from "../lib/rule";
import { keepalivedConfigOf } from "../lib/cloudinit";
import { sameAddress } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";

function blockBody(conf: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`\\b${name}\\s*\\{([^}]*)\\}`, "g");
  for (let m = re.exec(conf); m !== null; m = re.exec(conf)) out.push(m[1] ?? "");
  return out;
}

export const keepalived001Hygiene = resourceRule(
  {
    name: "keepalived-001-hygiene",
    description:
      "keepalived on ingress nodes and servers (the API VIP) uses no PASS authentication (removed from VRRPv2), enables script security and only moves the cluster's VIPs; on ingress nodes it talks unicast VRRP to its peers.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Render keepalived.conf with unicast_peer (the other group members), without an authentication block, with global_defs { enable_script_security }, and with virtual_ipaddress set to the group's VIP.",
    tags: ["keepalived", "compute"],
    sources: [
      '`acassen/keepalived@9cbce3e2:doc/man/man5/keepalived.conf.5.in` ("authentication was removed from the VRRPv2 specification by RFC3768 … avoid using if possible", `auth_hmac`, `enable_script_security`, `unicast_peer`)',
    ],
    configSchema: schema("vipAddresses"),
  },
  [T.instance],
  (props, args, report) => {
    const role = roleOf(props);
    if (role !== "ingress" && role !== "server")
      args.notApplicable("applies to the nodes that hold a VIP (ingress nodes, servers) only");
    const conf = keepalivedConfigOf(props);
    if (conf === undefined) args.notApplicable(`the ${role ?? "node"} runs no keepalived`);
    const text = conf as string;
    if (/\bauth_type\s+PASS\b/i.test(text)) report("keepalived uses PASS authentication");
    // A server may run the API group alone (a single-server cluster has no peer to advertise to, and
    // keepalived 2.2 refuses unicast keywords without peers); an ingress group always has two members.
    if (role === "ingress" && !/\bunicast_peer\b/.test(text))
      report("keepalived sends multicast VRRP (no unicast_peer)");
    if (!/\benable_script_security\b/.test(text))
      report("keepalived runs scripts without enable_script_security");
    const vips = settings(args).vipAddresses;
    if (vips.length === 0) return;
    for (const body of blockBody(text, "virtual_ipaddress")) {
      for (const token of body
        .split(/\s+/)
        .filter((t) => /^[0-9a-fA-F.:]+(\/\d+)?$/.test(t) && t.includes("."))) {
        if (!vips.some((v) => sameAddress(v, token)))
          report(`keepalived moves ${token}, which is not a VIP of the cluster`);
      }
    }
  },
);
