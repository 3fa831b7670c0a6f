/**
 * Installs the add-ons a cluster's labels select, as `helm.v3.Release`s (their values stay visible to
 * policies), each in its own namespace, with the Kubernetes Secrets they need filled from Vault data the
 * program read. Order comes from the catalogue's dependencies through `dependsOn`: cert-manager and its
 * ClusterIssuer before anything that asks for a certificate.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterSpec } from "../../spec/types";
import type { AddonName } from "../../spec/addons";
import { typeToken } from "../conventions";
import { AddonConfigurationError, type AddonSecret } from "./addon";
import { clusterIssuer } from "./cert-manager";
import { selectAddons, type AddonSelection } from "./select";
import { addonValues } from "./values";
import { podSecurityLabels, podSecurityVersion } from "./pod-security";

export interface AddonsArgs {
  /** The resolved cluster spec; its labels decide which add-ons exist (plain, never an Output). */
  readonly spec: ClusterSpec;
  /**
   * Vault KV entries (field → value) keyed by their path under `spec.vault.kvMount`, for the Secrets the
   * selected add-ons need (see `requiredVaultPaths`). Treated as secrets.
   * @default {} (an add-on that needs one then fails with the spec field to fix)
   */
  readonly vaultData?: Readonly<Record<string, pulumi.Input<Record<string, string>>>>;
  /**
   * The selection to install.
   * @default selectAddons(spec)
   */
  readonly selection?: readonly AddonSelection[];
  /**
   * Helm operation timeout per release.
   * @default 900
   */
  readonly timeoutSeconds?: number;
  /** What every namespace (and so every release) waits for: the cluster's readiness gate. @default [] */
  readonly ready?: readonly pulumi.Resource[];
  /**
   * The cluster's Vault side (auth mount, config, roles, credential roles): what an add-on's
   * prerequisites (VaultAuth, VaultDynamicSecret) wait for. @default []
   */
  readonly vaultSide?: readonly pulumi.Resource[];
}

const DEFAULT_TIMEOUT_SECONDS = 900;

/** The Vault paths (under the KV mount) the add-ons selected for a cluster read their Secrets from. */
export function requiredVaultPaths(selection: readonly AddonSelection[], spec: ClusterSpec): string[] {
  const paths = new Set<string>();
  for (const { addon } of selection) for (const s of addon.secrets(spec)) paths.add(s.vaultPath);
  return [...paths].sort();
}

export class Addons extends pulumi.ComponentResource {
  /** Add-on names in install order. */
  readonly installed: readonly AddonName[];
  /** The Helm release of each installed add-on. */
  readonly releases: Readonly<Partial<Record<AddonName, k8s.helm.v3.Release>>>;

  constructor(name: string, args: AddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("addons", "Addons"), name, {}, opts);
    const { spec } = args;
    const selection = args.selection ?? selectAddons(spec);
    const vaultData = args.vaultData ?? {};
    const timeout = args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

    const releases: Partial<Record<AddonName, k8s.helm.v3.Release>> = {};
    // What a dependant waits for: the release, plus the ClusterIssuer for cert-manager.
    const readiness: Partial<Record<AddonName, pulumi.Resource[]>> = {};

    // The cloud provider first: nothing else schedules or gets a volume before it runs.
    const foundations: pulumi.Resource[] = [];
    for (const { addon } of selection) {
      const child = `${name}-${addon.name}`;
      const namespace: pulumi.Resource[] = addon.existingNamespace
        ? [...(args.ready ?? [])]
        : [
            new k8s.core.v1.Namespace(
              `${child}-namespace`,
              {
                metadata: {
                  name: addon.namespace,
                  labels: podSecurityLabels(addon.podSecurity.level, podSecurityVersion(spec)),
                },
              },
              { parent: this, dependsOn: [...(args.ready ?? [])] },
            ),
          ];
      const secrets = addon.secrets(spec).map(
        (s) =>
          new k8s.core.v1.Secret(
            `${child}-${s.name}`,
            {
              metadata: { name: s.name, namespace: addon.namespace },
              type: "Opaque",
              stringData: secretStringData(spec, addon.name, s, vaultData[s.vaultPath]),
            },
            { parent: this, dependsOn: namespace },
          ),
      );
      const dependencies = [
        ...addon.dependsOn.flatMap((d) => readiness[d] ?? []),
        ...(addon.foundation ? [] : foundations),
      ];
      const prerequisites = addon.prerequisites?.(spec) ?? [];
      const before =
        prerequisites.length === 0
          ? []
          : [
              new k8s.yaml.v2.ConfigGroup(
                `${child}-prerequisites`,
                { objs: prerequisites.map((m) => ({ ...m })) },
                {
                  parent: this,
                  dependsOn: [...namespace, ...dependencies, ...(args.vaultSide ?? [])],
                },
              ),
            ];
      const release = new k8s.helm.v3.Release(
        child,
        {
          name: addon.name,
          chart: addon.chart,
          version: addon.version,
          repositoryOpts: { repo: addon.repository },
          namespace: addon.namespace,
          createNamespace: false,
          values: addonValues(addon, spec),
          atomic: true,
          cleanupOnFail: true,
          timeout,
        },
        { parent: this, dependsOn: [...namespace, ...secrets, ...before, ...dependencies] },
      );
      releases[addon.name] = release;
      readiness[addon.name] = [release];
      if (addon.foundation) foundations.push(release);
      const manifests = addon.manifests?.(spec) ?? [];
      if (manifests.length > 0) {
        new k8s.yaml.v2.ConfigGroup(
          `${child}-manifests`,
          { objs: manifests.map((m) => ({ ...m })) },
          { parent: this, dependsOn: [release] },
        );
      }
      if (addon.name === "cert-manager") {
        const issuer = new k8s.apiextensions.CustomResource(`${child}-issuer`, clusterIssuer(spec), {
          parent: this,
          dependsOn: [release],
        });
        readiness[addon.name] = [release, issuer];
      }
    }

    this.installed = selection.map((s) => s.addon.name);
    this.releases = releases;
    this.registerOutputs({
      installed: this.installed,
      releaseStatuses: Object.fromEntries(Object.entries(releases).map(([n, r]) => [n, r.status.status])),
    });
  }
}

function secretStringData(
  spec: ClusterSpec,
  addon: AddonName,
  secret: AddonSecret,
  data: pulumi.Input<Record<string, string>> | undefined,
): pulumi.Output<Record<string, string>> {
  if (data === undefined) {
    throw new AddonConfigurationError(
      spec.name,
      addon,
      secret.sourceField,
      `Secret ${secret.name} is read from Vault path "${secret.vaultPath}", but no Vault data was given ` +
        `(is vault.enabled false?)`,
    );
  }
  return pulumi.secret(
    pulumi.output(data).apply((fields) => {
      const copied = Object.fromEntries(
        Object.entries(secret.keys).map(([key, field]) => {
          const value = fields[field];
          if (value === undefined) {
            throw new Error(
              `Vault entry "${secret.vaultPath}" has no field "${field}" (needed by ${addon} Secret ${secret.name})`,
            );
          }
          return [key, value];
        }),
      );
      return secret.render === undefined ? copied : secret.render(fields);
    }),
  );
}
