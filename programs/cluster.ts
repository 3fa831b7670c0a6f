/**
 * The infrastructure of one RKE2 cluster on OpenStack, composed from one resolved spec, in either ingress
 * topology: network, security groups, the cluster PKI, the control plane, one node pool per spec pool and
 * either two keepalived VIPs (the API VIP on the servers, the ingress VIP on dedicated ingress nodes) or
 * Octavia load balancers. `clusterOutputs` gives the same output shape in both topologies. Platform
 * services (DNS, Vault, Rancher, add-ons) are composed on top elsewhere and are deliberately absent here.
 * docs/topologies.md draws both.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ClusterSpec } from "../spec/types";
import { PORTS, ResourceIdentity } from "../components/conventions";
import { Network } from "../components/network";
import { SecurityGroups } from "../components/security-groups";
import { Vip } from "../components/vip";
import { OctaviaEndpoint } from "../components/octavia";
import { ClusterPki } from "../components/cluster-pki";
import { ControlPlane } from "../components/control-plane";
import { NodePool } from "../components/node-pool";
import { IngressNodes } from "../components/ingress-nodes";
import { planFixedAddresses } from "../components/rke2/fixed-addresses";
import { INGRESS_MANIFEST_PATH, renderIngressManifest } from "../components/rke2/manifests";
import { joinToken, renderKubeconfig } from "../components/rke2/pki";
import type { RegistryAuth } from "../components/rke2/cloud-init";

export interface ClusterInfraOptions {
  /** Public key for the image's login user; without it no key pair is created. */
  readonly sshPublicKey?: pulumi.Input<string>;
  /**
   * ID of the external network. @default the environment's `openstack.externalNetworkId`, else looked up
   * by `spec.openstack.externalNetwork` (a data-source call: every preview then needs Keystone).
   */
  readonly externalNetworkId?: pulumi.Input<string>;
  /** Explicit providers (e.g. OpenStack with credentials from Vault), handed to every component. */
  readonly providers?: pulumi.ProviderResource[];
  /**
   * The stack records that the cluster was initialised: server-0 is rendered join-only.
   * @default false
   */
  readonly clusterInitialised?: boolean;
  /**
   * registries.yaml credentials per registry host (a secret; the program reads them from Vault).
   * @default none
   */
  readonly registryAuth?: pulumi.Input<Readonly<Record<string, RegistryAuth>>>;
}

/** The cluster's edge (API and ingress endpoints), by topology. */
export type ClusterEdge =
  | {
      readonly mode: "keepalived";
      /** Held by the servers: Kubernetes API and RKE2 registration. */
      readonly apiVip: Vip;
      /** Held by the ingress nodes: 80/443. */
      readonly ingressVip: Vip;
      readonly ingressNodes: IngressNodes;
    }
  | { readonly mode: "octavia"; readonly endpoint: OctaviaEndpoint };

export interface ClusterInfra {
  readonly spec: ClusterSpec;
  readonly network: Network;
  readonly securityGroups: SecurityGroups;
  readonly pki: ClusterPki;
  readonly controlPlane: ControlPlane;
  /** Node pools keyed by pool name. */
  readonly pools: Readonly<Record<string, NodePool>>;
  readonly edge: ClusterEdge;
  /** The fixed address nodes register with (the servers' API VIP or the Octavia API VIP). */
  readonly registrationAddress: string;
  /** `api.<cluster>.<zone>` when DNS is enabled. */
  readonly apiDnsName: string | undefined;
  /** The CA-pinned agent join token (secret), for registration services that need one. */
  readonly agentToken: pulumi.Output<string>;
}

