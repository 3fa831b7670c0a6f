import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { canonicalReport, failedCluster, mandatoryViolations, type ClusterReport } from "../../plan/report";
import { countsByType, topLevel, urnOf } from "../../plan/components";
import { clusterDiagram } from "../../plan/mermaid";
import { reportMarkdown } from "../../plan/markdown";
import { clusterText, summaryLine } from "../../plan/terminal";

const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "plan", "report.schema.json"), "utf8"),
) as object;

const STACK = "urn:pulumi:c1::xcluster::pulumi:pulumi:Stack::xcluster-c1";
const P = "urn:pulumi:c1::xcluster::";

/** A small keepalived cluster as a plan records it. */
function cluster(): ClusterReport {
  return {
    name: "c1",
    environment: "dev",
    topology: "keepalived",
    resources: [
      { type: "xcluster:network:Network", name: "c1", parent: STACK },
      {
        type: "openstack:networking/network:Network",
        name: "c1-net",
        parent: `${P}xcluster:network:Network::c1`,
      },
      { type: "xcluster:network:Vip", name: "c1-vip", parent: STACK },
      {
        type: "openstack:networking/port:Port",
        name: "c1-vip-port",
        parent: `${P}xcluster:network:Vip::c1-vip`,
      },
      {
        type: "openstack:networking/floatingIp:FloatingIp",
        name: "c1-vip-fip",
        parent: `${P}xcluster:network:Vip::c1-vip`,
      },
      { type: "xcluster:rke2:ControlPlane", name: "c1", parent: STACK },
      ...[0, 1, 2].map((i) => ({
        type: "openstack:compute/instance:Instance",
        name: `c1-server-${i}`,
        parent: `${P}xcluster:rke2:ControlPlane::c1`,
      })),
      { type: "xcluster:rke2:NodePool", name: "c1-workers", parent: STACK },
      ...[0, 1].map((i) => ({
        type: "openstack:compute/instance:Instance",
        name: `c1-workers-${i}`,
        parent: `${P}xcluster:rke2:NodePool::c1-workers`,
      })),
      { type: "xcluster:rke2:IngressNodes", name: "c1", parent: STACK },
      ...[0, 1].map((i) => ({
        type: "openstack:compute/instance:Instance",
        name: `c1-ingress-${i}`,
        parent: `${P}xcluster:rke2:IngressNodes::c1`,
      })),
      { type: "kubernetes:helm.sh/v3:Release", name: "c1-cert-manager", parent: STACK },
    ],
    violations: [
      { policy: "b-rule", enforcement: "advisory", severity: "low", resource: "c1-net", message: "x" },
      {
        policy: "a-rule",
        enforcement: "mandatory",
        severity: "high",
        resource: "c1-server-0",
        message: "open",
      },
    ],
  };
}

describe("plan report", () => {
  it("sorts clusters, resources and violations the same whatever order they arrive in", () => {
    const a = cluster();
    const b: ClusterReport = { ...a, name: "c0", resources: [...a.resources].reverse() };
    const one = canonicalReport([a, b]);
    const two = canonicalReport([
      { ...b, violations: [...b.violations].reverse() },
      { ...a, resources: [...a.resources].reverse() },
    ]);
    assert.deepEqual(one, two);
    assert.deepEqual(
      one.clusters.map((c) => c.name),
      ["c0", "c1"],
    );
    assert.equal(one.clusters[0]?.violations[0]?.enforcement, "advisory");
    assert.equal(mandatoryViolations(one), 2);
  });

  it("validates against its JSON Schema, failed clusters included", () => {
    const ajv = new Ajv({ allErrors: true });
    const report = canonicalReport([
      cluster(),
      failedCluster({ name: "c2", environment: "dev", topology: { mode: "octavia" } }, new Error("boom")),
    ]);
    assert.ok(ajv.validate(SCHEMA, JSON.parse(JSON.stringify(report))), ajv.errorsText());
  });

  it("rejects a report whose violations lack the enforcement level", () => {
    const ajv = new Ajv();
    const c = cluster();
    const broken = {
      clusters: [{ ...c, violations: [{ policy: "p", severity: "low", resource: "r", message: "m" }] }],
    };
    assert.equal(ajv.validate(SCHEMA, broken), false);
  });

  it("rebuilds engine URNs and top-level components from parent URNs", () => {
    const c = cluster();
    const server = c.resources.find((r) => r.name === "c1-server-0");
    assert.equal(
      urnOf(server!),
      `${P}xcluster:rke2:ControlPlane$openstack:compute/instance:Instance::c1-server-0`,
    );
    const tops = topLevel(c);
    const cp = tops.find((t) => t.type === "xcluster:rke2:ControlPlane");
    assert.equal(cp?.counts.get("openstack:compute/instance:Instance"), 3);
    assert.equal(cp?.descendants.length, 3);
    assert.equal(tops.length, 6);
    assert.deepEqual(countsByType(c)[0], ["kubernetes:helm.sh/v3:Release", 1]);
  });

  it("draws the network, VIP, ingress nodes, servers, pools with node counts and add-ons", () => {
    const d = clusterDiagram(cluster());
    assert.match(d, /^flowchart LR/);
    assert.match(d, /subgraph n0\["network c1"\]/);
    assert.match(d, /keepalived VIP c1-vip<br\/>1 floating IP/);
    assert.match(d, /ingress nodes c1<br\/>2 node\(s\)/);
    assert.match(d, /RKE2 servers c1<br\/>3 node\(s\)/);
    assert.match(d, /pool c1-workers<br\/>2 node\(s\)/);
    assert.match(d, /subgraph addons\["add-ons"\]/);
    assert.match(d, /Release c1-cert-manager/);
    assert.match(d, /internet -->\|"80\/443, 6443"\| n1/);
  });

  it("prints resources by component, violations by rule (mandatory first) and a summary", () => {
    const report = canonicalReport([cluster()]);
    const text = clusterText(report.clusters[0]!);
    assert.match(text, /dev\/c1 \(keepalived\): 16 resource\(s\)/);
    assert.match(text, /ControlPlane c1/);
    assert.match(text, /3 {2}openstack:Instance/);
    assert.ok(text.indexOf("✗ a-rule [mandatory, high]") < text.indexOf("! b-rule [advisory, low]"));
    assert.equal(
      summaryLine(report, 1.5),
      "1 cluster(s) planned, 16 resource(s), 1 mandatory and 1 advisory violation(s) in 1.5 s",
    );
  });

  it("writes Markdown with a summary row per cluster, a diagram and the findings", () => {
    const md = reportMarkdown(canonicalReport([cluster()]));
    assert.match(md, /\| c1 \| dev \| keepalived \| 16 \| 1 \| 1 \| blocked \|/);
    assert.match(md, /```mermaid\nflowchart LR/);
    assert.match(md, /\| `a-rule` \| mandatory \| high \| `c1-server-0` \| open \|/);
  });
});
