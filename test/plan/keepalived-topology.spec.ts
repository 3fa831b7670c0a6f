/**
 * Tier: Pulumi mocks + the policy pack (the offline plan's machinery). The committed reference cluster
 * (stacks/prod/ecmwf-ai-platform.yaml, keepalived topology) as `xcluster plan` renders it: the API VIP port
 * and its floating IP beside the ingress VIP's, the servers' allowed address pairs, the new rules; the
 * policy pack accepts them and still refuses a wider address pair.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { loadFleet } from "../../spec";
import type { ClusterSpec } from "../../spec/types";
import type { RecordedResource } from "../../plan/mocks";
import { renderCluster } from "../../plan/render-cluster";
import { planPolicyArgs } from "../../plan/policy-config";
import { evaluatePolicies } from "../../policy/evaluate";
import { policyPackConfig } from "../../policy/config";

const ROOT = path.join(__dirname, "..", "..");
const T = {
  port: "openstack:networking/port:Port",
  fip: "openstack:networking/floatingIp:FloatingIp",
  rule: "openstack:networking/secGroupRule:SecGroupRule",
};

function reference(): ClusterSpec {
  const fleet = loadFleet([path.join(ROOT, "stacks")], { cwd: ROOT });
  const spec = fleet.clusters.find((c) => c.name === "ecmwf-ai-platform");
  assert.ok(spec);
  return spec;
}

const byName = (rs: readonly RecordedResource[], name: string): RecordedResource => {
  const r = rs.find((x) => x.name === name);
  assert.ok(r, `planned resource ${name}`);
  return r;
};

async function mandatory(spec: ClusterSpec, resources: readonly RecordedResource[]) {
  const violations = await evaluatePolicies(
    resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, ...(r.id ? { id: r.id } : {}) })),
    policyPackConfig(planPolicyArgs(spec)),
    { stack: spec.name },
  );
  return violations.filter((v) => v.enforcement === "mandatory");
}

describe("plan: the reference cluster's keepalived topology (mocks + policy pack)", function () {
  this.timeout(120_000);
  let spec: ClusterSpec;
  let resources: RecordedResource[];
  before(async () => {
    spec = reference();
    assert.equal(spec.topology.mode, "keepalived", "the reference cluster uses the keepalived topology");
    resources = await renderCluster(spec);
  });

  it("reserves a second VIP port for the API with a floating IP, beside the ingress VIP's", () => {
    const api = byName(resources, "ecmwf-ai-platform-api-vip-port").inputs;
    assert.deepEqual(api["fixedIps"], [
      { subnetId: "fake-ecmwf-ai-platform-subnet", ipAddress: "10.0.50.9" },
    ]);
    assert.equal(byName(resources, "ecmwf-ai-platform-api-vip-fip").inputs["fixedIp"], "10.0.50.9");
    assert.equal(byName(resources, "ecmwf-ai-platform-vip-fip").inputs["fixedIp"], "10.0.50.10");
  });

  it("allows exactly the API VIP on every server port", () => {
    const servers = resources.filter((r) => r.type === T.port && /-server-\d+-port$/.test(r.name));
    assert.equal(servers.length, 3);
    for (const p of servers) assert.deepEqual(p.inputs["allowedAddressPairs"], [{ ipAddress: "10.0.50.9" }]);
  });

  it("adds VRRP between servers and the webhook from servers to ingress nodes, and drops 6443/9345 on the ingress group", () => {
    const rules = resources
      .filter((r) => r.type === T.rule)
      .map((r) => r.name.replace("ecmwf-ai-platform-", ""));
    for (const r of ["server-vrrp", "ingress-vrrp", "ingress-webhook-servers"])
      assert.ok(rules.includes(r), r);
    assert.deepEqual(
      rules.filter((r) => r.startsWith("ingress-kube-api") || r.startsWith("ingress-supervisor")),
      [],
    );
  });

  it("passes the policy pack", async () => {
    assert.deepEqual(await mandatory(spec, resources), []);
  });

  it("rejects a server port whose address pair is wider than the API VIP (policy pack)", async () => {
    const widened = resources.map((r) =>
      r.name === "ecmwf-ai-platform-server-1-port"
        ? { ...r, inputs: { ...r.inputs, allowedAddressPairs: [{ ipAddress: "10.0.50.0/24" }] } }
        : r,
    );
    const found = await mandatory(spec, widened);
    assert.deepEqual(
      found.map((v) => [v.policy, v.resource]),
      [["os-port-002-address-pairs-vip-only", "ecmwf-ai-platform-server-1-port"]],
    );
  });
});
