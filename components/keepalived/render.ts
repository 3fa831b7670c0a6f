/**
 * keepalived for the two VRRP groups of a keepalived-topology cluster, and the files a node needs to run it:
 * - `api`: the servers hold the API VIP (Kubernetes API 6443, RKE2 registration 9345); the check is RKE2's
 *   supervisor `/ping`, which answers without credentials.
 * - `ingress`: the dedicated ingress nodes hold the ingress VIP (80/443); the check is ingress-nginx's
 *   `/healthz`.
 *
 * Pure and deterministic: the same arguments give the same bytes (peers sorted), so a re-render never shows
 * up as a diff in the nodes' user data.
 *
 * Shape: unicast VRRP only (clouds drop multicast, and unicast keeps adverts between known peers), every node
 * `state BACKUP` with `nopreempt` (a recovering node does not take the VIP back and cause a second failover),
 * and a `track_script` on the group's local health signal, so a node whose service is down gives the VIP away.
 *
 * Use {@link renderKeepalivedNode} from a component: it returns every file, package and service a node of
 * either group needs, so a new file here (check, notify, interface detection) reaches every call site.
 */

import { parseIpv4 } from "../../spec/ipv4";
import { KEEPALIVED_CONFIG_PATH } from "../conventions";

/**
 * The two keepalived groups of a cluster. They share the cluster's L2 segment, so their
 * `virtual_router_id`s must differ; clusters on different Neutron networks never see each other's adverts.
 */
export type KeepalivedGroup = "api" | "ingress";

/** Where cloud-init writes the ingress group's check script; keepalived.conf refers to it. */
export const INGRESS_CHECK_SCRIPT_PATH = "/etc/keepalived/check_ingress.sh";
/** Where cloud-init writes the API group's check script; keepalived.conf refers to it. */
export const API_CHECK_SCRIPT_PATH = "/etc/keepalived/check_api.sh";
/**
 * ingress-nginx's health endpoint on the node. The controller serves `/healthz` on `--healthz-port`, default
 * 10254, bound to every address (`--healthz-host` default ""): kubernetes/ingress-nginx pkg/flags/flags.go at
 * helm-chart-4.12.4 (the chart's probes use the same port and path, charts/ingress-nginx/values.yaml); RKE2
 * v1.33.3+rke2r1 bundles rke2-ingress-nginx 4.12.401 (rancher/rke2 charts/chart_versions.yaml). It answers on
 * the node's 127.0.0.1 because components/rke2/manifests.ts runs the controller with `hostNetwork: true`.
 */
export const DEFAULT_INGRESS_HEALTH_URL = "http://127.0.0.1:10254/healthz";
/**
 * RKE2's supervisor `/ping` on the server itself. The supervisor (port 9345, TLS) routes `/ping` (and
 * `/cacerts`) on its outer router, before any authentication middleware: k3s pkg/server/handlers/router.go
 * `NewHandler` (`router.Handle("/ping", Ping())`), the k3s that rancher/rke2 v1.33.3+rke2r1 pins in go.mod
 * (github.com/k3s-io/k3s v1.33.3-0.20250715012419-cf2ef56313e8). It answers "pong" once the supervisor
 * listens, which on a joining server is only after it has fetched the cluster's CA from a running server.
 */
export const DEFAULT_API_HEALTH_URL = "https://127.0.0.1:9345/ping";

interface GroupProfile {
  /** `vrrp_instance` name. */
  readonly instance: string;
  /** `vrrp_script` name. */
  readonly script: string;
  readonly checkScriptPath: string;
  readonly healthUrl: string;
  /** What the VIP serves, for comments. */
  readonly what: string;
  /** What the check asks, for the script's comment. */
  readonly checks: string;
}

const GROUPS: Readonly<Record<KeepalivedGroup, GroupProfile>> = {
  api: {
    instance: "api_vip",
    script: "check_api",
    checkScriptPath: API_CHECK_SCRIPT_PATH,
    healthUrl: DEFAULT_API_HEALTH_URL,
    what: "API VIP",
    checks: "the local RKE2 supervisor answers /ping",
  },
  ingress: {
    instance: "ingress_vip",
    script: "check_ingress",
    checkScriptPath: INGRESS_CHECK_SCRIPT_PATH,
    healthUrl: DEFAULT_INGRESS_HEALTH_URL,
    what: "ingress VIP",
    checks: "the RKE2 ingress controller answers healthy",
  },
};

const DEFAULT_INTERFACE = "eth0";
/** keepalived uses only the first eight characters of a PASS secret (and `-t` rejects longer ones). */
const AUTH_PASS_MAX = 8;
/** `vrrp_script` timing: a check fails after `fall` failed runs `intervalSeconds` apart. */
const CHECK = { intervalSeconds: 3, timeoutSeconds: 3, curlMaxTimeSeconds: 2, fall: 2, rise: 2 } as const;

