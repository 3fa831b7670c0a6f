/**
 * Pulumi mock runtime for offline plans and tests. Records every resource the program registers and
 * answers with clearly fake, deterministic outputs (documentation address ranges, `fake-` IDs) so that
 * dependent resources get plausible inputs but nothing can be mistaken for a real cloud value.
 * Invokes that are not known here fail with the token named, instead of hanging.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the program registered it. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
  /** The ID the mocks gave it (custom resources only). */
  readonly id?: string;
  /** URN the engine would give it (set once `recordParents()` ran in the stack callback). */
  readonly urn?: string;
  /** URN of its parent: a component, or the stack for top-level resources (with `recordParents()`). */
  readonly parent?: string;
  /** The resource options a reviewer cares about, as the program set them (with `recordParents()`). */
  readonly options?: RecordedOptions;
}

/** Resource options that change what an update may do, as the engine would get them. */
export interface RecordedOptions {
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  /** URNs of the resources it waits for (explicit `dependsOn`, not input dependencies). */
  readonly dependsOn: readonly string[];
  readonly deleteBeforeReplace: boolean;
  readonly retainOnDelete: boolean;
  readonly replaceOnChanges: readonly string[];
}

/** Where a resource sits in the tree, as the engine would name it. */
interface Identity {
  /** `parentType$…$type`, the qualified type of engine URNs (the stack itself is not part of it). */
  readonly qualifiedType: string;
  readonly urn: string;
  readonly parent: string | undefined;
  readonly options: RecordedOptions;
}

/** Answers an invoke with fake values, or returns undefined when it does not know the token. */
export type InvokeHandler = (
  token: string,
  inputs: Record<string, unknown>,
) => Record<string, unknown> | undefined;

/** Error raised for an invoke no handler answers. */
export class UnmockedCallError extends Error {
  constructor(readonly token: string) {
    super(`no offline answer for invoke '${token}': add it to the plan mocks (plan/mocks.ts)`);
    this.name = "UnmockedCallError";
  }
}

/** The fake value prefix; anything a plan invents starts with it. */
export const FAKE = "fake";

/** Documentation range (RFC 5737 TEST-NET-3) used for invented public addresses. */
const FAKE_PUBLIC_PREFIX = "203.0.113.";

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function fakePublicAddress(name: string): string {
  return `${FAKE_PUBLIC_PREFIX}${(hash(name) % 250) + 2}`;
}

function firstFixedIp(inputs: Record<string, unknown>): string | undefined {
  const fixedIps = inputs["fixedIps"];
  if (Array.isArray(fixedIps)) {
    for (const f of fixedIps) {
      const ip = (f as Record<string, unknown>)?.["ipAddress"];
      if (typeof ip === "string" && ip !== "") return ip;
    }
  }
  return undefined;
}

/** Computed outputs per resource type, so that programs can chain on them offline. */
export function synthesiseOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case "openstack:networking/port:Port": {
      const ip = firstFixedIp(inputs) ?? `10.255.${hash(name) % 250}.${(hash(name + "x") % 250) + 2}`;
      return {
        allFixedIps: [ip],
        macAddress: "fa:16:3e:00:00:00",
        allSecurityGroupIds: inputs["securityGroupIds"] ?? [],
      };
    }
    case "openstack:networking/floatingIp:FloatingIp":
      return { address: fakePublicAddress(name) };
    case "openstack:loadbalancer/loadBalancer:LoadBalancer":
      return {
        vipAddress: inputs["vipAddress"] ?? `10.255.0.${(hash(name) % 250) + 2}`,
        vipPortId: `${FAKE}-port-${name}`,
      };
    case "openstack:compute/instance:Instance": {
      const nets = inputs["networks"];
      const fixed =
        Array.isArray(nets) && typeof (nets[0] as Record<string, unknown>)?.["fixedIpV4"] === "string"
          ? ((nets[0] as Record<string, unknown>)["fixedIpV4"] as string)
          : `10.255.${hash(name) % 250}.${(hash(name + "i") % 250) + 2}`;
      return { accessIpV4: fixed };
    }
    case "pulumi-nodejs:dynamic/rke2:ClusterPki": {
      // The dynamic provider generates real keys only under the engine; offline, visibly fake PEM.
      const pem = (kind: string, what: string): string =>
        `-----BEGIN ${kind}-----\nFAKE${what.replace(/[^A-Za-z]/g, "")}${FAKE.toUpperCase()}\n-----END ${kind}-----\n`;
      const cert = (what: string): string => pem("CERTIFICATE", what);
      const key = (what: string): string => pem("RSA PRIVATE KEY", what);
      const outputs: Record<string, unknown> = { caHash: `${FAKE}cahash${hash(name).toString(16)}` };
      for (const ca of ["serverCa", "clientCa", "requestHeaderCa", "etcdServerCa", "etcdPeerCa", "admin"]) {
        outputs[`${ca}Cert`] = cert(ca);
        outputs[`${ca}Key`] = key(ca);
      }
      outputs["serviceAccountKey"] = key("serviceAccount");
      outputs["serverTokenSecret"] = `${FAKE}-server-token-secret`;
      outputs["agentTokenSecret"] = `${FAKE}-agent-token-secret`;
      return outputs;
    }
    case "openstack:identity/applicationCredential:ApplicationCredential":
      return { secret: `${FAKE}-secret-${name}` };
    case "rancher2:index/clusterV2:ClusterV2":
    case "rancher2:index/cluster:Cluster":
      return {
        clusterV1Id: `c-${FAKE}${hash(name) % 100000}`,
        clusterRegistrationToken: {
          manifestUrl: `https://rancher.${FAKE}.invalid/v3/import/${FAKE}-${name}.yaml`,
          token: `${FAKE}-registration-token`,
        },
      };
    default:
      return {};
  }
}

