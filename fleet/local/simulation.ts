/**
 * `--local`: the lifecycle (`up`, `outputs`, `drift`, `destroy`, …) on this machine, with no cloud. The
 * real engine runs the real cluster program, the policy pack and the ClusterPki dynamic provider; every
 * provider plugin is a stand-in (stand-in-provider.ts) that invents clearly fake values; the state lives
 * in a file backend of its own, `.xcluster/local-backend` (gitignored with `.xcluster/`), under a fixed
 * passphrase; the readiness gate and the node drains talk to a loopback API (simulated-api.ts). Every
 * line printed starts with `SIMULATION`, and the reports say so, so that nobody mistakes it for a
 * deployment.
 */
import * as fs from "fs";
import * as path from "path";
import type { Io } from "../../cli/io";
import type { ClusterSpec } from "../../spec/types";
import { DOT_DIR } from "../layout";
import { InvalidRunError } from "../errors";
import { programPlugins } from "../preflight";
import type { ProgramFactory } from "../workspace";
import { startSimulatedApi, type SimulatedApi } from "./simulated-api";

/** The simulation's own backend, PULUMI_HOME, plugins and API, under the project's `.xcluster/`. */
export const LOCAL_BACKEND = `${DOT_DIR}/local-backend`;
const LOCAL_HOME = `${DOT_DIR}/local-home`;
const LOCAL_PLUGINS = `${DOT_DIR}/local-plugins`;
const LOCAL_API = `${DOT_DIR}/local-api`;

/** The secrets passphrase of simulated stacks: fixed, as nothing in them is secret (every value is fake). */
export const LOCAL_PASSPHRASE = "xcluster-local-simulation";

/** What starts every line a simulated run prints. */
export const SIMULATION_PREFIX = "SIMULATION";

/** The first and last line of a simulated run, and what the reports carry. */
export const SIMULATION_NOTICE = `stand-in providers on the local backend ${LOCAL_BACKEND}: nothing was created in any cloud`;

/** An Io that starts every line with `SIMULATION`. */
export function simulationIo(io: Io): Io {
  const mark = (text: string) =>
    text
      .split("\n")
      .map((line) => `${SIMULATION_PREFIX} ${line}`)
      .join("\n");
  return { isTty: io.isTty, out: (t) => io.out(mark(t)), err: (t) => io.err(mark(t)) };
}

/**
 * Why a simulation must not run: an environment that names a backend of its own (its stacks are real
 * state), or PULUMI_BACKEND_URL (the CLI would prefer it to the simulation's backend).
 */
