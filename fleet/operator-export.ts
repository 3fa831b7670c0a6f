/**
 * `xcluster export operator`: one Pulumi Kubernetes Operator `Stack` object per cluster, so that a
 * management cluster reconciles the fleet continuously from git (the operator runs `pulumi up` on the
 * root `Pulumi.yaml`, i.e. `programs/stack.ts`, with the same stack name and config the driver uses).
 *
 * Field names follow the operator's StackSpec (pulumi/pulumi-kubernetes-operator
 * `operator/api/pulumi/shared/stack_types.go`, v2): `stack`, `backend`, `projectRepo`, `branch`, `repoDir`,
 * `config`, `secretsProvider`, `envRefs` (ResourceRef: `type` Env|FS|Secret|Literal + `secret: {name, key}`),
 * `refresh`, `destroyOnFinalize`, `resyncFrequencySeconds`, `serviceAccountName`.
 */
import { stringify } from "yaml";
import type { ClusterSpec } from "../spec/types";
import { InvalidRunError } from "./errors";
import { objectName, stackName } from "./stack-name";
import { specConfigPath } from "./stack-config";

export interface OperatorExportOptions {
  /** Git repository the operator clones (the one holding `Pulumi.yaml` and `stacks/`). */
  readonly projectRepo: string;
  /** Branch to track. @default "main" */
  readonly branch?: string;
  /** Directory of `Pulumi.yaml` inside the repository. @default the repository root */
  readonly repoDir?: string;
  /** Namespace of the Stack objects. @default "pulumi-operator" */
  readonly namespace?: string;
  /** Service account of the operator's workspace pods. @default "pulumi" */
  readonly serviceAccountName?: string;
  /** Backend URL for every stack; required when an environment uses the project's local file backend. */
  readonly backend?: string;
  /** Kubernetes Secret holding `PULUMI_CONFIG_PASSPHRASE`, `VAULT_TOKEN` and backend credentials. @default "xcluster-credentials" */
  readonly credentialsSecret?: string;
  /** Resync period. @default 600 */
  readonly resyncFrequencySeconds?: number;
  /** The project root the spec files are relative to. */
  readonly root: string;
  /** Directory the specs' `source.clusterFile` names are relative to. @default root */
  readonly specCwd?: string;
}

interface SecretRef {
  readonly type: "Secret";
  readonly secret: { readonly name: string; readonly key: string };
}

export interface OperatorStack {
  readonly apiVersion: "pulumi.com/v1";
  readonly kind: "Stack";
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

const secretRef = (name: string, key: string): SecretRef => ({ type: "Secret", secret: { name, key } });

export function operatorStack(spec: ClusterSpec, o: OperatorExportOptions): OperatorStack {
  const backend =
    spec.backend.url === "" || spec.backend.url.startsWith("file://") ? o.backend : spec.backend.url;
  if (backend === undefined || backend.startsWith("file://")) {
    throw new InvalidRunError(
      `cluster ${spec.environment}/${spec.name} uses a local file backend, which a management cluster cannot ` +
        `reach; set backend.url in its environment (s3://…, https://…) or pass --backend`,
    );
  }
  const credentials = o.credentialsSecret ?? "xcluster-credentials";
  const envRefs: Record<string, SecretRef> = {};
  if (spec.backend.secretsProvider === "passphrase") {
    envRefs["PULUMI_CONFIG_PASSPHRASE"] = secretRef(credentials, "PULUMI_CONFIG_PASSPHRASE");
  }
  if (spec.vault.enabled || spec.backend.secretsProvider.startsWith("hashivault://")) {
    envRefs["VAULT_TOKEN"] = secretRef(credentials, "VAULT_TOKEN");
  }
  if (backend.startsWith("s3://")) {
    envRefs["AWS_ACCESS_KEY_ID"] = secretRef(credentials, "AWS_ACCESS_KEY_ID");
    envRefs["AWS_SECRET_ACCESS_KEY"] = secretRef(credentials, "AWS_SECRET_ACCESS_KEY");
  }
  if (/^https?:\/\//.test(backend))
    envRefs["PULUMI_ACCESS_TOKEN"] = secretRef(credentials, "PULUMI_ACCESS_TOKEN");

  const config: Record<string, string> = {
    "xcluster:spec": specConfigPath(spec, o.root, o.specCwd ?? o.root),
    "xcluster:environment": spec.environment,
    "openstack:region": spec.openstack.region,
    "openstack:cloud": spec.openstack.cloud,
  };
  const stackSpec: Record<string, unknown> = {
    stack: stackName(spec),
    backend,
    projectRepo: o.projectRepo,
    branch: o.branch ?? "main",
    ...(o.repoDir ? { repoDir: o.repoDir } : {}),
    config,
    ...(spec.backend.secretsProvider !== "passphrase"
      ? { secretsProvider: spec.backend.secretsProvider }
      : {}),
    envRefs,
    refresh: true,
    // Deleting the Stack object must never delete a cluster: that is `xcluster destroy --yes`.
    destroyOnFinalize: false,
    resyncFrequencySeconds: o.resyncFrequencySeconds ?? 600,
    serviceAccountName: o.serviceAccountName ?? "pulumi",
  };
  return {
    apiVersion: "pulumi.com/v1",
    kind: "Stack",
    metadata: {
      name: objectName(spec),
      namespace: o.namespace ?? "pulumi-operator",
      labels: {
        "app.kubernetes.io/managed-by": "xcluster",
        "xcluster.dev/cluster": spec.name,
        "xcluster.dev/environment": spec.environment,
      },
    },
    spec: stackSpec,
  };
}

/** All Stack objects as one multi-document YAML stream. */
export function renderOperatorStacks(specs: readonly ClusterSpec[], o: OperatorExportOptions): string {
  return specs.map((s) => stringify(operatorStack(s, o), { lineWidth: 0 })).join("---\n");
}
