/**
 * cloud.conf as the OpenStack cloud controller manager and Cinder CSI read it.
 *
 * Tier: the real parser. `gcfg/` is a small Go program that reads the rendered file with
 * gopkg.in/gcfg.v1 v1.2.3 and the same call as both controllers (cloud-provider-openstack v1.33.1), built
 * from Go modules. Without Go the tier skips, except in CI, where it fails.
 */
import { strict as assert } from "assert";
import { join } from "path";
import { gcfgString, renderCloudConf } from "../../components/addons/openstack-cloud-provider";
import { goTool, hasGo, runGoTool } from "../support/go-tool";
import { referenceSpec } from "./fixtures";
import { skipTier } from "../support/tiers";

interface ReadBack {
  Global: Record<string, string>;
  LoadBalancer: { enabled: boolean; "lb-provider": string };
  BlockStorage: { "ignore-volume-az": boolean };
}

function readAsTheControllersDo(conf: string): ReadBack {
  const run = runGoTool(goTool(join(__dirname, "gcfg"), "gcfg-check"), conf);
  assert.equal(run.status, 0, `gcfg refused the file:\n${run.stderr}\n${conf}`);
  return JSON.parse(run.stdout) as ReadBack;
}

describe("cloud.conf read back by gcfg, the controllers' own parser (real parser, built from Go modules)", function () {
  this.timeout(300_000);
  before(function () {
    if (!hasGo()) skipTier(this, "go", "go is not on PATH: cloud.conf cannot be read back with gcfg", "ci");
  });

  it("gives the controllers the credential, the region and the Octavia settings the renderer meant", () => {
    const credential = {
      auth_url: "https://keystone.example.org:5000/v3",
      application_credential_id: "4f2c9e",
      application_credential_secret: "s3cr3t-value",
    };
    const read = readAsTheControllersDo(renderCloudConf(referenceSpec(), credential));
    assert.deepEqual(read.Global, {
      "auth-url": credential.auth_url,
      "application-credential-id": credential.application_credential_id,
      "application-credential-secret": credential.application_credential_secret,
      region: "RegionOne",
    });
    assert.deepEqual(read.LoadBalancer, { enabled: true, "lb-provider": "amphora" });
    assert.deepEqual(read.BlockStorage, { "ignore-volume-az": true });
  });

  it("keeps a secret with ; # quotes, backslashes, = and edge blanks intact (unquoted, gcfg cuts it at ; or #)", () => {
    const secret = ' a;b#c"d\\e=f ';
    const read = readAsTheControllersDo(
      renderCloudConf(referenceSpec(), {
        auth_url: "https://keystone.example.org:5000/v3#frag",
        application_credential_id: "id;1",
        application_credential_secret: secret,
      }),
    );
    assert.equal(read.Global["application-credential-secret"], secret);
    assert.equal(read.Global["application-credential-id"], "id;1");
    assert.equal(read.Global["auth-url"], "https://keystone.example.org:5000/v3#frag");
  });

  it("rejects a value with a control character gcfg has no escape for, naming the key", () => {
    assert.throws(
      () => gcfgString("application-credential-secret", "a\rb"),
      /cloud\.conf application-credential-secret: the value holds a control character/,
    );
    assert.equal(gcfgString("k", "a\tb\nc"), '"a\\tb\\nc"');
  });
});