export function localRefusals(clusters: readonly ClusterSpec[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const named = new Map<string, string>();
  for (const c of clusters) if (c.backend.url !== "") named.set(c.environment, c.backend.url);
  for (const [environment, url] of named)
    out.push(
      `--local: environment ${environment} names the backend ${url}; a simulation never runs against a real ` +
        `backend (it keeps its own, ${LOCAL_BACKEND}): simulate an environment on the default backend, or drop --local`,
    );
  if ((env["PULUMI_BACKEND_URL"] ?? "") !== "")
    out.push(
      `--local: PULUMI_BACKEND_URL is set (${env["PULUMI_BACKEND_URL"]}); a simulation never runs against a ` +
        `real backend: unset it, or drop --local`,
    );
  return out;
}

/** The clusters as the simulation runs them: its own backend and the passphrase provider. */
export function simulatedClusters(clusters: readonly ClusterSpec[], root: string): ClusterSpec[] {
  const url = `file://${path.resolve(root, LOCAL_BACKEND)}`;
  return clusters.map((c) => ({ ...c, backend: { ...c.backend, url, secretsProvider: "passphrase" } }));
}

/** The environment the driver hands the CLI: the fixed passphrase and a PULUMI_HOME of the simulation's. */
export function simulationEnv(root: string): NodeJS.ProcessEnv {
  const home = path.resolve(root, LOCAL_HOME);
  fs.mkdirSync(home, { recursive: true });
  return { PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE, PULUMI_HOME: home };
}

/**
 * One `pulumi-resource-<package>` wrapper per provider package of the program, at the version its SDK asks
 * for, running the stand-in provider: the engine takes a plugin from PATH before any installed one.
 * From the build (dist/) it runs the compiled stand-in; from the sources, through ts-node.
 */
export function writeStandInPlugins(root: string): string {
  const dir = path.resolve(root, LOCAL_PLUGINS);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const compiled = __filename.endsWith(".js");
  const provider = path.join(__dirname, `stand-in-provider${compiled ? ".js" : ".ts"}`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const run = compiled
    ? `exec ${q(process.execPath)} ${q(provider)}`
    : `TS_NODE_PROJECT=${q(path.resolve(__dirname, "..", "..", "tsconfig.json"))} exec ${q(process.execPath)} ` +
      `-r ${q(require.resolve("ts-node/register/transpile-only"))} ${q(provider)}`;
  for (const p of programPlugins()) {
    fs.writeFileSync(
      path.join(dir, `pulumi-resource-${p.name}`),
      `#!/bin/sh\n# xcluster --local: the stand-in for ${p.name} ${p.version}; it creates nothing anywhere.\n` +
        `${run} ${q(p.name)} ${q(p.version)} "$@"\n`,
      { mode: 0o755 },
    );
  }
  return dir;
}

/** The cluster program, with its readiness gate and node drains pointed at the simulated API on loopback. */
export function simulatedProgram(api: SimulatedApi): ProgramFactory {
  return (spec) => async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { clusterProgram } = require("../../programs/program") as typeof import("../../programs/program");
    const gate =
      require("../../components/readiness-gate") as typeof import("../../components/readiness-gate");
    const { NODE_DRAIN_TOKEN } =
      require("../../components/node-drain") as typeof import("../../components/node-drain");
    const { renderKubeconfig } =
      require("../../components/rke2/pki") as typeof import("../../components/rke2/pki");
    /* eslint-enable @typescript-eslint/no-require-imports */
    // A dynamic resource's type: `pulumi-nodejs:dynamic/<module>:<type>`.
    const gateType = `pulumi-nodejs:dynamic/${gate.READINESS_GATE_MODULE}:${gate.READINESS_GATE_TYPE}`;
    const kubeconfig = renderKubeconfig({
      clusterName: spec.name,
      serverUrl: api.url,
      serverCaCert: api.pki.caCert,
      admin: { cert: api.pki.clientCert, key: api.pki.clientKey },
    });
    // The two dynamic resources that talk to the cluster: the readiness gate, and each node's drain
    // (which runs on a scale-down). Both talk to the simulated API instead.
    pulumi.runtime.registerStackTransformation((a) => {
      if (a.type === gateType)
        return {
          props: {
            ...a.props,
            apiUrl: api.url,
            caCert: api.pki.caCert,
            clientCert: api.pki.clientCert,
            clientKey: pulumi.secret(api.pki.clientKey),
          },
          opts: a.opts,
        };
      if (a.type === NODE_DRAIN_TOKEN)
        return { props: { ...a.props, kubeconfig: pulumi.secret(kubeconfig) }, opts: a.opts };
      return undefined;
    });
    return clusterProgram(spec);
  };
}

export interface Simulation {
  readonly env: NodeJS.ProcessEnv;
  readonly program: ProgramFactory;
  readonly api: SimulatedApi;
}

/**
 * Runs `fn` inside a simulation of the project at `root`: the stand-ins first on PATH and no automatic
 * plugin download (for the CLI processes the run starts), the simulated API listening; all undone after.
 * Refuses (InvalidRunError, exit 2, nothing touched) when the clusters or the environment name a real backend.
 */
export async function withSimulation<T>(
  root: string,
  clusters: readonly ClusterSpec[],
  fn: (sim: Simulation) => Promise<T>,
): Promise<T> {
  const refusals = localRefusals(clusters, process.env);
  if (refusals.length > 0) throw new InvalidRunError(`${refusals.join("\n")}\nno stack was touched`);
  const plugins = writeStandInPlugins(root);
  const api = await startSimulatedApi(path.resolve(root, LOCAL_API));
  const saved = {
    PATH: process.env["PATH"],
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"],
  };
  process.env["PATH"] = `${plugins}${path.delimiter}${saved.PATH ?? ""}`;
  process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true";
  try {
    return await fn({ env: simulationEnv(root), program: simulatedProgram(api), api });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await api.close();
  }
}
