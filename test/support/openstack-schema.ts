/**
 * The real OpenStack provider's schema (`pulumi-resource-openstack` 3.15.2, the plugin `@pulumi/openstack`
 * 3.15.2 asks for), and what it implies for a cluster's first preview: which properties the provider
 * computes (unknown until the resource exists), and how the provider hands a preview's state back to the
 * engine (which is what stack policies read).
 *
 * The schema is read from, in order: `.pulumi-tools/openstack-3.15.2/schema.json` (`pulumi package
 * get-schema` of the built plugin, written by `npm run setup:pulumi`), then the unmodified upstream source
 * `../shared/upstream/pulumi-openstack-v3.15.2/provider/cmd/pulumi-resource-openstack/schema.json` beside
 * the repository (or beside a parent of it: helpers' worktrees sit one level deeper). Without either,
 * tests that need it skip saying why, and fail when `XCLUSTER_REAL_ENGINE=required`.
 */
import * as fs from "fs";
import * as path from "path";
import { skipTier } from "./tiers";

/** The repository root (not imported from spec-files: the stand-in plugin loads this file, lightly). */
const REPO_ROOT = path.resolve(__dirname, "..", "..");

export const OPENSTACK_PLUGIN_VERSION = "3.15.2";
const UPSTREAM_SCHEMA = path.join(
  "shared",
  "upstream",
  `pulumi-openstack-v${OPENSTACK_PLUGIN_VERSION}`,
  "provider",
  "cmd",
  "pulumi-resource-openstack",
  "schema.json",
);

/** Where the schema may be, in the order it is looked for. */
export function schemaCandidates(root: string = REPO_ROOT): string[] {
  const candidates = [
    path.join(root, ".pulumi-tools", `openstack-${OPENSTACK_PLUGIN_VERSION}`, "schema.json"),
  ];
  // `../shared/upstream/...` from the repository root; from a worktree under the repository's parent,
  // the same folder one or two levels further up.
  for (let dir = path.dirname(root), i = 0; i < 3; dir = path.dirname(dir), i++) {
    candidates.push(path.join(dir, UPSTREAM_SCHEMA));
  }
  return candidates;
}

interface PropertySpec {
  readonly type?: string;
  readonly $ref?: string;
  readonly items?: PropertySpec;
  readonly additionalProperties?: PropertySpec;
}

export interface ResourceSpec {
  /** Every property of the resource's state: inputs and provider outputs. */
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** What a program may set. */
  readonly inputProperties: Readonly<Record<string, PropertySpec>>;
}

export interface OpenStackSchema {
  /** The file it was read from. */
  readonly source: string;
  readonly version: string | undefined;
  readonly resources: Readonly<Record<string, ResourceSpec>>;
}

let cached: { schema: OpenStackSchema } | { missing: string } | undefined;

/** The schema, or why there is none (read once per process). */
export function loadOpenStackSchema(): { schema: OpenStackSchema } | { missing: string } {
  if (cached) return cached;
  const candidates = schemaCandidates();
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) {
    cached = {
      missing: `no schema of pulumi-resource-openstack ${OPENSTACK_PLUGIN_VERSION} at ${candidates.join(" or ")}`,
    };
    return cached;
  }
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as {
    version?: string;
    resources?: Record<string, ResourceSpec>;
  };
  if (raw.resources === undefined) throw new Error(`${file}: not a Pulumi package schema (no resources)`);
  cached = { schema: { source: file, version: raw.version, resources: raw.resources } };
  return cached;
}

/**
 * The schema for a test. Call from a `before` hook: without a schema it skips the suite saying why, or
 * throws when `XCLUSTER_REAL_ENGINE=required` (CI).
 */
export function openStackSchema(ctx: Mocha.Context): OpenStackSchema {
  const found = loadOpenStackSchema();
  if ("schema" in found) return found.schema;
  skipTier(ctx, "openstack-plugin", found.missing, "real-engine-required");
}

/** The resource's schema; an OpenStack type the pinned provider does not have is a mistake. */
export function resourceSpec(schema: OpenStackSchema, type: string): ResourceSpec {
  const spec = schema.resources[type];
  if (spec === undefined) throw new Error(`${schema.source} has no resource ${type}`);
  return spec;
}

/**
 * Properties the provider computes for this resource on its creation: its outputs that are not inputs the
 * program set. They are unknown on a first preview, and so is everything a program derives from them
 * (the resource's ID included, which is not a schema property).
 */
