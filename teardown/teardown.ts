/**
 * The ordered teardown of one cluster before Pulumi destroys it (issue 16, ADR 0016):
 *
 * 1. While the cluster answers (its admin kubeconfig from the stack's secret outputs): switch external-dns
 *    to delete what it owns (teardown/dns.ts), delete every LoadBalancer Service and every PVC on a Cinder
 *    CSI volume with reclaim policy Delete (teardown/targets.ts), and wait, bounded and reported, until
 *    they are gone (teardown/wait.ts): their controllers then removed the Octavia load balancers, floating
 *    IPs and Cinder volumes. Then give external-dns its sync.
 * 2. What could not be cleaned (the cluster did not answer, or an object did not go in time) is listed as
 *    orphan selectors (teardown/orphans.ts) and the destroy is refused unless `forceOrphans`.
 * 3. Only then the Pulumi destroy (given as a function): it deletes the Vault paths (non-production), the
 *    Rancher object, the DNS records xcluster wrote itself and the infrastructure.
 *
 * A stack whose state holds no instance never ran a node: nothing was created behind Pulumi's back, and
 * the destroy runs at once.
 */
import type { ClusterApi, ObjectKind } from "./cluster-api";
import { externalDnsSync, ownedRecords, type DnsOutcome, type DnsRecordRemover } from "./dns";
import { orphanSelectors, type Orphan, type StateFacts } from "./orphans";
import { teardownTargets, type TeardownTargets } from "./targets";
import { waitUntilGone, type WaitLimits, type WaitResult } from "./wait";

export interface TeardownInput {
  /** The cluster name: OCCM's `--cluster-name`, Cinder CSI's `clusterID` and external-dns' TXT owner. */
  readonly cluster: string;
  /** The admin kubeconfig (the stack's secret output); undefined when the stack has none. */
  readonly kubeconfig?: string;
  readonly facts: StateFacts;
  /** The Route53 zone, when the cluster runs external-dns (its owner ID is the cluster name). */
  readonly dnsZone?: string;
  /** Destroy even when cloud resources may be left behind. */
  readonly forceOrphans: boolean;
}

export interface TeardownLimits extends WaitLimits {
  /** Bound on each request to the cluster's API. @default 10000 */
  readonly requestTimeoutMs?: number;
}

export interface TeardownDeps<T> {
  /** The cluster's API from its kubeconfig (teardown/cluster-api.ts `kubeClusterApi`). */
  readonly connect: (kubeconfig: string, limits: TeardownLimits) => ClusterApi;
  /** How DNS records are removed. @default external-dns sync */
  readonly dnsRemover?: (api: ClusterApi, owner: string, zone: string) => DnsRecordRemover;
  /** The Pulumi destroy. */
  readonly destroy: () => Promise<T>;
  /** Gets the report before the destroy runs (so that a failing destroy still has it). @default none */
  readonly onReport?: (report: TeardownReport) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: (line: string) => void;
  readonly limits?: TeardownLimits;
}

/** One object the teardown deleted, and what its wait saw. */
export interface DeletedObject {
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly name: string;
  /** The cloud resource its controller removes: the Octavia load balancer's name, or the Cinder volume ID. */
  readonly cloudResource: string;
  readonly outcome: WaitResult["outcome"];
  readonly waitedMs: number;
  readonly finalizers?: readonly string[];
}

export interface TeardownReport {
  /**
   * `answered`: cleaned through the cluster; `unreachable`: no kubeconfig or no answer; `failed`: it
   * answered, then a request failed; `no-nodes`: the state holds no instance, nothing to clean.
   */
  readonly api: "answered" | "unreachable" | "failed" | "no-nodes";
  readonly apiVersion?: string;
  /** Why the cluster could not be cleaned. */
  readonly reason?: string;
  readonly deleted: readonly DeletedObject[];
  /** Cinder volumes kept on purpose (reclaim policy Retain): they outlive the cluster. */
  readonly retainedVolumes: TeardownTargets["retainedVolumes"];
  readonly dns?: DnsOutcome;
  readonly orphans: readonly Orphan[];
  readonly forceOrphans: boolean;
  /** The destroy was refused (orphans, no `--force-orphans`). */
  readonly refused: boolean;
  /** The whole wait for the deleted objects. */
  readonly waitMs: number;
  /** The steps in the order they ran. */
  readonly steps: readonly string[];
}

const loadBalancerName = (cluster: string, ns: string, name: string) =>
  `kube_service_${cluster}_${ns}_${name}`;