/** Fake answers for the invokes our programs make. */
export const defaultInvokes: InvokeHandler = (token, inputs) => {
  switch (token) {
    case "openstack:networking/getNetwork:getNetwork":
      return {
        id: `${FAKE}-net-${String(inputs["name"] ?? "external")}`,
        name: inputs["name"],
        external: true,
      };
    case "vault:kv/getSecretV2:getSecretV2": {
      const path = `${String(inputs["mount"])}/${String(inputs["name"])}`;
      const data: Record<string, string> = {
        // Every field a program may read, each visibly fake.
        application_credential_id: `${FAKE}-app-cred-id`,
        application_credential_secret: `${FAKE}-app-cred-secret`,
        auth_url: `https://keystone.${FAKE}.invalid:5000/v3`,
        access_key_id: `${FAKE.toUpperCase()}ACCESSKEY`,
        secret_access_key: `${FAKE}-secret-access-key`,
        public_key: `ssh-ed25519 AAAA${FAKE}KEY ${FAKE}@xcluster`,
        client_id: `${FAKE}-client-id`,
        client_secret: `${FAKE}-client-secret`,
        token: `${FAKE}-token`,
        username: `${FAKE}-username`,
        password: `${FAKE}-password`,
      };
      return { path, mount: inputs["mount"], name: inputs["name"], data, dataJson: JSON.stringify(data) };
    }
    case "aws:route53/getZone:getZone":
      return {
        zoneId: `Z${FAKE.toUpperCase()}${hash(String(inputs["name"])) % 100000}`,
        name: inputs["name"],
      };
    default:
      return undefined;
  }
};

/** A `pulumi.runtime.Mocks` that records resources and answers with fake values. */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: { token: string; inputs: Record<string, unknown> }[] = [];
  /** Invokes no handler answered, in call order; a plan fails on the first. */
  readonly unmocked: string[] = [];
  /** Identities seen by the stack transformation, waiting for their registration (keyed type::name). */
  private readonly pending = new Map<string, Identity[]>();
  private readonly identities = new WeakMap<object, Identity>();

  constructor(private readonly invokes: InvokeHandler = defaultInvokes) {}

  /**
   * Records each resource's parent from now on. Must run inside the stack callback, before the program
   * creates resources. The mock monitor is never told parents (`MockResourceArgs` has none) and the
   * SDK's newer transforms are off under mocks, so this uses a stack transformation, which runs in the
   * resource constructor where `opts.parent` is known.
   */
  recordParents(): void {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `urn:pulumi:${stack}::${project}::`;
    const stackUrn = `${prefix}pulumi:pulumi:Stack::${project}-${stack}`;
    pulumi.runtime.registerStackTransformation((args) => {
      const parentResource = args.opts.parent;
      const parent = parentResource ? this.identities.get(parentResource) : undefined;
      const qualifiedType = parent ? `${parent.qualifiedType}$${args.type}` : args.type;
      const identity: Identity = {
        qualifiedType,
        urn: `${prefix}${qualifiedType}::${args.name}`,
        // A parent created before recording started is unknown; say so rather than guess the stack.
        parent: parent ? parent.urn : parentResource ? undefined : stackUrn,
        options: this.optionsOf(args.opts),
      };
      this.identities.set(args.resource, identity);
      const key = `${args.type}::${args.name}`;
      const queue = this.pending.get(key);
      if (queue) queue.push(identity);
      else this.pending.set(key, [identity]);
      return undefined;
    });
  }

  /**
   * The options of one registration. `dependsOn` given as an Output (not the case in our programs) cannot
   * be read synchronously and is left out; a resource created before recording started has no URN here.
   */
  private optionsOf(opts: pulumi.ResourceOptions): RecordedOptions {
    const deps = opts.dependsOn;
    const list: unknown[] = Array.isArray(deps)
      ? deps
      : deps !== undefined && !pulumi.Output.isInstance(deps)
        ? [deps]
        : [];
    const dependsOn: string[] = [];
    for (const d of list) {
      const identity = typeof d === "object" && d !== null ? this.identities.get(d) : undefined;
      if (identity !== undefined && !dependsOn.includes(identity.urn)) dependsOn.push(identity.urn);
    }
    const opt = opts as pulumi.CustomResourceOptions;
    return {
      protect: opts.protect === true,
      ignoreChanges: [...(opts.ignoreChanges ?? [])],
      dependsOn: dependsOn.sort(),
      deleteBeforeReplace: opt.deleteBeforeReplace === true,
      retainOnDelete: opts.retainOnDelete === true,
      replaceOnChanges: [...(opts.replaceOnChanges ?? [])],
    };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const identity = this.pending.get(`${args.type}::${args.name}`)?.shift();
    const id = args.custom ? (args.id && args.id !== "" ? args.id : `${FAKE}-${args.name}`) : undefined;
    this.resources.push({
      type: args.type,
      name: args.name,
      inputs,
      custom: args.custom ?? false,
      ...(id !== undefined ? { id } : {}),
      ...(identity
        ? {
            urn: identity.urn,
            ...(identity.parent ? { parent: identity.parent } : {}),
            options: identity.options,
          }
        : {}),
    });
    if (id === undefined) return { id: undefined, state: inputs };
    return { id, state: { ...inputs, ...synthesiseOutputs(args.type, args.name, inputs) } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs });
    const answer = this.invokes(args.token, inputs);
    if (answer === undefined) {
      this.unmocked.push(args.token);
      throw new UnmockedCallError(args.token);
    }
    return answer;
  }
}

/**
 * Waits until the program has no registration in flight. Registrations continue after the program
 * function returns (they wait on inputs), and the SDK only exposes this wait internally.
 */
export async function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
