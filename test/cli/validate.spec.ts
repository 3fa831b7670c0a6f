import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXAMPLE_FLEET, REPO_ROOT, baseCluster, baseEnvironment, writeFleet } from "../support/spec-files";

describe("xcluster validate", () => {
  it("exits 0 on the committed fleet (stacks/, the default)", async () => {
    const io = captureIo();
    assert.equal(await main(["validate"], io, REPO_ROOT), 0, io.stderr.join("\n"));
    assert.match(io.stdout.join("\n"), /^stacks\/prod\/environment\.yaml: environment prod valid$/m);
  });

  it("exits 0 on the example fleet and lists every environment and cluster", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", "example-fleet"], io, path.dirname(EXAMPLE_FLEET)), 0);
    const out = io.stdout.join("\n");
    assert.match(out, /^example-fleet\/dev\/environment\.yaml: environment dev valid$/m);
    assert.match(
      out,
      /prod\/ecmwf-ai-platform valid \(keepalived, 3 server\(s\), 6 agent\(s\), 2 GPU agent\(s\)\)/,
    );
    assert.match(out, /^3 cluster\(s\) valid, in 2 environment\(s\)\.$/m);
  });

  it("rejects an --env that names no environment with exit 2, suggesting the closest", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", EXAMPLE_FLEET, "--env", "prd"], io, REPO_ROOT), 2);
    assert.match(
      io.stderr.join("\n"),
      /^--env: no environment "prd" under .*example-fleet \(allowed: dev, prod\) \(did you mean "prod"\?\)$/m,
    );
    assert.deepEqual(io.stdout, []);
  });

  it("validates an environment file named on its own", async () => {
    const io = captureIo();
    const file = path.join(EXAMPLE_FLEET, "dev", "environment.yaml");
    assert.equal(await main(["validate", file], io, EXAMPLE_FLEET), 0);
    assert.deepEqual(io.stdout, [
      "dev/environment.yaml: environment dev valid",
      "0 cluster(s) valid, in 1 environment(s).",
    ]);
  });

  it("rejects a broken environment file named on its own, with every problem", async () => {
    const dir = writeFleet({
      "dev/environment.yaml": baseEnvironment({ colour: "blue", adminCidrs: ["10.0.0.1/8"] }),
    });
    const io = captureIo();
    assert.equal(await main(["validate", "dev/environment.yaml"], io, dir), 2);
    const err = io.stderr.join("\n");
    assert.match(err, /^dev\/environment\.yaml:\d+:\d+: spec\.colour: unknown field/m);
    assert.match(err, /^dev\/environment\.yaml:\d+:\d+: spec\.adminCidrs\[0\]: bad CIDR: host bits set/m);
  });

  it("rejects a directory with nothing to validate with exit 2", async () => {
    const dir = writeFleet({ "empty/README.md": "nothing here" });
    const io = captureIo();
    assert.equal(await main(["validate", "empty"], io, dir), 2);
    assert.match(
      io.stderr.join("\n"),
      /^nothing to validate: no cluster spec or environment\.yaml under empty$/m,
    );
  });

  it("rejects a broken copy with exit 2, listing every problem with file, line and field", async () => {
    const dir = writeFleet({
      "prod/environment.yaml": fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8"),
      "prod/a.yaml": baseCluster({ numberOfMasters: 2, subnetCidr: "10.0.50.0/33" }),
      "prod/b.yaml": {
        ...baseCluster({ rke2Version: "latest" }, { addons: ["gpu-operator"] }),
        metadata: { name: "c2" },
      },
    });
    const io = captureIo();
    assert.equal(await main(["validate", "prod"], io, dir), 2);
    const err = io.stderr.join("\n");
    assert.match(
      err,
      /prod\/a\.yaml:7:22: spec\.parameters\.numberOfMasters: etcd needs an odd number of servers \(got 2/,
    );
    assert.match(err, /prod\/a\.yaml:11:17: spec\.parameters\.subnetCidr: bad CIDR: prefix length above 32/);
    assert.match(
      err,
      /prod\/b\.yaml:10:18: spec\.parameters\.rke2Version: malformed RKE2 version \(got "latest"/,
    );
    assert.match(
      err,
      /prod\/b\.yaml:\d+:\d+: spec\.addons\[0\]: gpu-operator on a cluster without GPU nodes/,
    );
    assert.match(err, /4 problem\(s\) in 2 file\(s\); no stack was touched\./);
    // the environment copied beside them is valid: every problem is in the clusters
    assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  });

  it("rejects an unknown flag with exit 2", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", "--colour"], io, REPO_ROOT), 2);
    assert.match(io.stderr.join("\n"), /unknown option '--colour'/);
  });

  it("prints help for the command with exit 0", async () => {
    const io = captureIo();
    assert.equal(await main(["validate", "--help"], io, REPO_ROOT), 0);
    assert.match(io.stdout.join("\n"), /Usage: xcluster validate/);
  });

  it("rejects a path that does not exist", async () => {
    const io = captureIo();
    const dir = writeFleet({ "prod/environment.yaml": baseEnvironment() });
    assert.equal(await main(["validate", "nowhere"], io, dir), 2);
    assert.match(io.stderr.join("\n"), /^nowhere: no such file or directory/m);
  });
});
