/**
 * Tier: pure functions against the real google-protobuf 3.21.4 the SDK loads (its `Struct`, `Value` and
 * the SDK's generated `RegisterResourceRequest`), then Pulumi mocks (every committed cluster planned with
 * and without the tuning). What plan/js-struct.ts keeps: google-protobuf's own conversion, value for
 * value and key for key, its refusals, and the message any protobuf reader sees.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { keepStructsAsJavaScript } from "../../plan/js-struct";
import { planCluster } from "../../plan/plan-cluster";
import { renderCluster } from "../../plan/render-cluster";
import { committedClusters } from "../support/committed-fleet";

interface Struct {
  toJavaScript(): Record<string, unknown>;
  serializeBinary(): Uint8Array;
  toObject(): unknown;
  cloneMessage(): Struct;
  clone(): Struct;
}

interface StructModule {
  Struct: { fromJavaScript(obj: unknown): Struct };
}

interface RequestClass {
  new (): { setObject(s: Struct): void; setType(t: string): void; serializeBinary(): Uint8Array };
  deserializeBinary(b: Uint8Array): { getObject(): Struct };
}

function sdkRequire<T>(id: string): T {
  const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(id, { paths: [sdk] })) as T;
}

const { Struct } = sdkRequire<StructModule>("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RegisterResourceRequest } = require("@pulumi/pulumi/proto/resource_pb") as {
  RegisterResourceRequest: RequestClass;
};

/** `f` with the tuning on, restored whatever happens. */
function tuned<T>(f: () => T): T {
  const tuning = keepStructsAsJavaScript();
  try {
    return f();
  } finally {
    tuning.restore();
  }
}

/** What google-protobuf's conversion gives (or the message it throws), and what the tuned one gives. */
function outcomes(value: unknown): { expected: unknown; actual: unknown } {
  const run = (): unknown => {
    try {
      return Struct.fromJavaScript(value).toJavaScript();
    } catch (e) {
      return { threw: e instanceof Error ? `${e.name}: ${e.message}` : `not an Error: ${String(e)}` };
    }
  };
  const expected = run();
  return { expected, actual: tuned(run) };
}

/** Equal values (Object.is for -0 and NaN) with the same keys in the same order, at every depth. */
function assertSameConversion(actual: unknown, expected: unknown, what: string): void {
  assert.deepStrictEqual(actual, expected, what);
  const order = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(order)
      : typeof v === "object" && v !== null
        ? Object.entries(v).map(([k, x]) => [k, order(x)])
        : String(v);
  assert.deepStrictEqual(order(actual), order(expected), `${what}: key order`);
}

const CORPUS: Record<string, unknown> = {
  scalars: { s: "x", n: 1.5, i: 42, t: true, f: false, z: null, e: "" },
  "numbers google-protobuf keeps as they are": {
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    nz: -0,
    big: 2 ** 60,
  },
  "keys in an order of their own": { b: 1, a: 2, "10": 3, "2": 4, B: 5, "": 6, é: 7, "a b": 8, _: 9 },
  nested: { a: { d: [1, { z: 1, y: [null, "q", { k: [] }] }], c: {} }, list: [[], [[1]], {}] },
  "a user data sized string": { userData: "#cloud-config\n" + "write_files:\n  - path: /x\n".repeat(400) },
  "a secret in its wire form": {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    value: "s",
  },
  "an object without a prototype": Object.assign(Object.create(null) as object, { b: 1, a: [2] }),
  "falsy values": { zero: 0, empty: "", no: false, obj: {}, list: [] },
  "a key __proto__ of its own": JSON.parse('{"__proto__": {"a": [1]}, "b": {"__proto__": 2}}') as unknown,
  "a class instance beside plain objects": { d: new Date(0), p: { b: 1, a: { d: 2, c: 3 } } },
};

