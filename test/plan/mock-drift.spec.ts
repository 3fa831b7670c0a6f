/**
 * Mock drift guard (Pulumi mocks tier, checked against the real provider's schema): the plan's mocks
 * (plan/mocks.ts `synthesiseOutputs`) fill OpenStack outputs by hand. For every OpenStack resource type a
 * cluster program creates, they must not invent a property the real pulumi-resource-openstack 3.15.2 does
 * not have, and must fill every provider-computed output our code reads.
 *
 * "Our code reads" is measured, not listed: the program runs under mocks that give every computed output
 * of the schema (a property the program did not set) a value marking the resource and property; a marker
 * that reaches another resource's inputs or the stack's outputs is an output our code reads. String and
 * string-array outputs carry markers; numbers and booleans cannot (none is read today). An `address`
 * output carries an IPv4 marker (one TEST-NET-2 address per resource type and property), because the
 * renderers that read one check it is an address: a text marker would fail that resource's registration
 * and leave whatever depends on it (each node's drain) waiting forever.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RecordingMocks, synthesiseOutputs, type RecordedResource } from "../../plan/mocks";
import { clusterProgram } from "../../programs/program";
import { loadFleet } from "../../spec";
import type { ClusterSpec } from "../../spec/types";
import { octaviaClusterSpec, referenceClusterSpec } from "../support/cluster-specs";
import { runUnderMocks } from "../support/pulumi";
import { REPO_ROOT } from "../support/spec-files";
import {
  computedOutputs,
  openStackSchema,
  resourceSpec,
  type OpenStackSchema,
} from "../support/openstack-schema";

const MARK = "xcluster-read-marker";
/** IPv4 markers handed out, by address: `<type>|<property>` (198.51.100.0/24, RFC 5737). */
const ADDRESS_MARKS = new Map<string, string>();

function addressMarker(type: string, prop: string): string {
  const key = `${type}|${prop}`;
  for (const [ip, k] of ADDRESS_MARKS) if (k === key) return ip;
  const ip = `198.51.100.${ADDRESS_MARKS.size + 1}`;
  ADDRESS_MARKS.set(ip, key);
  return ip;
}
const isOpenStack = (type: string): boolean => type.startsWith("openstack:");

/** Gives every computed string (or string array) output of an OpenStack resource a marker value. */
class MarkingMocks extends RecordingMocks {
  constructor(private readonly schema: OpenStackSchema) {
    super();
  }

  override newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const answer = super.newResource(args);
    if (!args.custom || !isOpenStack(args.type)) return answer;
    const spec = resourceSpec(this.schema, args.type);
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const marked: Record<string, unknown> = {};
    for (const prop of computedOutputs(spec, inputs)) {
      const p = spec.properties[prop];
      const marker = prop === "address" ? addressMarker(args.type, prop) : `${MARK}|${args.type}|${prop}`;
      if (p?.type === "string") marked[prop] = marker;
      else if (p?.type === "array" && p.items?.type === "string") marked[prop] = [marker];
    }
    return { id: answer.id, state: { ...(answer.state as Record<string, unknown>), ...marked } };
  }
}

function markersIn(v: unknown, into: Set<string>): void {
  if (typeof v === "string") {
    for (const m of v.matchAll(new RegExp(`${MARK}\\|([^|]+)\\|([A-Za-z0-9]+)`, "g")))
      into.add(`${m[1]} ${m[2]}`);
    for (const m of v.matchAll(/198\.51\.100\.\d+(?!\d)/g)) {
      const key = ADDRESS_MARKS.get(m[0]);
      if (key !== undefined) into.add(key.replace("|", " "));
    }
  } else if (Array.isArray(v)) v.forEach((x) => markersIn(x, into));
  else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => markersIn(x, into));
}

/** `<type> <property>` of every computed OpenStack output whose value reaches a resource or the stack's outputs. */
async function outputsRead(spec: ClusterSpec, schema: OpenStackSchema): Promise<Set<string>> {
  const run = await runUnderMocks(() => clusterProgram(spec), new MarkingMocks(schema));
  const stackOutputs = await new Promise<unknown>((resolve) => pulumi.output(run.result).apply(resolve));
  const read = new Set<string>();
  for (const r of run.resources) markersIn(r.inputs, read);
  markersIn(stackOutputs, read);
  return read;
}

describe("the plan's OpenStack mocks against the real provider schema (mock drift guard)", function () {
  this.timeout(120_000);
  let schema: OpenStackSchema;
  before(function () {
    schema = openStackSchema(this);
  });

  const committed = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT }).clusters;
  const specs: ClusterSpec[] = [referenceClusterSpec(), octaviaClusterSpec(), ...committed];

  it("invents no output property for any OpenStack type the cluster programs create", async () => {
    const created = new Map<string, RecordedResource>();
    for (const spec of specs) {
      for (const r of (await runUnderMocks(() => clusterProgram(spec))).resources) {
        if (r.custom && isOpenStack(r.type)) created.set(r.type, r);
      }
    }
    assert.ok(created.size >= 15, `OpenStack types created: ${[...created.keys()].join(", ")}`);
    const invented: string[] = [];
    for (const [type, r] of created) {
      const spec = resourceSpec(schema, type);
      for (const prop of Object.keys(synthesiseOutputs(type, r.name, r.inputs))) {
        if (!(prop in spec.properties)) invented.push(`${type} ${prop}`);
      }
      // Inputs too: a property the provider does not have would fail its Check.
      for (const prop of Object.keys(r.inputs)) {
        if (!(prop in spec.inputProperties)) invented.push(`${type} input ${prop}`);
      }
    }
    assert.deepStrictEqual(invented, []);
  });

  it("fills every provider-computed output the programs read", async () => {
    const missing = new Set<string>();
    const read = new Set<string>();
    for (const spec of specs) {
      for (const key of await outputsRead(spec, schema)) {
        read.add(key);
        const [type = "", prop = ""] = key.split(" ");
        if (!(prop in synthesiseOutputs(type, "any", {}))) missing.add(key);
      }
    }
    // The guard measures something: the outputs the programs are known to chain on are seen.
    for (const expected of [
      "openstack:networking/floatingIp:FloatingIp address",
      "openstack:loadbalancer/loadBalancer:LoadBalancer vipPortId",
    ]) {
      assert.ok(read.has(expected), `${expected} is read (seen: ${[...read].sort().join(", ")})`);
    }
    assert.deepStrictEqual([...missing].sort(), []);
  });
});
