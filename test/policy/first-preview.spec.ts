/**
 * Policy tier: the pack on a cluster's first preview, where nothing exists yet and every value the
 * provider computes is unknown (IDs, and everything the program derives from them). Two views:
 * - every committed spec and the reference cluster in both topologies, run as a first preview under
 *   Pulumi mocks, unknowns decided by the real OpenStack provider's schema (test/policy/first-preview.ts);
 * - every stack rule's compliant fixture with the IDs of its resources made unknown, as the real provider
 *   returns them to stack rules (dropped from the outputs) and as CrossGuard's sentinel.
 * A rule may not decide (the engine's advisory "can't run … during preview"); it may never turn an unknown
 * value into a mandatory violation.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { evaluatePolicies, PlannedResource, PolicyViolation } from "../../policy/evaluate";
import { policyPackConfig } from "../../policy/config";
import { policies } from "../../policy/policies";
import { T } from "../../policy/lib/types";
import { planCluster } from "../../plan/plan-cluster";
import { planPolicyArgs } from "../../plan/policy-config";
import { loadFleet } from "../../spec";
import type { ClusterSpec } from "../../spec/types";
import { octaviaClusterSpec, referenceClusterSpec } from "../support/cluster-specs";
import { REPO_ROOT } from "../support/spec-files";
import {
  containsUnknown,
  openStackSchema,
  previewState,
  type OpenStackSchema,
} from "../support/openstack-schema";
import { firstPreview } from "./first-preview";
import { sgRule } from "./fixtures";
import { evaluateOne, type RuleCases, type StackRuleCases } from "./harness";
import { networkCases } from "./cases/network";
import { computeCases } from "./cases/compute";
import { rke2Cases } from "./cases/rke2";
import { platformCases } from "./cases/platform";
import { governanceCases } from "./cases/governance";
import { adminRangeCases } from "./cases/admin-ranges";
import { tolerationCases } from "./cases/tolerations";

/** CrossGuard's marker for a string unknown during preview (what the engine sends). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ADR = path.join(REPO_ROOT, "docs", "adr", "0004-offline-policy-gate-before-the-engine.md");

const mandatory = (found: PolicyViolation[]) => found.filter((v) => v.enforcement === "mandatory");
const cantRun = (found: PolicyViolation[]) =>
  found.filter((v) => v.enforcement === "advisory" && /can't run policy .* during preview/.test(v.message));

/** The spec's pack config as the fleet driver writes it, judged as mandatory whatever the environment says. */
function configFor(spec: ClusterSpec) {
  return policyPackConfig(planPolicyArgs({ ...spec, policyEnforcement: "mandatory" }));
}