export interface ClusterOutputs {
  /** The public Kubernetes API endpoint (its floating IP). */
  readonly apiEndpoint: { readonly address: pulumi.Output<string>; readonly url: pulumi.Output<string> };
  /** The public ingress address (VIP floating IP or ingress load balancer floating IP). */
  readonly ingressAddress: pulumi.Output<string>;
  /** The floating IP DNS names for the ingress point at (the VIP's, or the ingress load balancer's). */
  readonly floatingIp: pulumi.Output<string>;
  /** Private node addresses per role. */
  readonly nodeAddresses: pulumi.Output<{
    server: string[];
    agent: string[];
    gpu: string[];
    ingress: string[];
  }>;
  /** Admin kubeconfig (client certificate of the Pulumi-generated client CA). Secret. */
  readonly kubeconfig: pulumi.Output<string>;
}

/** Pool names that would give pool nodes the names of servers or ingress nodes. */
const RESERVED_POOL_NAMES = ["server", "ingress"];

/** `api.<cluster>.<zone>`, the API's DNS name, when DNS is enabled. */
export function apiDnsName(spec: ClusterSpec): string | undefined {
  return spec.dns.enabled && spec.dns.zone !== "" ? `api.${spec.name}.${spec.dns.zone}` : undefined;
}

/** Creates the cluster's infrastructure. Every decision is taken on plain spec values. */
export function buildClusterInfra(spec: ClusterSpec, opts: ClusterInfraOptions = {}): ClusterInfra {
  const reserved = spec.pools.filter((p) => RESERVED_POOL_NAMES.includes(p.name));
  if (reserved.length > 0) {
    throw new Error(
      `pools: ${reserved.map((p) => p.name).join(", ")}: reserved pool name (nodes would be named like ` +
        `servers or ingress nodes; allowed any other name)`,
    );
  }
  const name = spec.name;
  const identity: ResourceIdentity = { cluster: spec.name, environment: spec.environment };
  const componentOpts: pulumi.ComponentResourceOptions = opts.providers ? { providers: opts.providers } : {};
  const openstackProvider = opts.providers?.find((p) => openstack.Provider.isInstance(p));
  const topology = spec.topology;
  const ingressCount = topology.mode === "keepalived" ? topology.ingressNodes : 0;
  const fixed = planFixedAddresses(spec.network, topology, spec.controlPlane.count, ingressCount);

  const externalNetworkId =
    opts.externalNetworkId ??
    spec.openstack.externalNetworkId ??
    openstack.networking
      .getNetworkOutput(
        { name: spec.openstack.externalNetwork, external: true },
        openstackProvider ? { provider: openstackProvider } : {},
      )
      .apply((n) => n.id);

  const network = new Network(
    name,
    {
      identity,
      subnetCidr: spec.network.subnetCidr,
      gatewayIp: spec.network.gatewayIp,
      dnsServers: spec.network.dnsServers,
      allocationPool: spec.network.allocationPool,
      mtu: spec.network.mtu,
      externalNetworkId,
    },
    componentOpts,
  );
  const groups = new SecurityGroups(
    name,
    {
      identity,
      subnetCidr: spec.network.subnetCidr,
      podCidr: spec.rke2.podCidr,
      adminCidrs: spec.adminCidrs,
      cni: spec.rke2.cni,
      topology: topology.mode,
    },
    componentOpts,
  );
  const keyPair = opts.sshPublicKey
    ? new openstack.compute.Keypair(
        `${name}-keypair`,
        { name: `${name}-keypair`, publicKey: opts.sshPublicKey },
        openstackProvider ? { provider: openstackProvider } : {},
      )
    : undefined;
  // Kept in state and protected with the cluster: losing it means losing the admin kubeconfig.
  const pki = new ClusterPki(`${name}-pki`, {}, { protect: spec.protect });
  const agentToken = pulumi.secret(
    pulumi.all([pki.caHash, pki.agentTokenSecret]).apply(([hash, secret]) => joinToken(hash, "node", secret)),
  );

  // The edge comes first: servers must be told the registration address and the endpoint's public IP.
  let edge: ClusterEdge;
  // Servers 1..n and every agent register here (RKE2 `server:`): the API VIP in both topologies.
  const registrationAddress = fixed.apiVip;
  let tlsSans: pulumi.Input<string>[];
  let vips: { readonly api: Vip; readonly ingress: Vip } | undefined;
  let endpoint: OctaviaEndpoint | undefined;
  const dnsName = apiDnsName(spec);
  if (topology.mode === "keepalived") {
    const vipArgs = {
      identity,
      networkId: network.networkId,
      subnetId: network.subnetId,
      floatingIpPool: spec.openstack.floatingIpPool,
    };
    vips = {
      // Each VIP port carries its holders' group, so the floating IP's traffic meets the same rules.
      api: new Vip(
        `${name}-api-vip`,
        { ...vipArgs, purpose: "api", address: topology.apiVip, securityGroupIds: [groups.serverGroupId] },
        componentOpts,
      ),
      ingress: new Vip(
        `${name}-vip`,
        { ...vipArgs, purpose: "ingress", address: topology.vip, securityGroupIds: [groups.ingressGroupId] },
        componentOpts,
      ),
    };
    tlsSans = [topology.apiVip, vips.api.floatingIp];
  } else {
    endpoint = new OctaviaEndpoint(
      `${name}-lb`,
      {
        identity,
        subnetId: network.subnetId,
        subnetCidr: spec.network.subnetCidr,
        adminCidrs: spec.adminCidrs,
        floatingIpPool: spec.openstack.floatingIpPool,
        provider: topology.provider,
        securityGroupIds: groups.loadBalancerGroupId ? [groups.loadBalancerGroupId] : [],
        apiVipAddress: fixed.apiVip,
      },
      componentOpts,
    );
    tlsSans = [fixed.apiVip, endpoint.apiFloatingIp];
  }
  if (dnsName !== undefined) tlsSans.push(dnsName);

  const controlPlane = new ControlPlane(
    name,
    {
      identity,
      servers: spec.controlPlane,
      rke2: spec.rke2,
      networkId: network.networkId,
      subnetId: network.subnetId,
      securityGroupIds: groups.groupIdsFor("server"),
      fixedAddresses: fixed.servers,
      registrationAddress,
      tlsSans,
      pki,
      clusterInitialised: opts.clusterInitialised === true,
      ...(opts.registryAuth !== undefined ? { registryAuth: opts.registryAuth } : {}),
      ...(keyPair ? { keyPair: keyPair.name } : {}),
      // Ingress status (and so external-dns) names the ingress floating IP, not the nodes' addresses.
      firstServerManifests: (
        vips?.ingress.floatingIp ?? (endpoint as OctaviaEndpoint).ingressFloatingIp
      ).apply((fip) => [
        {
          path: INGRESS_MANIFEST_PATH,
          content: renderIngressManifest({ publishStatusAddress: fip, topology: topology.mode }),
          permissions: "0600" as const,
        },
      ]),
      ...(vips !== undefined && topology.mode === "keepalived"
        ? {
            apiVip: {
              address: topology.apiVip,
              allowedAddressPair: vips.api.allowedAddressPair,
              virtualRouterId: topology.apiVirtualRouterId,
              advertIntervalSeconds: topology.advertIntervalSeconds,
              ...(topology.interfaceName !== undefined ? { interfaceName: topology.interfaceName } : {}),
            },
          }
        : {}),
    },
    { ...componentOpts, protect: spec.protect },
  );

  const pools: Record<string, NodePool> = {};
  for (const pool of spec.pools) {
    pools[pool.name] = new NodePool(
      `${name}-${pool.name}`,
      {
        identity,
        pool,
        rke2: spec.rke2,
        registrationAddress,
        agentToken,
        nodePasswordKey: pki.serverTokenSecret,
        ...(opts.registryAuth !== undefined ? { registryAuth: opts.registryAuth } : {}),
        networkId: network.networkId,
        subnetId: network.subnetId,
        securityGroupIds: groups.groupIdsFor(pool.role),
        ...(keyPair ? { keyPair: keyPair.name } : {}),
      },
      componentOpts,
    );
  }

  if (vips !== undefined && topology.mode === "keepalived") {
    const ingressNodes = new IngressNodes(
      name,
      {
        identity,
        nodes: spec.ingress,
        fixedAddresses: fixed.ingress,
        keepalived: {
          vip: topology.vip,
          virtualRouterId: topology.virtualRouterId,
          advertIntervalSeconds: topology.advertIntervalSeconds,
          interfaceName: topology.interfaceName,
        },
        vipAllowedAddressPair: vips.ingress.allowedAddressPair,
        rke2: spec.rke2,
        registrationAddress,
        agentToken,
        nodePasswordKey: pki.serverTokenSecret,
        ...(opts.registryAuth !== undefined ? { registryAuth: opts.registryAuth } : {}),
        networkId: network.networkId,
        subnetId: network.subnetId,
        securityGroupIds: groups.groupIdsFor("ingress"),
        ...(keyPair ? { keyPair: keyPair.name } : {}),
      },
      componentOpts,
    );
    edge = { mode: "keepalived", apiVip: vips.api, ingressVip: vips.ingress, ingressNodes };
  } else {
    const lb = endpoint as OctaviaEndpoint;
    lb.addServerMembers(controlPlane.addressesByNode);
    // The RKE2 ingress controller runs on ordinary agents (servers and GPU nodes are tainted).
    const ingressMembers: Record<string, pulumi.Output<string>> = {};
    for (const pool of spec.pools.filter((p) => p.role === "agent")) {
      Object.assign(ingressMembers, (pools[pool.name] as NodePool).addressesByNode);
    }
    lb.addIngressMembers(ingressMembers);
    edge = { mode: "octavia", endpoint: lb };
  }

  return {
    spec,
    network,
    securityGroups: groups,
    pki,
    controlPlane,
    pools,
    edge,
    registrationAddress,
    apiDnsName: dnsName,
    agentToken,
  };
}

