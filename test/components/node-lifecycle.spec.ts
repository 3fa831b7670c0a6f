/**
 * Tier: Pulumi mocks (the whole cluster program, rendered twice: before and after a day-2 change).
 *
 * Mocks have no diff engine, so "not replaced" is shown from what the engine would diff: the instance
 * inputs that changed between the two renders, minus the ones the instance tells the engine to ignore,
 * must contain no property the OpenStack provider replaces or rebuilds on. That list is the provider's,
 * not ours (test/engine/stand-in/replacements.ts cites it); the stand-in provider answers the real
 * engine with it in test/engine/day2.spec.ts, the engine's side of the same claim.
 */
import { strict as assert } from "assert";
import { addonLabel } from "../../spec/addons";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../../plan/mocks";
import { renderCluster } from "../../plan/render-cluster";
import { clusterProgram } from "../../programs/program";
import type { ClusterSpec } from "../../spec/types";
import {
  BOOT_CONFIG_METADATA_KEY,
  NODE_BOOT_PROPERTIES,
  NODE_PLACEMENT_PROPERTIES,
} from "../../components/rke2/boot-config";
import { pool, referenceClusterSpec } from "../support/cluster-specs";
import { recordedValue } from "./rke2-mock-helpers";
import { REPLACING_INPUTS } from "../engine/stand-in/replacements";

const INSTANCE = "openstack:compute/instance:Instance";

/** Instance inputs (Pulumi names) whose change replaces or rebuilds the instance in the provider. */
const REPLACING_PROPERTIES = REPLACING_INPUTS[INSTANCE] ?? [];

interface Render {
  readonly instances: Map<string, Record<string, unknown>>;
  /** system-upgrade-controller Plans by name, with their spec. */
  readonly plans: Map<string, Record<string, unknown>>;
  /** Resource options of each instance, as the program passed them. */
  readonly options: Map<string, pulumi.CustomResourceOptions>;
}

async function render(spec: ClusterSpec): Promise<Render> {
  const options = new Map<string, pulumi.CustomResourceOptions>();
  const resources: RecordedResource[] = await renderCluster(spec, {
    program: (s) => {
      pulumi.runtime.registerStackTransformation((a) => {
        if (a.type === INSTANCE) options.set(a.name, a.opts as pulumi.CustomResourceOptions);
        return undefined;
      });
      return clusterProgram(s);
    },
  });
  const instances = new Map<string, Record<string, unknown>>();
  for (const r of resources.filter((x) => x.type === INSTANCE)) instances.set(r.name, r.inputs);
  const plans = new Map<string, Record<string, unknown>>();
  for (const r of resources.filter((x) => x.type === "kubernetes:upgrade.cattle.io/v1:Plan")) {
    plans.set(r.name, recordedValue(r.inputs["spec"]) as Record<string, unknown>);
  }
  return { instances, plans, options };
}

function changedProperties(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => JSON.stringify(recordedValue(before[k])) !== JSON.stringify(recordedValue(after[k])))
    .sort();
}

function digest(inputs: Record<string, unknown>): string {
  return String((recordedValue(inputs["metadata"]) as Record<string, unknown>)[BOOT_CONFIG_METADATA_KEY]);
}

/** The unchanged reference cluster, rendered once for every case. */
let baseline: Promise<Render> | undefined;

/** Per instance present in both renders: the properties that changed and whether a change replaces it. */
async function dayTwo(
  change: (s: ClusterSpec) => ClusterSpec,
): Promise<{ before: Render; after: Render; changed: Map<string, string[]> }> {
  const base = referenceClusterSpec();
  baseline ??= render(base);
  const before = await baseline;
  const after = await render(change(base));
  const changed = new Map<string, string[]>();
  for (const [name, inputs] of before.instances) {
    const next = after.instances.get(name);
    if (next !== undefined) changed.set(name, changedProperties(inputs, next));
  }
  return { before, after, changed };
}

function assertNoReplacement(r: { after: Render; changed: Map<string, string[]> }): void {
  assert.ok(r.changed.size > 0);
  for (const [name, props] of r.changed) {
    const ignored = r.after.options.get(name)?.ignoreChanges ?? [];
    const replacing = props.filter((p) => !ignored.includes(p) && REPLACING_PROPERTIES.includes(p));
    assert.deepEqual(replacing, [], `${name} would be replaced: ${replacing.join(", ")} changed`);
  }
}

