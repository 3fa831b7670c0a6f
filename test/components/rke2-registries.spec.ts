/**
 * Tier: pure renderers (registries.yaml, the user data, checked by the real `cloud-init schema` when it
 * is installed) and the whole cluster program under Pulumi mocks (credentials read from the mocked Vault
 * KV, kept secret). No containerd or RKE2 runs here to read the file.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { REGISTRIES_PATH, renderCloudConfig, renderRegistries } from "../../components/rke2/cloud-init";
import { renderCluster } from "../../plan/render-cluster";
import type { ClusterSpec } from "../../spec/types";
import { referenceClusterSpec } from "../support/cluster-specs";
import { isRecordedSecret, recordedValue } from "./rke2-mock-helpers";

const MIRRORS = { "docker.io": ["https://registry.example.org:5000/v2/docker.io"] };
const AUTH = { "registry.example.org:5000": { username: "puller", password: "s3cret" } };

function withCredentials(): ClusterSpec {
  const base = referenceClusterSpec();
  const install = {
    ...base.rke2.install,
    registryMirrors: MIRRORS,
    registryCredentials: { "registry.example.org:5000": "platform/prod/registry" },
  };
  return { ...base, rke2: { ...base.rke2, install } };
}

describe("registries.yaml with credentials", function () {
  this.timeout(120_000);

  it("renders mirrors and, per registry host, the basic-auth credentials RKE2 passes to containerd", () => {
    assert.deepEqual(parse(renderRegistries(MIRRORS, AUTH)), {
      mirrors: { "docker.io": { endpoint: ["https://registry.example.org:5000/v2/docker.io"] } },
      configs: { "registry.example.org:5000": { auth: { username: "puller", password: "s3cret" } } },
    });
    assert.deepEqual(parse(renderRegistries(MIRRORS)), {
      mirrors: { "docker.io": { endpoint: ["https://registry.example.org:5000/v2/docker.io"] } },
    });
  });

  it("rejects empty credentials", () => {
    assert.throws(
      () => renderRegistries(MIRRORS, { "r.example.org": { username: "u", password: "" } }),
      /r\.example\.org: empty username or password/,
    );
  });

  it("writes the file 0600 into the user data, which cloud-init's own validator accepts", () => {
    const spec = withCredentials();
    const userData = renderCloudConfig({
      installType: "agent",
      rke2Version: spec.rke2.version,
      install: spec.rke2.install,
      registryAuth: AUTH,
      rke2Config: "node-name: n\n",
      cisProfile: "",
      files: [],
    });
    const c = parse(userData) as { write_files: { path: string; content: string; permissions: string }[] };
    const f = c.write_files.find((w) => w.path === REGISTRIES_PATH);
    assert.equal(f?.permissions, "0600");
    assert.deepEqual(parse(f?.content ?? ""), parse(renderRegistries(MIRRORS, AUTH)));
    if (spawnSync("cloud-init", ["--version"]).status === 0) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-registries-"));
      try {
        fs.writeFileSync(path.join(dir, "u.yaml"), userData);
        const r = spawnSync("cloud-init", ["schema", "--config-file", path.join(dir, "u.yaml")], {
          encoding: "utf8",
        });
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("rejects rendering a node whose spec names credentials that were not read", () => {
    const spec = withCredentials();
    assert.throws(
      () =>
        renderCloudConfig({
          installType: "agent",
          rke2Version: spec.rke2.version,
          install: spec.rke2.install,
          rke2Config: "",
          cisProfile: "",
          files: [],
        }),
      /no credentials read for registry registry\.example\.org:5000/,
    );
  });

  it("gives every node the credentials read from Vault, as a secret, in the cluster program (mocks)", async () => {
    const resources = await renderCluster(withCredentials());
    const instances = resources.filter((r) => r.type === "openstack:compute/instance:Instance");
    assert.ok(instances.length > 10);
    for (const i of instances) {
      assert.ok(isRecordedSecret(i.inputs["userData"]), `${i.name}: user data is secret`);
      const c = parse(String(recordedValue(i.inputs["userData"]))) as {
        write_files: { path: string; content: string }[];
      };
      const registries = parse(c.write_files.find((w) => w.path === REGISTRIES_PATH)?.content ?? "") as {
        configs: Record<string, { auth: { username: string; password: string } }>;
      };
      // The mocked Vault KV entry's fields (plan/mocks.ts), under the host the spec names.
      assert.deepEqual(registries.configs, {
        "registry.example.org:5000": { auth: { username: "fake-username", password: "fake-password" } },
      });
    }
  });
});