/** The cluster's outputs, the same shape in both topologies. */
export function clusterOutputs(infra: ClusterInfra): ClusterOutputs {
  const edge = infra.edge;
  const apiAddress = edge.mode === "keepalived" ? edge.apiVip.floatingIp : edge.endpoint.apiFloatingIp;
  const ingressAddress =
    edge.mode === "keepalived" ? edge.ingressVip.floatingIp : edge.endpoint.ingressFloatingIp;
  const url = pulumi.interpolate`https://${apiAddress}:${PORTS.kubeApi}`;
  const byRole = (role: "agent" | "gpu"): pulumi.Output<string[]> =>
    pulumi
      .all(
        infra.spec.pools
          .filter((p) => p.role === role)
          .map((p) => (infra.pools[p.name] as NodePool).nodeAddresses),
      )
      .apply((lists) => lists.flat());
  const ingressNodeAddresses =
    edge.mode === "keepalived" ? edge.ingressNodes.nodeAddresses : pulumi.output<string[]>([]);
  const pki = infra.pki;
  const kubeconfig = pulumi.secret(
    pulumi
      .all([url, pki.serverCaCert, pki.adminCert, pki.adminKey])
      .apply(([serverUrl, serverCaCert, cert, key]) =>
        renderKubeconfig({ clusterName: infra.spec.name, serverUrl, serverCaCert, admin: { cert, key } }),
      ),
  );
  return {
    apiEndpoint: { address: apiAddress, url },
    ingressAddress,
    floatingIp: ingressAddress,
    nodeAddresses: pulumi
      .all([infra.controlPlane.serverAddresses, byRole("agent"), byRole("gpu"), ingressNodeAddresses])
      .apply(([server, agent, gpu, ingress]) => ({ server, agent, gpu, ingress })),
    kubeconfig,
  };
}