export interface KeepalivedConfigArgs {
  /** Which of the cluster's two VRRP groups this node belongs to; decides the check and the names. */
  readonly group: KeepalivedGroup;
  /** keepalived `router_id`: the node name. */
  readonly routerId: string;
  /** Interface VRRP runs on and the VIP is added to. @default "eth0" */
  readonly interfaceName?: string;
  /** `virtual_router_id` (1–255); must differ from the cluster's other group (they share a segment). */
  readonly virtualRouterId: number;
  /** `priority` (1–254); with `nopreempt` it only decides who wins when both start together. */
  readonly priority: number;
  /** `unicast_src_ip`: this node's fixed address. */
  readonly unicastSourceIp: string;
  /** `unicast_peer`: the other group members' fixed addresses (at least one: without peers keepalived falls back to multicast). */
  readonly unicastPeers: readonly string[];
  /** The VIP (`virtual_ipaddress`). */
  readonly vip: string;
  /** Prefix length the VIP is added with. */
  readonly vipPrefixLength: number;
  /** `advert_int` in seconds (1–255). */
  readonly advertIntervalSeconds: number;
  /** Optional VRRP PASS secret (1–8 characters); adverts are already confined to the subnet by security rules. @default none */
  readonly authPass?: string;
  /** Path of the check script the config tracks. @default the group's script path (API_CHECK_SCRIPT_PATH, INGRESS_CHECK_SCRIPT_PATH) */
  readonly checkScriptPath?: string;
}

/** One file a keepalived node needs; structurally a cloud-init `write_files` entry (rke2/cloud-init.ts WriteFile). */
export interface KeepalivedNodeFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: "0600" | "0644" | "0700" | "0755";
}

/** Everything a node of either group needs for keepalived, ready for the node's cloud-config. */
export interface KeepalivedNode {
  /** Files to write before keepalived is installed (config, check script, …), sorted by path. */
  readonly files: readonly KeepalivedNodeFile[];
  /** Distribution packages to install. */
  readonly packages: readonly string[];
  /** systemd units to enable and start once the files are in place. */
  readonly services: readonly string[];
}

/**
 * The files, packages and services of one keepalived node of `a.group`. Components call this rather than the
 * single renderers, so files added later reach every node. Throws one error naming every invalid argument.
 */
export function renderKeepalivedNode(a: KeepalivedConfigArgs): KeepalivedNode {
  const conf = renderKeepalivedConf(a);
  const profile = GROUPS[a.group];
  const files: KeepalivedNodeFile[] = [
    { path: KEEPALIVED_CONFIG_PATH, content: conf, permissions: "0600" },
    {
      path: a.checkScriptPath ?? profile.checkScriptPath,
      content: renderCheckScript(a.group),
      permissions: "0755",
    },
  ];
  return {
    files: files.sort((x, y) => x.path.localeCompare(y.path)),
    packages: ["keepalived"],
    services: ["keepalived.service"],
  };
}