describe("the policy pack on a cluster's first preview (policy tier: mocks as a first preview, unknowns from the real OpenStack schema)", function () {
  this.timeout(180_000);
  let schema: OpenStackSchema;
  before(function () {
    schema = openStackSchema(this);
  });

  const committed = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT });
  const specs: [string, ClusterSpec][] = [
    ["the reference cluster (keepalived)", referenceClusterSpec()],
    ["the reference cluster (octavia)", octaviaClusterSpec()],
    ...committed.clusters.map((c): [string, ClusterSpec] => [`committed ${c.environment}/${c.name}`, c]),
  ];
  // One first preview per spec, shared by the tests below (each computes what it needs when run alone).
  const previews = new Map<string, Promise<{ resources: PlannedResource[]; found: PolicyViolation[] }>>();
  const previewOf = (what: string, spec: ClusterSpec) => {
    const hit = previews.get(what);
    if (hit) return hit;
    const run = (async () => {
      const resources = await firstPreview(spec, schema);
      return { resources, found: await evaluatePolicies(resources, configFor(spec), { stack: spec.name }) };
    })();
    previews.set(what, run);
    return run;
  };
  const undecidedRules = async (): Promise<Set<string>> => {
    const undecided = new Set<string>();
    for (const [what, spec] of specs)
      cantRun((await previewOf(what, spec)).found).forEach((v) => undecided.add(v.policy));
    return undecided;
  };

  it("has committed specs of both topologies", () => {
    assert.deepStrictEqual(committed.issues, []);
    assert.deepStrictEqual([...new Set(committed.clusters.map((c) => c.topology.mode))].sort(), [
      "keepalived",
      "octavia",
    ]);
  });

  for (const [what, spec] of specs) {
    it(`finds no mandatory violation in ${what} on its first preview`, async () => {
      const { resources, found } = await previewOf(what, spec);
      // The view really is a first preview: the etcd rule's source group and the servers' server-group
      // hints are unknown, so the provider leaves them out of what stack rules see.
      const etcd = resources.find((r) => r.type === T.secGroupRule && /etcd/.test(r.name));
      assert.ok(etcd?.outputs, "an etcd rule");
      assert.ok(containsUnknown(etcd.inputs["remoteGroupId"]), "remoteGroupId is unknown");
      assert.ok(!("remoteGroupId" in etcd.outputs), "and absent from the preview's outputs");
      const server = resources.find((r) => r.type === T.instance && /server-0$/.test(r.name));
      assert.ok(server?.outputs && !("schedulerHints" in server.outputs), "the hint set is dropped");
      assert.deepStrictEqual(mandatory(found), []);
    });
  }

  it("lists in ADR 0004 exactly the rules that cannot decide a first preview, which the offline gate decides", async () => {
    const undecided = await undecidedRules();
    const section = fs.readFileSync(ADR, "utf8").split("## Rules the engine cannot decide")[1] ?? "";
    const listed = [...section.matchAll(/^- `([a-z0-9-]+)`/gm)].map((m) => m[1]);
    assert.deepStrictEqual(listed.sort(), [...undecided].sort());
  });

  it("decides every one of those rules in the offline plan the gate runs (known values, no advisory can't-run)", async () => {
    const undecided = await undecidedRules();
    for (const spec of [referenceClusterSpec(), octaviaClusterSpec()]) {
      const plan = await planCluster(spec);
      assert.strictEqual(plan.error, undefined);
      const notDecided = plan.violations.filter(
        (v) => undecided.has(v.policy) && /during preview/.test(v.message),
      );
      assert.deepStrictEqual(notDecided, []);
    }
  });
});

/** The IDs a fixture's resources would get, which are unknown before they exist. */
function idsOf(resources: readonly PlannedResource[]): Map<string, string> {
  return new Map(
    resources.filter((r) => r.id !== undefined).map((r) => [r.id as string, `${r.type}::${r.name}`]),
  );
}

function replaceIds(v: unknown, ids: ReadonlyMap<string, string>, found: Set<string>): unknown {
  if (typeof v === "string") {
    const name = ids.get(v);
    if (name !== undefined) found.add(name);
    return name !== undefined ? UNKNOWN : v;
  }
  if (Array.isArray(v)) return v.map((x) => replaceIds(x, ids, found));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceIds(x, ids, found)]));
  return v;
}

/**
 * The fixture on a first preview: the IDs of its own resources unknown (what it references but does not
 * create exists already), the inputs holding CrossGuard's sentinel, the outputs as `outputs` makes them,
 * the property dependencies kept (the engine has them whatever the values).
 */
function unknownIds(
  resources: readonly PlannedResource[],
  outputs: (type: string, inputs: Record<string, unknown>) => Record<string, unknown>,
): PlannedResource[] {
  const ids = idsOf(resources);
  return resources.map((r) => {
    const propertyDependencies: Record<string, string[]> = {};
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r.inputs)) {
      const found = new Set<string>();
      inputs[key] = replaceIds(value, ids, found);
      found.delete(`${r.type}::${r.name}`);
      if (found.size > 0) propertyDependencies[key] = [...found];
    }
    return { type: r.type, name: r.name, inputs, outputs: outputs(r.type, inputs), propertyDependencies };
  });
}

