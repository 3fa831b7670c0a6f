/**
 * A cluster as the policy pack sees it on the cluster's first preview, for the policy tier: nothing
 * exists yet, so no resource has an ID and every property the provider computes is unknown, as is
 * everything the program derives from them. Which properties the OpenStack provider computes comes from
 * its real schema (test/support/openstack-schema.ts), not from the plan's mocks.
 *
 * The program runs as a preview under Pulumi mocks (`setMocks(…, preview = true)`): the mocks answer
 * with no ID and, for OpenStack resources, with every schema output the program did not set unknown; the
 * SDK propagates those unknowns into the inputs of the resources that use them (a rule's `remoteGroupId`,
 * an instance's `schedulerHints[].group`, user data that embeds the generated PKI), and sends with each
 * registration the property dependencies the engine passes on to stack rules.
 * Resource rules get the preview's inputs; stack rules get what the real provider returns on a preview
 * (`previewState`), which is what the engine hands them.
 */
import * as pulumi from "@pulumi/pulumi";
import { unknown } from "@pulumi/pulumi/output";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { RecordingMocks, waitForRegistrations, type RecordedResource } from "../../plan/mocks";
import type { PlannedResource } from "../../policy/evaluate";
import { clusterProgram } from "../../programs/program";
import type { ClusterSpec } from "../../spec/types";
import {
  computedOutputs,
  previewState,
  resourceSpec,
  type OpenStackSchema,
} from "../support/openstack-schema";

const isOpenStack = (type: string): boolean => type.startsWith("openstack:");

/** Mocks of a first preview: no IDs; an OpenStack resource's schema outputs the program did not set are unknown. */
class FirstPreviewMocks extends RecordingMocks {
  constructor(private readonly schema: OpenStackSchema) {
    super();
  }

  override newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const recorded = super.newResource(args);
    if (!args.custom) return recorded;
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (!isOpenStack(args.type)) return { id: undefined, state: inputs };
    const computed = computedOutputs(resourceSpec(this.schema, args.type), inputs);
    return { id: undefined, state: { ...inputs, ...Object.fromEntries(computed.map((p) => [p, unknown])) } };
  }
}

interface DependencyRequest {
  getType(): string;
  getName(): string;
  getPropertydependenciesMap(): {
    forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
}

/**
 * Runs the program as a first preview under mocks. Returns what it registered and, per resource, the
 * property dependencies the SDK sent with the registration (property → `<type>::<name>` of the resources its
 * value came from), which is what the engine passes on to stack rules.
 */
async function previewRun(
  program: () => unknown,
  mocks: RecordingMocks,
): Promise<{ resources: RecordedResource[]; dependencies: Map<string, Record<string, string[]>> }> {
  const dependencies = new Map<string, Record<string, string[]>>();
  await pulumi.runtime.setMocks(mocks, "xcluster", "test", true);
  // The mock monitor drops property dependencies before calling the mocks; read them off the request.
  const monitor = getMonitor() as unknown as {
    registerResource(req: DependencyRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const deps: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((d, key) => {
      // urn:pulumi:<stack>::<project>::<parent types$>type::name → type::name
      const names = d.getUrnsList().map((urn) => {
        const [, , qualified = "", name = ""] = urn.split("::");
        return `${qualified.split("$").pop() ?? qualified}::${name}`;
      });
      if (names.length > 0) deps[key] = names;
    });
    dependencies.set(`${req.getType()}::${req.getName()}`, deps);
    return register(req, callback);
  };
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      program();
      return {};
    });
    await waitForRegistrations();
  } finally {
    await pulumi.runtime.setMocks(new RecordingMocks(), "xcluster", "test", false);
  }
  return { resources: mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), dependencies };
}

/** The cluster's resources as the policy pack meets them on the cluster's first preview. */
export async function firstPreview(spec: ClusterSpec, schema: OpenStackSchema): Promise<PlannedResource[]> {
  const { resources, dependencies } = await previewRun(
    () => clusterProgram(spec),
    new FirstPreviewMocks(schema),
  );
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    outputs: isOpenStack(r.type) ? previewState(r.type, r.inputs) : r.inputs,
    propertyDependencies: dependencies.get(`${r.type}::${r.name}`) ?? {},
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
  }));
}
