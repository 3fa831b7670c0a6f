/**
 * Tier: Pulumi mocks (the SDK's real `pulumi.dynamic.Resource` and closure serialiser, the plan's
 * recording mocks). What a plan worker skips, and that everything else still gets the provider's code.
 * The real engine's side (ClusterPki created, diffed and updated from its serialised provider) is
 * covered by test/engine/lifecycle.spec.ts and day2.spec.ts.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { UNSERIALISED_PROVIDER, skipDynamicProviderSerialisation } from "../../plan/fast-runtime";
import { runUnderMocks } from "../support/pulumi";

/** A provider object of its own: the SDK caches serialised providers per object for the process's life. */
function freshProvider(answer: string): pulumi.dynamic.ResourceProvider {
  return {
    async create() {
      return { id: answer, outs: { answer } };
    },
  };
}

function providerText(run: Awaited<ReturnType<typeof runUnderMocks>>): unknown {
  return run.resources.find((r) => r.type === "pulumi-nodejs:dynamic:Probe")?.inputs["__provider"];
}

function load(text: string): { handler: () => pulumi.dynamic.ResourceProvider } {
  const mod: { exports: { handler?: () => pulumi.dynamic.ResourceProvider } } = { exports: {} };
  new Function("module", "exports", "require", text)(mod, mod.exports, require);
  return mod.exports as { handler: () => pulumi.dynamic.ResourceProvider };
}

class Probe extends pulumi.dynamic.Resource {
  constructor(name: string, provider: pulumi.dynamic.ResourceProvider) {
    super(provider, name, {}, {}, undefined, "Probe");
  }
}

describe("plan worker runtime: dynamic providers", function () {
  this.timeout(60_000);

  it("registers a dynamic resource in a plan worker without serialising its provider's code", async () => {
    const skip = skipDynamicProviderSerialisation();
    try {
      const run = await runUnderMocks(() => new Probe("p", freshProvider("skipped")));
      assert.equal(providerText(run), UNSERIALISED_PROVIDER);
    } finally {
      skip.restore();
    }
  });

  it("fails loudly if anything ever runs the placeholder as a provider", () => {
    assert.throws(() => load(UNSERIALISED_PROVIDER).handler(), /not serialised offline/);
  });

  it("serialises the provider's real code everywhere else (after restore, and in any other process)", async () => {
    skipDynamicProviderSerialisation().restore();
    const run = await runUnderMocks(() => new Probe("q", freshProvider("real")));
    const text = providerText(run);
    assert.equal(typeof text, "string");
    assert.notEqual(text, UNSERIALISED_PROVIDER);
    const provider = load(text as string).handler();
    assert.deepEqual(await provider.create({}), { id: "real", outs: { answer: "real" } });
  });
});
