/**
 * The Octavia endpoint of the standard topology: an "api" load balancer (Kubernetes API on 6443 for admins
 * and nodes, RKE2 registration on 9345 for nodes only) at a fixed VIP, and an "ingress" load balancer
 * (80/443 from anywhere), each with TCP pools, health monitors and a floating IP on its VIP port.
 *
 * Members are added after the nodes exist, because nodes are told the API VIP before they are created:
 *
 *   const endpoint = new OctaviaEndpoint("c1-lb", { ... });
 *   endpoint.addServerMembers({ "server-0": port0.allFixedIps[0], ... });   // 6443 + 9345 pools
 *   endpoint.addIngressMembers({ "gpu-0": ..., "workers-1": ... });           // 80 + 443 pools
 *
 * Keys are node names; member children are named `${name}-<listener>-<node>` so that adding a node renames
 * nothing. Each node can be added once per method.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { PORTS, ResourceIdentity, resourceTags, typeToken } from "./conventions";
import { parseIpv4 } from "../spec/ipv4";
import { ANYWHERE } from "./security-rules";

export interface OctaviaEndpointArgs {
  /** Cluster and environment stamped onto load balancers and floating IPs as tags. */
  readonly identity: ResourceIdentity;
  /** Subnet the VIPs and the members live on. */
  readonly subnetId: pulumi.Input<string>;
  /** The cluster subnet; the only source allowed on the registration listener. */
  readonly subnetCidr: string;
  /** Networks allowed on the Kubernetes API listener besides the subnet. */
  readonly adminCidrs: readonly string[];
  /** Pool both floating IPs are allocated from. */
  readonly floatingIpPool: string;
  /** Octavia provider driver, e.g. `amphora` or `ovn` (ovn: TCP monitors and SOURCE_IP_PORT only). */
  readonly provider: string;
  /** Groups on both VIP ports (the load-balancer group). */
  readonly securityGroupIds: pulumi.Input<string>[];
  /** fixed address of the API LB VIP inside the subnet (so servers can be told the registration address before the LB exists) */
  readonly apiVipAddress: string;
}

type LoadBalancerKey = "api" | "ingress";
type ListenerKey = "kube-api" | "supervisor" | "http" | "https";

interface ListenerPlan {
  readonly lb: LoadBalancerKey;
  readonly port: number;
  readonly allowedCidrs: string[];
  /** Long-lived connections (watches, `kubectl exec`, log streams) outlive Octavia's 50 s default. */
  readonly longLived: boolean;
  /** HTTPS check (path and accepted codes) where the provider supports it; TCP connect otherwise. */
  readonly https?: { readonly path: string; readonly codes: string };
}

/** Idle timeout for API connections (ms): a watch or an exec session may be quiet for hours. */
const API_IDLE_TIMEOUT_MS = 4 * 60 * 60 * 1000;
const MONITOR = { delaySeconds: 5, timeoutSeconds: 3, maxRetries: 3, maxRetriesDown: 3 } as const;

export class OctaviaEndpoint extends pulumi.ComponentResource {
  /** The API load balancer's VIP inside the subnet (equals `apiVipAddress`). */
  readonly apiAddress: pulumi.Output<string>;
  readonly apiFloatingIp: pulumi.Output<string>;
  readonly ingressAddress: pulumi.Output<string>;
  readonly ingressFloatingIp: pulumi.Output<string>;

  private readonly name: string;
  private readonly subnetId: pulumi.Input<string>;
  private readonly pools = new Map<
    ListenerKey,
    { readonly pool: openstack.loadbalancer.Pool; readonly port: number }
  >();
  private readonly members = new Set<string>();

  constructor(name: string, args: OctaviaEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("loadbalancer", "OctaviaEndpoint"), name, {}, opts);
    if (parseIpv4(args.apiVipAddress) === undefined) {
      throw new Error(
        `invalid Octavia arguments:\n  apiVipAddress: not an IPv4 address (got ${JSON.stringify(args.apiVipAddress)})`,
      );
    }
    this.name = name;
    this.subnetId = args.subnetId;
    const ovn = args.provider === "ovn";
    const apiSources = [...new Set([...args.adminCidrs, args.subnetCidr])].sort();

    const listeners: Record<ListenerKey, ListenerPlan> = {
      // RKE2 runs the API server without anonymous auth, so /readyz answers 401 to the monitor: a 401 still
      // proves TLS and the HTTP stack answer, which a bare TCP connect does not.
      "kube-api": {
        lb: "api",
        port: PORTS.kubeApi,
        allowedCidrs: apiSources,
        longLived: true,
        https: { path: "/readyz", codes: "200,401" },
      },
      // The RKE2 supervisor answers /ping without credentials.
      supervisor: {
        lb: "api",
        port: PORTS.rke2Supervisor,
        allowedCidrs: [args.subnetCidr],
        longLived: true,
        https: { path: "/ping", codes: "200" },
      },
      http: { lb: "ingress", port: PORTS.http, allowedCidrs: [ANYWHERE], longLived: false },
      https: { lb: "ingress", port: PORTS.https, allowedCidrs: [ANYWHERE], longLived: false },
    };

