import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Network, NetworkArgs, checkNetworkArgs } from "../../components/network";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";

const args: NetworkArgs = {
  identity: { cluster: "ecmwf-ai-platform", environment: "prod" },
  subnetCidr: "10.0.50.0/24",
  gatewayIp: "10.0.50.1",
  dnsServers: ["9.9.9.9", "1.1.1.1"],
  allocationPool: { start: "10.0.50.20", end: "10.0.50.250" },
  mtu: 1450,
  externalNetworkId: "ext-net-id",
};
const TAGS = ["cluster=ecmwf-ai-platform", "environment=prod", "role=network"];

describe("Network component", () => {
  it("creates a network, a subnet, a router on the external network and its interface, all parented", async () => {
    const parents = new Map<string, pulumi.Resource | undefined>();
    const run = await runUnderMocks(() => {
      pulumi.runtime.registerStackTransformation((a) => void parents.set(a.name, a.opts.parent));
      return new Network("eap", args);
    });
    assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "openstack:networking/network:Network eap-network",
      "openstack:networking/router:Router eap-router",
      "openstack:networking/routerInterface:RouterInterface eap-router-interface",
      "openstack:networking/subnet:Subnet eap-subnet",
      "pulumi:pulumi:Stack xcluster-test",
      "xcluster:network:Network eap",
    ]);
    for (const r of run.resources.filter((r) => r.custom))
      assert.equal(parents.get(r.name), run.result, r.name);
  });

  it("gives the subnet the spec's CIDR, gateway, resolvers and the allocation pool that leaves room for fixed addresses", async () => {
    const run = await runUnderMocks(() => new Network("eap", args));
    const [subnet] = ofType(run.resources, "openstack:networking/subnet:Subnet");
    assert.equal(subnet?.inputs["cidr"], "10.0.50.0/24");
    assert.equal(subnet?.inputs["gatewayIp"], "10.0.50.1");
    assert.equal(subnet?.inputs["ipVersion"], 4);
    assert.equal(subnet?.inputs["enableDhcp"], true);
    assert.deepEqual(subnet?.inputs["dnsNameservers"], ["9.9.9.9", "1.1.1.1"]);
    assert.deepEqual(subnet?.inputs["allocationPools"], [{ start: "10.0.50.20", end: "10.0.50.250" }]);
    assert.equal(subnet?.inputs["networkId"], "fake-eap-network");
  });

  it("uplinks the router to the external network and attaches the subnet to it", async () => {
    const run = await runUnderMocks(() => new Network("eap", args));
    const [router] = ofType(run.resources, "openstack:networking/router:Router");
    const [iface] = ofType(run.resources, "openstack:networking/routerInterface:RouterInterface");
    assert.equal(router?.inputs["externalNetworkId"], "ext-net-id");
    assert.deepEqual(
      [iface?.inputs["routerId"], iface?.inputs["subnetId"]],
      ["fake-eap-router", "fake-eap-subnet"],
    );
  });

  it("keeps port security on, sets the MTU and tags network, subnet and router", async () => {
    const run = await runUnderMocks(() => new Network("eap", args));
    const [net] = ofType(run.resources, "openstack:networking/network:Network");
    assert.equal(net?.inputs["portSecurityEnabled"], true);
    assert.equal(net?.inputs["mtu"], 1450);
    for (const t of ["network:Network", "subnet:Subnet", "router:Router"]) {
      assert.deepEqual(ofType(run.resources, `openstack:networking/${t}`)[0]?.inputs["tags"], TAGS, t);
    }
  });

  it("exposes the network, subnet and router IDs", async () => {
    const run = await runUnderMocks(() => new Network("eap", args));
    assert.deepEqual(
      await Promise.all([
        unwrap(run.result.networkId),
        unwrap(run.result.subnetId),
        unwrap(run.result.routerId),
      ]),
      ["fake-eap-network", "fake-eap-subnet", "fake-eap-router"],
    );
  });

  const rejected: [string, Partial<NetworkArgs>, RegExp][] = [
    [
      "a gateway outside the subnet",
      { gatewayIp: "10.0.51.1" },
      /gatewayIp: outside the subnet \(got 10\.0\.51\.1; allowed: inside 10\.0\.50\.0\/24\)/,
    ],
    [
      "a gateway inside the allocation pool",
      { gatewayIp: "10.0.50.30" },
      /gatewayIp: inside the allocation pool/,
    ],
    [
      "a pool that ends outside the subnet",
      { allocationPool: { start: "10.0.50.20", end: "10.0.51.5" } },
      /allocationPool\.end: outside the subnet/,
    ],
    [
      "a pool that starts after it ends",
      { allocationPool: { start: "10.0.50.200", end: "10.0.50.20" } },
      /allocationPool: start after end/,
    ],
    ["a malformed resolver", { dnsServers: ["9.9.9"] }, /dnsServers\[0\]: not an IPv4 address/],
    ["an MTU below 1280", { mtu: 576 }, /mtu: out of range/],
    ["a subnet with host bits set", { subnetCidr: "10.0.50.1/24" }, /subnetCidr: host bits set/],
  ];
  for (const [what, change, message] of rejected) {
    it(`rejects ${what}`, () => assert.throws(() => checkNetworkArgs({ ...args, ...change }), message));
  }

  it("rejects several problems at once and creates nothing", async () => {
    await assert.rejects(
      runUnderMocks(() => new Network("eap", { ...args, gatewayIp: "10.9.9.9", mtu: 0 })),
      (e: Error) => /gatewayIp/.test(e.message) && /mtu/.test(e.message),
    );
  });
});
