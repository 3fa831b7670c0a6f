import { strict as assert } from "assert";
import { baseCluster, baseEnvironment, loadFiles } from "../support/spec-files";

interface Case {
  readonly name: string;
  readonly env?: Record<string, unknown>;
  readonly cluster: Record<string, unknown> | string;
  /** Exact messages expected, in file order (`file:line:col: path: message`). */
  readonly messages: string[];
}

const cluster = (params: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) =>
  baseCluster(params, rest);

const cases: Case[] = [
  {
    name: "rejects an unknown field, naming the allowed ones",
    cluster: cluster({ colour: "blue" }),
    messages: [
      'c1.yaml:13:5: spec.parameters.colour: unknown field (got "colour"; allowed: numberOfMasters, numberOfWorkers, numberOfGpuWorkers, rke2Version, subnetCidr, floatingIpPool, topology, network, workerPools, gpuPools, controlPlane, flavors, images, rke2, adminCidrs, protect)',
    ],
  },
  {
    name: "rejects a wrong type",
    cluster: cluster({ numberOfWorkers: "six" }),
    messages: ['c1.yaml:8:22: spec.parameters.numberOfWorkers: wrong type (got "six"; allowed: number)'],
  },
  {
    name: "rejects a missing required field",
    cluster: (() => {
      const c = cluster();
      delete (c["spec"] as { parameters: Record<string, unknown> }).parameters["rke2Version"];
      return c;
    })(),
    messages: ["c1.yaml:7:5: spec.parameters.rke2Version: required field is missing (expected string)"],
  },
  {
    name: "rejects a CIDR with host bits set",
    cluster: cluster({ subnetCidr: "10.0.50.1/24" }),
    messages: [
      'c1.yaml:11:17: spec.parameters.subnetCidr: bad CIDR: host bits set (the network is 10.0.50.0/24) (got "10.0.50.1/24"; allowed: a.b.c.d/n with host bits zero)',
    ],
  },
  {
    name: "rejects something that is not a CIDR",
    cluster: cluster({ adminCidrs: ["everywhere"] }),
    messages: [
      'c1.yaml:14:9: spec.parameters.adminCidrs[0]: bad CIDR: not an IPv4 CIDR (got "everywhere"; allowed: a.b.c.d/n with host bits zero)',
    ],
  },
  {
    name: "rejects an admin range that is the whole internet",
    cluster: cluster({ adminCidrs: ["0.0.0.0/0"] }),
    messages: [
      'c1.yaml:14:9: spec.parameters.adminCidrs[0]: would open SSH and the Kubernetes API to the internet (got "0.0.0.0/0"; allowed: a prefix of /1 or longer)',
    ],
  },
  {
    name: "rejects an even server count",
    cluster: cluster({ numberOfMasters: 2 }),
    messages: [
      "c1.yaml:7:22: spec.parameters.numberOfMasters: etcd needs an odd number of servers (got 2; allowed: 3, 5, 7…)",
    ],
  },
  {
    name: "rejects zero servers",
    cluster: cluster({ numberOfMasters: 0 }),
    messages: [
      "c1.yaml:7:22: spec.parameters.numberOfMasters: etcd needs an odd number of servers (got 0; allowed: 3, 5, 7…)",
    ],
  },
  {
    name: "rejects a single server in a production environment",
    cluster: cluster({ numberOfMasters: 1 }),
    messages: [
      'c1.yaml:7:22: spec.parameters.numberOfMasters: a single server is allowed only in non-production environments (got 1; allowed: 3, 5, 7… in production environment "prod")',
    ],
  },
  {
    name: "rejects a subnet overlapping the pod CIDR",
    cluster: cluster({ subnetCidr: "10.42.8.0/24" }),
    messages: [
      "c1.yaml:11:17: spec.parameters.subnetCidr: subnet and pod CIDR overlap (got subnet 10.42.8.0/24 and pod CIDR 10.42.0.0/16; allowed: disjoint ranges)",
    ],
  },
  {
    name: "rejects a subnet overlapping the service CIDR",
    cluster: cluster({ rke2: { serviceCidr: "10.0.0.0/16" } }),
    messages: [
      "c1.yaml:14:20: spec.parameters.rke2.serviceCidr: subnet and service CIDR overlap (got subnet 10.0.50.0/24 and service CIDR 10.0.0.0/16; allowed: disjoint ranges)",
    ],
  },
  {
    name: "rejects a VIP outside the subnet",
    cluster: cluster({ topology: { mode: "keepalived", vip: "10.0.51.10" } }),
    messages: [
      'c1.yaml:15:12: spec.parameters.topology.vip: VIP outside the cluster subnet (got "10.0.51.10"; allowed: a host address of 10.0.50.0/24)',
    ],
  },
  {
    name: "rejects a VIP inside the DHCP pool",
    cluster: cluster({ topology: { mode: "keepalived", vip: "10.0.50.100" } }),
    messages: [
      'c1.yaml:15:12: spec.parameters.topology.vip: VIP inside the DHCP allocation pool (got "10.0.50.100"; allowed: an address outside the pool)',
    ],
  },
  {
    name: "rejects an API VIP inside the DHCP pool",
    cluster: cluster({ topology: { mode: "keepalived", apiVip: "10.0.50.70" } }),
    messages: [
      'c1.yaml:15:15: spec.parameters.topology.apiVip: API VIP inside the DHCP allocation pool (got "10.0.50.70"; allowed: an address outside the pool)',
    ],
  },
  {
    name: "rejects an API VIP equal to the ingress VIP",
    cluster: cluster({ topology: { mode: "keepalived", apiVip: "10.0.50.10" } }),
    messages: [
      "c1.yaml:15:15: spec.parameters.topology.apiVip: the API VIP and the ingress VIP are the same address (got 10.0.50.10; allowed: two different addresses, held by different nodes)",
    ],
  },
  {
    name: "rejects duplicate pool names, including the default pool's",
    cluster: cluster({ workerPools: [{ name: "workers", count: 1 }] }),
    messages: [
      'c1.yaml:14:15: spec.parameters.workerPools[0].name: duplicate pool name (got "workers", already used by numberOfWorkers; allowed: a name used once)',
    ],
  },
  {
    name: "rejects a pool named like a server or ingress node",
    cluster: cluster({ workerPools: [{ name: "server", count: 1 }] }),
    messages: [
      'c1.yaml:14:15: spec.parameters.workerPools[0].name: reserved pool name: its nodes would take the names of server nodes (got "server"; allowed: any other name)',
    ],
  },
  {
    name: "rejects a DHCP pool that leaves no room for the servers' fixed addresses",
    cluster: cluster({ network: { allocationPool: { start: "10.0.50.12", end: "10.0.50.254" } } }),
    messages: [
      "c1.yaml:15:16: spec.parameters.network.allocationPool.start: no room for 3 server address(es) from 10.0.50.11 below the DHCP pool (got 1 free before 10.0.50.12; allowed: a pool that starts after them)",
    ],
  },
  {
    name: "rejects a GPU pool without a GPU flavor",
    cluster: cluster({ gpuPools: [{ name: "gpu", count: 1, flavor: "m1.large" }] }),
    messages: [
      'c1.yaml:16:17: spec.parameters.gpuPools[0].flavor: GPU pool without a GPU flavor (got "m1.large"; allowed: one of g1.* (environment spec.openstack.gpuFlavors))',
    ],
  },
  {
    name: "rejects an unknown add-on",
    cluster: cluster({}, { addons: ["cert-manager", "istio"] }),
    messages: [
      'c1.yaml:15:7: spec.addons[1]: not an allowed value (got "istio"; allowed: "cert-manager", "external-dns", "vault-secrets-operator", "gpu-operator", "jupyterhub", "rancher")',
    ],
  },
  {
    name: "rejects gpu-operator on a cluster without GPU nodes",
    cluster: cluster({}, { addons: ["gpu-operator"] }),
    messages: [
      "c1.yaml:14:7: spec.addons[0]: gpu-operator on a cluster without GPU nodes (got 0 GPU nodes; allowed: numberOfGpuWorkers or gpuPools with at least one node)",
    ],
  },
  {
    name: "rejects a malformed rke2Version",
    cluster: cluster({ rke2Version: "1.33" }),
    messages: [
      'c1.yaml:10:18: spec.parameters.rke2Version: malformed RKE2 version (got "1.33"; allowed: vX.Y.Z+rke2rN, e.g. v1.33.3+rke2r1)',
    ],
  },
  {
    name: "rejects octavia where the environment has none",
    env: baseEnvironment({
      openstack: { cloud: "c", region: "r", externalNetwork: "ext", gpuFlavors: ["g1.*"] },
    }),
    cluster: cluster({ topology: { mode: "octavia" } }),
    messages: [
      'c1.yaml:14:13: spec.parameters.topology.mode: octavia is not available in environment "prod" (got "octavia"; allowed: "keepalived")',
    ],
  },
  {
    name: "rejects an external network ID that is a name, not a Neutron UUID",
    env: baseEnvironment({
      openstack: {
        cloud: "c",
        region: "r",
        externalNetwork: "ext",
        externalNetworkId: "ext",
        gpuFlavors: ["g1.*"],
      },
    }),
    cluster: cluster(),
    messages: [
      'environment.yaml:11:24: spec.openstack.externalNetworkId: must be a Neutron network ID, a lower-case UUID (`openstack network show NAME -c id`) (got "ext")',
    ],
  },
  {
    name: "rejects a YAML syntax error with its position",
    cluster: "apiVersion: crossplane.ecmwf.int/v1alpha1\nkind: XCluster\nmetadata: {name: c1\n",
    messages: [
      "c1.yaml:4:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }",
    ],
  },
  {
    name: "rejects a key written twice",
    cluster: "apiVersion: crossplane.ecmwf.int/v1alpha1\nkind: XCluster\nkind: XCluster\n",
    messages: ['c1.yaml:3:1: duplicate key "kind" (allowed: each key once per map)'],
  },
  {
    name: "rejects a generic-oauth login without its token endpoint, naming the field",
    env: baseEnvironment({
      jupyterhub: {
        auth: {
          type: "generic-oauth",
          credentialPath: "p",
          authorizeUrl: "https://sso.example.org/auth",
          userdataUrl: "https://sso.example.org/userinfo",
          scopes: ["openid"],
          usernameClaim: "sub",
        },
      },
    }),
    cluster: cluster(),
    messages: [
      "environment.yaml:25:7: spec.jupyterhub.auth.tokenUrl: required field is missing (expected string)",
    ],
  },
  {
    name: "rejects an OAuth endpoint that is not https",
    env: baseEnvironment({
      jupyterhub: {
        auth: {
          type: "generic-oauth",
          credentialPath: "p",
          authorizeUrl: "http://sso.example.org/auth",
          tokenUrl: "https://sso.example.org/token",
          userdataUrl: "https://sso.example.org/userinfo",
          scopes: ["openid"],
          usernameClaim: "sub",
        },
      },
    }),
    cluster: cluster(),
    messages: [
      'environment.yaml:27:21: spec.jupyterhub.auth.authorizeUrl: must be an https URL (got "http://sso.example.org/auth")',
    ],
  },
  {
    name: "rejects an azuread login without its tenant",
    env: baseEnvironment({ jupyterhub: { auth: { type: "azuread", credentialPath: "p" } } }),
    cluster: cluster(),
    messages: [
      "environment.yaml:25:7: spec.jupyterhub.auth.tenantId: required field is missing (expected string)",
    ],
  },
  {
    name: "rejects an LDAP login without its bind DN",
    env: baseEnvironment({
      jupyterhub: {
        auth: {
          type: "ldap",
          credentialPath: "p",
          serverAddress: "ldap.example.org",
          userSearchBase: "dc=x",
        },
      },
    }),
    cluster: cluster(),
    messages: [
      "environment.yaml:25:7: spec.jupyterhub.auth.bindDn: required field is missing (expected string)",
    ],
  },
];

