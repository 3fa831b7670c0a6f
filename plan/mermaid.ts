/**
 * A Mermaid flowchart of one planned cluster, drawn from the resources it would create: the network
 * with what sits on it (VIP or load balancers, ingress nodes, servers, node pools with their node counts),
 * the way traffic comes in from the internet, and the add-ons on top. Components are recognised by
 * their kind (`Network`, `Vip`, `OctaviaEndpoint`, `IngressNodes`, `ControlPlane`, `NodePool`, Helm
 * releases, `Addon…`); anything else the program creates at the top level still gets a box.
 */
import { kindOf, topLevel, type TopLevel } from "./components";
import type { ClusterReport } from "./report";

const INSTANCE = "openstack:compute/instance:Instance";
const FLOATING_IP = "openstack:networking/floatingIp:FloatingIp";
const LOAD_BALANCER = "openstack:loadbalancer/loadBalancer:LoadBalancer";
const LISTENER = "openstack:loadbalancer/listener:Listener";

type Role = "network" | "edge" | "ingress" | "servers" | "pool" | "addon" | "other";

function roleOf(top: TopLevel): Role {
  const kind = kindOf(top.type);
  if (top.type.startsWith("kubernetes:helm.sh/") || /^Addon/.test(kind) || top.type.includes(":addons:")) {
    return "addon";
  }
  switch (kind) {
    case "Network":
      return "network";
    case "Vip":
    case "OctaviaEndpoint":
      return "edge";
    case "IngressNodes":
      return "ingress";
    case "ControlPlane":
      return "servers";
    case "NodePool":
      return "pool";
    default:
      return "other";
  }
}

/** Mermaid label text: a double quote would end the label (`<br/>` line breaks are kept). */
function label(text: string): string {
  return text.replace(/"/g, "'");
}

function count(top: TopLevel, type: string): number {
  return top.counts.get(type) ?? 0;
}

function caption(top: TopLevel, role: Role): string {
  const nodes = count(top, INSTANCE);
  switch (role) {
    case "network":
      return `network ${top.name}`;
    case "edge":
      return kindOf(top.type) === "Vip"
        ? `keepalived VIP ${top.name}<br/>${count(top, FLOATING_IP)} floating IP`
        : `Octavia ${top.name}<br/>${count(top, LOAD_BALANCER)} LB, ${count(top, LISTENER)} listeners, ${count(top, FLOATING_IP)} floating IPs`;
    case "ingress":
      return `ingress nodes ${top.name}<br/>${nodes} node(s)`;
    case "servers":
      return `RKE2 servers ${top.name}<br/>${nodes} node(s)`;
    case "pool":
      return `pool ${top.name}<br/>${nodes} node(s)`;
    case "addon":
      return `${kindOf(top.type)} ${top.name}`;
    default:
      return `${kindOf(top.type)} ${top.name}`;
  }
}

/** The diagram's source (without the ``` fence). */
export function clusterDiagram(cluster: ClusterReport): string {
  const tops = topLevel(cluster).map((top, i) => ({ top, role: roleOf(top), id: `n${i}` }));
  const of = (role: Role) => tops.filter((t) => t.role === role);
  const node = (t: { top: TopLevel; role: Role; id: string }) =>
    `${t.id}["${label(caption(t.top, t.role))}"]`;
  const lines = ["flowchart LR", `  internet(("internet"))`];

  const onNetwork = [...of("edge"), ...of("ingress"), ...of("servers"), ...of("pool")];
  const network = of("network")[0];
  if (network) {
    lines.push(`  subgraph ${network.id}["${label(caption(network.top, "network"))}"]`);
    for (const t of onNetwork) lines.push(`    ${node(t)}`);
    lines.push("  end");
  } else {
    for (const t of onNetwork) lines.push(`  ${node(t)}`);
  }
  const others = of("other");
  for (const t of others) lines.push(`  ${node(t)}`);

  const edges = of("edge");
  const ingress = of("ingress");
  const servers = of("servers");
  const pools = of("pool");
  for (const e of edges) {
    lines.push(`  internet -->|"80/443, 6443"| ${e.id}`);
    if (kindOf(e.top.type) === "Vip") {
      // The VIP lives on the ingress nodes: ingress traffic and the API both arrive there.
      for (const i of ingress) lines.push(`  ${e.id} -->|"VRRP VIP"| ${i.id}`);
      for (const s of servers) lines.push(`  ${ingress[0]?.id ?? e.id} -->|"6443"| ${s.id}`);
    } else {
      for (const s of servers) lines.push(`  ${e.id} -->|"6443, 9345"| ${s.id}`);
      for (const p of pools) lines.push(`  ${e.id} -->|"80/443"| ${p.id}`);
    }
  }
  for (const p of pools) for (const s of servers) lines.push(`  ${p.id} -.->|"join"| ${s.id}`);

  const addons = of("addon");
  if (addons.length > 0) {
    lines.push(`  subgraph addons["add-ons"]`);
    for (const a of addons) lines.push(`    ${node(a)}`);
    lines.push("  end");
    for (const s of servers) lines.push(`  addons -.->|"Helm"| ${s.id}`);
  }
  return lines.join("\n");
}
