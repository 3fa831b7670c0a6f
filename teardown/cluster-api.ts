/**
 * The cluster's API as the ordered teardown uses it (issue 16, ADR 0016): list what the cluster's
 * controllers created cloud resources for, delete it, see whether it is gone, and switch external-dns'
 * policy. Through @kubernetes/client-node 1.4.0 (ADR 0012), with the admin kubeconfig from the stack's
 * secret outputs; every request is bounded (`requestTimeoutMs`), so an unreachable cluster costs seconds,
 * not the TCP connect timeout.
 */
import * as k8s from "@kubernetes/client-node";
import type { ClaimObject, NamedObject, ServiceObject, VolumeObject } from "./targets";

/** A Deployment as far as the teardown reads it: the pod template's containers' args. */
export interface DeploymentObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly template?: {
      readonly spec?: {
        readonly containers?: readonly { readonly name?: string; readonly args?: string[] }[];
      };
    };
  };
}

/** What the teardown deletes (Services, claims) or waits for (the claims' volumes, cluster-scoped). */
export type ObjectKind = "Service" | "PersistentVolumeClaim" | "PersistentVolume";

/** What is left of an object after its deletion was asked for. */
export type Presence = { readonly gone: true } | { readonly gone: false; readonly finalizers: string[] };

export interface ClusterApi {
  /** Resolves to the server's version, or rejects (unreachable, TLS, unauthorised). */
  version(): Promise<string>;
  listServices(): Promise<ServiceObject[]>;
  listClaims(): Promise<ClaimObject[]>;
  listVolumes(): Promise<VolumeObject[]>;
  /** Asks for the deletion; an object already gone is not an error. */
  delete(kind: ObjectKind, o: NamedObject): Promise<void>;
  presence(kind: ObjectKind, o: NamedObject): Promise<Presence>;
  /** The Deployment, or undefined when it does not exist. */
  readDeployment(o: NamedObject): Promise<DeploymentObject | undefined>;
  /** Replaces the named container's args (a new pod template: the Deployment rolls out). */
  setContainerArgs(o: NamedObject, container: string, args: readonly string[]): Promise<void>;
}

export interface ClusterApiOptions {
  /** Bound on each request. @default 10000 */
  readonly requestTimeoutMs?: number;
}

const notFound = (e: unknown): boolean => (e as { code?: number }).code === 404;

/** A `ClusterApi` on the cluster a kubeconfig (YAML, as the stack output holds it) names. */
export function kubeClusterApi(kubeconfig: string, options: ClusterApiOptions = {}): ClusterApi {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const versionApi = kc.makeApiClient(k8s.VersionApi);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  // Each call gets its own deadline: an AbortSignal on the request the generated client sends, set by
  // a middleware (the object API runs observable middleware: gen/types/ObjectParamAPI.js).
  const bounded = (): k8s.ConfigurationOptions => ({
    middleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (res) => new k8s.Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: "append",
  });
  const ignoreMissing = async (p: Promise<unknown>): Promise<void> => {
    try {
      await p;
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  };
  const read = async (kind: ObjectKind, o: NamedObject): Promise<{ metadata?: k8s.V1ObjectMeta }> => {
    const ref = { name: o.name, namespace: o.namespace };
    if (kind === "Service") return core.readNamespacedService(ref, bounded());
    if (kind === "PersistentVolumeClaim") return core.readNamespacedPersistentVolumeClaim(ref, bounded());
    return core.readPersistentVolume({ name: o.name }, bounded());
  };
  return {
    async version() {
      return (await versionApi.getCode({}, bounded())).gitVersion;
    },
    async listServices() {
      return (await core.listServiceForAllNamespaces({}, bounded())).items;
    },
    async listClaims() {
      return (await core.listPersistentVolumeClaimForAllNamespaces({}, bounded())).items;
    },
    async listVolumes() {
      return (await core.listPersistentVolume({}, bounded())).items;
    },
    async delete(kind, o) {
      const ref = { name: o.name, namespace: o.namespace };
      await ignoreMissing(
        kind === "Service"
          ? core.deleteNamespacedService(ref, bounded())
          : kind === "PersistentVolumeClaim"
            ? core.deleteNamespacedPersistentVolumeClaim(ref, bounded())
            : core.deletePersistentVolume({ name: o.name }, bounded()),
      );
    },
    async presence(kind, o) {
      try {
        const obj = await read(kind, o);
        return { gone: false, finalizers: [...(obj.metadata?.finalizers ?? [])] };
      } catch (e) {
        if (notFound(e)) return { gone: true };
        throw e;
      }
    },
    async readDeployment(o) {
      try {
        return await apps.readNamespacedDeployment({ name: o.name, namespace: o.namespace }, bounded());
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async setContainerArgs(o, container, args) {
      // Read-modify-replace: the resourceVersion read makes a concurrent change fail instead of being lost.
      const d = await apps.readNamespacedDeployment({ name: o.name, namespace: o.namespace }, bounded());
      const c = d.spec?.template.spec?.containers.find((x) => x.name === container);
      if (c === undefined)
        throw new Error(`deployment ${o.namespace}/${o.name} has no container ${container}`);
      c.args = [...args];
      await apps.replaceNamespacedDeployment({ name: o.name, namespace: o.namespace, body: d }, bounded());
    },
  };
}
