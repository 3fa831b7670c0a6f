import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { loadFleet } from "../../spec";
import type { ClusterSpec } from "../../spec/types";
import { defaultInvokes, UnmockedCallError, type RecordedResource } from "../../plan/mocks";
import { renderCluster } from "../../plan/render-cluster";
import { PlanTimeoutError } from "../../plan/timeout";

const ROOT = path.join(__dirname, "..", "..");
const INSTANCE = "openstack:compute/instance:Instance";

function exampleFleet(): ClusterSpec[] {
  const fleet = loadFleet([path.join(ROOT, "stacks")], { cwd: ROOT });
  assert.deepEqual(fleet.issues, []);
  return fleet.clusters;
}

function example(name: string): ClusterSpec {
  const spec = exampleFleet().find((c) => c.name === name);
  assert.ok(spec, `example spec ${name}`);
  return spec;
}

/**
 * TCP sockets this process is listening on (Linux: its socket descriptors in /proc/self/fd that
 * /proc/net/tcp and tcp6 list in state 0A, LISTEN). The SDK's gRPC callback server is unref'ed, so
 * Node's own handle list does not show it.
 */
function listeningSockets(): number {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // The descriptor closed while we read the directory.
    }
  }
  let listening = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A" && cols[9] !== undefined && inodes.has(cols[9])) listening++;
    }
  }
  return listening;
}

function rolesOf(resources: readonly RecordedResource[]): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const r of resources.filter((x) => x.type === INSTANCE)) {
    const role = String((r.inputs["metadata"] as Record<string, unknown> | undefined)?.["role"]);
    roles[role] = (roles[role] ?? 0) + 1;
  }
  return roles;
}

describe("plan: rendering one cluster under mocks", function () {
  this.timeout(120_000);

  it("creates 3 servers, 6 agents, 2 GPU agents and the ingress nodes for the reference ecmwf-ai-platform", async () => {
    const spec = example("ecmwf-ai-platform");
    const resources = await renderCluster(spec);
    const ingress = spec.topology.mode === "keepalived" ? spec.topology.ingressNodes : 0;
    assert.deepEqual(rolesOf(resources), {
      server: 3,
      agent: 6,
      gpu: 2,
      ...(ingress > 0 ? { ingress } : {}),
    });
  });

  it("creates the nodes every example spec asks for", async () => {
    for (const spec of exampleFleet()) {
      const resources = await renderCluster(spec);
      const count = (role: "agent" | "gpu") =>
        spec.pools.filter((p) => p.role === role).reduce((n, p) => n + p.count, 0);
      const expected: Record<string, number> = { server: spec.controlPlane.count };
      if (count("agent") > 0) expected["agent"] = count("agent");
      if (count("gpu") > 0) expected["gpu"] = count("gpu");
      if (spec.topology.mode === "keepalived") expected["ingress"] = spec.topology.ingressNodes;
      assert.deepEqual(rolesOf(resources), expected, spec.name);
    }
  });

  it("records each resource's parent as the URN of its component, or of the stack at the top", async () => {
    const spec = example("sandbox");
    const resources = await renderCluster(spec);
    const stackUrn = "urn:pulumi:sandbox::xcluster::pulumi:pulumi:Stack::xcluster-sandbox";
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
      assert.ok(r.parent, `${r.type} ${r.name} has a parent`);
      assert.ok(
        r.parent === stackUrn || urns.has(r.parent),
        `${r.name}: parent ${r.parent} is a recorded resource`,
      );
    }
    const controlPlane = resources.find((r) => r.type === "xcluster:rke2:ControlPlane");
    assert.ok(controlPlane?.urn);
    const servers = resources.filter(
      (r) => r.type === INSTANCE && (r.inputs["metadata"] as Record<string, string>)["role"] === "server",
    );
    assert.equal(servers.length, spec.controlPlane.count);
    // A server sits under the control plane, directly or through one of its sub-components.
    for (const s of servers) assert.ok(s.urn?.includes("xcluster:rke2:ControlPlane$"), s.urn);
  });

  it("rejects an unmocked invoke, naming its token, instead of hanging", async () => {
    // The committed environments give the external network's ID; the Vault reads remain invokes.
    const token = "vault:kv/getSecretV2:getSecretV2";
    const withoutVault = (t: string, inputs: Record<string, unknown>) =>
      t === token ? undefined : defaultInvokes(t, inputs);
    await assert.rejects(
      renderCluster(example("sandbox"), { invokes: withoutVault, timeoutMs: 30_000 }),
      (e) => {
        assert.ok(e instanceof UnmockedCallError, String(e));
        assert.equal(e.token, token);
        assert.match(e.message, /vault:kv\/getSecretV2:getSecretV2/);
        return true;
      },
    );
  });

  it("rejects an unknown invoke made by any program with its token", async () => {
    const program = () => {
      const flavor = openstack.compute.getFlavorOutput({ name: "m1.tiny" });
      return { flavorId: flavor.id };
    };
    await assert.rejects(
      renderCluster(example("sandbox"), { program, timeoutMs: 30_000 }),
      /getFlavor:getFlavor/,
    );
  });

  it("rejects a program that never settles once the timeout passes", async () => {
    const program = () => {
      const never = pulumi.output(new Promise<string>(() => undefined));
      return { net: new openstack.networking.Network("stuck", { name: never }) };
    };
    await assert.rejects(renderCluster(example("sandbox"), { program, timeoutMs: 300 }), PlanTimeoutError);
  });

  it("leaves no socket listening once a cluster is planned, cluster after cluster (a worker keeps no earlier cluster)", async () => {
    const spec = example("ecmwf-ai-platform");
    // The Rancher registration's ConfigGroup has `transforms`, which start the SDK's callback server.
    assert.ok(spec.rancher.enabled, "the reference cluster registers with Rancher");
    const before = listeningSockets();
    for (let i = 0; i < 3; i++) {
      const resources = await renderCluster(spec);
      assert.ok(resources.some((r) => r.type === "kubernetes:yaml/v2:ConfigGroup"));
      assert.equal(listeningSockets(), before, `servers listening after plan ${i + 1}`);
    }
  });

  it("leaves no socket listening after a cluster that failed once its callback server had started", async () => {
    const before = listeningSockets();
    const program = () => {
      // `transforms` start the SDK's callback server; the invoke fails the cluster 300 ms later.
      new openstack.networking.Network("with-transforms", {}, { transforms: [() => undefined] });
      const later = pulumi.output(new Promise<string>((resolve) => setTimeout(() => resolve("now"), 300)));
      return { failed: later.apply(() => pulumi.runtime.invoke("xcluster:test/never:mocked", {})) };
    };
    await assert.rejects(
      renderCluster(example("sandbox"), { program, timeoutMs: 30_000 }),
      UnmockedCallError,
    );
    // It is shut down once it has started (plan/callback-server.ts): at most a moment later.
    const deadline = Date.now() + 10_000;
    while (listeningSockets() !== before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(listeningSockets(), before);
  });
});
