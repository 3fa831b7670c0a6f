/**
 * Validator and components agree (property-based, fast-check). Specs are generated within the schema —
 * extreme counts, subnets from /16 to /28, VIPs, DHCP pools and CIDRs near the edges, environments with
 * odd defaults — and validated by the loader `xcluster validate` uses (real files in a temp directory).
 * Whatever it accepts must build:
 * - tier "pure functions", many runs, extreme counts: the preconditions the components assert
 *   (fixed-address plan, network arguments, security rule inputs) hold for the resolved spec;
 * - tier "Pulumi mocks", fewer runs, small counts: the whole cluster program runs under the recording
 *   mocks exactly as `xcluster plan` runs it, and registers every resource without an error.
 * Whatever validation refuses, it refuses with a position.
 */
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { formatIssue, loadFleet, type ClusterSpec } from "../../spec";
import { planFixedAddresses } from "../../components/rke2/fixed-addresses";
import { checkNetworkArgs } from "../../components/network";
import { deriveSecurityRules } from "../../components/security-rules";
import { renderCluster } from "../../plan/render-cluster";
import { writeFleet } from "../support/spec-files";

const IMAGE = "11111111-2222-3333-4444-555555555555";

const octet = fc.integer({ min: 0, max: 255 });
const address = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
/** An address near a subnet's edges, or anywhere. */
const addressNear = (base: number[]) =>
  fc.oneof(
    fc
      .integer({ min: 0, max: 80 })
      .map((n) => [base[0], base[1], base[2]! + Math.floor(n / 256), n % 256].join(".")),
    fc.constantFrom("10.43.0.10", "0.0.0.0", "255.255.255.255"),
    address,
  );
