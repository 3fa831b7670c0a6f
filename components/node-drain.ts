/**
 * One resource per node whose only work is its delete: drain the Kubernetes Node and delete it
 * (components/kube/drain.ts) before the node's instance goes. It depends on the instance, so the engine
 * deletes it first (dependents before dependencies) when a pool shrinks, a pool is removed or the servers
 * scale down; and on the readiness gate, so it exists only once the cluster answers.
 *
 * When the whole cluster is destroyed there is nothing to drain to: the program passes `deletedWith` the
 * cluster's PKI, which goes only then, and the engine skips this delete (pulumi v3.248.0
 * pkg/resource/deploy/step.go `DeleteStep.Apply`, `isDeletedWith`).
 *
 * Why a resource per node, and what it keeps in state: docs/adr/0019-node-drain-resource-per-node.md.
 * A dynamic provider (like ReadinessGate): create records the node, nothing more, so under mocks and in
 * `preview` it is an ordinary resource per node. The kubeconfig is a secret input and stays in state
 * (encrypted), because the delete runs long after the program that knew it; a rotated admin certificate
 * updates it in place.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { drainAndDeleteNode } from "./kube/drain";

export const NODE_DRAIN_MODULE = "cluster";
export const NODE_DRAIN_TYPE = "NodeDrain";
export const NODE_DRAIN_TOKEN = `pulumi-nodejs:dynamic/${NODE_DRAIN_MODULE}:${NODE_DRAIN_TYPE}`;

export interface NodeDrainArgs {
  /** The Kubernetes Node name (RKE2 `node-name`: the instance's name). */
  readonly nodeName: string;
  /** Admin kubeconfig of the cluster (YAML); kept secret. */
  readonly kubeconfig: pulumi.Input<string>;
  /**
   * Bound on the drain (evictions, PodDisruptionBudget waits, pods terminating); at the bound the delete
   * fails, naming the pods left, and the instance is kept.
   * @default 600
   */
  readonly timeoutSeconds?: number;
}

interface DrainInputs {
  nodeName: string;
  kubeconfig: string;
  timeoutSeconds: number;
}

const provider: pulumi.dynamic.ResourceProvider<DrainInputs> = {
  async create(inputs) {
    return { id: inputs.nodeName, outs: inputs };
  },
  async diff(_id, olds: DrainInputs, news: DrainInputs) {
    const replaces = olds.nodeName !== news.nodeName ? ["nodeName"] : [];
    const changes =
      replaces.length > 0 ||
      olds.kubeconfig !== news.kubeconfig ||
      olds.timeoutSeconds !== news.timeoutSeconds;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async update(_id, _olds, news: DrainInputs) {
    return { outs: news };
  },
  async delete(_id, olds: DrainInputs) {
    // Required here, not imported at the top: the provider is serialised and runs in the engine's process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
    const kc: KubeConfig = new k8s.KubeConfig();
    kc.loadFromString(olds.kubeconfig);
    const api: CoreV1Api = kc.makeApiClient(k8s.CoreV1Api);
    await drainAndDeleteNode(api, { nodeName: olds.nodeName, timeoutSeconds: olds.timeoutSeconds });
  },
};

/** Drains and deletes its Kubernetes Node when it is deleted; depend it on the node's instance. */
export class NodeDrain extends pulumi.dynamic.Resource {
  declare readonly nodeName: pulumi.Output<string>;

  constructor(name: string, args: NodeDrainArgs, opts: pulumi.CustomResourceOptions = {}) {
    const timeoutSeconds = args.timeoutSeconds ?? 600;
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new Error(
        `node drain ${name}: timeoutSeconds must be a positive number of seconds (got ${timeoutSeconds})`,
      );
    }
    super(
      provider,
      name,
      { nodeName: args.nodeName, kubeconfig: pulumi.secret(args.kubeconfig), timeoutSeconds },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "kubeconfig"] },
      NODE_DRAIN_MODULE,
      NODE_DRAIN_TYPE,
    );
  }
}
