/**
 * Tier: pure. The flow table (components/flows.ts) against the rules derived from it
 * (components/security-rules.ts), evaluated the way Neutron evaluates security groups: a packet into a port
 * passes when any ingress rule of any group on that port matches its protocol, port and source (a CIDR
 * containing the source address, or a remote group the source port carries). Both ways: every flow of the
 * table passes, and no probe packet that no flow explains does.
 */
import { strict as assert } from "assert";
import { NODE_GROUPS, Flow, requiredFlows } from "../../components/flows";
import { SecurityRole, SecurityRule, deriveSecurityRules } from "../../components/security-rules";
import { cidrContains, isCidr, parseCidr, parseIpv4 } from "../../spec/ipv4";
import { NodeRole } from "../../spec/types";

const SUBNET = "10.0.50.0/24";
const ADMINS = ["203.0.113.0/24", "198.51.100.7/32"];

/** A sender: its address and the groups its port carries (none outside the cluster). */
interface Endpoint {
  readonly name: string;
  readonly address: string;
  readonly groups: readonly SecurityRole[];
}

interface Packet {
  readonly protocol: "tcp" | "udp" | "icmp" | "vrrp";
  readonly port?: number;
}

const inCidr = (cidr: string, address: string): boolean => {
  const c = parseCidr(cidr);
  const a = parseIpv4(address);
  if (!isCidr(c) || a === undefined) throw new Error(`bad probe ${cidr} ${address}`);
  return cidrContains(c, a);
};

/** Neutron's decision for a packet from `src` into a port carrying `groups`. */
function neutronAllows(
  rules: readonly SecurityRule[],
  src: Endpoint,
  groups: readonly SecurityRole[],
  p: Packet,
) {
  return rules.some(
    (r) =>
      r.direction === "ingress" &&
      groups.includes(r.role) &&
      (r.protocol === "any" || r.protocol === p.protocol) &&
      (r.ports === undefined || (p.port !== undefined && r.ports.min <= p.port && p.port <= r.ports.max)) &&
      ("cidr" in r.remote ? inCidr(r.remote.cidr, src.address) : src.groups.includes(r.remote.group)),
  );
}

/** What the table says about the same packet. */
function flowsAllow(flows: readonly Flow[], src: Endpoint, groups: readonly SecurityRole[], p: Packet) {
  return flows.some((f) => {
    const fromOk =
      f.from === "internet"
        ? true
        : f.from === "nodes"
          ? inCidr(SUBNET, src.address)
          : f.from === "admins"
            ? ADMINS.some((c) => inCidr(c, src.address))
            : src.groups.includes(f.from);
    return (
      fromOk &&
      f.to.some((g) => groups.includes(g)) &&
      f.protocol === p.protocol &&
      (f.ports === undefined || (p.port !== undefined && f.ports.min <= p.port && p.port <= f.ports.max))
    );
  });
}

const node = (role: NodeRole, address: string): Endpoint => ({
  name: `${role} node`,
  address,
  groups: NODE_GROUPS[role],
});
const SENDERS: readonly Endpoint[] = [
  node("server", "10.0.50.11"),
  node("agent", "10.0.50.100"),
  node("gpu", "10.0.50.101"),
  node("ingress", "10.0.50.5"),
  { name: "Octavia amphora", address: "10.0.50.70", groups: ["loadbalancer"] },
  { name: "admin workstation", address: "203.0.113.9", groups: [] },
  { name: "internet host", address: "192.0.2.77", groups: [] },
];
const TARGETS: readonly [string, readonly SecurityRole[]][] = [
  ...(Object.keys(NODE_GROUPS) as NodeRole[]).map((r): [string, readonly SecurityRole[]] => [
    `${r} node`,
    NODE_GROUPS[r],
  ]),
  ["load balancer", ["loadbalancer"]],
];
/** Ports worth probing: every port a flow names, its neighbours, and ports that must stay shut. */
function probes(flows: readonly Flow[]): Packet[] {
  const ports = new Set([22, 80, 179, 443, 2379, 2380, 2381, 4240, 4244, 4789, 5473, 6443, 6444, 8080]);
  for (const p of [8181, 8443, 8472, 9098, 9099, 9345, 10250, 10254, 10256, 30000, 32767, 51820, 65535])
    ports.add(p);
  for (const f of flows) {
    if (f.ports === undefined) continue;
    for (const p of [f.ports.min - 1, f.ports.min, f.ports.max, f.ports.max + 1]) ports.add(p);
  }
  return [
    ...[...ports].flatMap((port): Packet[] => [
      { protocol: "tcp", port },
      { protocol: "udp", port },
    ]),
    { protocol: "icmp" },
    { protocol: "vrrp" },
  ];
}

