/**
 * Tier: pure functions. The HelmChartConfig server 0 writes for RKE2's rke2-ingress-nginx in the keepalived
 * topology: what the controller writes into every Ingress's status, which external-dns publishes.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { ingressNginxValues, renderIngressManifest } from "../../components/rke2/manifests";

function valuesOf(manifest: string): Record<string, unknown> {
  const doc = parse(manifest) as {
    kind: string;
    metadata: { name: string };
    spec: { valuesContent: string };
  };
  assert.equal(doc.kind, "HelmChartConfig");
  assert.equal(doc.metadata.name, "rke2-ingress-nginx");
  return parse(doc.spec.valuesContent) as Record<string, unknown>;
}

describe("rke2-ingress-nginx values (pure)", () => {
  it("publishes the ingress floating IP as every Ingress's status address, not the ingress nodes' private ones", () => {
    const controller = valuesOf(renderIngressManifest({ publishStatusAddress: "203.0.113.20" }))[
      "controller"
    ] as Record<string, unknown>;
    assert.deepEqual(controller["extraArgs"], { "publish-status-address": "203.0.113.20" });
    // The flag excludes --publish-service (controller-v1.12.4 pkg/flags/flags.go); nothing turns that on.
    assert.equal(controller["publishService"], undefined);
    assert.equal(controller["service"], undefined);
  });

  it("still runs the controller on the ingress nodes' host network, with no TCP or UDP passthrough", () => {
    const values = valuesOf(renderIngressManifest({ publishStatusAddress: "203.0.113.20" }));
    const controller = values["controller"] as Record<string, unknown>;
    assert.equal(controller["hostNetwork"], true);
    assert.deepEqual(controller["hostPort"], { enabled: false });
    assert.equal(values["tcp"], undefined);
    assert.equal(values["udp"], undefined);
  });

  it("keeps RKE2's chart as shipped in the octavia topology, publishing only the load balancer's floating IP", () => {
    const values = valuesOf(
      renderIngressManifest({ publishStatusAddress: "203.0.113.30", topology: "octavia" }),
    );
    assert.deepEqual(values, { controller: { extraArgs: { "publish-status-address": "203.0.113.30" } } });
  });

  it("rejects a status address that is not an IPv4 address", () => {
    assert.throws(
      () => renderIngressManifest({ publishStatusAddress: "10.0.50.10,evil" }),
      /publishStatusAddress: not an IPv4 address \(got "10\.0\.50\.10,evil"; allowed: the ingress floating IP\)/,
    );
    assert.throws(() => ingressNginxValues({ publishStatusAddress: "" }), /publishStatusAddress/);
  });
});
