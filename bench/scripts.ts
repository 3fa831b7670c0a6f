/**
 * The programs the per-resource benchmarks time, as CommonJS sources for a fresh `node -e` process on
 * dist/: the cluster program under the plan's mocks, and the floor (a bare program under the same mocks).
 *
 * Each script runs its program once to warm up (module loading, JIT), then `runs` more times in the same
 * process, as a plan worker plans cluster after cluster, and prints one JSON line: the resources one run
 * registers, the median run time (wall, and CPU of the whole process: GC threads included) and the peak
 * RSS. With `BENCH_TUNED=1` it applies the plan workers' tuning first (`plan/fast-runtime.ts`); with
 * `BENCH_PROFILE=<file>` it CPU-profiles the timed runs only (V8's profiler through `node:inspector`, the
 * same profile `node --cpu-prof` writes).
 */
import * as path from "path";
import { DIST } from "./common";

const d = (p: string) => JSON.stringify(path.join(DIST, p));

const PRELUDE = `
if (process.env.BENCH_TUNED === "1") require(${d("plan/fast-runtime.js")}).tuneWorkerRuntime();
const inspector = require("inspector");
const fs = require("fs");
function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
}
async function timed(runs, once) {
  const resources = await once();
  let session;
  if (process.env.BENCH_PROFILE) {
    session = new inspector.Session();
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: 500 });
    await post(session, "Profiler.start");
  }
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const n = await once();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (n !== resources) throw new Error("runs registered " + resources + " then " + n + " resources");
  }
  if (session) {
    const { profile } = await post(session, "Profiler.stop");
    fs.writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  // Peak resident memory of the whole process (the kernel's high-water mark, warm-up run included): what
  // a plan worker needs. The RSS at the end would depend on whether V8 had just collected.
  const rssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ resources, ms: median(times), cpuMs: median(cpu), rssMB, runsMs: times.map(Math.round) }));
}
`;

/** The first cluster of the fleet in `dir`, planned as a plan worker renders it (no policies). */
export function xclusterScript(dir: string, runs = 1): string {
  return `${PRELUDE}
// Loaded up front, as a plan worker does before it says it is ready.
require(${d("programs/program.js")});
const { loadFleet } = require(${d("spec")});
const { renderCluster } = require(${d("plan/render-cluster.js")});
const fleet = loadFleet([${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)} });
if (fleet.issues.length > 0) throw new Error(JSON.stringify(fleet.issues));
const spec = fleet.clusters[0];
timed(${runs}, async () => (await renderCluster(spec)).length).catch((e) => {
  console.error(e);
  process.exit(1);
});
`;
}

/**
 * The floor: `resources` resources as Port + Instance pairs (each instance on its port), nothing else,
 * under the plan's recording mocks, counted the same way (the stack resource excluded).
 */
export function floorScript(resources: number, runs = 1): string {
  const pairs = Math.max(1, Math.round(resources / 2));
  return `${PRELUDE}
const pulumi = require("@pulumi/pulumi");
const openstack = require("@pulumi/openstack");
const { RecordingMocks, waitForRegistrations } = require(${d("plan/mocks.js")});
async function run() {
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, "floor", "floor", false);
  await pulumi.runtime.runInPulumiStack(async () => {
    for (let i = 0; i < ${pairs}; i++) {
      const port = new openstack.networking.Port("port-" + i, {
        networkId: "net",
        fixedIps: [{ subnetId: "subnet", ipAddress: "10.0." + (i >> 8) + "." + (i & 255) }],
      });
      new openstack.compute.Instance("node-" + i, {
        flavorName: "m1.large",
        imageId: "image",
        networks: [{ port: port.id }],
      });
    }
    return {};
  });
  await waitForRegistrations();
  return mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
}
timed(${runs}, run).catch((e) => {
  console.error(e);
  process.exit(1);
});
`;
}

