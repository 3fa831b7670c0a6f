/**
 * The DNS side of the ordered teardown (issue 16, ADR 0016): which Route53 records external-dns owns for
 * the cluster, and how they are removed.
 *
 * external-dns (chart 1.20.0, ExternalDNS v0.20.0; components/addons/external-dns.ts) watches Services of
 * type LoadBalancer only and publishes the names of their `external-dns.alpha.kubernetes.io/hostname`
 * annotation, owned through its TXT registry by the owner ID = the cluster name. It runs with
 * `policy: upsert-only`, which never deletes (kubernetes-sigs/external-dns v0.20.0 plan/policy.go
 * lines 39-43), so deleting the Services alone leaves the records. The teardown switches it to `sync`
 * first (the chart renders `--policy={{ .Values.policy }}` into the `external-dns` container's args,
 * charts/external-dns/templates/deployment.yaml line 98 at external-dns-helm-chart-1.20.0): under sync
 * it deletes the records whose sources disappeared, and only those its owner ID owns (registry/txt.go
 * lines 329-335: `Delete: FilterEndpointsByOwnerID(im.ownerID, changes.Delete)`), so a shared zone is
 * safe.
 *
 * What is not real here: nothing on this machine can reach Route53, and `@aws-sdk/client-route-53` is
 * not installed, so the records' deletion is asked of external-dns and not verified; the report lists
 * them with the command that verifies it.
 */
import type { ClusterApi } from "./cluster-api";
import type { NamedObject, ServiceObject } from "./targets";

/** kubernetes-sigs/external-dns v0.20.0 source/annotations (HostnameKey). */
export const HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname";
/** Where the add-on installs it: the Helm release `external-dns` in namespace `external-dns` (components/addons). */
export const EXTERNAL_DNS_DEPLOYMENT: NamedObject = { namespace: "external-dns", name: "external-dns" };
export const EXTERNAL_DNS_CONTAINER = "external-dns";
/** The chart's default `interval` (charts/external-dns/values.yaml line 200 at external-dns-helm-chart-1.20.0). */
export const DEFAULT_INTERVAL_MS = 60_000;

export interface OwnedRecord {
  /** The record's name (lower case, no trailing dot). */
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  /** The TXT registry record that marks it as owned. */
  readonly txtName: string;
  readonly targets: readonly string[];
  /** The Service it comes from. */
  readonly source: NamedObject;
}

/** A, AAAA or CNAME, as external-dns decides (source/utils.go lines 27-39 `suitableType`). */
function recordType(target: string): OwnedRecord["type"] {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(target)) return "A";
  if (target.includes(":")) return "AAAA";
  return "CNAME";
}

/**
 * The TXT registry name of a record: `<type>-<first label>.<rest>` with no prefix or suffix configured
 * (registry/txt.go lines 517-538 `toTXTName`; v0.20.0 writes only this format, lines 297-327).
 */
export function txtRecordName(name: string, type: string): string {
  const [first, rest] = [name.split(".")[0] ?? name, name.split(".").slice(1).join(".")];
  const label = `${type.toLowerCase()}-${first}`;
  return rest === "" ? label : `${label}.${rest}`;
}

const inZone = (name: string, zone: string) => {
  const z = zone.replace(/\.$/, "").toLowerCase();
  return name === z || name.endsWith(`.${z}`);
};

