import { strict as assert } from "assert";
import * as fc from "fast-check";
import { planFixedAddresses } from "../../components/rke2/fixed-addresses";
import { Network, Topology } from "../../spec/types";

const network: Network = {
  subnetCidr: "10.0.50.0/24",
  gatewayIp: "10.0.50.1",
  dnsServers: [],
  allocationPool: { start: "10.0.50.64", end: "10.0.50.254" },
  mtu: 1450,
};
const keepalived = (vip: string, apiVip = "10.0.50.9"): Topology => ({
  mode: "keepalived",
  vip,
  apiVip,
  ingressNodes: 2,
  virtualRouterId: 1,
  apiVirtualRouterId: 2,
  advertIntervalSeconds: 1,
  interfaceName: "ens3",
});
const octavia: Topology = { mode: "octavia", provider: "amphora" };

describe("fixed node addresses", () => {
  it("places servers from .11 and ingress nodes from .5 in the keepalived topology", () => {
    const plan = planFixedAddresses(network, keepalived("10.0.50.10"), 3, 2);
    assert.deepEqual(plan.servers, ["10.0.50.11", "10.0.50.12", "10.0.50.13"]);
    assert.deepEqual(plan.ingress, ["10.0.50.5", "10.0.50.6"]);
    assert.equal(plan.apiVip, "10.0.50.9", "the keepalived API VIP is the spec's");
  });

  it("skips the API VIP like the ingress VIP, and never moves it when nodes are added", () => {
    const small = planFixedAddresses(network, keepalived("10.0.50.10", "10.0.50.6"), 3, 2);
    assert.deepEqual(small.ingress, ["10.0.50.5", "10.0.50.7"]);
    const big = planFixedAddresses(network, keepalived("10.0.50.10", "10.0.50.6"), 7, 6);
    assert.equal(big.apiVip, small.apiVip);
    assert.ok(![...big.servers, ...big.ingress].includes("10.0.50.6"));
  });

  it("places the Octavia API VIP at .10 and no ingress nodes in the octavia topology", () => {
    const plan = planFixedAddresses(network, octavia, 3, 0);
    assert.equal(plan.apiVip, "10.0.50.10");
    assert.deepEqual(plan.ingress, []);
  });

  it("skips the gateway and the VIP", () => {
    const plan = planFixedAddresses({ ...network, gatewayIp: "10.0.50.12" }, keepalived("10.0.50.6"), 3, 2);
    assert.deepEqual(plan.servers, ["10.0.50.11", "10.0.50.13", "10.0.50.14"]);
    assert.deepEqual(plan.ingress, ["10.0.50.5", "10.0.50.7"]);
  });

  it("keeps existing server addresses when servers are added", () => {
    const three = planFixedAddresses(network, keepalived("10.0.50.10"), 3, 2);
    const five = planFixedAddresses(network, keepalived("10.0.50.10"), 5, 2);
    assert.deepEqual(five.servers.slice(0, 3), three.servers);
    assert.deepEqual(five.ingress, three.ingress);
  });

  it("never hands out the gateway, a VIP, a pool address or one address twice", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }).map((n) => 2 * n - 1),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (gateway, vip, apiVip, servers, ingress, useOctavia) => {
          const net = { ...network, gatewayIp: `10.0.50.${gateway}` };
          const topology = useOctavia ? octavia : keepalived(`10.0.50.${vip}`, `10.0.50.${apiVip}`);
          const plan = planFixedAddresses(net, topology, servers, useOctavia ? 0 : ingress);
          const nodes = [...plan.servers, ...plan.ingress];
          const all = useOctavia ? [...nodes, plan.apiVip] : nodes;
          assert.equal(new Set(all).size, all.length);
          assert.ok(!all.includes(net.gatewayIp));
          if (topology.mode === "keepalived") {
            assert.ok(!all.includes(topology.vip));
            assert.ok(!all.includes(topology.apiVip));
            assert.equal(plan.apiVip, topology.apiVip);
          }
          for (const a of all) assert.ok(Number(a.split(".")[3]) < 64);
        },
      ),
    );
  });

  it("rejects a subnet whose DHCP pool leaves no room for the fixed addresses", () => {
    assert.throws(
      () =>
        planFixedAddresses(
          { ...network, allocationPool: { start: "10.0.50.12", end: "10.0.50.254" } },
          octavia,
          3,
          0,
        ),
      /network\.allocationPool\.start: no room for 3 fixed server address/,
    );
  });
});