/**
 * A diagnostic, not a target: the resources the cluster program in `dir` registers, registered again
 * with no program around them. The program runs once first (as in `xclusterScript`, recording what it
 * registers); each timed run then registers every recorded resource with the recorded inputs, under the
 * same mocks:
 * - a custom resource, or an SDK's remote component (`kubernetes:yaml/v2:ConfigGroup`), through the SDK
 *   class whose `__pulumiType` is its type (`@pulumi/openstack`'s `networking.Port` for
 *   `openstack:networking/port:Port`, and so on); a Kubernetes CRD kind through
 *   `apiextensions.CustomResource`, as the program does; a dynamic resource as a `pulumi.dynamic.Resource`.
 *   A type with none of these fails the script: nothing is replayed as something else;
 * - xcluster's own components as bare `ComponentResource`s (they have no inputs).
 * Inputs are the values the mocks recorded: plain values where the program passed Outputs, secrets still
 * marked secret. Provider resources, parents, provider references and resource options are left out, and
 * so is the plan's own machinery around the program (`recordParents`' stack transformation, the callback
 * server that `transforms` start).
 *
 * What it separates: the SDK's cost of registering these resources with these inputs (declared
 * properties, serialisation, the mocks) from everything else a plan of the cluster does: the Outputs
 * passed from resource to resource and the dependencies they carry, applies, rendering user data, and
 * what is left out above. Each run is checked to register as many resources as it replays (all but the
 * providers); its peak RSS includes the recording run.
 */
export function replayScript(dir: string, runs = 1): string {
  return `${PRELUDE}
require(${d("programs/program.js")});
const pulumi = require("@pulumi/pulumi");
const { loadFleet } = require(${d("spec")});
const { renderCluster } = require(${d("plan/render-cluster.js")});
const { RecordingMocks, waitForRegistrations } = require(${d("plan/mocks.js")});
const fleet = loadFleet([${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)} });
if (fleet.issues.length > 0) throw new Error(JSON.stringify(fleet.issues));
// The provider SDKs the cluster program uses (package.json).
const packages = {};
for (const p of ["openstack", "kubernetes", "aws", "vault", "rancher2"]) packages[p] = require("@pulumi/" + p);
/**
 * The SDK class of a type token ("pkg:module/path:Name"): the class whose own \`__pulumiType\` is the token,
 * looked up along the module path (Kubernetes: \`core/v1\`) and at each module on the way (bridged
 * providers: \`networking/port\` is module \`networking\`; \`index/…\` is the package itself).
 */
function sdkClass(token) {
  const [pkg, mod, name] = token.split(":");
  const root = packages[pkg];
  if (root === undefined || mod === undefined || name === undefined) return undefined;
  const modules = [root];
  let m = root;
  for (const segment of mod.split("/")) {
    const want = (segment === "helm.sh" ? "helm" : segment).toLowerCase();
    const key = Object.keys(m).find((k) => k.toLowerCase() === want && typeof m[k] === "object" && m[k] !== null);
    if (key === undefined) break;
    m = m[key];
    modules.push(m);
  }
  for (const candidate of modules.reverse()) {
    const C = candidate[name];
    if (typeof C === "function" && C.__pulumiType === token) return C;
  }
  return undefined;
}
const noop = { async create() { return { id: "replayed" }; } };
class Dynamic extends pulumi.dynamic.Resource {
  constructor(name, inputs, module, type) { super(noop, name, inputs, {}, module, type); }
}
(async () => {
  const recorded = await renderCluster(fleet.clusters[0]);
  // xcluster's own components have no inputs to replay; an SDK's (a remote component such as
  // kubernetes:yaml/v2:ConfigGroup) goes through its class with its inputs, as custom resources do.
  const components = recorded.filter((r) => !r.custom);
  const customs = recorded.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const make = [...components, ...customs].map((r) => {
    const dynamic = /^pulumi-nodejs:dynamic\\/([^:]+):(.+)$/.exec(r.type);
    if (dynamic) {
      const { __provider, ...inputs } = r.inputs;
      // A fresh object each run: the SDK adds \`__provider\` to the one it is given.
      return () => new Dynamic(r.name, { ...inputs }, dynamic[1], dynamic[2]);
    }
    const C = sdkClass(r.type);
    if (C) return () => new C(r.name, { ...r.inputs });
    if (!r.custom) return () => new pulumi.ComponentResource(r.type, r.name);
    // A Kubernetes custom resource (a CRD's kind) goes through the SDK's class for those, as the program's does.
    const kubernetes = packages.kubernetes;
    if (r.type.startsWith("kubernetes:") && kubernetes) {
      return () => new kubernetes.apiextensions.CustomResource(r.name, { ...r.inputs });
    }
    throw new Error("replay: no SDK class for " + r.type);
  });
  async function run() {
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, "replay", "replay", false);
    await pulumi.runtime.runInPulumiStack(async () => {
      for (const m of make) m();
      return {};
    });
    await waitForRegistrations();
    const n = mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
    if (n !== make.length) throw new Error("replay registered " + n + " resources, not " + make.length);
    return n;
  }
  await timed(${runs}, run);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
`;
}
