import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ofType, unwrap } from "../support/pulumi";
import type { RecordedResource } from "../../plan/mocks";
import { FAKE_INFRA, planPlatform, type PlatformRun } from "./harness";
import { bareLabSpec, cpuNotebookSpec, gpuNotebookSpec, referenceSpec, withoutVault } from "./fixtures";

const VAULT_READ = "vault:kv/getSecretV2:getSecretV2";
const SECRET_V2 = "vault:kv/secretV2:SecretV2";
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** The signature key Pulumi uses to mark a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isSecretInput(v: unknown): boolean {
  return typeof v === "object" && v !== null && SECRET_SIG in v;
}

function plain(v: unknown): unknown {
  return isSecretInput(v) ? (v as { value: unknown }).value : v;
}

function one(run: PlatformRun, type: string, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `expected one ${type} named ${name}, got ${found.length}`);
  return found[0] as RecordedResource;
}

describe("platform services under mocks", () => {
  let ref: PlatformRun;
  before(async () => {
    ref = await planPlatform(referenceSpec());
  });

  describe("Vault", () => {
    it("reads the credentials at exactly the paths the environment names, from its KV mount", () => {
      const reads = ref.mocks.calls
        .filter((c) => c.token === VAULT_READ)
        .map((c) => `${c.inputs["mount"]}:${c.inputs["name"]}`);
      assert.deepEqual([...new Set(reads)].sort(), [
        "kv:platform/aws/route53",
        "kv:platform/openstack/dev",
        "kv:platform/rancher/api-token",
        "kv:platform/ssh/nodes",
      ]);
    });

    it("reads the JupyterHub client secret at the path addons.jupyterhubAuth names", async () => {
      const run = await planPlatform(gpuNotebookSpec());
      const names = run.mocks.calls.filter((c) => c.token === VAULT_READ).map((c) => c.inputs["name"]);
      assert.ok(names.includes("platform/jupyterhub/ml-notebooks"));
    });

    it("writes kubeconfig, join token and registration only under <clusterPathPrefix>/<cluster>/", () => {
      const writes = ofType(ref.resources, SECRET_V2);
      assert.deepEqual(writes.map((w) => w.inputs["name"]).sort(), [
        "clusters/ecmwf-ai-platform/rancher/registration",
        "clusters/ecmwf-ai-platform/rke2/kubeconfig",
        "clusters/ecmwf-ai-platform/rke2/token",
      ]);
      for (const w of writes) {
        assert.equal(w.inputs["mount"], "kv");
        assert.ok(isSecretInput(w.inputs["dataJson"]), `${w.name} dataJson must be secret`);
      }
      const kubeconfig = JSON.parse(
        plain(one(ref, SECRET_V2, "ecmwf-ai-platform-vault-kubeconfig").inputs["dataJson"]) as string,
      );
      assert.equal(kubeconfig.kubeconfig, FAKE_INFRA.kubeconfig);
      const registration = JSON.parse(
        plain(one(ref, SECRET_V2, "ecmwf-ai-platform-vault-registration").inputs["dataJson"]) as string,
      );
      assert.deepEqual(Object.keys(registration).sort(), [
        "cluster_id",
        "manifest_url",
        "rancher_url",
        "token",
      ]);
    });

    it("keeps the history of production clusters' entries on destroy", async () => {
      const run = await planPlatform({ ...referenceSpec(), production: true });
      for (const w of ofType(run.resources, SECRET_V2)) assert.equal(w.inputs["deleteAllVersions"], false);
    });

    it("keeps a production cluster's Vault paths when its stack is destroyed (retainOnDelete on every entry)", async () => {
      const run = await planPlatform({ ...referenceSpec(), production: true, protect: false });
      const writes = ofType(run.resources, SECRET_V2);
      assert.equal(writes.length, 3);
      for (const w of writes) assert.equal(run.retainOnDelete.get(w.name), true, w.name);
    });

    it("deletes a non-production cluster's Vault paths with its stack (no retainOnDelete)", () => {
      const writes = ofType(ref.resources, SECRET_V2);
      assert.equal(writes.length, 3);
      for (const w of writes) {
        assert.equal(ref.retainOnDelete.has(w.name), false, w.name);
        assert.equal(w.inputs["deleteAllVersions"], true);
      }
    });

    it("exposes kubeconfig, join token and registration token only as secrets", async () => {
      const out = ref.result.outputs;
      assert.equal(await pulumi.isSecret(out.kubeconfig), true);
      assert.equal(await pulumi.isSecret(out.joinToken as pulumi.Output<string>), true);
      assert.equal(await pulumi.isSecret(out.rancherRegistrationToken as pulumi.Output<string>), true);
      assert.equal(await unwrap(out.kubeconfig), FAKE_INFRA.kubeconfig);
    });

    it("configures the providers from Vault with the credentials kept secret and TLS verified", () => {
      const os = one(ref, "pulumi:providers:openstack", "ecmwf-ai-platform-openstack").inputs;
      assert.ok(isSecretInput(os["applicationCredentialSecret"]));
      assert.ok(isSecretInput(os["applicationCredentialId"]));
      assert.equal(plain(os["applicationCredentialSecret"]), "fake-app-cred-secret");
      assert.equal(os["authUrl"], "https://keystone.fake.invalid:5000/v3");
      assert.equal(String(os["insecure"]), "false");
      const aws = one(ref, "pulumi:providers:aws", "ecmwf-ai-platform-route53").inputs;
      assert.ok(isSecretInput(aws["secretKey"]));
      const rancher = one(ref, "pulumi:providers:rancher2", "ecmwf-ai-platform-rancher").inputs;
      assert.ok(isSecretInput(rancher["tokenKey"]));
      assert.equal(String(rancher["insecure"]), "false");
      const vault = one(ref, "pulumi:providers:vault", "ecmwf-ai-platform-vault").inputs;
      assert.equal(vault["address"], "https://vault.example.org:8200");
      assert.equal(vault["token"], undefined);
      assert.ok(
        isSecretInput(
          one(ref, "pulumi:providers:kubernetes", "ecmwf-ai-platform-kubernetes").inputs["kubeconfig"],
        ),
      );
    });

    it("uses clouds.yaml and writes nothing to Vault when Vault is off", async () => {
      const run = await planPlatform(bareLabSpec());
      assert.deepEqual(
        run.mocks.calls.filter((c) => c.token === VAULT_READ),
        [],
      );
      assert.deepEqual(ofType(run.resources, SECRET_V2), []);
      assert.equal(one(run, "pulumi:providers:openstack", "lab-openstack").inputs["cloud"], "dev-cloud");
      assert.equal(await pulumi.isSecret(run.result.outputs.kubeconfig), true);
    });
  });

  describe("DNS", () => {
    it("points api.<cluster>.<zone> at the API floating IP and *.apps.<cluster>.<zone> at the ingress", () => {
      const records = ofType(ref.resources, "aws:route53/record:Record").map((r) => ({
        name: r.inputs["name"],
        type: r.inputs["type"],
        records: r.inputs["records"],
        ttl: r.inputs["ttl"],
      }));
      assert.deepEqual(
        records.sort((a, b) => String(a.name).localeCompare(String(b.name))),
        [
          { name: "*.apps.ecmwf-ai-platform.ai.example.org", type: "A", records: ["203.0.113.20"], ttl: 300 },
          { name: "api.ecmwf-ai-platform.ai.example.org", type: "A", records: ["203.0.113.10"], ttl: 300 },
        ],
      );
      assert.deepEqual(ref.result.outputs.dnsNames, {
        api: "api.ecmwf-ai-platform.ai.example.org",
        appsWildcard: "*.apps.ecmwf-ai-platform.ai.example.org",
      });
    });

    it("takes the zone id from a Route53 zone lookup by name and privacy", async () => {
      const lookups = ref.mocks.calls.filter((c) => c.token === "aws:route53/getZone:getZone");
      assert.deepEqual(
        lookups.map((c) => c.inputs),
        [{ name: "ai.example.org", privateZone: false }],
      );
      const zoneId = await unwrap(ref.result.dns!.zoneId);
      for (const r of ofType(ref.resources, "aws:route53/record:Record"))
        assert.equal(r.inputs["zoneId"], zoneId);
    });

    it("uses the environment's TTL and private zone setting", async () => {
      const spec = referenceSpec();
      const run = await planPlatform({ ...spec, dns: { ...spec.dns, ttlSeconds: 60, privateZone: true } });
      for (const r of ofType(run.resources, "aws:route53/record:Record")) assert.equal(r.inputs["ttl"], 60);
      assert.equal(
        run.mocks.calls.find((c) => c.token === "aws:route53/getZone:getZone")?.inputs["privateZone"],
        true,
      );
    });
  });

  describe("Rancher", () => {
    it("creates an imported cluster object labelled with the cluster's labels", () => {
      const cluster = one(ref, "rancher2:index/cluster:Cluster", "ecmwf-ai-platform-rancher-cluster").inputs;
      assert.equal(cluster["name"], "ecmwf-ai-platform");
      assert.deepEqual(cluster["labels"], {
        ...referenceSpec().labels,
        "xcluster.dev/gpu": "true",
        "xcluster.dev/openstack-cloud-provider": "true",
      });
      assert.equal(cluster["rke2Config"], undefined, "xcluster, not Rancher, manages the RKE2 version");
      // Rancher would otherwise install the system-upgrade-controller and upgrade the nodes itself.
      assert.deepEqual(cluster["annotations"], { "rancher.io/imported-cluster-version-management": "false" });
    });

    it("applies the registration manifest from its https URL through the new cluster's Kubernetes provider", () => {
      const group = one(ref, "kubernetes:yaml/v2:ConfigGroup", "ecmwf-ai-platform-rancher-manifest").inputs;
      assert.ok(isSecretInput(group["files"]), "the URL embeds the registration token");
      const files = plain(group["files"]) as string[];
      assert.equal(files.length, 1);
      assert.match(files[0] as string, /^https:\/\/.*\/v3\/import\/.*\.yaml$/);
      assert.deepEqual(ref.dependsOn.get("ecmwf-ai-platform-rancher-manifest"), [
        "ecmwf-ai-platform-rancher-cluster",
        "ecmwf-ai-platform-rancher-cattle-system",
      ]);
    });

    it("registers only after the cluster's readiness gate, and installs no add-on before it", async () => {
      const spec = gpuNotebookSpec();
      const gated = await planPlatform(spec, FAKE_INFRA, true);
      const gate = `${spec.name}-api-ready`;
      const waits = (name: string) => (gated.dependsOn.get(name) ?? []).includes(gate);
      assert.ok(waits(`${spec.name}-rancher-cluster`), "the Rancher cluster object");
      assert.ok(waits(`${spec.name}-rancher-cattle-system`), "cattle-system");
      for (const name of gated.result.outputs.addons) {
        // kube-system is not created by xcluster: the cloud provider's Secrets wait for the gate instead.
        const first = name.startsWith("openstack-")
          ? `${spec.name}-addons-${name}-${name === "openstack-cinder-csi" ? "cinder-csi-" : ""}cloud-config`
          : `${spec.name}-addons-${name}-namespace`;
        assert.ok(waits(first), `${name}: ${first}`);
      }
      // Children of the other cluster-facing components wait too, not only the components themselves.
      // The Vault auth mount and credential roles are Vault's side only and never talk to the cluster.
      const children = gated.resources
        .map((r) => r.name)
        .filter(
          (n) =>
            (n.startsWith(`${spec.name}-upgrades-`) || n.startsWith(`${spec.name}-vault-`)) &&
            !n.startsWith(`${spec.name}-vault-auth`),
        );
      assert.ok(children.length > 0, "upgrade plans and Vault writes exist");
      for (const child of children) assert.ok(waits(child), child);
    });

    it("never uses the insecure registration command, curl -k or a shell", () => {
      const everything = JSON.stringify(ref.resources.map((r) => r.inputs));
      assert.doesNotMatch(everything, /insecureCommand|--insecure|curl\s+(-\w*k|--insecure)|kubectl apply/);
      assert.deepEqual(
        ref.resources.filter((r) => /^command:|batch\/v1:Job/.test(r.type)).map((r) => r.type),
        [],
      );
    });
  });

  describe("add-ons", () => {
    it("installs the selected add-ons as Helm releases with exact pinned versions", () => {
      const releases = ofType(ref.resources, RELEASE);
      assert.deepEqual(releases.map((r) => r.inputs["chart"]).sort(), [
        "cert-manager",
        "external-dns",
        "gpu-operator",
        "openstack-cinder-csi",
        "openstack-cloud-controller-manager",
        "vault-secrets-operator",
      ]);
      for (const r of releases) {
        assert.match(String(r.inputs["version"]), /^v?\d+\.\d+\.\d+$/);
        assert.match(String((r.inputs["repositoryOpts"] as { repo: string }).repo), /^https:\/\//);
      }
      assert.deepEqual(ref.result.outputs.addons, [
        "openstack-cloud-controller-manager",
        "openstack-cinder-csi",
        "cert-manager",
        "vault-secrets-operator",
        "external-dns",
        "gpu-operator",
      ]);
    });

    it("installs cert-manager and its issuer before JupyterHub", async () => {
      const run = await planPlatform(gpuNotebookSpec());
      const deps = run.dependsOn.get("ml-notebooks-addons-jupyterhub") ?? [];
      assert.ok(deps.includes("ml-notebooks-addons-cert-manager"));
      assert.ok(deps.includes("ml-notebooks-addons-cert-manager-issuer"));
      assert.ok(deps.includes("ml-notebooks-addons-jupyterhub-jupyterhub-auth"));
      assert.deepEqual(run.dependsOn.get("ml-notebooks-addons-cert-manager-issuer"), [
        "ml-notebooks-addons-cert-manager",
      ]);
    });

    it("fills add-on Secrets from Vault as secrets and keeps the values out of Helm values", async () => {
      const run = await planPlatform(gpuNotebookSpec());
      const secret = one(
        run,
        "kubernetes:core/v1:Secret",
        "ml-notebooks-addons-jupyterhub-jupyterhub-auth",
      ).inputs;
      assert.ok(isSecretInput(secret["stringData"]));
      assert.deepEqual(plain(secret["stringData"]), {
        client_id: "fake-client-id",
        client_secret: "fake-client-secret",
      });
      const releaseInputs = JSON.stringify(ofType(run.resources, RELEASE).map((r) => r.inputs));
      for (const leaked of [
        "fake-client-secret",
        "fake-secret-access-key",
        "FAKEACCESSKEY",
        "fake-client-id",
      ]) {
        assert.ok(!releaseInputs.includes(leaked), `${leaked} leaked into Helm values`);
      }
    });

    it("gives the GPU notebook cluster a JupyterHub with a real authenticator and a GPU profile", async () => {
      const run = await planPlatform(gpuNotebookSpec());
      const values = one(run, RELEASE, "ml-notebooks-addons-jupyterhub").inputs["values"] as Json;
      assert.equal(values["hub"]["config"]["JupyterHub"]["authenticator_class"], "generic-oauth");
      assert.deepEqual(
        (values["singleuser"]["profileList"] as { slug: string }[]).map((p) => p.slug),
        ["cpu", "gpu"],
      );
    });

    it("installs no GPU operator on a CPU-only cluster that lists it", async () => {
      const run = await planPlatform(cpuNotebookSpec());
      assert.deepEqual(
        ofType(run.resources, RELEASE).map((r) => r.inputs["chart"]),
        ["openstack-cloud-controller-manager", "openstack-cinder-csi", "cert-manager", "jupyterhub"],
      );
    });

    it("rejects add-ons that need Vault secrets when Vault is off, naming the field", async () => {
      const spec = withoutVault(gpuNotebookSpec());
      await assert.rejects(
        planPlatform(spec),
        /add-on jupyterhub: addons\.jupyterhubAuth\.credentialPath: .*vault\.enabled/,
      );
    });
  });
});
