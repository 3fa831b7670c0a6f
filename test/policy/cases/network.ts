/** Cases for the OpenStack networking rules. */
import { T } from "../../../policy/lib/types";
import { osSg001SensitivePorts } from "../../../policy/rules/os-sg-001-sensitive-ports";
import { osSg002PublicIngressWebOnly } from "../../../policy/rules/os-sg-002-public-ingress-web-only";
import { osSg003NoOpenProtocolIngress } from "../../../policy/rules/os-sg-003-no-open-protocol-ingress";
import { osSg004VrrpClusterSubnetOnly } from "../../../policy/rules/os-sg-004-vrrp-cluster-subnet-only";
import { osSg005EtcdFromServerGroup } from "../../../policy/rules/os-sg-005-etcd-from-server-group";
import { osSg006SecurityGroupDescription } from "../../../policy/rules/os-sg-006-security-group-description";
import { osPort001PortSecurityEnabled } from "../../../policy/rules/os-port-001-port-security-enabled";
import { osPort002AddressPairsVipOnly } from "../../../policy/rules/os-port-002-address-pairs-vip-only";
import { osPort003ExplicitSecurityGroups } from "../../../policy/rules/os-port-003-explicit-security-groups";
import { osFip001FloatingIpTargets } from "../../../policy/rules/os-fip-001-floating-ip-targets";
import { osLb001RestrictedControlListeners } from "../../../policy/rules/os-lb-001-restricted-control-listeners";
import { osLb002OpenListenersWebOnly } from "../../../policy/rules/os-lb-002-open-listeners-web-only";
import { osSubnet001VipOutsideDhcpPool } from "../../../policy/rules/os-subnet-001-vip-outside-dhcp-pool";
import { byName, RuleCases } from "../harness";
import { ADMIN, SUBNET, sgRule, tags, VIP } from "../fixtures";

const cluster = { clusterCidrs: [SUBNET], adminCidrs: [ADMIN] };

const subnet = {
  type: T.subnet,
  name: "demo-subnet",
  id: "id-subnet",
  inputs: {
    networkId: "id-net",
    cidr: SUBNET,
    allocationPools: [{ start: "10.0.50.100", end: "10.0.50.250" }],
    tags: tags("network"),
  },
};
const vipPort = {
  type: T.port,
  name: "demo-vip",
  id: "id-port-vip",
  inputs: {
    networkId: "id-net",
    fixedIps: [{ subnetId: "id-subnet", ipAddress: VIP }],
    securityGroupIds: ["id-sg-ingress"],
    tags: tags("vip"),
  },
};
const ingressPort = {
  type: T.port,
  name: "demo-ingress-0",
  id: "id-port-ingress",
  inputs: {
    networkId: "id-net",
    fixedIps: [{ subnetId: "id-subnet", ipAddress: "10.0.50.5" }],
    securityGroupIds: ["id-sg-ingress"],
    allowedAddressPairs: [{ ipAddress: VIP }],
    tags: tags("ingress"),
  },
};
const serverPort = {
  type: T.port,
  name: "demo-server-0",
  id: "id-port-server",
  inputs: {
    networkId: "id-net",
    fixedIps: [{ subnetId: "id-subnet", ipAddress: "10.0.50.11" }],
    securityGroupIds: ["id-sg-servers"],
    tags: tags("server"),
  },
};
const sgServers = {
  type: T.secGroup,
  name: "demo-servers",
  id: "id-sg-servers",
  inputs: { description: "RKE2 servers", tags: tags("server") },
};
const sgAgents = {
  type: T.secGroup,
  name: "demo-agents",
  id: "id-sg-agents",
  inputs: { description: "RKE2 agents", tags: tags("agent") },
};

