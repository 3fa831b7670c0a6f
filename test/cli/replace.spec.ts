/**
 * Tier: the real CLI in-process (`main`) on the repository's own specs, for what `replace` refuses before
 * it looks for the pulumi CLI; and the cluster program under Pulumi mocks, for the node names it accepts.
 * The replacement itself runs on the real engine with stand-in providers in test/engine/day2.spec.ts.
 */
import { strict as assert } from "assert";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { nodeNames } from "../../fleet/replace";
import { renderCluster } from "../../plan/render-cluster";
import { referenceClusterSpec } from "../support/cluster-specs";
import { REPO_ROOT } from "../support/spec-files";

async function run(args: string[]) {
  const io = captureIo();
  const code = await main(args, io, REPO_ROOT);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

describe("xcluster replace", function () {
  this.timeout(120_000);

  it("rejects a node the cluster does not have, suggesting the closest name (exit 2)", async () => {
    const r = await run(["replace", "ecmwf-ai-platform", "ecmwf-ai-platform-workrs-2", "--env", "prod"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /cluster prod\/ecmwf-ai-platform has no node ecmwf-ai-platform-workrs-2 \(did you mean "ecmwf-ai-platform-workers-2"\?\) \(allowed: ecmwf-ai-platform-server-0, /,
    );
    assert.match(r.stderr, /no stack was touched/);
  });

  it("rejects a cluster that does not exist, suggesting the closest name (exit 2)", async () => {
    const r = await run(["replace", "ecmwf-ai-platfrom", "x", "--env", "prod"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /no cluster named ecmwf-ai-platfrom in prod \(did you mean "ecmwf-ai-platform"\?\)/,
    );
  });

  it("rejects a production node without the environment typed back (exit 2), and a wrong one", async () => {
    for (const extra of [[], ["--confirm-env", "dev"]]) {
      const r = await run(["replace", "prod/ecmwf-ai-platform", "ecmwf-ai-platform-server-0", ...extra]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /a production cluster; type the environment name back with --confirm-env prod/);
      if (extra.length > 0) assert.match(r.stderr, /\(got --confirm-env dev\)/);
    }
  });

  it("accepts exactly the names of the instances the cluster program creates", async () => {
    const spec = referenceClusterSpec();
    const resources = await renderCluster(spec);
    const instances = resources
      .filter((r) => r.type === "openstack:compute/instance:Instance")
      .map((r) => r.name)
      .sort();
    assert.deepEqual([...nodeNames(spec)].sort(), instances);
  });
});
