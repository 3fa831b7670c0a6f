/**
 * What an add-on is: a Helm chart pinned to an exact version from an https repository, installed into its
 * own namespace on every cluster whose labels its selector matches (the way Sveltos ClusterProfiles select
 * clusters), with values derived from the cluster spec by a pure function.
 */
import type { ClusterSpec } from "../../spec/types";
import type { AddonName } from "../../spec/addons";
import type { PodSecurity } from "./pod-security";

/** One Kubernetes-style label selector requirement. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** Values for `In` / `NotIn`; ignored by `Exists` / `DoesNotExist`. */
  readonly values?: readonly string[];
}

/** A Kubernetes label selector: every `matchLabels` entry and every expression must hold. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * A Kubernetes Secret an add-on needs, filled from one Vault KV v2 entry. Values never appear in Helm
 * values; the chart references the Secret by name.
 */
export interface AddonSecret {
  /** Kubernetes Secret name in the add-on's namespace. */
  readonly name: string;
  /** Path under the KV mount (`spec.vault.kvMount`) to read. */
  readonly vaultPath: string;
  /** Secret key → field of the Vault entry (every field named here must exist in the entry). */
  readonly keys: Readonly<Record<string, string>>;
  /**
   * Builds the Secret's data from the entry's fields instead of copying `keys` (e.g. a config file).
   * @default copy each key from its field
   */
  readonly render?: (fields: Readonly<Record<string, string>>) => Record<string, string>;
  /** The spec field that names this secret's source, for error messages. */
  readonly sourceField: string;
}

/** A catalogue entry. */
export interface AddonDefinition {
  readonly name: AddonName;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version (no ranges, no `latest`). */
  readonly version: string;
  /** https chart repository. */
  readonly repository: string;
  /** Namespace the release and its secrets live in (created by xcluster, not by Helm). */
  readonly namespace: string;
  /**
   * The namespace exists on every cluster (kube-system): xcluster neither creates nor labels it.
   * @default false
   */
  readonly existingNamespace?: boolean;
  /**
   * Installed before every other add-on (the cloud provider: until it runs, nodes are tainted
   * uninitialized and volumes cannot be provisioned). @default false
   */
  readonly foundation?: boolean;
  /**
   * The Pod Security level the namespace is labelled with before the release is installed, and why
   * (`components/addons/pod-security.ts`).
   */
  readonly podSecurity: PodSecurity;
  /** Which clusters get the add-on, matched against `clusterSelectionLabels(spec)`. */
  readonly selector: LabelSelector;
  /** Add-ons that must be installed first; selecting this one selects them too. */
  readonly dependsOn: readonly AddonName[];
  /** Helm values derived from the cluster (pure; spec overrides are merged over them by the installer). */
  values(cluster: ClusterSpec): Record<string, unknown>;
  /**
   * Further Kubernetes objects xcluster applies in the add-on's namespace after the release (what the chart
   * cannot express, e.g. an image puller on GPU nodes only). @default none
   */
  manifests?(cluster: ClusterSpec): readonly Record<string, unknown>[];
  /**
   * Kubernetes objects applied before the release, once its dependencies are installed and the Vault
   * side exists: what produces a Secret the chart mounts (VSO's VaultAuth and VaultDynamicSecret).
   * @default none
   */
  prerequisites?(cluster: ClusterSpec): readonly Record<string, unknown>[];
  /**
   * The namespace reads from Vault through VSO: the Vault ACL policy (HCL) its role's tokens carry
   * (components/vault-kubernetes-auth.ts). @default no Vault access
   */
  vaultPolicy?(cluster: ClusterSpec): string;
  /** Kubernetes Secrets to create from Vault before the release. */
  secrets(cluster: ClusterSpec): readonly AddonSecret[];
}

/** A cluster's spec does not give an add-on what it needs; the message names the field. */
export class AddonConfigurationError extends Error {
  constructor(
    readonly cluster: string,
    readonly addon: string,
    readonly field: string,
    detail: string,
  ) {
    super(`cluster "${cluster}": add-on ${addon}: ${field}: ${detail}`);
    this.name = "AddonConfigurationError";
  }
}
