import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { OctaviaEndpoint, OctaviaEndpointArgs } from "../../components/octavia";
import { RecordedResource } from "../../plan/mocks";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";

const SUBNET = "10.0.50.0/24";
const args: OctaviaEndpointArgs = {
  identity: { cluster: "c1", environment: "prod" },
  subnetId: "subnet-id",
  subnetCidr: SUBNET,
  adminCidrs: ["203.0.113.0/24"],
  floatingIpPool: "external-internet",
  provider: "amphora",
  securityGroupIds: ["sg-lb"],
  apiVipAddress: "10.0.50.10",
};
const T = {
  lb: "openstack:loadbalancer/loadBalancer:LoadBalancer",
  listener: "openstack:loadbalancer/listener:Listener",
  pool: "openstack:loadbalancer/pool:Pool",
  monitor: "openstack:loadbalancer/monitor:Monitor",
  member: "openstack:loadbalancer/member:Member",
  fip: "openstack:networking/floatingIp:FloatingIp",
};
const byName = (rs: RecordedResource[], name: string) => {
  const r = rs.find((x) => x.name === name);
  assert.ok(r, `no resource ${name}`);
  return r;
};

function withMembers(endpointArgs = args) {
  const e = new OctaviaEndpoint("c1-lb", endpointArgs);
  e.addServerMembers({ "server-0": "10.0.50.21", "server-1": "10.0.50.22", "server-2": "10.0.50.23" });
  e.addIngressMembers({ "workers-0": "10.0.50.31", "workers-1": pulumi.output("10.0.50.32") });
  return e;
}

