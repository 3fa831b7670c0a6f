import { strict as assert } from "assert";
import * as path from "path";
import type { EngineEvent, PulumiCommand } from "@pulumi/pulumi/automation";
import { CLUSTER_PKI_TOKEN } from "../../components/cluster-pki";
import { EXIT } from "../../cli/exit-codes";
import { layout } from "../../fleet/layout";
import { writePolicyFiles } from "../../fleet/policy";
import { runFleet } from "../../fleet/run-fleet";
import { openStack } from "../../fleet/workspace";
import { PACK_NAME, PACK_VERSION } from "../../policy/pack";
import { REPO_ROOT } from "../support/spec-files";
import { realEngine } from "./engine";
import { TEST_CLUSTER_TOKEN, testProgram } from "./fixtures/programs";
import { EngineProject } from "./project";

const XCLUSTER_PACK = path.join(REPO_ROOT, "policy");
const TEST_PACK = path.join(__dirname, "fixtures", "policy-pack");
const PKI_URN = `urn:pulumi:dev.a::xcluster::${TEST_CLUSTER_TOKEN}$${CLUSTER_PKI_TOKEN}::a-pki`;
const RULE = "engine-test-001-ca-validity";
const RULE_TEXT = "The cluster's CAs live at most maxCaValidityDays days.";

/** What the CLI reports per resource and pack; @pulumi/pulumi 3.248.0's EngineEvent type does not declare it. */
interface PolicyAnalyzeSummary {
  readonly resourceUrn: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
}

describe("policy packs on the real engine", function () {
  this.timeout(180_000);
  let pulumi: PulumiCommand;
  let p: EngineProject;

  before(async function () {
    pulumi = await realEngine(this);
  });
  afterEach(() => p?.dispose());

  const preview = (caValidityDays: number, policyPack: string) =>
    runFleet(
      "preview",
      [p.cluster("a")],
      p.options(pulumi, { program: testProgram({ pki: { caValidityDays } }), policyPack }),
    );

  it("rejects a preview that violates a mandatory rule of a pack loaded through policyPacks", async () => {
    p = new EngineProject({ clusters: ["a"] });
    const compliant = (await preview(3650, TEST_PACK)).clusters[0]!;
    assert.equal(compliant.result, "succeeded", compliant.message);
    assert.deepEqual(compliant.policyViolations, []);
    assert.equal(compliant.changes.create, 3);

    const report = await preview(7300, TEST_PACK);
    const r = report.clusters[0]!;
    assert.equal(report.exitCode, EXIT.policy);
    assert.equal(r.result, "failed");
    assert.equal(r.error?.kind, "policy");
    assert.equal(r.message, "stack dev.a: 1 mandatory policy violation(s); nothing was changed");
    assert.deepEqual(r.policyViolations, [
      {
        policy: RULE,
        pack: "xcluster-engine-test",
        enforcement: "mandatory",
        resource: PKI_URN,
        message: `${RULE_TEXT}\ncaValidityDays is 7300; at most 3650 is allowed`,
      },
    ]);
    assert.ok(
      p.progress.some((l) => l.startsWith(`[a] policy mandatory: ${RULE}: `) && l.endsWith(`(${PKI_URN})`)),
      p.progress.join("\n"),
    );
    const stack = await openStack(
      p.cluster("a"),
      { layout: layout(p.root), pulumi, env: p.env() },
      "select",
      false,
    );
    const state = await stack.exportStack();
    assert.deepEqual(state.deployment.resources ?? [], [], "previews never write resources");
  });

  it("reports the same violation as advisory, without failing, in an advisory environment", async () => {
    p = new EngineProject({ clusters: ["a"], policyEnforcement: "advisory" });
    const report = await preview(7300, TEST_PACK);
    const r = report.clusters[0]!;
    assert.equal(report.exitCode, EXIT.ok, r.message);
    assert.equal(r.result, "succeeded");
    assert.deepEqual(
      r.policyViolations.map((v) => [v.policy, v.enforcement, v.resource]),
      [[RULE, "advisory", PKI_URN]],
    );
  });

  it("loads the xcluster pack with the driver's per-cluster config and analyzes every resource with it", async () => {
    p = new EngineProject({ clusters: ["a"] });
    const spec = p.cluster("a");
    const ctx = { layout: layout(p.root), pulumi, env: p.env(), program: testProgram({ pki: {} }) };
    const stack = await openStack(spec, ctx, "create-or-select");
    const events: EngineEvent[] = [];
    const result = await stack.preview({
      ...writePolicyFiles(spec, XCLUSTER_PACK, p.workDir("dev.a")),
      color: "never",
      onEvent: (e) => events.push(e),
    });
    assert.ok(
      result.stdout.includes(`${PACK_NAME}@v${PACK_VERSION} (local: ${XCLUSTER_PACK})`),
      result.stdout,
    );
    assert.deepEqual(
      events.filter((e) => e.policyEvent !== undefined),
      [],
      "no rule of the pack applies to a provider-free program",
    );
    const analyzed = events.flatMap((e) => {
      const s = (e as { policyAnalyzeSummaryEvent?: PolicyAnalyzeSummary }).policyAnalyzeSummaryEvent;
      return s ? [`${s.policyPackName}@${s.policyPackVersion} ${s.resourceUrn}`] : [];
    });
    assert.deepEqual(
      analyzed.sort(),
      [
        `${PACK_NAME}@${PACK_VERSION} urn:pulumi:dev.a::xcluster::pulumi:providers:pulumi-nodejs::default`,
        `${PACK_NAME}@${PACK_VERSION} urn:pulumi:dev.a::xcluster::pulumi:pulumi:Stack::xcluster-dev.a`,
        `${PACK_NAME}@${PACK_VERSION} ${PKI_URN}`,
        `${PACK_NAME}@${PACK_VERSION} urn:pulumi:dev.a::xcluster::${TEST_CLUSTER_TOKEN}::a`,
      ].sort(),
    );
  });
});
