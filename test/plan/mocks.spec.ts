import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { RecordingMocks, UnmockedCallError } from "../../plan/mocks";
import { runUnderMocks, unwrap, ofType } from "../support/pulumi";

describe("plan mocks", () => {
  it("records every registered resource with its inputs", async () => {
    const run = await runUnderMocks(() => new openstack.networking.Network("net", { name: "n1" }));
    const nets = ofType(run.resources, "openstack:networking/network:Network");
    assert.equal(nets.length, 1);
    assert.equal(nets[0]!.inputs["name"], "n1");
  });

  it("gives floating IPs an address from a documentation range", async () => {
    const run = await runUnderMocks(() => new openstack.networking.FloatingIp("fip", { pool: "ext" }));
    assert.match(await unwrap(run.result.address), /^203\.0\.113\.\d+$/);
  });

  it("rejects an unmocked invoke naming its token", async () => {
    const mocks = new RecordingMocks();
    assert.throws(
      () => mocks.call({ token: "openstack:compute/getFlavor:getFlavor", inputs: {}, provider: "" }),
      (e) => {
        assert.ok(e instanceof UnmockedCallError);
        assert.match((e as Error).message, /openstack:compute\/getFlavor:getFlavor/);
        return true;
      },
    );
  });

  it("keeps Pulumi secrets secret through the mock runtime", async () => {
    const run = await runUnderMocks(() => pulumi.secret("s3cr3t"));
    assert.equal(await pulumi.isSecret(run.result), true);
  });
});
