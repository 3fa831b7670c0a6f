/**
 * (e) Policy evaluation throughput: the resources of a 500-node cluster, recorded once under mocks, then
 * evaluated repeatedly by the offline evaluator with the cluster's real config. A "resource check" is one
 * rule run on one resource of a type it declares (plus each stack rule once per evaluation).
 * Target: ≥ 50,000 checks/s.
 * Each run is a fresh process: one warm-up evaluation, then 20 timed; the median over runs is reported.
 * Run: npm run build && npx ts-node -T bench/policy-throughput.ts [runs=5] [nodes=500]
 */
import * as fs from "fs";
import * as path from "path";
import {
  contention,
  DIST,
  loadAverage,
  machine,
  median,
  requireBuild,
  round,
  runScript,
  saveResult,
  syntheticClusters,
  writeFleet,
} from "./common";

interface Sample {
  readonly resources: number;
  readonly checks: number;
  readonly evaluations: number;
  readonly ms: number;
  readonly violations: number;
}

function script(dir: string): string {
  const d = (p: string) => JSON.stringify(path.join(DIST, p));
  return `
require(${d("plan/fast-runtime.js")}).tuneForPlans();
const { loadFleet } = require(${d("spec")});
const { renderCluster, PLAN_PROJECT } = require(${d("plan/render-cluster.js")});
const { planPolicyArgs } = require(${d("plan/policy-config.js")});
const { evaluatePolicies } = require(${d("policy/evaluate.js")});
const { policyPackConfig } = require(${d("policy/config.js")});
const { policies } = require(${d("policy/policies.js")});
const { typesOf } = require(${d("policy/lib/rule.js")});
(async () => {
  const spec = loadFleet([${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)} }).clusters[0];
  const recorded = await renderCluster(spec);
  const resources = recorded.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, parent: r.parent, id: r.id }));
  const config = policyPackConfig(planPolicyArgs(spec));
  const options = { stack: spec.name, project: PLAN_PROJECT };
  let checks = 0;
  // Rules the config disables are skipped by the evaluator, so they are not checks.
  const enabled = (p) => {
    const entry = config[p.name];
    return (typeof entry === "string" ? entry : entry && entry.enforcementLevel) !== "disabled";
  };
  for (const r of resources) {
    for (const p of policies) {
      if (!("validateResource" in p) || p.validateResource === undefined || !enabled(p)) continue;
      const types = typesOf(p);
      if (types === undefined || types.includes(r.type)) checks++;
    }
  }
  checks += policies.filter((p) => "validateStack" in p && typeof p.validateStack === "function" && enabled(p)).length;
  let violations = (await evaluatePolicies(resources, config, options)).length;
  const evaluations = 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < evaluations; i++) violations = (await evaluatePolicies(resources, config, options)).length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ resources: resources.length, checks, evaluations, ms, violations }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

requireBuild();
const started = machine();
contention();
const runs = Number(process.argv[2] ?? 5);
const nodes = Number(process.argv[3] ?? 500);
const [cluster] = syntheticClusters(1, nodes);
const dir = writeFleet([cluster!]);
try {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(runScript<Sample>(script(dir)));
  const first = samples[0] as Sample;
  const ms = median(samples.map((s) => s.ms));
  const result = {
    machine: started,
    loadAverageEnd: loadAverage(),
    otherCores: contention(),
    runs,
    nodes,
    resources: first.resources,
    checksPerEvaluation: first.checks,
    violations: first.violations,
    msPerEvaluation: round(ms / first.evaluations, 1),
    checksPerSecond: round((first.checks * first.evaluations) / (ms / 1000)),
    resourcesPerSecond: round((first.resources * first.evaluations) / (ms / 1000)),
  };
  void saveResult("policy-throughput", result);
  console.log(JSON.stringify(result, null, 2));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