describe("plan worker runtime: property maps stay JavaScript under mocks (plan/js-struct.ts)", function () {
  this.timeout(300_000);

  it("converts every value the same as google-protobuf: same values, same keys in the same order", () => {
    for (const [what, value] of Object.entries(CORPUS)) {
      const expected = Struct.fromJavaScript(value).toJavaScript();
      const actual = tuned(() => Struct.fromJavaScript(value).toJavaScript());
      assertSameConversion(actual, expected, what);
    }
  });

  it("takes its copy when called, and hands out a new copy on every read", () => {
    const source = { a: { b: [1, 2] }, c: "x" };
    const struct = tuned(() => Struct.fromJavaScript(source));
    source.a.b.push(3);
    source.c = "changed";
    const first = struct.toJavaScript();
    assert.deepEqual(first, { a: { b: [1, 2] }, c: "x" });
    (first["a"] as { b: number[] }).b.push(9);
    const second = struct.toJavaScript();
    assert.notEqual(second, first);
    assert.deepEqual(second, { a: { b: [1, 2] }, c: "x" });
  });

  it("refuses what google-protobuf refuses, with google-protobuf's error", () => {
    const refused = [{ a: undefined }, { a: () => 1 }, { a: [1, , 2] }, { a: Symbol("s") }, { a: { b: 1n } }];
    for (const value of refused) {
      let expected: unknown;
      try {
        Struct.fromJavaScript(value);
      } catch (e) {
        expected = e;
      }
      assert.ok(expected instanceof Error, `google-protobuf refuses ${String(Object.values(value)[0])}`);
      assert.throws(
        () => tuned(() => Struct.fromJavaScript(value)),
        (e: unknown) => e instanceof Error && e.message === expected.message,
      );
    }
  });

  it("gives google-protobuf's outcome for objects it classifies by their own properties", () => {
    // goog.typeOf looks at length, splice and call on objects that are not instances of Object.
    const odd = (props: object): object => Object.assign(Object.create(null) as object, props);
    for (const value of [
      { n: odd({ length: 1, splice: 1, propertyIsEnumerable: 1 }) },
      { n: odd({ call: 1 }) },
      { n: odd({ a: 1 }) },
      { n: [odd({ b: 2 })] },
    ]) {
      const { expected, actual } = outcomes(value);
      assertSameConversion(actual, expected, JSON.stringify(Object.keys(value.n)));
    }
  });

  it("leaves class instances and top-level arrays to google-protobuf, with its result", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    for (const value of [{ d: new Date(0) }, { p: new Point(1) }, [1, "a"], new Point(2)]) {
      const expected = Struct.fromJavaScript(value).toJavaScript();
      assertSameConversion(
        tuned(() => Struct.fromJavaScript(value).toJavaScript()),
        expected,
        String(value),
      );
    }
  });

  it("gives a protobuf reader the same message: the same bytes on the wire, the same toObject", () => {
    for (const [what, value] of Object.entries(CORPUS)) {
      const request = (s: Struct) => {
        const r = new RegisterResourceRequest();
        r.setType("openstack:compute/instance:Instance");
        r.setObject(s);
        return r;
      };
      const expected = request(Struct.fromJavaScript(value)).serializeBinary();
      // Built, set on the request and serialised with the tuning on, as a plan worker would.
      const [bytes, object] = tuned(() => {
        const s = Struct.fromJavaScript(value);
        return [request(s).serializeBinary(), s.toObject()] as const;
      });
      assert.deepEqual(Buffer.from(bytes), Buffer.from(expected), what);
      assert.deepEqual(object, Struct.fromJavaScript(value).toObject(), what);
      const struct = tuned(() => Struct.fromJavaScript(value));
      // Read back from the wire, the values are google-protobuf's own (NaN and -0 do not survive JSON).
      const back = RegisterResourceRequest.deserializeBinary(expected).getObject().toJavaScript();
      assert.deepStrictEqual(struct.toJavaScript(), back, what);
    }
  });

  it("copies a struct (clone, cloneMessage) with its values, before and after its fields were read", () => {
    for (const [what, value] of Object.entries(CORPUS)) {
      const expected = Struct.fromJavaScript(value).toJavaScript();
      tuned(() => {
        const fresh = Struct.fromJavaScript(value);
        assertSameConversion(fresh.cloneMessage().toJavaScript(), expected, `${what}: cloneMessage`);
        assertSameConversion(fresh.clone().toJavaScript(), expected, `${what}: clone`);
        assertSameConversion(fresh.toJavaScript(), expected, `${what}: read after the copies`);
      });
    }
  });

  it("puts google-protobuf's own conversion back on restore, and keeps it back when an older struct is read", () => {
    const before = Struct.fromJavaScript;
    const tuning = keepStructsAsJavaScript();
    assert.notEqual(Struct.fromJavaScript, before);
    const older = Struct.fromJavaScript({ a: { b: 1 } });
    tuning.restore();
    assert.equal(Struct.fromJavaScript, before);
    older.serializeBinary();
    assert.equal(
      Struct.fromJavaScript,
      before,
      "reading an older struct's fields does not install the tuning again",
    );
  });

  it("records every committed cluster's resources, and plans it to the same report, byte for byte, with and without", async () => {
    const clusters = committedClusters();
    assert.ok(clusters.length >= 3, "the committed fleet");
    for (const spec of clusters) {
      // Once first: the SDK serialises a dynamic provider's code once per process (providerCache), and that
      // first, slow serialisation moves the PKI's registration behind others.
      await renderCluster(spec);
      const plainResources = JSON.stringify(await renderCluster(spec));
      const plainReport = JSON.stringify(await planCluster(spec));
      const tuning = keepStructsAsJavaScript();
      let resources: string;
      let report: string;
      try {
        resources = JSON.stringify(await renderCluster(spec));
        report = JSON.stringify(await planCluster(spec));
      } finally {
        tuning.restore();
      }
      assert.ok(!plainReport.includes('"error"'), plainReport.slice(0, 300));
      assert.equal(resources, plainResources, `${spec.name}: recorded resources`);
      assert.equal(report, plainReport, `${spec.name}: report`);
    }
  });
});
