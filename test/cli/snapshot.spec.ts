/**
 * Tier: the real CLI in-process (`main`) on the example fleet: the argument errors of `xcluster snapshot`,
 * all found before any cluster is contacted (the commands against a cluster: test/kube/etcd-snapshots.spec.ts).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";

const ROOT = path.join(__dirname, "..", "..");

async function cli(args: string[]) {
  const io = captureIo();
  const code = await main(["snapshot", ...args], io, ROOT);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

describe("xcluster snapshot: argument errors (CLI in-process)", function () {
  this.timeout(60_000);

  it("rejects restore without a snapshot name (exit 2)", async () => {
    const r = await cli(["restore", "ecmwf-ai-platform"]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(r.err, /error: missing required argument 'snapshot'/);
  });

  it("rejects list without a cluster (exit 2)", async () => {
    const r = await cli(["list"]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(r.err, /error: missing required argument 'cluster'/);
  });

  it("rejects a mistyped subcommand, suggesting the right one (exit 2)", async () => {
    const r = await cli(["lsit", "ecmwf-ai-platform"]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(r.err, /unknown command 'lsit'/);
    assert.match(r.err, /Did you mean list\?/);
  });

  it("rejects an unknown cluster, listing the clusters there are (exit 2)", async () => {
    const r = await cli(["list", "ecmwf-ai-platfrom", "--kubeconfig", "nowhere"]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(
      r.err,
      /^xcluster snapshot list: no cluster named ecmwf-ai-platfrom \(allowed: .*prod\/ecmwf-ai-platform.*\)$/,
    );
  });

  it("rejects a kubeconfig file that does not exist, naming it (exit 2)", async () => {
    const r = await cli(["restore", "prod/ecmwf-ai-platform", "any", "--kubeconfig", "no/such/kubeconfig"]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(r.err, /^xcluster snapshot restore: --kubeconfig no\/such\/kubeconfig: ENOENT/);
  });
});
