/**
 * Plan workers only: property maps stay JavaScript values on their way through the mock monitor, instead
 * of being built into protobuf messages and read back out of them.
 *
 * Why: under mocks, a registration's inputs cross the "wire" four times without a wire
 * (`@pulumi/pulumi` 3.248.0): `runtime/resource.js` builds `Struct.fromJavaScript(props)` for the request,
 * `runtime/mocks.js` reads it back (`deserializeProperties` → `toJavaScript`), builds the state into
 * another `Struct`, and `resource.js` reads that one back. google-protobuf 3.21.4
 * (`google/protobuf/struct_pb.js`) makes a message per value for that (a `Value`, and a `Struct` or
 * `ListValue` with a `jspb.Map` per object or list), each with its backing arrays: for a node, every line
 * of its user data goes through it twice. Measured (BENCHMARKS.md (d)): 13 % of a 500-node cluster's plan.
 *
 * What is kept, exactly (the tests hold this to google-protobuf's own conversion):
 * - `Struct.fromJavaScript(obj)` takes a copy of `obj` at the time of the call (a later change of `obj`
 *   is not seen, as with the message), and throws for what the message refuses;
 * - `toJavaScript()` hands back a new copy each time, with every object's keys in the order the message
 *   gives them: `jspb.Map` sorts its keys (`Array.prototype.sort` on the key strings);
 * - anything that reads the message as protobuf (`getFieldsMap`, and through it `serializeBinary`,
 *   `toObject`) gets the fields built from the copy, once, on its first read.
 * Values other than strings, finite or not numbers, booleans, null, arrays without holes and objects whose
 * prototype is `Object.prototype` go to google-protobuf's own conversion, whole (nested objects included).
 *
 * Not for a process that talks to an engine: a message holding one of these (a request) and copied
 * through its backing arrays (the request's `cloneMessage`) would copy an empty map until something read
 * the fields (copying the struct itself is covered). Nothing under mocks copies or sends these messages
 * (`runtime/` calls none of `clone`, `cloneMessage`, `copyInto`, `toArray`); `tuneWorkerRuntime` runs
 * only in plan workers (plan/fast-runtime.ts).
 */
import * as path from "path";
import type { RuntimeTuning } from "./fast-runtime";

interface JsMap {
  set(key: string, value: unknown): unknown;
}

interface StructInstance {
  toJavaScript(): Record<string, unknown>;
  getFieldsMap(): JsMap;
  cloneMessage(): StructInstance;
  clone(): StructInstance;
}

interface StructClass {
  new (data?: unknown[]): StructInstance;
  prototype: StructInstance;
  fromJavaScript(obj: Record<string, unknown>): StructInstance;
}

interface StructModule {
  Struct: StructClass;
  Value: { fromJavaScript(value: unknown): unknown };
}

/** The SDK's own google-protobuf (the one its runtime and its generated messages use). */
function sdkStructModule(): StructModule | undefined {
  try {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const file = require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as StructModule;
  } catch {
    return undefined;
  }
}

/** Thrown inside `copy` for a value the fast path leaves to google-protobuf. */
const NOT_PLAIN = Symbol("not plain");

/**
 * A copy with sorted keys, as `Struct.toJavaScript` builds it; throws NOT_PLAIN for anything else. Only
 * objects whose prototype is `Object.prototype` pass: google-protobuf tells nested objects apart with
 * `goog.typeOf`, which looks at `length` and `splice` on objects without one. A key `__proto__` is left
 * to google-protobuf too (its `jspb.Map` keeps only own keys; an assignment here would set a prototype).
 */
function copy(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return v;
    case "object": {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) throw NOT_PLAIN;
          out[i] = copy(v[i]);
        }
        return out;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) throw NOT_PLAIN;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) {
        if (k === "__proto__") throw NOT_PLAIN;
        out[k] = copy(o[k]);
      }
      return out;
    }
    default:
      throw NOT_PLAIN;
  }
}

/**
 * Replaces google-protobuf's `Struct.fromJavaScript` (as the SDK loads it) until `restore()`. Does
 * nothing if the module or the function is not where 3.21.4 has it (test/plan/js-struct.spec.ts fails
 * first).
 */
export function keepStructsAsJavaScript(): RuntimeTuning {
  const mod = sdkStructModule();
  const Struct = mod?.Struct;
  if (mod === undefined || Struct === undefined || typeof Struct.fromJavaScript !== "function") {
    return { restore: () => undefined };
  }
  const original = Struct.fromJavaScript;
  const Value = mod.Value;
  /**
   * Runs google-protobuf's own conversion, nested objects included (`Value.fromJavaScript` calls
   * `Struct.fromJavaScript` for them), and puts back whatever was installed (after `restore()`, nothing).
   */
  const protobuf = <T>(f: () => T): T => {
    const installed = Struct.fromJavaScript;
    Struct.fromJavaScript = original;
    try {
      return f();
    } finally {
      Struct.fromJavaScript = installed;
    }
  };

  class JsStruct extends Struct {
    /** The copy taken at `fromJavaScript`; undefined once the protobuf fields hold it. */
    private js: Record<string, unknown> | undefined;

    /** google-protobuf's own copies (`clone`, `cloneMessage`) construct with the data array: a plain Struct. */
    constructor(data?: unknown[]) {
      super(data);
    }

    static of(js: Record<string, unknown>): JsStruct {
      const s = new JsStruct();
      s.js = js;
      return s;
    }

    override toJavaScript(): Record<string, unknown> {
      return this.js === undefined ? super.toJavaScript() : (copy(this.js) as Record<string, unknown>);
    }

    override getFieldsMap(): JsMap {
      const map = super.getFieldsMap();
      const js = this.js;
      if (js !== undefined) {
        this.js = undefined;
        protobuf(() => {
          for (const k of Object.keys(js)) map.set(k, Value.fromJavaScript(js[k]));
        });
      }
      return map;
    }

    /** Copies read the backing arrays, which hold the fields only once built. */
    override cloneMessage(): StructInstance {
      this.getFieldsMap();
      return super.cloneMessage();
    }

    override clone(): StructInstance {
      this.getFieldsMap();
      return super.clone();
    }
  }

  Struct.fromJavaScript = function fromJavaScript(obj: Record<string, unknown>): StructInstance {
    let js: unknown;
    try {
      js = copy(obj);
    } catch (e) {
      if (e === NOT_PLAIN) return protobuf(() => original.call(Struct, obj));
      throw e;
    }
    // A top-level array is an object to google-protobuf (its indices become the keys): leave it to it.
    if (Array.isArray(js) || js === null || typeof js !== "object") {
      return protobuf(() => original.call(Struct, obj));
    }
    return JsStruct.of(js as Record<string, unknown>);
  };
  return { restore: () => void (Struct.fromJavaScript = original) };
}
