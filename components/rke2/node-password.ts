/**
 * A stable node password per node name, so that a node created again under the same name (`xcluster
 * replace`, a pool shrinking then growing) is let in by the supervisor.
 *
 * RKE2 nodes authenticate their certificate requests with a node password. The agent reads it from
 * `/etc/rancher/node/password` when that file exists and generates a random one only when it does not
 * (k3s pkg/agent/config/config.go `ensureNodePassword`); the server keeps a hash of the first password a
 * node name presented in the kube-system Secret `<node>.node-password.rke2` and answers 403 to any other
 * (k3s pkg/nodepassword/validate.go `GetNodeAuthValidator` → `Ensure`, ErrVerifyFailed → Forbidden), until
 * that Node is deleted (k3s pkg/nodepassword/controller.go gives the Secret an owner reference to its
 * Node). Both read in the k3s sources of the 1.33 line; the exact k3s commit RKE2 v1.33.3+rke2r1 pins,
 * v1.33.3-0.20250715012419-cf2ef56313e8, is not served by the Go module proxy, so it was not read.
 *
 * So cloud-init writes that file with a password derived from the cluster's server token secret and the
 * node name (HMAC-SHA256, domain-separated): the same name always presents the same password, a node
 * learns only its own, and agents, which never see the server token secret, cannot derive another's.
 */
import { createHmac } from "crypto";

/** Where the RKE2 agent reads its node password (k3s pkg/nodepassword/validate.go `nodePasswordFile`). */
export const NODE_PASSWORD_PATH = "/etc/rancher/node/password";

/** The node's password: 32 hex characters, like the ones k3s generates (16 random bytes, hex). */
export function nodePassword(serverTokenSecret: string, nodeName: string): string {
  if (serverTokenSecret === "") throw new Error("nodePassword: empty server token secret");
  return createHmac("sha256", serverTokenSecret)
    .update(`xcluster node-password v1\0${nodeName}`)
    .digest("hex")
    .slice(0, 32);
}
