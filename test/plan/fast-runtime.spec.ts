/**
 * Tier: Pulumi mocks (the SDK's real `pulumi.dynamic.Resource` and closure serialiser, its real runtime
 * modules, the plan's recording mocks). What a plan worker skips, that a plan comes out the same without
 * it, and that everything else still gets the provider's code.
 * The real engine's side (ClusterPki created, diffed and updated from its serialised provider) is
 * covered by test/engine/lifecycle.spec.ts and day2.spec.ts.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  UNSERIALISED_PROVIDER,
  skipDynamicProviderSerialisation,
  skipPromiseLeakBookkeeping,
  skipResponseDebugText,
  skipSourcePositions,
  tuneWorkerRuntime,
} from "../../plan/fast-runtime";
import { planCluster } from "../../plan/plan-cluster";
import { runUnderMocks } from "../support/pulumi";
import { octaviaClusterSpec, referenceClusterSpec } from "../support/cluster-specs";

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

describe("plan worker runtime: the SDK's bookkeeping", function () {
  this.timeout(120_000);

  it("plans a cluster to the same report, byte for byte, with and without the worker's tuning", async () => {
    for (const spec of [referenceClusterSpec(), octaviaClusterSpec()]) {
      // Untuned first, on purpose: the SDK caches a dynamic provider's serialised code per provider object
      // for the life of the process (@pulumi/pulumi 3.248.0 dynamic/index.js, providerCache), and tests
      // that run the real engine later in this process must find the real code there, not the placeholder.
      const plain = JSON.stringify(await planCluster(spec));
      const tuning = tuneWorkerRuntime();
      let tuned: string;
      try {
        tuned = JSON.stringify(await planCluster(spec));
      } finally {
        tuning.restore();
      }
      assert.ok(!plain.includes('"error"'), plain.slice(0, 300));
      assert.equal(tuned, plain, spec.name);
    }
  });

  it("still reports a program's error by its message under the tuning", async () => {
    const tuning = tuneWorkerRuntime();
    try {
      const report = await planCluster(referenceClusterSpec(), {
        program: () => {
          const out = pulumi.output("x").apply(() => {
            throw new Error("the renderer refused this node");
          });
          return { out };
        },
      });
      assert.match(report.error ?? "", /the renderer refused this node/);
    } finally {
      tuning.restore();
    }
  });

  it("reports a failure the SDK carries through its wrapped promises (an invoke) the same with and without the tuning", async () => {
    // runtime/invoke.js wraps the invoke's promise in debuggablePromise: the path the tuning changes.
    const run = () =>
      planCluster(referenceClusterSpec(), {
        program: () => {
          const answer = pulumi.output(pulumi.runtime.invoke("xcluster:test:unanswered", {}));
          return { answer };
        },
      });
    const plain = await run();
    const tuning = tuneWorkerRuntime();
    let tuned;
    try {
      tuned = await run();
    } finally {
      tuning.restore();
    }
    assert.match(plain.error ?? "", /no offline answer for invoke 'xcluster:test:unanswered'/);
    assert.equal(tuned.error, plain.error);
  });

  it("hands back the SDK's own promise undecorated while tuned, and decorates it again after restore", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
      debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
    };
    const p = Promise.resolve(1);
    const skip = skipPromiseLeakBookkeeping();
    try {
      assert.equal(debuggable.debuggablePromise(p, "probe"), p);
    } finally {
      skip.restore();
    }
    assert.notEqual(debuggable.debuggablePromise(p, "probe"), p);
  });

  it("records no source position for a resource while tuned, and the caller's position after restore", () => {
    const resource = pulumi.Resource as unknown as { stackTrace(skip: number): unknown[] };
    const skip = skipSourcePositions();
    try {
      assert.deepEqual(resource.stackTrace(0), []);
    } finally {
      skip.restore();
    }
    assert.ok(resource.stackTrace(0).length > 0, "the SDK's own stack trace is back");
  });

  it("turns no registration response into text while tuned, and the whole message again after restore", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proto = require("@pulumi/pulumi/proto/resource_pb") as {
      RegisterResourceResponse: new () => { setUrn(u: string): void; toString(): string };
    };
    const response = new proto.RegisterResourceResponse();
    response.setUrn("urn:pulumi:s::p::t::n");
    const skip = skipResponseDebugText();
    try {
      assert.equal(`${response}`, "RegisterResourceResponse");
    } finally {
      skip.restore();
    }
    assert.ok(`${response}`.includes("urn:pulumi:s::p::t::n"), "the message's own text is back");
    assert.equal(
      Object.prototype.hasOwnProperty.call(proto.RegisterResourceResponse.prototype, "toString"),
      false,
      "the message type inherits toString again",
    );
  });
});