describe("day-2 changes leave running nodes in place (mocks, whole cluster program)", function () {
  this.timeout(180_000);

  it("tells the engine to ignore the boot properties of every instance and to delete before replacing", async () => {
    baseline ??= render(referenceClusterSpec());
    const r = await baseline;
    assert.equal(r.options.size, 3 + 6 + 2 + 2);
    for (const [name, opts] of r.options) {
      assert.deepEqual(opts.ignoreChanges, [...NODE_BOOT_PROPERTIES, ...NODE_PLACEMENT_PROPERTIES], name);
      // A new SSH key or server group must not replace a node: both are ForceNew in the provider.
      for (const p of ["keyPair", "schedulerHints"] as const)
        assert.ok(opts.ignoreChanges?.includes(p), `${name}: ${p}`);
      assert.equal(opts.deleteBeforeReplace, true, name);
    }
  });

  it("keeps every instance when rke2Version changes, changes the upgrade Plans instead, and marks each node's boot config out of date", async () => {
    const r = await dayTwo((s) => ({ ...s, rke2: { ...s.rke2, version: "v1.33.5+rke2r1" } }));
    assertNoReplacement(r);
    const versions = (x: Render) => [...x.plans].map(([n, spec]) => `${n}=${String(spec["version"])}`).sort();
    assert.deepEqual(versions(r.before), [
      "ecmwf-ai-platform-upgrades-agent=v1.33.3+rke2r1",
      "ecmwf-ai-platform-upgrades-server=v1.33.3+rke2r1",
    ]);
    assert.deepEqual(versions(r.after), [
      "ecmwf-ai-platform-upgrades-agent=v1.33.5+rke2r1",
      "ecmwf-ai-platform-upgrades-server=v1.33.5+rke2r1",
    ]);
    for (const [name, props] of r.changed) {
      assert.deepEqual(props, ["metadata", "userData"], name);
      assert.notEqual(digest(r.before.instances.get(name) ?? {}), digest(r.after.instances.get(name) ?? {}));
    }
  });

  it("keeps every instance when the images change", async () => {
    const image = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    const r = await dayTwo((s) => ({
      ...s,
      controlPlane: { ...s.controlPlane, imageId: image },
      pools: s.pools.map((p) => ({ ...p, imageId: image })),
      ingress: { ...s.ingress, imageId: image },
    }));
    assertNoReplacement(r);
    assert.deepEqual(r.changed.get("ecmwf-ai-platform-workers-0"), ["imageId", "metadata"]);
  });

  it("keeps every instance when the tls-san list changes (DNS turned off)", async () => {
    // external-dns needs DNS (its credentials are confined to the zone): it goes with it.
    const r = await dayTwo((s) => ({
      ...s,
      dns: { ...s.dns, enabled: false },
      labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== addonLabel("external-dns"))),
    }));
    assertNoReplacement(r);
    // Only servers carry tls-san; agents' boot config stays as it was.
    assert.deepEqual(r.changed.get("ecmwf-ai-platform-server-1"), ["metadata", "userData"]);
    assert.deepEqual(r.changed.get("ecmwf-ai-platform-workers-0"), []);
  });

  it("keeps every instance when the server count goes from 3 to 5, and adds two servers", async () => {
    const r = await dayTwo((s) => ({ ...s, controlPlane: { ...s.controlPlane, count: 5 } }));
    assertNoReplacement(r);
    const added = [...r.after.instances.keys()].filter((n) => !r.before.instances.has(n)).sort();
    assert.deepEqual(added, ["ecmwf-ai-platform-server-3", "ecmwf-ai-platform-server-4"]);
  });

  it("keeps every instance when workers go from 6 to 8, and leaves the other pools' boot config alone", async () => {
    const r = await dayTwo((s) => ({
      ...s,
      pools: s.pools.map((p) => (p.name === "workers" ? pool("workers", "agent", 8) : p)),
    }));
    assertNoReplacement(r);
    for (const [name, props] of r.changed) assert.deepEqual(props, [], name);
    assert.equal(r.after.instances.size, r.before.instances.size + 2);
  });

  it("would replace nodes without the ignore list (the check is real)", async () => {
    const r = await dayTwo((s) => ({ ...s, rke2: { ...s.rke2, version: "v1.33.5+rke2r1" } }));
    const unprotected = { after: { ...r.after, options: new Map() }, changed: r.changed };
    assert.throws(() => assertNoReplacement(unprotected), /would be replaced: userData changed/);
  });
});
