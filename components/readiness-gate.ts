/**
 * The readiness gate: a resource that exists once the new cluster's API answers `GET /readyz` with 200
 * through its public endpoint. Everything that talks to the cluster (add-ons, the Rancher registration,
 * the kubeconfig written to Vault) depends on it, so a first `up` waits for the servers to boot instead
 * of failing with "cluster unreachable".
 *
 * A dynamic provider (like ClusterPki): the wait runs in the engine's provider process, during `up`
 * only, on create and on every update (a new `revision`, admin certificate). Under mocks it resolves at
 * once (mocks never run providers); during `preview` nothing waits.
 *
 * It authenticates with the admin client certificate and verifies the server against the cluster's
 * server CA, so it proves that *this* cluster answers, not just anything at the address. (`/readyz` is
 * readable anonymously only where anonymous auth is on; k3s, which RKE2 builds on, turns it off for the
 * apiserver: k3s pkg/daemons/control/server.go `argsMap["anonymous-auth"] = "false"`.)
 */
import * as pulumi from "@pulumi/pulumi";

export const READINESS_GATE_MODULE = "cluster";
export const READINESS_GATE_TYPE = "ReadinessGate";

export interface ReadinessGateArgs {
  /** The API's public URL, e.g. `https://<floating IP>:6443`; `/readyz` is appended. */
  readonly apiUrl: pulumi.Input<string>;
  /** PEM of the CA that signed the API's serving certificate (RKE2's server CA). */
  readonly caCert: pulumi.Input<string>;
  /** PEM client certificate and key (the admin certificate); the key is kept secret. */
  readonly clientCert: pulumi.Input<string>;
  readonly clientKey: pulumi.Input<string>;
  /**
   * What the cluster runs that a change of disrupts its API (e.g. the RKE2 version and the servers):
   * when it changes, the gate is updated and waits again, so what talks to the cluster in the same `up`
   * (add-ons, upgrade plans, Vault writes) goes ahead only once the API answers.
   * @default "" (the gate waits on create, and when the endpoint, CA or admin certificate changes)
   */
  readonly revision?: pulumi.Input<string>;
  /**
   * Give up after this long; the error says so.
   * @default 1200 (servers boot, install RKE2 and start etcd; 20 minutes is generous, not endless)
   */
  readonly timeoutSeconds?: number;
  /** Pause between attempts. @default 10 */
  readonly intervalSeconds?: number;
  /** Timeout of one request. @default 5 */
  readonly requestTimeoutSeconds?: number;
}

interface GateInputs {
  apiUrl: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  revision: string;
  timeoutSeconds: number;
  intervalSeconds: number;
  requestTimeoutSeconds: number;
}

/** One `GET <apiUrl>/readyz`: undefined when it answered 200, else what went wrong. */
async function probe(i: GateInputs): Promise<string | undefined> {
  // Required here, not imported at the top: the provider is serialised and runs in the engine's process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require("https") as typeof import("https");
  const url = new URL("/readyz", i.apiUrl);
  return new Promise((resolve) => {
    const req = https.get(
      url,
      {
        ca: i.caCert,
        cert: i.clientCert,
        key: i.clientKey,
        timeout: i.requestTimeoutSeconds * 1000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body = (body + chunk).slice(0, 200)));
        res.on("end", () =>
          resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}: ${body.trim()}`),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${i.requestTimeoutSeconds} s`)));
    req.on("error", (e) => resolve(e.message));
  });
}

/** Waits until the API is ready or the deadline passes; throws a message naming the URL and the bound. */
export async function waitForReadyz(i: GateInputs): Promise<{ attempts: number }> {
  const deadline = Date.now() + i.timeoutSeconds * 1000;
  let attempts = 0;
  for (;;) {
    attempts++;
    const problem = await probe(i);
    if (problem === undefined) return { attempts };
    if (Date.now() + i.intervalSeconds * 1000 > deadline) {
      throw new Error(
        `readiness gate: the cluster API at ${new URL("/readyz", i.apiUrl).href} was not ready within ` +
          `${i.timeoutSeconds} s (${attempts} attempt(s), last: ${problem}). The servers may still be ` +
          `booting (see their console log), or the endpoint is unreachable from here (admin CIDRs, floating IP).`,
      );
    }
    await new Promise((r) => setTimeout(r, i.intervalSeconds * 1000));
  }
}

const provider: pulumi.dynamic.ResourceProvider<GateInputs> = {
  async create(inputs) {
    await waitForReadyz(inputs);
    return { id: `readyz-${new URL(inputs.apiUrl).host}`, outs: inputs };
  },
  async diff(_id, olds: GateInputs, news: GateInputs) {
    // A new endpoint or CA is a new cluster front door: a new gate, which waits on create. A new admin
    // certificate or revision is an update, which waits too. Timings alone change nothing.
    const replaces = olds.apiUrl !== news.apiUrl || olds.caCert !== news.caCert ? ["apiUrl"] : [];
    const updates = (["clientCert", "clientKey", "revision"] as const).filter(
      (k) => (olds[k] ?? "") !== news[k],
    );
    return {
      changes: replaces.length + updates.length > 0,
      replaces,
      deleteBeforeReplace: false,
    };
  },
  async update(_id, _olds: GateInputs, news: GateInputs) {
    await waitForReadyz(news);
    return { outs: news };
  },
};

/** Exists once the cluster API answered `/readyz`; depend on it to talk to the cluster. */
export class ReadinessGate extends pulumi.dynamic.Resource {
  declare readonly apiUrl: pulumi.Output<string>;

  constructor(name: string, args: ReadinessGateArgs, opts: pulumi.CustomResourceOptions = {}) {
    const timeoutSeconds = args.timeoutSeconds ?? 1200;
    const intervalSeconds = args.intervalSeconds ?? 10;
    const requestTimeoutSeconds = args.requestTimeoutSeconds ?? 5;
    for (const [field, value] of Object.entries({ timeoutSeconds, intervalSeconds, requestTimeoutSeconds })) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new Error(
          `readiness gate ${name}: ${field} must be a positive number of seconds (got ${value})`,
        );
      }
    }
    super(
      provider,
      name,
      {
        apiUrl: args.apiUrl,
        caCert: args.caCert,
        clientCert: args.clientCert,
        clientKey: pulumi.secret(args.clientKey),
        revision: args.revision ?? "",
        timeoutSeconds,
        intervalSeconds,
        requestTimeoutSeconds,
      },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "clientKey"] },
      READINESS_GATE_MODULE,
      READINESS_GATE_TYPE,
    );
  }
}