/** As the real provider returns a preview's state. */
const asProviderReturns = previewState;
/** Every property that holds an unknown anywhere dropped, lists included. */
const everyUnknownDropped = (_type: string, inputs: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(inputs).filter(([, v]) => !containsUnknown(v)));
/** Unknowns kept as CrossGuard's sentinel (what a provider that echoes its inputs returns). */
const sentinelsKept = (_type: string, inputs: Record<string, unknown>) => inputs;

const sourceless = (inputs: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "remoteGroupId"));

const allCases: RuleCases[] = [
  ...networkCases,
  ...computeCases,
  ...rke2Cases,
  ...platformCases,
  ...governanceCases,
  ...adminRangeCases,
  ...tolerationCases,
];
const stackCases = allCases.filter((c): c is StackRuleCases => "resources" in c && c.resources !== undefined);

describe("stack rules never read an unknown value as an absent one (policy tier: the rules' compliant fixtures with unknown IDs)", () => {
  it("has a stack fixture for each stack rule", () => {
    const stackRules = policies.filter((p) => "validateStack" in p).map((p) => p.name);
    assert.deepStrictEqual(stackCases.map((c) => c.policy.name).sort(), stackRules.sort());
  });

  for (const c of stackCases) {
    for (const [how, outputs] of [
      ["as the real provider returns them", asProviderReturns],
      ["with every unknown dropped", everyUnknownDropped],
      ["as CrossGuard's unknown marker", sentinelsKept],
    ] as const) {
      it(`${c.policy.name} finds nothing in its compliant stack when the IDs are unknown, ${how}`, async () => {
        const resources = unknownIds(c.resources, outputs);
        assert.deepStrictEqual(mandatory(await evaluateOne(c.policy, resources, c.config)), []);
      });
    }
  }

  it("decides the resource rules on a security-group source whose ID is unknown: a group, never an address range", async () => {
    const etcd: PlannedResource = {
      type: T.secGroupRule,
      name: "servers-etcd",
      inputs: sgRule({ protocol: "tcp", portRangeMin: 2379, portRangeMax: 2381, remoteGroupId: UNKNOWN }),
    };
    const found = await evaluatePolicies([etcd]);
    // os-sg-001..003 read the rule alone: no violation and no can't-run. os-sg-005 must know which group
    // it is, and nothing here names it (no property dependency): it says it cannot decide.
    assert.deepStrictEqual(
      found.map((v) => `${v.policy} ${v.enforcement}`),
      ["os-sg-005-etcd-from-server-group advisory"],
    );
    assert.match(found[0]?.message ?? "", /servers-etcd\.remoteGroupId can't be known during preview/);
  });

  it("still rejects an etcd rule without any source when the server group is unknown", async () => {
    const c = stackCases.find((x) => x.policy.name === "os-sg-005-etcd-from-server-group");
    assert.ok(c);
    const resources = unknownIds(c.resources, asProviderReturns).map((r) =>
      r.type === T.secGroupRule
        ? { ...r, inputs: sourceless(r.inputs), outputs: sourceless(r.inputs), propertyDependencies: {} }
        : r,
    );
    const found = await evaluateOne(c.policy, resources, c.config);
    assert.deepStrictEqual(
      found.map((v) => `${v.enforcement} ${v.message}`),
      [
        "mandatory ingress tcp 2379-2381 from anywhere (no remoteIpPrefix or remoteGroupId) opens etcd to an address range",
      ],
    );
  });

  it("says it cannot decide, the engine's way, when a server's group hint is unknown and nothing names the group", async () => {
    const c = stackCases.find((x) => x.policy.name === "os-ha-002-server-anti-affinity");
    assert.ok(c);
    const resources = unknownIds(c.resources, sentinelsKept).map((r) => ({ ...r, propertyDependencies: {} }));
    const found = await evaluateOne(c.policy, resources, c.config);
    assert.deepStrictEqual(mandatory(found), []);
    assert.strictEqual(cantRun(found).length, 1, JSON.stringify(found));
    assert.match(cantRun(found)[0]?.message ?? "", /schedulerHints can't be known during preview/);
  });
});