for (const topology of ["keepalived", "octavia"] as const) {
  for (const cni of ["canal", "cilium", "calico"] as const) {
    describe(`flow matrix → security rules (pure; ${topology}, ${cni})`, () => {
      const flows = requiredFlows({ topology, cni });
      const rules = deriveSecurityRules({
        subnetCidr: SUBNET,
        podCidr: "10.42.0.0/16",
        adminCidrs: ADMINS,
        cni,
        topology,
      });
      const targets = TARGETS.filter(([, g]) => topology === "octavia" || !g.includes("loadbalancer"));
      const decide = (src: Endpoint, groups: readonly SecurityRole[], p: Packet) => ({
        rules: neutronAllows(rules, src, groups, p),
        table: flowsAllow(flows, src, groups, p),
      });

      it("gives every flow a reason and an upstream source", () => {
        for (const f of flows) {
          assert.ok(f.why.length > 10, f.key);
          assert.ok(f.source.length > 10, f.key);
          assert.ok(f.to.length > 0, f.key);
        }
      });

      it("allows every flow of the table through the derived rules", () => {
        for (const f of flows) {
          const src = SENDERS.find((s) =>
            f.from === "nodes"
              ? inCidr(SUBNET, s.address)
              : f.from === "admins"
                ? ADMINS.some((c) => inCidr(c, s.address))
                : f.from === "internet"
                  ? s.groups.length === 0 && !ADMINS.some((c) => inCidr(c, s.address))
                  : s.groups.includes(f.from),
          );
          assert.ok(src, `a sender for ${f.key}`);
          for (const group of f.to) {
            for (const port of f.ports ? [f.ports.min, f.ports.max] : [undefined]) {
              const p: Packet =
                port === undefined ? { protocol: f.protocol } : { protocol: f.protocol, port };
              assert.ok(
                neutronAllows(rules, src, [group], p),
                `${f.key}: ${src.name} → ${group} ${f.protocol}/${port}`,
              );
            }
          }
        }
      });

      it("allows nothing that no flow of the table explains", () => {
        const mismatches: string[] = [];
        for (const src of SENDERS) {
          for (const [target, groups] of targets) {
            for (const p of probes(flows)) {
              const d = decide(src, groups, p);
              if (d.rules !== d.table)
                mismatches.push(
                  `${src.name} → ${target} ${p.protocol}/${p.port ?? "-"}: rules ${d.rules}, table ${d.table}`,
                );
            }
          }
        }
        assert.deepEqual(mismatches, []);
      });

      // The behaviours the table exists for, stated on their own so that a wrong table cannot pass.
      const server = SENDERS[0] as Endpoint;
      const agent = SENDERS[1] as Endpoint;
      const ingress = SENDERS[3] as Endpoint;
      const admin = SENDERS[5] as Endpoint;
      const internet = SENDERS[6] as Endpoint;
      const to = (role: NodeRole) => NODE_GROUPS[role];

      if (topology === "keepalived") {
        it("lets the API servers call the ingress controller's admission webhook on the ingress nodes (8443)", () => {
          assert.ok(neutronAllows(rules, server, to("ingress"), { protocol: "tcp", port: 8443 }));
          assert.ok(!neutronAllows(rules, agent, to("ingress"), { protocol: "tcp", port: 8443 }));
          assert.ok(!neutronAllows(rules, internet, to("ingress"), { protocol: "tcp", port: 8443 }));
        });

        it("allows VRRP only between the members of each keepalived group", () => {
          const vrrp = { protocol: "vrrp" } as const;
          assert.ok(neutronAllows(rules, server, to("server"), vrrp));
          assert.ok(neutronAllows(rules, ingress, to("ingress"), vrrp));
          for (const [src, target] of [
            [ingress, "server"],
            [agent, "server"],
            [server, "ingress"],
            [agent, "ingress"],
            [server, "agent"],
            [internet, "server"],
          ] as const) {
            assert.ok(!neutronAllows(rules, src, to(target), vrrp), `${src.name} → ${target}`);
          }
        });

        it("rejects control-plane traffic into the ingress nodes (6443, 9345)", () => {
          for (const src of SENDERS)
            for (const port of [6443, 9345]) {
              const p = { protocol: "tcp", port } as const;
              assert.ok(!neutronAllows(rules, src, ["ingress"], p), `${src.name} → ingress group ${port}`);
            }
          assert.ok(!neutronAllows(rules, admin, to("ingress"), { protocol: "tcp", port: 6443 }));
        });

        it("serves 80/443 to the internet on the ingress nodes only", () => {
          for (const port of [80, 443]) {
            assert.ok(neutronAllows(rules, internet, to("ingress"), { protocol: "tcp", port }));
            for (const role of ["server", "agent", "gpu"] as const)
              assert.ok(!neutronAllows(rules, internet, to(role), { protocol: "tcp", port }), role);
          }
        });
      }

      it("serves the API on the servers to admins and nodes, and registration (9345) to nodes only", () => {
        assert.ok(neutronAllows(rules, admin, to("server"), { protocol: "tcp", port: 6443 }));
        assert.ok(neutronAllows(rules, agent, to("server"), { protocol: "tcp", port: 6443 }));
        assert.ok(neutronAllows(rules, agent, to("server"), { protocol: "tcp", port: 9345 }));
        assert.ok(!neutronAllows(rules, admin, to("server"), { protocol: "tcp", port: 9345 }));
        assert.ok(!neutronAllows(rules, internet, to("server"), { protocol: "tcp", port: 6443 }));
      });

      it("keeps etcd between servers", () => {
        for (const port of [2379, 2380, 2381]) {
          assert.ok(neutronAllows(rules, server, to("server"), { protocol: "tcp", port }));
          assert.ok(!neutronAllows(rules, agent, to("server"), { protocol: "tcp", port }));
        }
      });
    });
  }
}
