/**
 * The committed fleet (stacks/) as tests use it: its resolved clusters, and every node's user data as the
 * real cluster program renders it under the plan's mocks (tier: Pulumi mocks), for tests that hold
 * renderers and readers of node files to each other.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { loadFleet } from "../../spec";
import { renderCluster } from "../../plan/render-cluster";
import type { ClusterSpec } from "../../spec/types";

const ROOT = path.join(__dirname, "..", "..");
const INSTANCE = "openstack:compute/instance:Instance";
/** The SDK's marker of a secret value in its wire form. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** User data as the mocks (and the policy pack) receive it: a secret in its wire form. */
function plainUserData(v: unknown): string {
  if (typeof v === "string") return v;
  const value = (v as Record<string, unknown> | null)?.["value"];
  assert.ok(
    typeof v === "object" && v !== null && SECRET_SIG_KEY in v && typeof value === "string",
    "user data",
  );
  return value;
}

/** Every cluster in stacks/, resolved; the fleet must load without an issue. */
export function committedClusters(): readonly ClusterSpec[] {
  const fleet = loadFleet([path.join(ROOT, "stacks")], { cwd: ROOT });
  assert.deepEqual(fleet.issues, []);
  return fleet.clusters;
}

/** Every node's user data in stacks/, by `cluster/node`. */
export async function committedUserData(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const spec of committedClusters()) {
    for (const r of (await renderCluster(spec)).filter((x) => x.type === INSTANCE)) {
      out.set(`${spec.name}/${r.name}`, plainUserData(r.inputs["userData"]));
    }
  }
  return out;
}