export const networkCases: RuleCases[] = [
  {
    policy: osSg001SensitivePorts,
    type: T.secGroupRule,
    config: cluster,
    props: sgRule({ protocol: "tcp", portRangeMin: 9345, portRangeMax: 9345, remoteIpPrefix: SUBNET }),
    passing: [
      {
        when: "the source is a security group",
        change: (p) => {
          delete p["remoteIpPrefix"];
          p["remoteGroupId"] = "id-sg-agents";
        },
      },
      {
        when: "SSH comes from the admin CIDRs",
        change: (p) => Object.assign(p, { portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: ADMIN }),
      },
      {
        when: "HTTPS is public",
        change: (p) =>
          Object.assign(p, { portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: "0.0.0.0/0" }),
      },
      {
        when: "the rule is egress",
        change: (p) => Object.assign(p, { direction: "egress", remoteIpPrefix: "0.0.0.0/0" }),
      },
    ],
    failing: [
      {
        when: "the Kubernetes API is open to the world",
        change: (p) =>
          Object.assign(p, { portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: "0.0.0.0/0" }),
        expect: ["ingress tcp 6443 from 0.0.0.0/0 exposes Kubernetes API outside the cluster"],
      },
      {
        when: "the rule has no source at all",
        change: (p) => delete p["remoteIpPrefix"],
        expect: [
          "ingress tcp 9345 from anywhere (no remoteIpPrefix or remoteGroupId) exposes RKE2 supervisor outside the cluster",
        ],
      },
      {
        when: "VXLAN is open over IPv6",
        change: (p) =>
          Object.assign(p, {
            protocol: "udp",
            portRangeMin: 8472,
            portRangeMax: 8472,
            ethertype: "IPv6",
            remoteIpPrefix: "::/0",
          }),
        expect: ["ingress udp 8472 from ::/0 exposes VXLAN outside the cluster"],
      },
      {
        when: "etcd is open to the admin CIDRs (admin ranges only reach SSH/6443)",
        change: (p) => Object.assign(p, { portRangeMin: 2379, portRangeMax: 2380, remoteIpPrefix: ADMIN }),
        expect: ["ingress tcp 2379-2380 from 198.51.100.0/24 exposes etcd outside the cluster"],
      },
      {
        when: "the source is a private range wider than the cluster subnet",
        change: (p) =>
          Object.assign(p, { portRangeMin: 10250, portRangeMax: 10250, remoteIpPrefix: "10.0.0.0/8" }),
        expect: ["ingress tcp 10250 from 10.0.0.0/8 exposes kubelet outside the cluster"],
      },
      {
        when: "the protocol is omitted (any) from the world",
        change: (p) => {
          delete p["protocol"];
          delete p["portRangeMin"];
          delete p["portRangeMax"];
          p["remoteIpPrefix"] = "0.0.0.0/0";
        },
        expect: [
          "ingress any protocol from 0.0.0.0/0 exposes SSH, Kubernetes API, RKE2 supervisor, etcd, kubelet, kubelet read-only, kube-controller-manager, kube-scheduler, NodePort, Calico BGP, Calico Typha, Canal health, Cilium health, VXLAN, WireGuard, WireGuard (Cilium) outside the cluster",
        ],
      },
    ],
  },
  {
    policy: osSg002PublicIngressWebOnly,
    type: T.secGroupRule,
    config: cluster,
    props: sgRule({ protocol: "tcp", portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: "0.0.0.0/0" }),
    passing: [
      {
        when: "the Kubernetes API is open to the admin CIDRs",
        change: (p) => Object.assign(p, { portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: ADMIN }),
      },
      {
        when: "ICMP is public",
        change: (p) =>
          Object.assign(p, { protocol: "icmp", portRangeMin: undefined, portRangeMax: undefined }),
      },
      {
        when: "anything comes from the cluster subnet",
        change: (p) => Object.assign(p, { portRangeMin: 8080, portRangeMax: 8080, remoteIpPrefix: SUBNET }),
      },
    ],
    failing: [
      {
        when: "port 8080 is public",
        change: (p) => Object.assign(p, { portRangeMin: 8080, portRangeMax: 8080 }),
        expect: ["ingress tcp 8080 from 0.0.0.0/0 is public; only tcp 80, 443 may be"],
      },
      {
        when: "a port range around 443 is public",
        change: (p) => Object.assign(p, { portRangeMin: 443, portRangeMax: 444 }),
        expect: ["ingress tcp 443-444 from 0.0.0.0/0 is public; only tcp 80, 443 may be"],
      },
      {
        when: "UDP 443 is public",
        change: (p) => Object.assign(p, { protocol: "udp" }),
        expect: ["ingress udp 443 from 0.0.0.0/0 is public; only tcp 80, 443 may be"],
      },
      {
        when: "the admin CIDRs get more than SSH/6443/web",
        change: (p) => Object.assign(p, { portRangeMin: 9345, portRangeMax: 9345, remoteIpPrefix: ADMIN }),
        expect: ["ingress tcp 9345 from 198.51.100.0/24 (admin CIDRs) goes beyond tcp 80, 443, 22, 6443"],
      },
    ],
  },
  {
    policy: osSg003NoOpenProtocolIngress,
    type: T.secGroupRule,
    config: cluster,
    props: sgRule({ remoteGroupId: "id-sg-servers" }),
    passing: [
      {
        when: "all ports come from the cluster subnet",
        change: (p) => {
          delete p["remoteGroupId"];
          p["remoteIpPrefix"] = SUBNET;
        },
      },
    ],
    failing: [
      {
        when: "any protocol comes from a wide private range",
        change: (p) => {
          delete p["remoteGroupId"];
          p["remoteIpPrefix"] = "10.0.0.0/8";
        },
        expect: ["ingress any protocol from 10.0.0.0/8 opens every port beyond the cluster"],
      },
      {
        when: "all TCP ports come from the world",
        change: (p) => {
          delete p["remoteGroupId"];
          Object.assign(p, { protocol: "tcp", remoteIpPrefix: "0.0.0.0/0" });
        },
        expect: ["ingress tcp all ports from 0.0.0.0/0 opens every port beyond the cluster"],
      },
    ],
  },
  {
    policy: osSg004VrrpClusterSubnetOnly,
    resources: [
      subnet,
      {
        type: T.secGroupRule,
        name: "demo-ingress-vrrp",
        inputs: sgRule({ protocol: "vrrp", remoteIpPrefix: SUBNET }),
      },
    ],
    passing: [
      {
        when: "VRRP comes from the ingress group",
        change: (rs) => {
          const p = byName(rs, "demo-ingress-vrrp");
          delete p["remoteIpPrefix"];
          p["remoteGroupId"] = "id-sg-ingress";
        },
      },
    ],
    failing: [
      {
        when: "VRRP (112) comes from the world",
        change: (rs) =>
          Object.assign(byName(rs, "demo-ingress-vrrp"), { protocol: "112", remoteIpPrefix: "0.0.0.0/0" }),
        expect: [
          {
            resource: "demo-ingress-vrrp",
            message: "VRRP from 0.0.0.0/0 reaches beyond the cluster subnet (10.0.50.0/24)",
          },
        ],
      },
      {
        when: "VRRP has no source",
        change: (rs) => delete byName(rs, "demo-ingress-vrrp")["remoteIpPrefix"],
        expect: [
          {
            resource: "demo-ingress-vrrp",
            message:
              "VRRP from anywhere (no remoteIpPrefix or remoteGroupId) reaches beyond the cluster subnet (10.0.50.0/24)",
          },
        ],
      },
      {
        when: "VRRP comes from a neighbouring subnet",
        change: (rs) => Object.assign(byName(rs, "demo-ingress-vrrp"), { remoteIpPrefix: "10.0.51.0/24" }),
        expect: [
          {
            resource: "demo-ingress-vrrp",
            message: "VRRP from 10.0.51.0/24 reaches beyond the cluster subnet (10.0.50.0/24)",
          },
        ],
      },
    ],
  },
  {
    policy: osSg005EtcdFromServerGroup,
    resources: [
      sgServers,
      sgAgents,
      {
        type: T.secGroupRule,
        name: "demo-servers-etcd",
        inputs: sgRule({
          protocol: "tcp",
          portRangeMin: 2379,
          portRangeMax: 2381,
          remoteGroupId: "id-sg-servers",
        }),
      },
    ],
    failing: [
      {
        when: "etcd is open to the subnet",
        change: (rs) => {
          const p = byName(rs, "demo-servers-etcd");
          delete p["remoteGroupId"];
          p["remoteIpPrefix"] = SUBNET;
        },
        expect: [
          {
            resource: "demo-servers-etcd",
            message: "ingress tcp 2379-2381 from 10.0.50.0/24 opens etcd to an address range",
          },
        ],
      },
      {
        when: "etcd is open to the agents' group",
        change: (rs) => Object.assign(byName(rs, "demo-servers-etcd"), { remoteGroupId: "id-sg-agents" }),
        expect: [
          {
            resource: "demo-servers-etcd",
            message: "ingress tcp 2379-2381 opens etcd to security group demo-agents (role=agent)",
          },
        ],
      },
      {
        when: "an any-protocol rule admits the agents' group",
        change: (rs) => {
          const p = byName(rs, "demo-servers-etcd");
          for (const k of ["protocol", "portRangeMin", "portRangeMax"]) delete p[k];
          p["remoteGroupId"] = "id-sg-agents";
        },
        expect: [
          {
            resource: "demo-servers-etcd",
            message: "ingress any protocol opens etcd to security group demo-agents (role=agent)",
          },
        ],
      },
    ],
  },
  {
    policy: osSg006SecurityGroupDescription,
    type: T.secGroup,
    props: { name: "demo-servers", description: "RKE2 servers", tags: tags("server") },
    failing: [
      {
        when: "the description is blank",
        change: (p) => (p["description"] = " "),
        expect: ["security group has no description"],
      },
    ],
  },
  {
    policy: osPort001PortSecurityEnabled,
    type: T.port,
    props: {
      networkId: "id-net",
      fixedIps: [{ subnetId: "id-subnet" }],
      securityGroupIds: ["id-sg-agents"],
      tags: tags("agent"),
    },
    passing: [
      {
        when: "the network keeps port security",
        type: T.network,
        change: (p) => (p["portSecurityEnabled"] = true),
      },
    ],
    failing: [
      {
        when: "port security is off",
        change: (p) => (p["portSecurityEnabled"] = false),
        expect: ["port security is disabled (portSecurityEnabled: false)"],
      },
      {
        when: "the port has no security groups",
        change: (p) => (p["noSecurityGroups"] = true),
        expect: ["noSecurityGroups: true leaves the port without security groups"],
      },
      {
        when: "the network turns port security off",
        type: T.network,
        change: (p) => (p["portSecurityEnabled"] = false),
        expect: ["port security is disabled for every port of the network (portSecurityEnabled: false)"],
      },
    ],
  },
  {
    policy: osPort002AddressPairsVipOnly,
    resources: [vipPort, ingressPort, serverPort],
    passing: [
      {
        when: "the VIP comes from config instead of a VIP port",
        config: { vipAddresses: [VIP] },
        change: (rs) => rs.splice(0, 1),
      },
      {
        when: "the servers' ports carry the API VIP (keepalived: servers hold it)",
        change: (rs) => {
          rs.push({
            ...vipPort,
            name: "demo-api-vip",
            id: "id-port-api-vip",
            inputs: { ...vipPort.inputs, fixedIps: [{ subnetId: "id-subnet", ipAddress: "10.0.50.9" }] },
          });
          byName(rs, "demo-server-0")["allowedAddressPairs"] = [{ ipAddress: "10.0.50.9" }];
        },
      },
      {
        when: "both VIP ports say their purpose, and each group carries its own VIP",
        change: (rs) => {
          byName(rs, "demo-vip")["tags"] = [...tags("vip"), "vip=ingress"];
          rs.push({
            ...vipPort,
            name: "demo-api-vip",
            id: "id-port-api-vip",
            inputs: {
              ...vipPort.inputs,
              fixedIps: [{ subnetId: "id-subnet", ipAddress: "10.0.50.9" }],
              tags: [...tags("vip"), "vip=api"],
            },
          });
          byName(rs, "demo-server-0")["allowedAddressPairs"] = [{ ipAddress: "10.0.50.9" }];
        },
      },
    ],
    failing: [
      {
        when: "a server's port carries the ingress VIP (it would take over the ingress traffic)",
        change: (rs) => {
          byName(rs, "demo-vip")["tags"] = [...tags("vip"), "vip=ingress"];
          byName(rs, "demo-server-0")["allowedAddressPairs"] = [{ ipAddress: VIP }];
        },
        expect: [
          {
            resource: "demo-server-0",
            message:
              "allowed address pair 10.0.50.4 is the ingress VIP, held by role=ingress; a port with role=server may carry only its own group's VIP",
          },
        ],
      },
      {
        when: "a pair allows the whole world",
        change: (rs) => (byName(rs, "demo-ingress-0")["allowedAddressPairs"] = [{ ipAddress: "0.0.0.0/0" }]),
        expect: [
          {
            resource: "demo-ingress-0",
            message: "allowed address pair 0.0.0.0/0 is not a VIP of the cluster (VIPs: 10.0.50.4)",
          },
        ],
      },
      {
        when: "a pair allows the subnet",
        change: (rs) => (byName(rs, "demo-ingress-0")["allowedAddressPairs"] = [{ ipAddress: SUBNET }]),
        expect: [
          {
            resource: "demo-ingress-0",
            message: "allowed address pair 10.0.50.0/24 is not a VIP of the cluster (VIPs: 10.0.50.4)",
          },
        ],
      },
      {
        when: "an agent port carries the VIP",
        change: (rs) => {
          const port = byName(rs, "demo-server-0");
          port["tags"] = tags("agent");
          port["allowedAddressPairs"] = [{ ipAddress: VIP }];
        },
        expect: [
          {
            resource: "demo-server-0",
            message:
              "allowed address pairs on a port with role=agent; only servers and ingress nodes hold a VIP",
          },
        ],
      },
      {
        when: "a server port carries a pair wider than the API VIP",
        change: (rs) =>
          (byName(rs, "demo-server-0")["allowedAddressPairs"] = [{ ipAddress: "10.0.50.0/28" }]),
        expect: [
          {
            resource: "demo-server-0",
            message: "allowed address pair 10.0.50.0/28 is not a VIP of the cluster (VIPs: 10.0.50.4)",
          },
        ],
      },
    ],
  },
  {
    policy: osPort003ExplicitSecurityGroups,
    type: T.port,
    props: { networkId: "id-net", securityGroupIds: ["id-sg-agents"], tags: tags("agent") },
    passing: [
      {
        when: "an instance lists its own groups",
        type: T.instance,
        change: (p) => (p["securityGroups"] = ["demo-agents"]),
      },
    ],
    failing: [
      {
        when: "the port names no groups",
        change: (p) => delete p["securityGroupIds"],
        expect: ["port has no securityGroupIds; Neutron attaches the project's default group"],
      },
      {
        when: "an instance uses the default group",
        type: T.instance,
        change: (p) => (p["securityGroups"] = ["default"]),
        expect: ["instance uses the project's 'default' security group"],
      },
    ],
  },
  {
    policy: osFip001FloatingIpTargets,
    config: { vipAddresses: [VIP] },
    resources: [
      vipPort,
      serverPort,
      {
        type: T.floatingIp,
        name: "demo-vip-fip",
        inputs: { pool: "public", portId: "id-port-vip", tags: tags("vip") },
      },
    ],
    passing: [
      {
        when: "the floating IP sits on a load balancer",
        change: (rs) =>
          Object.assign(byName(rs, "demo-vip-fip"), {
            portId: "fake-port-demo-api",
            tags: tags("loadbalancer"),
          }),
      },
    ],
    failing: [
      {
        when: "the floating IP is tagged for a server",
        change: (rs) => (byName(rs, "demo-vip-fip")["tags"] = tags("server")),
        expect: [
          {
            resource: "demo-vip-fip",
            message: "floating IP has role=server; floating IPs belong to the VIP or a load balancer",
          },
        ],
      },
      {
        when: "the floating IP sits on a server's port",
        change: (rs) => (byName(rs, "demo-vip-fip")["portId"] = "id-port-server"),
        expect: [
          {
            resource: "demo-vip-fip",
            message: "floating IP is attached to port demo-server-0 with role=server",
          },
        ],
      },
      {
        when: "the floating IP is bound to another fixed address",
        change: (rs) => (byName(rs, "demo-vip-fip")["fixedIp"] = "10.0.50.11"),
        expect: [
          {
            resource: "demo-vip-fip",
            message: "floating IP is bound to 10.0.50.11, which is not a VIP (10.0.50.4)",
          },
        ],
      },
    ],
  },
  {
    policy: osLb001RestrictedControlListeners,
    type: T.listener,
    config: cluster,
    props: { loadbalancerId: "id-lb", protocol: "TCP", protocolPort: 6443, allowedCidrs: [ADMIN, SUBNET] },
    passing: [
      {
        when: "a web listener is open",
        change: (p) => Object.assign(p, { protocolPort: 443, allowedCidrs: undefined }),
      },
    ],
    failing: [
      {
        when: "allowedCidrs is missing",
        change: (p) => delete p["allowedCidrs"],
        expect: ["listener on port 6443 has no allowedCidrs, so it admits every address"],
      },
      {
        when: "allowedCidrs contains the world",
        change: (p) => (p["allowedCidrs"] = ["0.0.0.0/0"]),
        expect: ["listener on port 6443 admits 0.0.0.0/0"],
      },
      {
        when: "allowedCidrs contains an unknown range",
        change: (p) => (p["allowedCidrs"] = [ADMIN, "192.0.2.0/24"]),
        expect: ["listener on port 6443 admits 192.0.2.0/24, outside the admin CIDRs and the cluster subnet"],
      },
      {
        when: "registration admits the admin CIDRs",
        change: (p) => Object.assign(p, { protocolPort: 9345 }),
        expect: ["listener on port 9345 admits 198.51.100.0/24, outside the cluster subnet"],
      },
    ],
  },
  {
    policy: osLb002OpenListenersWebOnly,
    type: T.listener,
    props: { loadbalancerId: "id-lb", protocol: "TCP", protocolPort: 443 },
    passing: [
      {
        when: "a restricted API listener",
        change: (p) => Object.assign(p, { protocolPort: 6443, allowedCidrs: [ADMIN] }),
      },
    ],
    failing: [
      {
        when: "the API listener is open",
        change: (p) => (p["protocolPort"] = 6443),
        expect: ["listener on port 6443 is open to every address; only ports 80, 443 may be"],
      },
      {
        when: "a listener lists the world explicitly",
        change: (p) => Object.assign(p, { protocolPort: 8443, allowedCidrs: ["0.0.0.0/0"] }),
        expect: ["listener on port 8443 is open to every address; only ports 80, 443 may be"],
      },
    ],
  },
  {
    policy: osSubnet001VipOutsideDhcpPool,
    resources: [subnet, vipPort],
    failing: [
      {
        when: "the VIP is inside the DHCP pool",
        change: (rs) =>
          (byName(rs, "demo-vip")["fixedIps"] = [{ subnetId: "id-subnet", ipAddress: "10.0.50.120" }]),
        expect: [
          {
            resource: "demo-vip",
            message: "VIP 10.0.50.120 lies inside the DHCP allocation pool 10.0.50.100-10.0.50.250",
          },
        ],
      },
      {
        when: "the VIP port has no fixed address",
        change: (rs) => (byName(rs, "demo-vip")["fixedIps"] = [{ subnetId: "id-subnet" }]),
        expect: [{ resource: "demo-vip", message: "VIP port has no fixed ipAddress" }],
      },
      {
        when: "the VIP is outside the subnet",
        change: (rs) =>
          (byName(rs, "demo-vip")["fixedIps"] = [{ subnetId: "id-subnet", ipAddress: "10.0.60.4" }]),
        expect: [{ resource: "demo-vip", message: "VIP 10.0.60.4 is outside every subnet of the stack" }],
      },
    ],
  },
];