/** Renders keepalived.conf. Throws one error naming every invalid argument. */
export function renderKeepalivedConf(a: KeepalivedConfigArgs): string {
  const iface = a.interfaceName ?? DEFAULT_INTERFACE;
  const scriptPath = a.checkScriptPath ?? profileOf(a.group)?.checkScriptPath ?? "";
  checkConfigArgs(a, iface, scriptPath);
  const profile = GROUPS[a.group];
  const peers = [...a.unicastPeers].sort(compareIpv4);
  const lines = [
    `# keepalived.conf for ${a.routerId}: ${profile.what} ${a.vip}. Rendered by xcluster; local changes are overwritten.`,
    "global_defs {",
    `    router_id ${a.routerId}`,
    // Scripts run only if neither they nor their directories are writable by non-root users.
    "    enable_script_security",
    // root, not an unprivileged user: keepalived 2.2's config test aborts on any other script user, and the
    // script only makes one local HTTP request.
    "    script_user root",
    "}",
    "",
    `vrrp_script ${profile.script} {`,
    `    script "${scriptPath}"`,
    `    interval ${CHECK.intervalSeconds}`,
    `    timeout ${CHECK.timeoutSeconds}`,
    `    fall ${CHECK.fall}`,
    `    rise ${CHECK.rise}`,
    "}",
    "",
    `vrrp_instance ${profile.instance} {`,
    "    state BACKUP",
    "    nopreempt",
    `    interface ${iface}`,
    `    virtual_router_id ${a.virtualRouterId}`,
    `    priority ${a.priority}`,
    `    advert_int ${a.advertIntervalSeconds}`,
    `    unicast_src_ip ${a.unicastSourceIp}`,
    "    unicast_peer {",
    ...peers.map((p) => `        ${p}`),
    "    }",
    ...(a.authPass === undefined
      ? []
      : ["    authentication {", "        auth_type PASS", `        auth_pass ${a.authPass}`, "    }"]),
    "    virtual_ipaddress {",
    `        ${a.vip}/${a.vipPrefixLength} dev ${iface}`,
    "    }",
    "    track_script {",
    `        ${profile.script}`,
    "    }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Renders the check script of `group`: exit 0 while the group's local service answers healthy, 1 otherwise
 * (keepalived then gives the VIP away). `url` defaults to the group's health endpoint on the node
 * (DEFAULT_API_HEALTH_URL, DEFAULT_INGRESS_HEALTH_URL).
 */
export function renderCheckScript(group: KeepalivedGroup, options: { readonly url?: string } = {}): string {
  const profile = GROUPS[group];
  const url = options.url ?? profile.healthUrl;
  if (!/^https?:\/\/[A-Za-z0-9.:[\]/_-]+$/.test(url)) {
    throw new Error(`invalid ${group} check: url: not a plain http(s) URL (got ${JSON.stringify(url)})`);
  }
  // The API check talks TLS to the server's own supervisor on loopback: it asks "is it up", not "is it
  // who I think", so the certificate (signed by the cluster's server CA) is not verified.
  const insecure = url.startsWith("https:") ? " --insecure" : "";
  return [
    "#!/bin/sh",
    `# keepalived track_script for the ${profile.what}. Rendered by xcluster; local changes are overwritten.`,
    `# Exit 0 while ${profile.checks}, 1 otherwise (keepalived then gives the VIP away).`,
    `if curl --fail --silent --show-error${insecure} --max-time ${CHECK.curlMaxTimeSeconds} --output /dev/null '${url}'; then`,
    "  exit 0",
    "fi",
    "exit 1",
    "",
  ].join("\n");
}

/** The ingress group's check script (renderCheckScript("ingress", options)). */
export function renderIngressCheckScript(options: { readonly url?: string } = {}): string {
  return renderCheckScript("ingress", options);
}

/** The API group's check script (renderCheckScript("api", options)). */
export function renderApiCheckScript(options: { readonly url?: string } = {}): string {
  return renderCheckScript("api", options);
}

function checkConfigArgs(a: KeepalivedConfigArgs, iface: string, scriptPath: string): void {
  const problems: string[] = [];
  const intIn = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${field}: out of range (got ${value}; allowed: an integer from ${min} to ${max})`);
    }
  };
  const ip = (field: string, value: string) => {
    if (!isIpv4(value)) problems.push(`${field}: not an IPv4 address (got ${JSON.stringify(value)})`);
  };
  if (profileOf(a.group) === undefined)
    problems.push(`group: unknown (got ${JSON.stringify(a.group)}; allowed: api, ingress)`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a.routerId))
    problems.push(`routerId: not a node name (got ${JSON.stringify(a.routerId)})`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(iface))
    problems.push(`interfaceName: not an interface name (got ${JSON.stringify(iface)})`);
  if (!/^\/[A-Za-z0-9._/-]+$/.test(scriptPath))
    problems.push(`checkScriptPath: not an absolute path (got ${JSON.stringify(scriptPath)})`);
  intIn("virtualRouterId", a.virtualRouterId, 1, 255);
  intIn("priority", a.priority, 1, 254);
  intIn("advertIntervalSeconds", a.advertIntervalSeconds, 1, 255);
  intIn("vipPrefixLength", a.vipPrefixLength, 1, 32);
  ip("unicastSourceIp", a.unicastSourceIp);
  ip("vip", a.vip);
  if (a.unicastPeers.length === 0)
    problems.push("unicastPeers: empty (keepalived would fall back to multicast; a VIP group needs a peer)");
  a.unicastPeers.forEach((p, i) => ip(`unicastPeers[${i}]`, p));
  if (new Set(a.unicastPeers).size !== a.unicastPeers.length)
    problems.push(`unicastPeers: duplicates (got ${a.unicastPeers.join(", ")})`);
  if (a.unicastPeers.includes(a.unicastSourceIp))
    problems.push(`unicastPeers: contains this node's own address ${a.unicastSourceIp}`);
  if (a.vip === a.unicastSourceIp || a.unicastPeers.includes(a.vip))
    problems.push(`vip: equals a node address (got ${a.vip})`);
  if (a.authPass !== undefined && !new RegExp(`^[A-Za-z0-9._-]{1,${AUTH_PASS_MAX}}$`).test(a.authPass)) {
    problems.push(
      `authPass: keepalived uses 1 to ${AUTH_PASS_MAX} characters of [A-Za-z0-9._-] (got ${a.authPass.length} characters)`,
    );
  }
  if (problems.length > 0) throw new Error(`invalid keepalived arguments:\n  ${problems.join("\n  ")}`);
}

/** The group's profile, or undefined for a value outside the type (plain JavaScript callers). */
function profileOf(group: string): GroupProfile | undefined {
  return Object.prototype.hasOwnProperty.call(GROUPS, group) ? GROUPS[group as KeepalivedGroup] : undefined;
}

function isIpv4(value: string): boolean {
  return parseIpv4(value) !== undefined;
}

function compareIpv4(a: string, b: string): number {
  return (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0);
}