export function computedOutputs(spec: ResourceSpec, setInputs: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(spec.properties)
    .filter((p) => !(p in setInputs) || setInputs[p] === undefined)
    .sort();
}

/**
 * Properties that Terraform holds as sets (`schema.TypeSet`) in terraform-provider-openstack v1.54.1, which
 * the provider wraps; the Pulumi schema calls them arrays. They matter for previews: the bridge reads a set
 * that contains an unknown element as wholly unknown (terraform-diff-reader v0.0.2,
 * sdk-v2/field_reader_diff.go:446-451 "If any element of the set is computed, we must treat the whole set
 * as computed"), where a list keeps its known elements.
 */
export const TERRAFORM_SETS: Readonly<Record<string, readonly string[]>> = {
  // openstack/resource_openstack_compute_instance_v2.go:111,296,319,372,413,418,423
  "openstack:compute/instance:Instance": [
    "securityGroups",
    "volumes",
    "schedulerHints",
    "personalities",
    "tags",
    "allTags",
    "vendorOptions",
  ],
  // openstack/resource_openstack_networking_port_v2.go:92,139,158,193,200,206
  "openstack:networking/port:Port": [
    "securityGroupIds",
    "allowedAddressPairs",
    "extraDhcpOptions",
    "allSecurityGroupIds",
    "tags",
    "allTags",
  ],
  // openstack/resource_openstack_networking_secgroup_v2.go:63,69
  "openstack:networking/secGroup:SecGroup": ["tags", "allTags"],
  // openstack/resource_openstack_networking_subnet_v2.go:107 (`allocation_pool`, which pulumi-openstack
  // provider/resources.go:232 names allocationPools),215,229
  "openstack:networking/subnet:Subnet": ["allocationPools", "tags", "allTags"],
  // openstack/resource_openstack_networking_network_v2.go:88,117,123,129
  "openstack:networking/network:Network": ["segments", "tags", "allTags", "availabilityZoneHints"],
  // openstack/resource_openstack_networking_router_v2.go:149,165,171
  "openstack:networking/router:Router": ["vendorOptions", "tags", "allTags"],
  // openstack/resource_openstack_networking_floatingip_v2.go:99,105
  "openstack:networking/floatingIp:FloatingIp": ["tags", "allTags"],
  // openstack/resource_openstack_lb_loadbalancer_v2.go:112,119
  "openstack:loadbalancer/loadBalancer:LoadBalancer": ["securityGroupIds", "tags"],
  // openstack/resource_openstack_lb_listener_v2.go:146
  "openstack:loadbalancer/listener:Listener": ["tags"],
};

/** The engine's wire sentinels for unknown values (`@pulumi/pulumi` runtime/rpc, `@pulumi/policy` proxy). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True for an unknown value: a wire sentinel, or the SDK's `Unknown` under mocks. */
export function isUnknownValue(v: unknown): boolean {
  if (typeof v === "string") return UNKNOWN_SENTINELS.has(v);
  return v !== null && typeof v === "object" && (v as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;
}

/** True when the value is unknown or holds an unknown anywhere inside. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknownValue(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/**
 * The state the provider returns for a resource it would create, on a preview: the program's inputs,
 * without the properties whose value is unknown. This is what the engine keeps as the resource's
 * outputs and passes to stack policies (pulumi v3.248.0 pkg/resource/deploy/step_generator.go:3250,
 * `Properties: v.Outputs`); resource policies see the inputs instead, unknowns kept.
 *
 * Why unknowns are dropped, not passed as unknowns: pulumi-openstack 3.15.2 builds its provider with
 * `shimv2.NewProvider(openstack.Provider())` (provider/resources.go:91), the bridge v3.79.0's legacy SDKv2
 * path, whose Create on preview returns the proposed state (pkg/tfbridge/provider.go:1061-1069) read with
 * `objectV1`, which keeps a top-level attribute only `if res.Value != nil && !res.Computed`
 * (pkg/tfshim/sdk-v2/instance_state.go:128-130). Provider-computed outputs the program did not set are
 * absent for the same reason. An unknown nested inside a list element stays an unknown
 * (terraform-diff-reader sdk-v2/field_reader_diff.go:282-283); a set holding one is dropped whole
 * (`TERRAFORM_SETS`).
 */
export function previewState(
  type: string,
  inputs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const sets = new Set(TERRAFORM_SETS[type] ?? []);
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value === undefined || isUnknownValue(value)) continue;
    if (sets.has(key) && containsUnknown(value)) continue;
    state[key] = value;
  }
  return state;
}
