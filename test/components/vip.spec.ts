import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Vip, VipArgs } from "../../components/vip";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";

const args: VipArgs = {
  identity: { cluster: "c1", environment: "dev" },
  purpose: "ingress",
  networkId: "net-id",
  subnetId: "subnet-id",
  address: "10.0.50.5",
  floatingIpPool: "external-internet",
  securityGroupIds: ["sg-ingress"],
};
const TAGS = ["cluster=c1", "environment=dev", "role=vip"];

describe("Vip component", () => {
  it("creates exactly one port and one floating IP, parented to the component", async () => {
    const parents = new Map<string, pulumi.Resource | undefined>();
    const run = await runUnderMocks(() => {
      pulumi.runtime.registerStackTransformation((a) => void parents.set(a.name, a.opts.parent));
      return new Vip("c1-vip", args);
    });
    assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "openstack:networking/floatingIp:FloatingIp c1-vip-fip",
      "openstack:networking/port:Port c1-vip-port",
      "pulumi:pulumi:Stack xcluster-test",
      "xcluster:network:Vip c1-vip",
    ]);
    for (const r of run.resources.filter((r) => r.custom))
      assert.equal(parents.get(r.name), run.result, r.name);
  });

  it("reserves the VIP as a fixed address on the subnet, bound to no server, with port security and groups", async () => {
    const run = await runUnderMocks(() => new Vip("c1-vip", args));
    const [port] = ofType(run.resources, "openstack:networking/port:Port");
    assert.equal(port?.inputs["networkId"], "net-id");
    assert.deepEqual(port?.inputs["fixedIps"], [{ subnetId: "subnet-id", ipAddress: "10.0.50.5" }]);
    assert.equal(port?.inputs["deviceId"], undefined, "not bound to a server");
    assert.equal(port?.inputs["deviceOwner"], undefined);
    assert.equal(port?.inputs["portSecurityEnabled"], true);
    assert.deepEqual(port?.inputs["securityGroupIds"], ["sg-ingress"]);
    assert.equal(
      port?.inputs["allowedAddressPairs"],
      undefined,
      "the VIP port itself needs no extra addresses",
    );
    // The port says which group's VIP it is: os-port-002 checks each holder carries only its own.
    assert.deepEqual(port?.inputs["tags"], [...TAGS, "vip=ingress"]);
  });

  it("puts the floating IP from the spec's pool on the VIP port and nowhere else", async () => {
    const run = await runUnderMocks(() => new Vip("c1-vip", args));
    const [fip] = ofType(run.resources, "openstack:networking/floatingIp:FloatingIp");
    assert.equal(fip?.inputs["pool"], "external-internet");
    assert.equal(fip?.inputs["portId"], "fake-c1-vip-port");
    assert.equal(fip?.inputs["fixedIp"], "10.0.50.5");
    assert.deepEqual(fip?.inputs["tags"], TAGS);
  });

  it("hands out exactly the VIP as the allowed address pair for the ingress nodes' ports", async () => {
    const run = await runUnderMocks(() => new Vip("c1-vip", args));
    assert.deepEqual(run.result.allowedAddressPair, { ipAddress: "10.0.50.5" });
    assert.doesNotMatch(
      run.result.allowedAddressPair.ipAddress,
      /\/(?!32$)/,
      "never wider than a single address",
    );
  });

  it("names the port and describes both resources after what the VIP serves (api on the servers, ingress)", async () => {
    for (const [purpose, holder] of [
      ["api", "server"],
      ["ingress", "ingress node"],
    ] as const) {
      const run = await runUnderMocks(() => new Vip(`c1-${purpose}`, { ...args, purpose }));
      const [port] = ofType(run.resources, "openstack:networking/port:Port");
      const [fip] = ofType(run.resources, "openstack:networking/floatingIp:FloatingIp");
      assert.equal(port?.inputs["name"], `c1-${purpose}-vip`);
      assert.match(
        String(port?.inputs["description"]),
        new RegExp(`${purpose} VIP .*held by whichever ${holder}`),
      );
      assert.equal(fip?.inputs["description"], `public address of the ${purpose} VIP of c1`);
    }
  });

  it("exposes the port ID, the VIP and the floating address", async () => {
    const run = await runUnderMocks(() => new Vip("c1-vip", args));
    assert.equal(await unwrap(run.result.portId), "fake-c1-vip-port");
    assert.equal(await unwrap(run.result.address), "10.0.50.5");
    assert.match(await unwrap(run.result.floatingIp), /^203\.0\.113\.\d+$/);
  });

  it("rejects a malformed address and a port without security groups, naming both", async () => {
    await assert.rejects(
      runUnderMocks(() => new Vip("bad", { ...args, address: "10.0.50", securityGroupIds: [] })),
      (e: Error) =>
        /address: not an IPv4 address/.test(e.message) && /securityGroupIds: empty/.test(e.message),
    );
  });
});
