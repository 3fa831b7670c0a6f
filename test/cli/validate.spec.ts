import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { REPO_ROOT, baseCluster, baseEnvironment, writeFleet } from "../support/spec-files";

describe("xcluster validate", () => {
  it("exits 0 on the example fleet and lists every cluster", async () => {
    const io = captureIo();
    assert.equal(await main(["validate"], io, REPO_ROOT), 0);
    assert.match(
      io.stdout.join("\n"),
      /prod\/ecmwf-ai-platform valid \(keepalived, 3 server\(s\), 6 agent\(s\), 2 GPU agent\(s\)\)/,
    );
    assert.match(io.stdout.join("\n"), /3 cluster\(s\) valid\./);
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