describe("OctaviaEndpoint component", () => {
  it("creates two load balancers, four listeners, pools and monitors, two floating IPs, all parented", async () => {
    const parents = new Map<string, pulumi.Resource | undefined>();
    const run = await runUnderMocks(() => {
      pulumi.runtime.registerStackTransformation(
        (a) => void parents.set(`${a.type} ${a.name}`, a.opts.parent),
      );
      return new OctaviaEndpoint("c1-lb", args);
    });
    const count = (t: string) => ofType(run.resources, t).length;
    assert.deepEqual(
      [count(T.lb), count(T.listener), count(T.pool), count(T.monitor), count(T.fip), count(T.member)],
      [2, 4, 4, 4, 2, 0],
    );
    assert.equal(run.resources.length, 2 + 16);
    for (const r of run.resources.filter((r) => r.custom))
      assert.equal(parents.get(`${r.type} ${r.name}`), run.result, r.name);
  });

  it("pins the API VIP, uses the provider and the LB security group, and tags both load balancers", async () => {
    const run = await runUnderMocks(() => new OctaviaEndpoint("c1-lb", args));
    const api = byName(ofType(run.resources, T.lb), "c1-lb-api");
    const ingress = byName(ofType(run.resources, T.lb), "c1-lb-ingress");
    assert.equal(api.inputs["vipAddress"], "10.0.50.10");
    assert.equal(ingress.inputs["vipAddress"], undefined);
    for (const lb of [api, ingress]) {
      assert.equal(lb.inputs["vipSubnetId"], "subnet-id");
      assert.equal(lb.inputs["loadbalancerProvider"], "amphora");
      assert.deepEqual(lb.inputs["securityGroupIds"], ["sg-lb"]);
      assert.deepEqual(lb.inputs["tags"], ["cluster=c1", "environment=prod", "role=loadbalancer"]);
    }
  });

  it("restricts the API listener to admins and the subnet, registration to the subnet, and states 0.0.0.0/0 for 80/443", async () => {
    const run = await runUnderMocks(() => new OctaviaEndpoint("c1-lb", args));
    const listeners = ofType(run.resources, T.listener);
    const view = listeners.map((l) => [
      l.name,
      l.inputs["loadbalancerId"],
      l.inputs["protocol"],
      l.inputs["protocolPort"],
      l.inputs["allowedCidrs"],
    ]);
    assert.deepEqual(view.sort(), [
      ["c1-lb-http", "fake-c1-lb-ingress", "TCP", 80, ["0.0.0.0/0"]],
      ["c1-lb-https", "fake-c1-lb-ingress", "TCP", 443, ["0.0.0.0/0"]],
      ["c1-lb-kube-api", "fake-c1-lb-api", "TCP", 6443, ["10.0.50.0/24", "203.0.113.0/24"]],
      ["c1-lb-supervisor", "fake-c1-lb-api", "TCP", 9345, [SUBNET]],
    ]);
    assert.ok(
      Number(byName(listeners, "c1-lb-kube-api").inputs["timeoutClientData"]) >= 3_600_000,
      "API watches outlive the 50 s default",
    );
  });

  it("checks the API over HTTPS and ingress over TCP on amphora", async () => {
    const run = await runUnderMocks(() => new OctaviaEndpoint("c1-lb", args));
    const monitors = ofType(run.resources, T.monitor);
    const view = monitors.map((m) => [m.name, m.inputs["poolId"], m.inputs["type"], m.inputs["urlPath"]]);
    assert.deepEqual(view.sort(), [
      ["c1-lb-http", "fake-c1-lb-http", "TCP", undefined],
      ["c1-lb-https", "fake-c1-lb-https", "TCP", undefined],
      ["c1-lb-kube-api", "fake-c1-lb-kube-api", "HTTPS", "/readyz"],
      ["c1-lb-supervisor", "fake-c1-lb-supervisor", "HTTPS", "/ping"],
    ]);
    for (const p of ofType(run.resources, T.pool))
      assert.deepEqual([p.inputs["protocol"], p.inputs["lbMethod"]], ["TCP", "LEAST_CONNECTIONS"]);
  });

  it("uses only what the ovn driver supports: TCP monitors, SOURCE_IP_PORT, no timeout overrides", async () => {
    const run = await runUnderMocks(() => new OctaviaEndpoint("c1-lb", { ...args, provider: "ovn" }));
    for (const m of ofType(run.resources, T.monitor)) assert.equal(m.inputs["type"], "TCP", m.name);
    for (const p of ofType(run.resources, T.pool))
      assert.equal(p.inputs["lbMethod"], "SOURCE_IP_PORT", p.name);
    for (const l of ofType(run.resources, T.listener))
      assert.equal(l.inputs["timeoutClientData"], undefined, l.name);
    assert.deepEqual(byName(ofType(run.resources, T.listener), "c1-lb-kube-api").inputs["allowedCidrs"], [
      SUBNET,
      "203.0.113.0/24",
    ]);
  });

  it("puts one floating IP on each load balancer's VIP port and nowhere else", async () => {
    const run = await runUnderMocks(() => withMembers());
    const fips = ofType(run.resources, T.fip).map((f) => [
      f.name,
      f.inputs["pool"],
      f.inputs["portId"],
      f.inputs["tags"],
    ]);
    const tags = ["cluster=c1", "environment=prod", "role=loadbalancer"];
    assert.deepEqual(fips.sort(), [
      ["c1-lb-api-fip", "external-internet", "fake-port-c1-lb-api", tags],
      ["c1-lb-ingress-fip", "external-internet", "fake-port-c1-lb-ingress", tags],
    ]);
  });

  it("adds servers to the 6443 and 9345 pools and ingress agents to the 80 and 443 pools, named by node", async () => {
    const run = await runUnderMocks(() => withMembers());
    const members = ofType(run.resources, T.member).map(
      (m) =>
        `${m.name} ${m.inputs["poolId"]} ${m.inputs["address"]}:${m.inputs["protocolPort"]} ${m.inputs["subnetId"]}`,
    );
    const expected = [
      ...["0", "1", "2"].flatMap((i) => [
        `c1-lb-kube-api-server-${i} fake-c1-lb-kube-api 10.0.50.2${Number(i) + 1}:6443 subnet-id`,
        `c1-lb-supervisor-server-${i} fake-c1-lb-supervisor 10.0.50.2${Number(i) + 1}:9345 subnet-id`,
      ]),
      ...["0", "1"].flatMap((i) => [
        `c1-lb-http-workers-${i} fake-c1-lb-http 10.0.50.3${Number(i) + 1}:80 subnet-id`,
        `c1-lb-https-workers-${i} fake-c1-lb-https 10.0.50.3${Number(i) + 1}:443 subnet-id`,
      ]),
    ];
    assert.deepEqual(members.sort(), expected.sort());
  });

  it("leaves existing member names unchanged when a node is added", async () => {
    const names = async (servers: Record<string, string>) =>
      ofType(
        (await runUnderMocks(() => new OctaviaEndpoint("c1-lb", args).addServerMembers(servers))).resources,
        T.member,
      ).map((m) => m.name);
    const before = await names({ "server-0": "10.0.50.21", "server-1": "10.0.50.22" });
    const after = await names({
      "server-0": "10.0.50.21",
      "server-1": "10.0.50.22",
      "server-2": "10.0.50.23",
    });
    assert.deepEqual(
      before.filter((n) => !after.includes(n)),
      [],
    );
  });

  it("exposes the API VIP and both floating addresses", async () => {
    const run = await runUnderMocks(() => new OctaviaEndpoint("c1-lb", args));
    assert.equal(await unwrap(run.result.apiAddress), "10.0.50.10");
    assert.match(await unwrap(run.result.apiFloatingIp), /^203\.0\.113\.\d+$/);
    assert.match(await unwrap(run.result.ingressAddress), /^10\.255\.0\.\d+$/);
    assert.match(await unwrap(run.result.ingressFloatingIp), /^203\.0\.113\.\d+$/);
  });

  it("rejects the same node added twice to a pool", async () => {
    await assert.rejects(
      runUnderMocks(() => {
        const e = new OctaviaEndpoint("c1-lb", args);
        e.addServerMembers({ "server-0": "10.0.50.21" });
        e.addServerMembers({ "server-0": "10.0.50.21" });
      }),
      /node server-0 is already a member of the kube-api pool/,
    );
  });

  it("rejects a malformed API VIP address", async () => {
    await assert.rejects(
      runUnderMocks(() => new OctaviaEndpoint("c1-lb", { ...args, apiVipAddress: "10.0.50" })),
      /apiVipAddress: not an IPv4 address/,
    );
  });
});