    const lbs = new Map<LoadBalancerKey, openstack.loadbalancer.LoadBalancer>();
    const fips = new Map<LoadBalancerKey, openstack.networking.FloatingIp>();
    for (const key of ["api", "ingress"] as const) {
      const lb = new openstack.loadbalancer.LoadBalancer(
        `${name}-${key}`,
        {
          name: `${args.identity.cluster}-${key}`,
          description: key === "api" ? "Kubernetes API and RKE2 registration" : "Ingress controller (80/443)",
          vipSubnetId: args.subnetId,
          vipAddress: key === "api" ? args.apiVipAddress : undefined,
          loadbalancerProvider: args.provider,
          securityGroupIds: args.securityGroupIds,
          tags: resourceTags(args.identity, "loadbalancer"),
        },
        { parent: this },
      );
      lbs.set(key, lb);
      fips.set(
        key,
        new openstack.networking.FloatingIp(
          `${name}-${key}-fip`,
          {
            pool: args.floatingIpPool,
            portId: lb.vipPortId,
            fixedIp: lb.vipAddress,
            description: `public address of the ${key} load balancer of ${args.identity.cluster}`,
            tags: resourceTags(args.identity, "loadbalancer"),
          },
          { parent: this },
        ),
      );
    }

    for (const [key, plan] of Object.entries(listeners) as [ListenerKey, ListenerPlan][]) {
      const lb = required(lbs.get(plan.lb));
      const listener = new openstack.loadbalancer.Listener(
        `${name}-${key}`,
        {
          name: `${args.identity.cluster}-${key}`,
          loadbalancerId: lb.id,
          protocol: "TCP",
          protocolPort: plan.port,
          // Stated even for 0.0.0.0/0: Octavia reads a missing list as "allow all".
          allowedCidrs: plan.allowedCidrs,
          timeoutClientData: plan.longLived && !ovn ? API_IDLE_TIMEOUT_MS : undefined,
          timeoutMemberData: plan.longLived && !ovn ? API_IDLE_TIMEOUT_MS : undefined,
        },
        { parent: this },
      );
      const pool = new openstack.loadbalancer.Pool(
        `${name}-${key}`,
        {
          name: `${args.identity.cluster}-${key}`,
          listenerId: listener.id,
          protocol: "TCP",
          // The ovn driver supports only SOURCE_IP_PORT; least connections spreads long-lived API watches.
          lbMethod: ovn ? "SOURCE_IP_PORT" : "LEAST_CONNECTIONS",
        },
        { parent: this },
      );
      this.pools.set(key, { pool, port: plan.port });
      const https = ovn ? undefined : plan.https;
      new openstack.loadbalancer.Monitor(
        `${name}-${key}`,
        {
          name: `${args.identity.cluster}-${key}`,
          poolId: pool.id,
          type: https === undefined ? "TCP" : "HTTPS",
          httpMethod: https === undefined ? undefined : "GET",
          urlPath: https?.path,
          expectedCodes: https?.codes,
          delay: MONITOR.delaySeconds,
          timeout: MONITOR.timeoutSeconds,
          maxRetries: MONITOR.maxRetries,
          maxRetriesDown: MONITOR.maxRetriesDown,
        },
        { parent: this },
      );
    }

    const api = required(lbs.get("api"));
    const ingress = required(lbs.get("ingress"));
    this.apiAddress = api.vipAddress;
    this.apiFloatingIp = required(fips.get("api")).address;
    this.ingressAddress = ingress.vipAddress;
    this.ingressFloatingIp = required(fips.get("ingress")).address;
    this.registerOutputs({
      apiAddress: this.apiAddress,
      apiFloatingIp: this.apiFloatingIp,
      ingressAddress: this.ingressAddress,
      ingressFloatingIp: this.ingressFloatingIp,
    });
  }

  /** add members after the nodes exist, keyed by node name (stable child names): the 6443 and 9345 pools */
  addServerMembers(members: Readonly<Record<string, pulumi.Input<string>>>): void {
    this.addMembers(["kube-api", "supervisor"], members);
  }

  /** Members of the 80 and 443 pools: the agents running the ingress controller, keyed by node name. */
  addIngressMembers(members: Readonly<Record<string, pulumi.Input<string>>>): void {
    this.addMembers(["http", "https"], members);
  }

  private addMembers(
    keys: readonly ListenerKey[],
    members: Readonly<Record<string, pulumi.Input<string>>>,
  ): void {
    for (const node of Object.keys(members).sort()) {
      const address = required(members[node]);
      for (const key of keys) {
        const childName = `${this.name}-${key}-${node}`;
        if (this.members.has(childName))
          throw new Error(`node ${node} is already a member of the ${key} pool`);
        this.members.add(childName);
        const { pool, port } = required(this.pools.get(key));
        new openstack.loadbalancer.Member(
          childName,
          { name: node, poolId: pool.id, address, protocolPort: port, subnetId: this.subnetId },
          { parent: this },
        );
      }
    }
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error("internal: a load-balancer part was looked up before it was created");
  return value;
}