/** The records external-dns publishes for these Services in `zone` (the add-on's domain filter). */
export function ownedRecords(services: readonly ServiceObject[], zone: string): OwnedRecord[] {
  const records: OwnedRecord[] = [];
  for (const s of services) {
    if (s.spec?.type !== "LoadBalancer") continue;
    const annotation = s.metadata?.annotations?.[HOSTNAME_ANNOTATION];
    if (annotation === undefined) continue;
    const targets = (s.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? i.hostname ?? "")
      .filter((t) => t !== "");
    // annotations.SplitHostnameAnnotation: spaces dropped, split on commas (source/annotations/processors.go line 115).
    const names = annotation
      .replace(/ /g, "")
      .split(",")
      .map((n) => n.replace(/\.$/, "").toLowerCase())
      .filter((n) => n !== "" && inZone(n, zone));
    const byType = new Map<OwnedRecord["type"], string[]>();
    for (const t of targets) byType.set(recordType(t), [...(byType.get(recordType(t)) ?? []), t]);
    for (const name of names) {
      for (const [type, ts] of byType) {
        records.push({
          name,
          type,
          txtName: txtRecordName(name, type),
          targets: ts,
          source: { namespace: s.metadata?.namespace ?? "default", name: s.metadata?.name ?? "" },
        });
      }
    }
  }
  return records.sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** The AWS CLI command that lists what is still owned by `owner` in `zone` (for the operator). */
export function route53VerifyCommand(zone: string, owner: string): string {
  return (
    `aws route53 list-resource-record-sets --hosted-zone-id "$(aws route53 list-hosted-zones-by-name ` +
    `--dns-name ${zone} --query 'HostedZones[0].Id' --output text)" --query "ResourceRecordSets[?Type=='TXT' ` +
    `&& contains(to_string(ResourceRecords), 'external-dns/owner=${owner}')].Name"`
  );
}

/** What the DNS step did, for the report. */
export interface DnsOutcome {
  readonly method: "external-dns-sync";
  /** The TXT owner ID (the cluster name). */
  readonly owner: string;
  readonly zone: string;
  readonly records: readonly OwnedRecord[];
  /**
   * `requested`: external-dns was switched to sync and given its wait; `none-owned`: no Service named a
   * record; `not-installed`: no external-dns Deployment (nothing published through it).
   */
  readonly status: "requested" | "none-owned" | "not-installed";
  /** external-dns' policy before the teardown switched it. */
  readonly policyBefore?: string;
  readonly intervalMs?: number;
  readonly waitedMs: number;
  /** Always false: Route53 is not read back (see the file comment). */
  readonly verified: false;
  readonly verifyCommand: string;
}

/** Removes the cluster's DNS records; real implementations: external-dns sync (below). */
export interface DnsRecordRemover {
  /** Before the Services are deleted (a remover that needs their sources gone prepares here). */
  prepare(records: readonly OwnedRecord[]): Promise<void>;
  /** After they are gone; waits at most `budgetMs`. */
  finish(budgetMs: number): Promise<DnsOutcome>;
}

/** `--interval` as Go's time.ParseDuration writes it for minutes and seconds (`1m`, `30s`, `1m30s`, `2s`). */
export function parseInterval(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (m === null || text === "") return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export interface ExternalDnsSyncDeps {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: (line: string) => void;
}

/**
 * external-dns removes its own records: its Deployment's `--policy` is switched to `sync` before the
 * Services go, and after they are gone the teardown waits two sync intervals (the first loop may have
 * started before they went; the new pod syncs at start).
 */
export function externalDnsSync(
  api: ClusterApi,
  owner: string,
  zone: string,
  deps: ExternalDnsSyncDeps,
): DnsRecordRemover {
  let owned: readonly OwnedRecord[] = [];
  let state: { installed: false } | { installed: true; policyBefore?: string; intervalMs: number } = {
    installed: false,
  };
  const base = { method: "external-dns-sync" as const, owner, zone, verified: false as const };
  return {
    async prepare(records) {
      owned = records;
      const d = await api.readDeployment(EXTERNAL_DNS_DEPLOYMENT);
      const c = d?.spec?.template?.spec?.containers?.find((x) => x.name === EXTERNAL_DNS_CONTAINER);
      if (c === undefined) {
        deps.progress("external-dns is not installed: no DNS record was published through it");
        return;
      }
      const args = c.args ?? [];
      const arg = (flag: string) => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
      const policyBefore = arg("policy");
      const intervalMs = parseInterval(arg("interval") ?? "") ?? DEFAULT_INTERVAL_MS;
      state = { installed: true, ...(policyBefore !== undefined ? { policyBefore } : {}), intervalMs };
      if (records.length === 0) return;
      if (policyBefore !== "sync") {
        const next = [...args.filter((a) => !a.startsWith("--policy=")), "--policy=sync"];
        await api.setContainerArgs(EXTERNAL_DNS_DEPLOYMENT, EXTERNAL_DNS_CONTAINER, next);
        deps.progress(
          `external-dns switched from --policy=${policyBefore ?? "(default)"} to --policy=sync: it deletes ` +
            `the ${records.length} record(s) owned by ${owner} once their Services are gone`,
        );
      }
    },
    async finish(budgetMs) {
      const verifyCommand = route53VerifyCommand(zone, owner);
      if (!state.installed)
        return { ...base, records: owned, status: "not-installed", waitedMs: 0, verifyCommand };
      const known = { ...(state.policyBefore !== undefined ? { policyBefore: state.policyBefore } : {}) };
      if (owned.length === 0)
        return {
          ...base,
          ...known,
          records: owned,
          status: "none-owned",
          intervalMs: state.intervalMs,
          waitedMs: 0,
          verifyCommand,
        };
      const wait = Math.max(0, Math.min(2 * state.intervalMs, budgetMs));
      deps.progress(
        `waiting ${(wait / 1000).toFixed(0)} s (two external-dns sync intervals) for the record deletions`,
      );
      const started = deps.now();
      await deps.sleep(wait);
      return {
        ...base,
        ...known,
        records: owned,
        status: "requested",
        intervalMs: state.intervalMs,
        waitedMs: deps.now() - started,
        verifyCommand,
      };
    },
  };
}
