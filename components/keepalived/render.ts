/**
 * keepalived's configuration for the ingress nodes of the keepalived topology, and the health-check script it
 * tracks. Pure and deterministic: the same arguments give the same bytes (peers sorted), so a re-render never
 * shows up as a diff in the nodes' user data.
 *
 * Shape: unicast VRRP only (clouds drop multicast, and unicast keeps adverts between known peers), every node
 * `state BACKUP` with `nopreempt` (a recovering node does not take the VIP back and cause a second failover),
 * and a `track_script` on the ingress controller, so a node whose controller is down gives the VIP away.
 */

import { parseIpv4 } from "../../spec/ipv4";

/** Where cloud-init writes the check script; keepalived.conf refers to it. */
export const INGRESS_CHECK_SCRIPT_PATH = "/etc/keepalived/check_ingress.sh";
/** The controller's own health endpoint (ingress-nginx), answered on the node when it runs on the host network. */
export const DEFAULT_INGRESS_HEALTH_URL = "http://127.0.0.1:10254/healthz";
const DEFAULT_INTERFACE = "eth0";
/** keepalived uses only the first eight characters of a PASS secret (and `-t` rejects longer ones). */
const AUTH_PASS_MAX = 8;
const CHECK = { intervalSeconds: 3, timeoutSeconds: 3, curlMaxTimeSeconds: 2, fall: 2, rise: 2 } as const;

export interface KeepalivedConfigArgs {
  /** keepalived `router_id`: the node name. */
  readonly routerId: string;
  /** Interface VRRP runs on and the VIP is added to. @default "eth0" */
  readonly interfaceName?: string;
  /** `virtual_router_id` (1–255), unique per cluster among clusters sharing a network segment. */
  readonly virtualRouterId: number;
  /** `priority` (1–254); with `nopreempt` it only decides who wins when both start together. */
  readonly priority: number;
  /** `unicast_src_ip`: this node's fixed address. */
  readonly unicastSourceIp: string;
  /** `unicast_peer`: the other ingress nodes' fixed addresses (at least one: without peers keepalived falls back to multicast). */
  readonly unicastPeers: readonly string[];
  /** The VIP (`virtual_ipaddress`). */
  readonly vip: string;
  /** Prefix length the VIP is added with. */
  readonly vipPrefixLength: number;
  /** `advert_int` in seconds (1–255). */
  readonly advertIntervalSeconds: number;
  /** Optional VRRP PASS secret (1–8 characters); adverts are already confined to the subnet by security rules. @default none */
  readonly authPass?: string;
  /** Path of the check script the config tracks. @default INGRESS_CHECK_SCRIPT_PATH */
  readonly checkScriptPath?: string;
}

/** Renders keepalived.conf. Throws one error naming every invalid argument. */
export function renderKeepalivedConf(a: KeepalivedConfigArgs): string {
  const iface = a.interfaceName ?? DEFAULT_INTERFACE;
  const scriptPath = a.checkScriptPath ?? INGRESS_CHECK_SCRIPT_PATH;
  checkConfigArgs(a, iface, scriptPath);
  const peers = [...a.unicastPeers].sort(compareIpv4);
  const lines = [
    `# keepalived.conf for ${a.routerId}: ingress VIP ${a.vip}. Rendered by xcluster; local changes are overwritten.`,
    "global_defs {",
    `    router_id ${a.routerId}`,
    // Scripts run only if neither they nor their directories are writable by non-root users.
    "    enable_script_security",
    // root, not an unprivileged user: keepalived 2.2's config test aborts on any other script user, and the
    // script only makes one local HTTP request.
    "    script_user root",
    "}",
    "",
    "vrrp_script check_ingress {",
    `    script "${scriptPath}"`,
    `    interval ${CHECK.intervalSeconds}`,
    `    timeout ${CHECK.timeoutSeconds}`,
    `    fall ${CHECK.fall}`,
    `    rise ${CHECK.rise}`,
    "}",
    "",
    "vrrp_instance ingress_vip {",
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
    "        check_ingress",
    "    }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Renders the check script: exit 0 while the ingress controller reports healthy, 1 otherwise.
 * `url` defaults to ingress-nginx's health endpoint on the node.
 */
export function renderIngressCheckScript(options: { readonly url?: string } = {}): string {
  const url = options.url ?? DEFAULT_INGRESS_HEALTH_URL;
  if (!/^https?:\/\/[A-Za-z0-9.:[\]/_-]+$/.test(url)) {
    throw new Error(`invalid ingress check: url: not a plain http(s) URL (got ${JSON.stringify(url)})`);
  }
  return [
    "#!/bin/sh",
    "# keepalived track_script for the ingress VIP. Rendered by xcluster; local changes are overwritten.",
    "# Exit 0 while the RKE2 ingress controller answers healthy, 1 otherwise (keepalived then gives the VIP away).",
    `if curl --fail --silent --show-error --max-time ${CHECK.curlMaxTimeSeconds} --output /dev/null '${url}'; then`,
    "  exit 0",
    "fi",
    "exit 1",
    "",
  ].join("\n");
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
    problems.push(
      "unicastPeers: empty (keepalived would fall back to multicast; an ingress pair needs a peer)",
    );
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

function isIpv4(value: string): boolean {
  return parseIpv4(value) !== undefined;
}

function compareIpv4(a: string, b: string): number {
  return (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0);
}