/** Mostly the usable value, sometimes one from the edge. */
const mostly = <T>(usual: fc.Arbitrary<T>, edge: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: edge });
const cidrText = fc.constantFrom(
  "10.42.0.0/16",
  "10.43.0.0/16",
  "10.96.0.0/12",
  "172.16.0.0/12",
  "10.43.0.0/28",
  "10.43.0.0/29",
  "10.0.0.0/8",
  "10.42.0.1/16",
  "192.168.0.0/16",
);
const adminCidr = mostly(
  fc.constantFrom("192.168.100.0/24", "203.0.113.0/24"),
  fc.constantFrom("203.0.113.7/24", "0.0.0.0/0", "10.0.0.0/8"),
);
const dnsServer = mostly(
  fc.oneof(address, fc.constant("10.0.0.2")),
  fc.constantFrom("2001:db8::53", "", "dns.example.org"),
);
const poolName = mostly(
  fc.constantFrom("a", "b", "c", "d", "e", "f", "ingest", "notebooks", "a-1", "a-10"),
  fc.constantFrom("workers", "gpu-workers", "server", "ingress"),
);
const count = (max: number) => mostly(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max }));
/** Mostly absent, sometimes present. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

interface Shape {
  readonly maxServers: number;
  readonly maxNodes: number;
}

const subnet = fc
  .record({
    b: fc.integer({ min: 0, max: 255 }),
    c: fc.integer({ min: 0, max: 255 }),
    prefix: fc.integer({ min: 16, max: 28 }),
  })
  .map(({ b, c, prefix }) => {
    const hostBits = 32 - prefix;
    const value = ((10 << 24) | (b << 16) | (c << 8)) >>> 0;
    const network = hostBits >= 32 ? 0 : (value >>> hostBits) << hostBits;
    const n = network >>> 0;
    const parts = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    return { parts, text: `${parts.join(".")}/${prefix}` };
  });

function pool(shape: Shape) {
  return fc.record(
    {
      name: poolName,
      count: count(shape.maxNodes),
      flavor: mostly(fc.constant("g1.large"), fc.constant("m1.large")),
      serverGroupPolicy: fc.constantFrom("anti-affinity", "soft-anti-affinity", "affinity", "soft-affinity"),
      labels: fc.dictionary(fc.constantFrom("workload", "tier"), fc.constantFrom("a", "b")),
      availabilityZones: fc.array(fc.constantFrom("az1", "az2"), { maxLength: 2 }),
    },
    { requiredKeys: ["name", "count"] },
  );
}

function cluster(shape: Shape) {
  return subnet.chain((net) =>
    fc.record(
      {
        numberOfMasters: mostly(fc.constantFrom(3, 5), fc.integer({ min: 0, max: shape.maxServers })),
        numberOfWorkers: count(shape.maxNodes),
        numberOfGpuWorkers: count(shape.maxNodes),
        subnetCidr: mostly(fc.constant(net.text), cidrText),
        topology: fc.option(
          fc.oneof(
            fc.record({ mode: fc.constant("octavia") }),
            fc.record(
              {
                mode: fc.constant("keepalived"),
                vip: mostly(
                  fc.constant([...net.parts.slice(0, 3), net.parts[3]! + 10].join(".")),
                  addressNear(net.parts),
                ),
                ingressNodes: fc.integer({ min: 2, max: 9 }),
                virtualRouterId: fc.integer({ min: 1, max: 255 }),
                interfaceName: fc.constantFrom("ens3", "eth0", "bond0.100"),
              },
              { requiredKeys: ["mode"] },
            ),
          ),
          { nil: undefined },
        ),
        network: fc.option(
          fc.record(
            {
              dnsServers: fc.array(dnsServer, { maxLength: 2 }),
              allocationPool: rarely(
                fc.record({ start: addressNear(net.parts), end: addressNear(net.parts) }),
              ),
              mtu: fc.integer({ min: 1280, max: 9000 }),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        workerPools: fc.uniqueArray(pool(shape), { maxLength: 3, selector: (p) => p.name }),
        gpuPools: fc.uniqueArray(pool(shape), { maxLength: 2, selector: (p) => p.name }),
        rke2: fc.option(
          fc.record(
            {
              cni: fc.constantFrom("canal", "cilium", "calico"),
              podCidr: mostly(fc.constant("10.42.0.0/16"), cidrText),
              serviceCidr: mostly(fc.constant("10.43.0.0/16"), cidrText),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        adminCidrs: fc.option(fc.array(adminCidr, { maxLength: 2 }), { nil: undefined }),
        addons: fc.subarray([
          "cert-manager",
          "external-dns",
          "vault-secrets-operator",
          "gpu-operator",
          "rancher",
        ]),
      },
      {
        requiredKeys: [
          "numberOfMasters",
          "numberOfWorkers",
          "numberOfGpuWorkers",
          "subnetCidr",
          "workerPools",
          "gpuPools",
          "addons",
        ],
      },
    ),
  );
}

const environment = fc.record({
  production: fc.boolean(),
  vault: mostly(fc.constant(true), fc.constant(false)),
  rancher: mostly(
    fc.constant<string | undefined>("https://rancher.example.org"),
    fc.constantFrom(undefined, "http://rancher.example.org"),
  ),
  octaviaAvailable: mostly(fc.constant(true), fc.constant(false)),
  dnsServers: fc.array(dnsServer, { maxLength: 1 }),
  adminCidrs: fc.array(adminCidr, { maxLength: 1 }),
  defaults: rarely(
    fc.record(
      {
        topology: fc.oneof(
          fc.record({ mode: fc.constant("octavia") }),
          fc.record({ mode: fc.constant("keepalived"), vip: fc.option(address, { nil: undefined }) }),
        ),
        rke2: fc.record(
          {
            podCidr: mostly(fc.constant("10.42.0.0/16"), cidrText),
            serviceCidr: mostly(fc.constant("10.43.0.0/16"), cidrText),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  ),
});

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

function files(
  env: Generated<typeof environment>,
  c: Generated<ReturnType<typeof cluster>>,
): Record<string, string> {
  const { addons, ...parameters } = c;
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const defaults = env.defaults === undefined ? {} : { defaults: defined(env.defaults) };
  return {
    "env/environment.yaml": stringify({
      apiVersion: "xcluster.dev/v1alpha1",
      kind: "XEnvironment",
      metadata: { name: "env" },
      spec: {
        production: env.production,
        openstack: {
          cloud: "c",
          region: "RegionOne",
          externalNetwork: "ext",
          octaviaAvailable: env.octaviaAvailable,
          gpuFlavors: ["g1.*"],
          dnsServers: env.dnsServers,
        },
        flavors: { server: "m1.large", agent: "m1.large", gpu: "g1.large" },
        images: { server: IMAGE, agent: IMAGE },
        adminCidrs: env.adminCidrs,
        ...(env.rancher !== undefined ? { rancher: { url: env.rancher } } : {}),
        ...(env.vault
          ? {
              vault: {
                address: "https://vault.example.org:8200",
                openstackCredentialPath: "p/openstack",
                awsCredentialPath: "p/route53",
                sshPublicKeyPath: "p/ssh",
                clusterPathPrefix: "clusters/env",
              },
            }
          : {}),
        ...defaults,
      },
    }),
    "env/c1.yaml": stringify({
      apiVersion: "crossplane.ecmwf.int/v1alpha1",
      kind: "XCluster",
      metadata: { name: "c1" },
      spec: {
        parameters: defined({ ...parameters, rke2Version: "v1.33.3+rke2r1", floatingIpPool: "ext" }),
        addons,
      },
    }),
  };
}

/** Validates; returns the resolved spec when accepted, after checking every refusal is positioned. */
function validate(fileSet: Record<string, string>): ClusterSpec | undefined {
  const dir = writeFleet(fileSet);
  const fleet = loadFleet([dir], { cwd: dir });
  for (const issue of fleet.issues) {
    assert.ok(issue.line >= 1 && issue.col >= 1 && issue.path !== "", `unpositioned: ${formatIssue(issue)}`);
  }
  return fleet.issues.length === 0 ? fleet.clusters[0] : undefined;
}

describe("validator and components agree (property)", function () {
  this.timeout(120_000);

  it("every accepted spec, counts as extreme as the address space allows, passes the components' preconditions (pure)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(environment, cluster({ maxServers: 99, maxNodes: 100_000 }), (env, c) => {
        const spec = validate(files(env, c));
        if (!spec) return;
        accepted++;
        const topology = spec.topology;
        planFixedAddresses(
          spec.network,
          topology,
          spec.controlPlane.count,
          topology.mode === "keepalived" ? topology.ingressNodes : 0,
        );
        checkNetworkArgs(spec.network);
        deriveSecurityRules({
          subnetCidr: spec.network.subnetCidr,
          podCidr: spec.rke2.podCidr,
          adminCidrs: spec.adminCidrs,
          cni: spec.rke2.cni,
          topology: topology.mode,
        });
      }),
      { numRuns: 600, seed: 17 },
    );
    assert.ok(accepted > 30, `only ${accepted} of 600 generated specs were accepted: the generator is off`);
  });

  it("every accepted spec builds under Pulumi mocks as xcluster plan builds it", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(environment, cluster({ maxServers: 5, maxNodes: 3 }), async (env, c) => {
        const spec = validate(files(env, c));
        if (!spec) return;
        accepted++;
        const resources = await renderCluster(spec, { timeoutMs: 60_000 });
        assert.ok(resources.length > 0);
      }),
      { numRuns: 40, seed: 17 },
    );
    assert.ok(accepted >= 3, `only ${accepted} of 40 generated specs were accepted: the generator is off`);
  });
});