/** Runs the teardown, then `deps.destroy` unless refused; `destroyed` is its result (absent when refused). */
export async function tearDown<T>(
  input: TeardownInput,
  deps: TeardownDeps<T>,
): Promise<{ report: TeardownReport; destroyed?: T }> {
  const steps: string[] = [];
  const limits = deps.limits ?? {};
  const base = {
    forceOrphans: input.forceOrphans,
    deleted: [] as DeletedObject[],
    retainedVolumes: [],
    waitMs: 0,
  };
  const dnsInput = input.dnsZone !== undefined ? { zone: input.dnsZone, owner: input.cluster } : undefined;
  const finish = async (
    report: Omit<TeardownReport, "refused" | "steps">,
  ): Promise<{ report: TeardownReport; destroyed?: T }> => {
    const refused = report.orphans.length > 0 && !input.forceOrphans;
    if (refused) {
      steps.push("refused: orphans and no --force-orphans");
      deps.onReport?.({ ...report, refused, steps });
      deps.progress(
        `destroy refused: ${report.orphans.length} kind(s) of cloud resources may be left behind ` +
          `(listed below and in the report); pass --force-orphans to destroy anyway`,
      );
      for (const o of report.orphans) deps.progress(`orphan ${o.kind}: ${o.selector}: ${o.command}`);
      return { report: { ...report, refused, steps } };
    }
    if (report.orphans.length > 0)
      deps.progress(`--force-orphans: destroying with ${report.orphans.length} orphan kind(s) listed`);
    steps.push("pulumi destroy");
    deps.onReport?.({ ...report, refused, steps });
    const destroyed = await deps.destroy();
    return { report: { ...report, refused, steps }, destroyed };
  };

  if (input.facts.instances === 0) {
    steps.push("no instance in the state: nothing to clean through the cluster");
    return finish({ ...base, api: "no-nodes", orphans: [] });
  }
  const unreachable = (api: "unreachable" | "failed", reason: string, targets?: TeardownTargets) => {
    deps.progress(`the cluster cannot be cleaned (${reason})`);
    return finish({
      ...base,
      api,
      reason,
      ...(targets ? { retainedVolumes: targets.retainedVolumes } : {}),
      orphans: orphanSelectors({
        cluster: input.cluster,
        facts: input.facts,
        ...(dnsInput ? { dns: dnsInput } : {}),
        ...(targets ? { targets } : {}),
      }),
    });
  };
  if (input.kubeconfig === undefined || input.kubeconfig === "") {
    return unreachable("unreachable", "the stack has no kubeconfig output");
  }
  const api = deps.connect(input.kubeconfig, limits);
  let version: string;
  steps.push("connect");
  try {
    version = await api.version();
  } catch (e) {
    return unreachable("unreachable", `the cluster API does not answer: ${(e as Error).message}`);
  }
  deps.progress(`cluster API answers (${version}): cleaning what its controllers created`);
  let targets: TeardownTargets | undefined;
  let report: Omit<TeardownReport, "refused" | "steps">;
  const toWait: {
    kind: ObjectKind;
    namespace: string;
    name: string;
    deletedAt: number;
    cloudResource: string;
  }[] = [];
  try {
    steps.push("list");
    const services = await api.listServices();
    targets = teardownTargets(services, await api.listClaims(), await api.listVolumes());
    const records = dnsInput ? ownedRecords(services, dnsInput.zone) : [];
    const dns = dnsInput
      ? (deps.dnsRemover ?? ((a, o, z) => externalDnsSync(a, o, z, deps)))(api, dnsInput.owner, dnsInput.zone)
      : undefined;
    if (dns) {
      steps.push("dns: prepare");
      await dns.prepare(records);
    }
    for (const s of targets.loadBalancers) {
      steps.push(`delete Service ${s.namespace}/${s.name}`);
      await api.delete("Service", s);
      toWait.push({
        kind: "Service",
        ...s,
        deletedAt: deps.now(),
        cloudResource: loadBalancerName(input.cluster, s.namespace, s.name),
      });
    }
    for (const c of targets.claims) {
      steps.push(`delete PersistentVolumeClaim ${c.namespace}/${c.name}`);
      await api.delete("PersistentVolumeClaim", c);
      const deletedAt = deps.now();
      toWait.push({ kind: "PersistentVolumeClaim", ...c, deletedAt, cloudResource: c.cinderVolumeId });
      // The claim goes once no pod uses it (kubernetes.io/pvc-protection); the Cinder volume only after
      // that, when the provisioner deletes the Released volume: its PV object goes last.
      toWait.push({
        kind: "PersistentVolume",
        namespace: "",
        name: c.volume,
        deletedAt,
        cloudResource: c.cinderVolumeId,
      });
    }
    deps.progress(
      `deleted ${targets.loadBalancers.length} LoadBalancer Service(s) and ${targets.claims.length} Cinder claim(s); ` +
        `waiting for their finalizers`,
    );
    steps.push("wait");
    const waitStarted = deps.now();
    const waited = await waitUntilGone(toWait, { presence: (k, o) => api.presence(k, o), ...deps }, limits);
    const waitMs = deps.now() - waitStarted;
    let dnsOutcome: DnsOutcome | undefined;
    if (dns) {
      steps.push("dns: finish");
      const remaining = (limits.deadlineMs ?? 900_000) - waitMs;
      dnsOutcome = await dns.finish(Math.max(0, remaining));
    }
    const deleted = toWait.map((o, i) => {
      const w = waited[i]!;
      return {
        kind: o.kind,
        namespace: o.namespace,
        name: o.name,
        cloudResource: o.cloudResource,
        outcome: w.outcome,
        waitedMs: w.waitedMs,
        ...(w.finalizers !== undefined ? { finalizers: w.finalizers } : {}),
      };
    });
    const stuck = new Set(
      waited
        .filter((w) => w.outcome === "timed-out" && w.kind === "Service")
        .map((w) => `${w.namespace}/${w.name}`),
    );
    report = {
      ...base,
      api: "answered",
      apiVersion: version,
      deleted,
      retainedVolumes: targets.retainedVolumes,
      ...(dnsOutcome ? { dns: dnsOutcome } : {}),
      waitMs,
      orphans: orphanSelectors({
        cluster: input.cluster,
        facts: input.facts,
        ...(dnsInput ? { dns: dnsInput } : {}),
        targets,
        waited,
        records: records.filter((r) => stuck.has(`${r.source.namespace}/${r.source.name}`)),
      }),
    };
  } catch (e) {
    const asked = toWait
      .filter((o) => o.kind !== "PersistentVolume")
      .map((o) => `${o.kind} ${o.namespace}/${o.name}`);
    return unreachable(
      "failed",
      `the cluster API answered, then failed: ${(e as Error).message}` +
        (asked.length > 0 ? ` (deletion asked for: ${asked.join(", ")})` : ""),
      targets,
    );
  }
  // Outside the try: a failing Pulumi destroy is the destroy's failure, not the cluster's.
  return finish(report);
}