describe("spec validation", () => {
  for (const c of cases) {
    it(c.name, () => {
      const fleet = loadFiles({ "environment.yaml": c.env ?? baseEnvironment(), "c1.yaml": c.cluster });
      assert.deepEqual(fleet.messages, c.messages);
      assert.equal(fleet.clusters.length, 0);
    });
  }

  it("runs RKE2 with the external (OpenStack) cloud provider when the environment's credentials come from Vault", () => {
    const vault = {
      address: "https://vault.example.org:8200",
      openstackCredentialPath: "p/os",
      awsCredentialPath: "p/aws",
      sshPublicKeyPath: "p/ssh",
      clusterPathPrefix: "clusters",
    };
    const fleet = loadFiles({ "environment.yaml": baseEnvironment({ vault }), "c1.yaml": cluster() });
    assert.deepEqual(fleet.messages, []);
    assert.equal(fleet.clusters[0]?.rke2.cloudProviderName, "external");
  });

  it("accepts a valid cluster and resolves its defaults", () => {
    const fleet = loadFiles({ "environment.yaml": baseEnvironment(), "c1.yaml": cluster() });
    assert.deepEqual(fleet.messages, []);
    const spec = fleet.clusters[0]!;
    assert.equal(spec.topology.mode, "keepalived");
    assert.deepEqual(spec.network.allocationPool, { start: "10.0.50.64", end: "10.0.50.254" });
    assert.equal(spec.topology.mode === "keepalived" && spec.topology.vip, "10.0.50.10");
    assert.equal(spec.topology.mode === "keepalived" && spec.topology.apiVip, "10.0.50.9");
    assert.equal(
      spec.topology.mode === "keepalived" && spec.topology.interfaceName,
      undefined,
      "found at boot",
    );
    assert.equal(spec.rke2.cisProfile, "cis");
    assert.equal(spec.addons.gpuDrivers, "operator");
    // No Vault in this environment: no credentials for the OpenStack cloud provider, so RKE2 runs without it.
    assert.equal(spec.rke2.cloudProviderName, "");
    assert.equal(spec.rke2.secretsEncryption, true);
    assert.equal(spec.rke2.clusterDns, "10.43.0.10");
    assert.equal(spec.protect, true);
  });

  it("resolves the environment's external network ID, and leaves it out when not given", () => {
    const id = "0c7d5a1e-4f2b-4d8a-9e3c-5b6a7f8e9d01";
    const openstack = { cloud: "c", region: "r", externalNetwork: "ext", gpuFlavors: ["g1.*"] };
    const withId = loadFiles({
      "environment.yaml": baseEnvironment({ openstack: { ...openstack, externalNetworkId: id } }),
      "c1.yaml": cluster(),
    });
    assert.deepEqual(withId.messages, []);
    assert.equal(withId.clusters[0]!.openstack.externalNetworkId, id);
    const byName = loadFiles({ "environment.yaml": baseEnvironment(), "c1.yaml": cluster() });
    assert.equal("externalNetworkId" in byName.clusters[0]!.openstack, false);
  });

  it("allows a single server in a non-production environment", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({ production: false }),
      "c1.yaml": cluster({ numberOfMasters: 1 }),
    });
    assert.deepEqual(fleet.messages, []);
    assert.equal(fleet.clusters[0]!.controlPlane.count, 1);
  });

  it("rejects duplicate cluster names in one environment", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment(),
      "a.yaml": cluster(),
      "b.yaml": cluster({ subnetCidr: "10.0.60.0/24" }),
    });
    assert.deepEqual(fleet.messages, [
      'b.yaml:4:9: metadata.name: duplicate cluster name in environment "prod" (got "c1", also in a.yaml; allowed: unique names)',
    ]);
  });

  it("reports structural and cross-field problems of one file together", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment(),
      "c1.yaml": cluster({ numberOfWorkers: "six", numberOfMasters: 2, rke2Version: "1.2" }),
    });
    assert.equal(fleet.messages.length, 3);
    assert.match(fleet.messages.join("\n"), /numberOfWorkers: wrong type/);
    assert.match(fleet.messages.join("\n"), /numberOfMasters: etcd needs an odd number/);
    assert.match(fleet.messages.join("\n"), /rke2Version: malformed RKE2 version/);
  });

  it("rejects a cluster spec without an environment beside it", () => {
    const fleet = loadFiles({ "c1.yaml": cluster() });
    assert.deepEqual(fleet.messages, [
      "c1.yaml:1:1: no environment.yaml beside this cluster spec: it names the cloud, images and flavors",
    ]);
  });

  it("rejects problems in the environment itself", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({ adminCidrs: ["0.0.0.0/33"] }),
      "c1.yaml": cluster(),
    });
    assert.deepEqual(fleet.messages, [
      'environment.yaml:22:7: spec.adminCidrs[0]: bad CIDR: prefix length above 32 (got "0.0.0.0/33"; allowed: a.b.c.d/n with host bits zero)',
    ]);
  });
});
