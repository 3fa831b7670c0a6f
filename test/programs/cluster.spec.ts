/**
 * Tier: Pulumi mocks. The cluster program on the hand-resolved reference spec in both topologies: what it
 * creates, how the nodes find each other (registration through the API VIP), what holds which VIP, and that
 * both topologies expose the same outputs.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { buildClusterInfra, clusterOutputs, ClusterOutputs } from "../../programs/cluster";
import { CLUSTER_PKI_TOKEN } from "../../components/cluster-pki";
import { ClusterSpec } from "../../spec/types";
import { RecordedResource } from "../../plan/mocks";
import { MockRun, ofType, runUnderMocks, unwrap } from "../support/pulumi";
import { octaviaClusterSpec, pool, referenceClusterSpec } from "../support/cluster-specs";
import {
  ParentRecord,
  isRecordedSecret,
  recordParents,
  recordedValue,
} from "../components/rke2-mock-helpers";

const T = {
  instance: "openstack:compute/instance:Instance",
  port: "openstack:networking/port:Port",
  group: "openstack:compute/serverGroup:ServerGroup",
  fip: "openstack:networking/floatingIp:FloatingIp",
  lb: "openstack:loadbalancer/loadBalancer:LoadBalancer",
  member: "openstack:loadbalancer/member:Member",
  keypair: "openstack:compute/keypair:Keypair",
};
const CLUSTER = "ecmwf-ai-platform";

interface ProgramRun extends MockRun<ClusterOutputs> {
  readonly parents: ParentRecord[];
}

async function program(spec: ClusterSpec, withKey = true): Promise<ProgramRun> {
  let parents: ParentRecord[] = [];
  const run = await runUnderMocks(() => {
    parents = recordParents();
    return clusterOutputs(
      buildClusterInfra(spec, withKey ? { sshPublicKey: "ssh-ed25519 AAAAtest ops" } : {}),
    );
  });
  return { ...run, parents };
}

function count(resources: readonly RecordedResource[], type: string): number {
  return ofType(resources, type).length;
}

function byRole(resources: readonly RecordedResource[], role: string): RecordedResource[] {
  return ofType(resources, T.instance).filter(
    (i) => (i.inputs["metadata"] as Record<string, string>)["role"] === role,
  );
}

async function resolved(o: ClusterOutputs): Promise<Record<string, unknown>> {
  return {
    apiEndpoint: { address: await unwrap(o.apiEndpoint.address), url: await unwrap(o.apiEndpoint.url) },
    ingressAddress: await unwrap(o.ingressAddress),
    floatingIp: await unwrap(o.floatingIp),
    nodeAddresses: await unwrap(o.nodeAddresses),
    kubeconfig: await unwrap(o.kubeconfig),
  };
}

async function userDataOf(i: RecordedResource): Promise<string> {
  return String(recordedValue(i.inputs["userData"]));
}

function writeFiles(userData: string): Record<string, string> {
  const c = parse(userData) as { write_files: { path: string; content: string }[] };
  return Object.fromEntries(c.write_files.map((f) => [f.path, f.content]));
}

function rke2Config(userData: string): Record<string, unknown> {
  return parse(writeFiles(userData)["/etc/rancher/rke2/config.yaml"] ?? "") as Record<string, unknown>;
}

/** The shape of a value: keys and types, array lengths, no values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shape(x)]));
  }
  return typeof v;
}

describe("cluster program", function () {
  this.timeout(120_000);
  let keepalived: ProgramRun;
  let octavia: ProgramRun;
  before(async () => {
    keepalived = await program(referenceClusterSpec());
    octavia = await program(octaviaClusterSpec());
  });

  it("creates the reference cluster with keepalived: 3 servers, 6 agents, 2 GPU agents, 2 ingress nodes, two VIPs", () => {
    const r = keepalived.resources;
    assert.equal(byRole(r, "server").length, 3);
    assert.equal(byRole(r, "agent").length, 6);
    assert.equal(byRole(r, "gpu").length, 2);
    assert.equal(byRole(r, "ingress").length, 2);
    assert.equal(count(r, T.instance), 13);
    assert.equal(count(r, T.port), 15, "one per node plus the API VIP port and the ingress VIP port");
    assert.equal(count(r, T.group), 4);
    assert.equal(count(r, T.fip), 2, "one on each VIP");
    assert.equal(count(r, T.lb), 0);
    assert.equal(count(r, T.keypair), 1);
    assert.equal(count(r, CLUSTER_PKI_TOKEN), 1);
  });

  it("creates the reference cluster with Octavia: the same nodes, no ingress nodes, two load balancers", () => {
    const r = octavia.resources;
    assert.equal(byRole(r, "server").length, 3);
    assert.equal(byRole(r, "agent").length, 6);
    assert.equal(byRole(r, "gpu").length, 2);
    assert.equal(byRole(r, "ingress").length, 0);
    assert.equal(count(r, T.instance), 11);
    assert.equal(count(r, T.port), 11);
    assert.equal(count(r, T.group), 3);
    assert.equal(count(r, T.lb), 2);
    assert.equal(count(r, T.fip), 2);
    assert.equal(count(r, T.member), 3 * 2 + 6 * 2, "servers on 6443+9345, agents on 80+443");
  });

  it("puts servers and ingress nodes in hard anti-affinity groups and pools in soft anti-affinity groups", () => {
    const policies = Object.fromEntries(
      ofType(keepalived.resources, T.group).map((g) => [g.name, g.inputs["policies"]]),
    );
    assert.deepEqual(policies, {
      [`${CLUSTER}-servers`]: ["anti-affinity"],
      [`${CLUSTER}-ingress`]: ["anti-affinity"],
      [`${CLUSTER}-workers-group`]: ["soft-anti-affinity"],
      [`${CLUSTER}-gpu-workers-group`]: ["soft-anti-affinity"],
    });
  });

  it("reserves the API VIP and the ingress VIP as fixed addresses outside the DHCP pool", () => {
    const vipPorts = ofType(keepalived.resources, T.port)
      .filter((p) => (p.inputs["tags"] as string[]).includes("role=vip"))
      .map((p) => [p.inputs["name"], (p.inputs["fixedIps"] as { ipAddress: string }[])[0]?.ipAddress]);
    assert.deepEqual(vipPorts, [
      [`${CLUSTER}-api-vip`, "10.0.50.9"],
      [`${CLUSTER}-ingress-vip`, "10.0.50.10"],
    ]);
  });

  it("gives each VIP port its holders' security group, and the nodes theirs", () => {
    const groupsOf = (name: string) =>
      ofType(keepalived.resources, T.port).find((p) => p.name === name)?.inputs["securityGroupIds"];
    assert.deepEqual(groupsOf(`${CLUSTER}-api-vip-port`), [`fake-${CLUSTER}-server`]);
    assert.deepEqual(groupsOf(`${CLUSTER}-vip-port`), [`fake-${CLUSTER}-ingress`]);
    assert.deepEqual(groupsOf(`${CLUSTER}-server-0-port`), [`fake-${CLUSTER}-server`]);
    assert.deepEqual(groupsOf(`${CLUSTER}-ingress-0-port`), [
      `fake-${CLUSTER}-agent`,
      `fake-${CLUSTER}-ingress`,
    ]);
    assert.deepEqual(groupsOf(`${CLUSTER}-gpu-workers-0-port`), [`fake-${CLUSTER}-agent`]);
  });

  it("allows exactly the API VIP on the servers' ports, the ingress VIP on the ingress nodes', nothing elsewhere", () => {
    for (const p of ofType(keepalived.resources, T.port)) {
      const pairs = p.inputs["allowedAddressPairs"];
      if (p.name.startsWith(`${CLUSTER}-ingress-`))
        assert.deepEqual(pairs, [{ ipAddress: "10.0.50.10" }], p.name);
      else if (p.name.startsWith(`${CLUSTER}-server-`))
        assert.deepEqual(pairs, [{ ipAddress: "10.0.50.9" }], p.name);
      else assert.equal(pairs, undefined, p.name);
    }
    for (const p of ofType(octavia.resources, T.port))
      assert.equal(p.inputs["allowedAddressPairs"], undefined, p.name);
  });

  it("puts floating IPs only on the two VIP ports or the load balancers' VIP ports", () => {
    assert.deepEqual(
      ofType(keepalived.resources, T.fip).map((f) => [f.inputs["portId"], f.inputs["fixedIp"]]),
      [
        [`fake-${CLUSTER}-api-vip-port`, "10.0.50.9"],
        [`fake-${CLUSTER}-vip-port`, "10.0.50.10"],
      ],
    );
    const lbPorts = ofType(octavia.resources, T.lb).map((lb) => `fake-port-${lb.name}`);
    for (const f of ofType(octavia.resources, T.fip))
      assert.ok(lbPorts.includes(f.inputs["portId"] as string), f.name);
    for (const run of [keepalived, octavia]) {
      for (const i of ofType(run.resources, T.instance)) assert.equal(i.inputs["floatingIp"], undefined);
    }
  });

  it("parents every resource to a component, except the key pair and the PKI which belong to the cluster itself", () => {
    for (const run of [keepalived, octavia]) {
      const roots = run.parents.filter((p) => p.parent === undefined && p.type.startsWith("openstack:"));
      assert.deepEqual(
        roots.map((p) => p.type),
        [T.keypair],
      );
      const components = run.parents.filter((p) => p.type.startsWith("xcluster:"));
      for (const c of components)
        assert.equal(c.parent, undefined, `${c.type} ${c.name} sits under the stack`);
      assert.equal(run.parents.find((p) => p.type === CLUSTER_PKI_TOKEN)?.parent, undefined);
    }
  });

  it("marks every instance's user data and the kubeconfig as secret", async () => {
    for (const run of [keepalived, octavia]) {
      for (const i of ofType(run.resources, T.instance))
        assert.ok(isRecordedSecret(i.inputs["userData"]), i.name);
      assert.equal(await pulumi.isSecret(run.result.kubeconfig), true);
    }
  });

  it("gives both topologies the same output shape, and a kubeconfig for the API endpoint", async () => {
    const a = await resolved(keepalived.result);
    const b = await resolved(octavia.result);
    const strip = (o: Record<string, unknown>): unknown => {
      const n = o["nodeAddresses"] as Record<string, string[]>;
      return shape({ ...o, nodeAddresses: Object.fromEntries(Object.keys(n).map((k) => [k, "string[]"])) });
    };
    assert.deepEqual(strip(a), strip(b));
    for (const o of [a, b]) {
      const url = (o["apiEndpoint"] as { url: string }).url;
      assert.match(url, /^https:\/\/203\.0\.113\.\d+:6443$/);
      assert.match(o["kubeconfig"] as string, new RegExp(`server: ${url.replace(/\./g, "\\.")}`));
    }
    assert.deepEqual((a["nodeAddresses"] as { server: string[] }).server, [
      "10.0.50.11",
      "10.0.50.12",
      "10.0.50.13",
    ]);
    assert.deepEqual((a["nodeAddresses"] as { ingress: string[] }).ingress, ["10.0.50.5", "10.0.50.6"]);
    assert.deepEqual((b["nodeAddresses"] as { ingress: string[] }).ingress, []);
  });

  it("registers servers 1..n and every agent (ingress nodes too) through the API VIP; server 0 initialises", async () => {
    for (const [run, vip] of [
      [keepalived, "10.0.50.9"],
      [octavia, "10.0.50.10"],
    ] as const) {
      for (const i of ofType(run.resources, T.instance)) {
        const config = rke2Config(await userDataOf(i));
        if (i.name === `${CLUSTER}-server-0`) assert.equal(config["server"], undefined, i.name);
        else assert.equal(config["server"], `https://${vip}:9345`, i.name);
      }
    }
  });

  it("puts the API VIP and its floating IP into every server's tls-san", async () => {
    const apiFip = await unwrap(keepalived.result.apiEndpoint.address);
    for (const i of byRole(keepalived.resources, "server")) {
      const sans = rke2Config(await userDataOf(i))["tls-san"] as string[];
      assert.ok(sans.includes("10.0.50.9") && sans.includes(apiFip), `${i.name}: ${sans.join(", ")}`);
    }
  });

  it("runs keepalived for the API VIP on the servers and for the ingress VIP on the ingress nodes only", async () => {
    for (const i of ofType(keepalived.resources, T.instance)) {
      const files = writeFiles(await userDataOf(i));
      const conf = files["/etc/keepalived/keepalived.conf"];
      const role = (i.inputs["metadata"] as Record<string, string>)["role"];
      if (role === "server") assert.match(conf ?? "", /vrrp_instance api_vip[\s\S]*10\.0\.50\.9\/32/, i.name);
      else if (role === "ingress")
        assert.match(conf ?? "", /vrrp_instance ingress_vip[\s\S]*10\.0\.50\.10\/32/, i.name);
      else assert.equal(conf, undefined, i.name);
    }
    for (const i of ofType(octavia.resources, T.instance))
      assert.equal(writeFiles(await userDataOf(i))["/etc/keepalived/keepalived.conf"], undefined, i.name);
  });

  it("passes nothing of the control plane through the ingress controller", async () => {
    const server0 = ofType(keepalived.resources, T.instance).find((i) => i.name === `${CLUSTER}-server-0`);
    assert.ok(server0);
    const manifest = writeFiles(await userDataOf(server0))[
      "/var/lib/rancher/rke2/server/manifests/xcluster-ingress-nginx.yaml"
    ];
    const values = parse((parse(manifest ?? "") as { spec: { valuesContent: string } }).spec.valuesContent);
    assert.equal(values["tcp"], undefined);
    assert.equal(values["udp"], undefined);
  });

  it("has the ingress controller publish the ingress floating IP in every Ingress's status, in both topologies (external-dns follows it)", async () => {
    for (const run of [keepalived, octavia]) {
      const server0 = ofType(run.resources, T.instance).find((i) => i.name === `${CLUSTER}-server-0`);
      assert.ok(server0);
      const manifest = writeFiles(await userDataOf(server0))[
        "/var/lib/rancher/rke2/server/manifests/xcluster-ingress-nginx.yaml"
      ];
      const values = parse((parse(manifest ?? "") as { spec: { valuesContent: string } }).spec.valuesContent);
      const o = await resolved(run.result);
      assert.equal(typeof o["ingressAddress"], "string");
      assert.deepEqual(values["controller"]["extraArgs"], { "publish-status-address": o["ingressAddress"] });
      assert.notEqual(o["ingressAddress"], (o["apiEndpoint"] as { address: string }).address);
    }
    // Octavia keeps RKE2's chart as shipped otherwise (hostPorts on the agents behind the load balancer).
    const octaviaServer0 = ofType(octavia.resources, T.instance).find(
      (i) => i.name === `${CLUSTER}-server-0`,
    );
    const octaviaManifest = writeFiles(await userDataOf(octaviaServer0!))[
      "/var/lib/rancher/rke2/server/manifests/xcluster-ingress-nginx.yaml"
    ];
    const octaviaValues = parse(
      (parse(octaviaManifest ?? "") as { spec: { valuesContent: string } }).spec.valuesContent,
    );
    assert.deepEqual(Object.keys(octaviaValues["controller"]), ["extraArgs"]);
  });

  it("gives the API endpoint the API VIP's floating IP and the ingress address the ingress VIP's (DNS follows them)", async () => {
    const fips = Object.fromEntries(
      await Promise.all(
        ofType(keepalived.resources, T.fip).map(async (f) => [f.inputs["fixedIp"], f.name] as const),
      ),
    );
    assert.deepEqual(fips, { "10.0.50.9": `${CLUSTER}-api-vip-fip`, "10.0.50.10": `${CLUSTER}-vip-fip` });
    const o = await resolved(keepalived.result);
    const api = (o["apiEndpoint"] as { address: string }).address;
    assert.notEqual(api, o["ingressAddress"], "two floating IPs, two addresses");
    assert.equal(o["floatingIp"], o["ingressAddress"]);
  });

  it("looks up the external network by name unless its ID is given", async () => {
    assert.deepEqual(
      keepalived.mocks.calls.map((c) => [c.token, c.inputs["name"]]),
      [["openstack:networking/getNetwork:getNetwork", "external-internet"]],
    );
    const run = await runUnderMocks(() =>
      clusterOutputs(buildClusterInfra(referenceClusterSpec(), { externalNetworkId: "ext-net-id" })),
    );
    assert.deepEqual(run.mocks.calls, []);
    assert.equal(count(run.resources, T.keypair), 0, "no key pair without a public key");
  });

  it("uplinks the router to the environment's external network ID without looking the network up", async () => {
    const id = "0c7d5a1e-4f2b-4d8a-9e3c-5b6a7f8e9d01";
    const spec = referenceClusterSpec();
    const run = await runUnderMocks(() =>
      clusterOutputs(buildClusterInfra({ ...spec, openstack: { ...spec.openstack, externalNetworkId: id } })),
    );
    assert.deepEqual(run.mocks.calls, [], "no data-source call: a preview needs no Keystone");
    const routers = ofType(run.resources, "openstack:networking/router:Router");
    assert.deepEqual(
      routers.map((r) => r.inputs["externalNetworkId"]),
      [id],
    );
  });

  it("leaves every existing resource name unchanged when a pool is added", async () => {
    const base = referenceClusterSpec();
    const grown = await program(
      referenceClusterSpec({ pools: [pool("cpu-large", "agent", 2), ...base.pools] }),
    );
    const key = (r: RecordedResource): string => `${r.type}::${r.name}`;
    const before = new Set(keepalived.resources.map(key));
    const after = new Set(grown.resources.map(key));
    for (const k of before) assert.ok(after.has(k), `renamed or removed: ${k}`);
    const added = [...after].filter((k) => !before.has(k));
    for (const k of added) assert.match(k, /cpu-large/);
    assert.equal(added.length, 1 + 1 + 2 * 2, "component, group, two ports and two instances");
  });

  it("rejects a pool named like the servers or the ingress nodes", () => {
    assert.throws(
      () => buildClusterInfra(referenceClusterSpec({ pools: [pool("server", "agent", 1)] })),
      /pools: server: reserved pool name/,
    );
  });
});
