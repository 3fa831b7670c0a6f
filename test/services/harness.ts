/** Runs the platform-services program for a spec under the recording mocks. */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../spec/types";
import { platformServices, type PlatformInfra, type PlatformServices } from "../../programs/platform";
import { cloudProviders } from "../../programs/providers";
import { runUnderMocks, type MockRun } from "../support/pulumi";

/** What the cluster infrastructure would hand over (visibly fake). */
export const FAKE_INFRA: PlatformInfra = {
  apiFloatingIp: "203.0.113.10",
  ingressFloatingIp: "203.0.113.20",
  kubeconfig: "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: ZmFrZQ==\n",
  joinToken: "K10fake::server:fake-join-token",
  api: { url: "https://203.0.113.10:6443", caCert: "-----BEGIN CERTIFICATE-----\nfake server CA\n" },
};

export interface PlatformRun extends MockRun<PlatformServices> {
  /** `dependsOn` of each resource, by resource name (names of the resources depended on). */
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
  /** `retainOnDelete` of each resource that sets it, by resource name. */
  readonly retainOnDelete: ReadonlyMap<string, boolean>;
}

function resourceName(r: unknown): string {
  // The SDK keeps the logical name on the resource object; tests only.
  return String((r as { __name?: string }).__name);
}

/** Plans the platform services of one cluster offline. */
export async function planPlatform(
  spec: ClusterSpec,
  infra: PlatformInfra = FAKE_INFRA,
  /** Gives the cluster a readiness gate (`infra.readiness`, fake endpoint; under mocks it resolves at once). */
  gated = false,
): Promise<PlatformRun> {
  const dependsOn = new Map<string, string[]>();
  const retainOnDelete = new Map<string, boolean>();
  const run = await runUnderMocks(() => {
    pulumi.runtime.registerStackTransformation((args) => {
      if (args.opts.retainOnDelete !== undefined) retainOnDelete.set(args.name, args.opts.retainOnDelete);
      const deps = args.opts.dependsOn;
      const list = deps === undefined ? [] : Array.isArray(deps) ? deps : [deps];
      dependsOn.set(args.name, list.map(resourceName));
      return undefined;
    });
    const readiness = {
      apiUrl: "https://203.0.113.10:6443",
      caCert: "ca",
      clientCert: "crt",
      clientKey: "key",
    };
    return platformServices(spec, gated ? { ...infra, readiness } : infra, {
      cloud: cloudProviders(spec),
    });
  });
  return { ...run, dependsOn, retainOnDelete };
}

/** `type::name` of every recorded resource, sorted (for comparing plans). */
export function resourceKeys(run: MockRun<unknown>): string[] {
  return run.resources.map((r) => `${r.type}::${r.name}`).sort();
}
