/** Writes throwaway environments and cluster specs to a temporary directory for loader tests. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { loadFleet, formatIssue, type FleetLoad } from "../../spec";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * A copy of the example fleet (`stacks/` when this was written) for tests that assert its exact contents:
 * adding a cluster to `stacks/`, the product's main workflow, must break no test.
 */
export const EXAMPLE_FLEET = path.join(__dirname, "example-fleet");

/** The reference XCluster document, verbatim from the design brief. */
export const REFERENCE_XCLUSTER = `apiVersion: crossplane.ecmwf.int/v1alpha1
kind: XCluster
metadata:
  name: ecmwf-ai-platform
spec:
  parameters:
    numberOfMasters: 3
    numberOfWorkers: 6
    numberOfGpuWorkers: 2
    rke2Version: v1.33.3+rke2r1
    subnetCidr: 10.0.50.0/24
    floatingIpPool: external-internet
  addons:
    - cert-manager
    - external-dns
    - vault-secrets-operator
    - gpu-operator
`;

export function baseEnvironment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "xcluster.dev/v1alpha1",
    kind: "XEnvironment",
    metadata: { name: "prod" },
    spec: {
      production: true,
      openstack: {
        cloud: "c",
        region: "RegionOne",
        externalNetwork: "ext",
        octaviaAvailable: true,
        gpuFlavors: ["g1.*"],
      },
      flavors: { server: "m1.large", agent: "m1.large", gpu: "g1.large" },
      images: {
        server: "11111111-2222-3333-4444-555555555555",
        agent: "11111111-2222-3333-4444-555555555555",
      },
      adminCidrs: ["192.168.1.0/24"],
      ...overrides,
    },
  };
}

export function baseCluster(
  parameters: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "crossplane.ecmwf.int/v1alpha1",
    kind: "XCluster",
    metadata: { name: "c1" },
    spec: {
      parameters: {
        numberOfMasters: 3,
        numberOfWorkers: 2,
        numberOfGpuWorkers: 0,
        rke2Version: "v1.33.3+rke2r1",
        subnetCidr: "10.0.50.0/24",
        floatingIpPool: "ext",
        ...parameters,
      },
      ...rest,
    },
  };
}

/** Fleets written by this process, removed when it exits (tests read them after the call returns). */
const written = new Set<string>();
process.once("exit", () => {
  for (const dir of written) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (name → YAML text or object) into a fresh directory and returns its path. */
export function writeFleet(files: Record<string, string | Record<string, unknown>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-spec-"));
  written.add(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "string" ? content : stringify(content));
  }
  return dir;
}

/** Loads a one-environment fleet and returns its formatted issues (file names relative to the fleet dir). */
export function loadFiles(
  files: Record<string, string | Record<string, unknown>>,
): FleetLoad & { messages: string[] } {
  const dir = writeFleet(files);
  const fleet = loadFleet([dir], { cwd: dir });
  return { ...fleet, messages: fleet.issues.map(formatIssue) };
}

/**
 * A valid cluster spec of over 1 MB: 24,000 cert-manager values. The loader test checks it is accepted;
 * bench/spec-size.ts measures how long that takes (timings are benchmarks, never test assertions).
 */
export function largeClusterSpec(): Record<string, unknown> {
  const values: Record<string, string> = {};
  for (let i = 0; i < 24_000; i++) values[`key${i}`] = `value-${i}-${"v".repeat(20)}`;
  return baseCluster({}, { addons: ["cert-manager"], addonValues: { "cert-manager": values } });
}
