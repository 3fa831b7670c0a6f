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
 * either group needs (configuration, check script, notify script, interface detection and the systemd drop-in
 * that runs it), so a new file here reaches every call site.
 *
 * Every keyword written here is in keepalived.conf(5) of keepalived 2.2.7, the version Debian bookworm ships
 * (acassen/keepalived doc/man/man5/keepalived.conf.5 at v2.2.7), and the tests run the output through that
 * keepalived (`keepalived -t`, and a real failover in network namespaces: test/net/).
 */

import { parseIpv4 } from "../../spec/ipv4";

/**
 * The two keepalived groups of a cluster. They share the cluster's L2 segment, so their
 * `virtual_router_id`s must differ; clusters on different Neutron networks never see each other's adverts.
 */
export type KeepalivedGroup = "api" | "ingress";

/** keepalived's configuration directory on a node (KEEPALIVED_CONFIG_PATH lives in it). */
export const KEEPALIVED_DIRECTORY = "/etc/keepalived";
/** File names inside the configuration directory. */
const FILE_NAMES = {
  conf: "keepalived.conf",
  checkApi: "check_api.sh",
  checkIngress: "check_ingress.sh",
  notify: "notify.sh",
  detectInterface: "detect_interface.sh",
  /** Written at boot by detect_interface.sh; keepalived.conf includes it. */
  interfaceConf: "interface.conf",
} as const;
/** Where cloud-init writes the ingress group's check script; keepalived.conf refers to it. */
export const INGRESS_CHECK_SCRIPT_PATH = `${KEEPALIVED_DIRECTORY}/${FILE_NAMES.checkIngress}`;
/** Where cloud-init writes the API group's check script; keepalived.conf refers to it. */
export const API_CHECK_SCRIPT_PATH = `${KEEPALIVED_DIRECTORY}/${FILE_NAMES.checkApi}`;
/** The notify script: logs every VRRP state change to the journal with the tag NOTIFY_LOG_TAG. */
export const NOTIFY_SCRIPT_PATH = `${KEEPALIVED_DIRECTORY}/${FILE_NAMES.notify}`;
/** The syslog tag of state changes: `journalctl -t keepalived-notify` on a node lists its failovers. */
export const NOTIFY_LOG_TAG = "keepalived-notify";
/** The interface detection script, run by keepalived.service before keepalived starts (KEEPALIVED_DROP_IN_PATH). */
export const DETECT_INTERFACE_SCRIPT_PATH = `${KEEPALIVED_DIRECTORY}/${FILE_NAMES.detectInterface}`;
/**
 * A systemd drop-in for keepalived.service that runs the detection script as `ExecStartPre`: it runs before
 * every start (first boot, when the package's postinst starts keepalived, and every reboot), whoever starts it.
 */
export const KEEPALIVED_DROP_IN_PATH = "/etc/systemd/system/keepalived.service.d/10-xcluster-interface.conf";
/** The keepalived parameter (keepalived.conf(5) "Parameter substitution") that holds the detected interface. */
export const INTERFACE_PARAMETER = "XCLUSTER_INTERFACE";
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
 * `NewHandler`, `router.Handle("/ping", Ping())` (read at k3s commit 1be7bd23; the same unauthenticated route
 * is in the 2019 pkg/server/router.go, so in every k3s between, including the one rancher/rke2
 * v1.33.3+rke2r1 pins in go.mod: github.com/k3s-io/k3s v1.33.3-0.20250715012419-cf2ef56313e8). It answers
 * "pong" once the supervisor listens, which on a joining server is before its etcd member and its
 * kube-apiserver exist (k3s pkg/cluster/https.go `initClusterAndHTTPS` serves before the cluster starts).
 */
export const DEFAULT_API_HEALTH_URL = "https://127.0.0.1:9345/ping";
/**
 * The kube-apiserver on the server itself, which the API check asks too. In RKE2 it is a static pod, not
 * part of the rke2 process that answers `/ping`, so the supervisor can answer while the apiserver that
 * admins reach through the VIP (6443) is down or not yet started. It runs with anonymous auth off
 * (rancher/rke2-docs docs/security/cis_self_assessment16.md at c911f33, check 1.2.1 "--anonymous-auth=false",
 * Result: Pass), so an unauthenticated GET is answered 401; its serving certificate is signed by the server
 * CA with the same SANs as the supervisor's, 127.0.0.1 included (k3s pkg/daemons/control/deps/deps.go
 * `genServerCerts`: serving-kube-apiserver.crt from `runtime.ServerCA`, `addSANs(altNames, config.SANs)`).
 * So 200, 401 or 403 over TLS verified against the server CA means: this server's apiserver is up and
 * serving the cluster's certificate. It needs no credentials.
 */
export const DEFAULT_APISERVER_HEALTH_URL = "https://127.0.0.1:6443/readyz";
/** The apiserver answers the API check's unauthenticated request with one of these while it serves. */
const APISERVER_SERVING_CODES = ["200", "401", "403"] as const;
/**
 * The cluster's server CA on a server: written by cloud-init before RKE2 starts on server 0 (rke2/pki.ts
 * RKE2_SERVER_TLS_DIR), fetched from the cluster by RKE2 on joining servers, before their supervisor listens.
 * The supervisor's certificate is signed by it and names 127.0.0.1: k3s pkg/cluster/https.go (the listener's
 * chain is `LoadCertsChain(ServerCA, ServerCAKey)`, SANs from the control config) and
 * pkg/cli/server/server.go (`SANs = append(SANs, "127.0.0.1", "::1", "localhost", nodeName)`).
 */
export const RKE2_SERVER_CA_PATH = "/var/lib/rancher/rke2/server/tls/server-ca.crt";

interface GroupProfile {
  /** `vrrp_instance` name. */
  readonly instance: string;
  /** `vrrp_script` name. */
  readonly script: string;
  /** File name of the check script in the configuration directory. */
  readonly checkScript: string;
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
    checkScript: FILE_NAMES.checkApi,
    healthUrl: DEFAULT_API_HEALTH_URL,
    what: "API VIP",
    checks: "the local RKE2 supervisor answers /ping and the local kube-apiserver serves",
  },
  ingress: {
    instance: "ingress_vip",
    script: "check_ingress",
    checkScript: FILE_NAMES.checkIngress,
    healthUrl: DEFAULT_INGRESS_HEALTH_URL,
    what: "ingress VIP",
    checks: "the RKE2 ingress controller answers healthy",
  },
};

/** keepalived uses only the first eight characters of a PASS secret (and `-t` rejects longer ones). */
const AUTH_PASS_MAX = 8;
/**
 * `vrrp_script` timing: a check fails after `fall` failed runs `intervalSeconds` apart, and passes again after
 * `rise` good ones. curl gives up after `curlMaxTimeSeconds`, before keepalived's own `timeout` would kill
 * the script and count it as failed, so a hung endpoint is a failed check, never a hung one.
 */
export const KEEPALIVED_CHECK = {
  intervalSeconds: 3,
  timeoutSeconds: 3,
  curlMaxTimeSeconds: 2,
  fall: 2,
  rise: 2,
} as const;
/**
 * `garp_master_refresh`: the holder repeats its gratuitous ARP for the VIP every minute. On OVN (the Neutron
 * backend of most current OpenStack clouds) the logical router learns the VIP's MAC into its MAC_Binding table
 * and, unless `mac_binding_age_threshold` is set (OVN 22.09 and later, off by default), never expires it; a
 * GARP lost around a failover leaves the router sending to the old holder until another GARP arrives
 * (ovn-org/ovn issue #238 "permanent mac_binding cause traffic blackhole"; the same reason OpenShift's
 * keepalived on OpenStack sends periodic GARPs: openshift/machine-config-operator pull request #2782).
 * keepalived's default is 0, no refresh (keepalived.conf(5), `vrrp_garp_master_refresh`).
 */
export const GARP_MASTER_REFRESH_SECONDS = 60;
/**
 * How long the detection script waits at boot for the node's address before it falls back to the default
 * route's interface (the unit is ordered after network-online.target, so this is rarely more than a moment).
 */
const DETECT_WAIT_SECONDS = 20;

export interface KeepalivedConfigArgs {
  /** Which of the cluster's two VRRP groups this node belongs to; decides the check and the names. */
  readonly group: KeepalivedGroup;
  /** keepalived `router_id`: the node name. */
  readonly routerId: string;
  /**
   * Interface VRRP runs on and the VIP is added to: an override for images whose interface is known.
   * @default detected at boot: the interface holding `unicastSourceIp`, else the default route's
   */
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
  /**
   * Directory of keepalived.conf and its scripts on the node; tests point it at a temporary directory.
   * @default KEEPALIVED_DIRECTORY ("/etc/keepalived")
   */
  readonly directory?: string;
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
  const paths = pathsOf(a);
  const files: KeepalivedNodeFile[] = [
    { path: paths.conf, content: conf, permissions: "0600" },
    { path: paths.check, content: renderCheckScript(a.group), permissions: "0755" },
    { path: paths.notify, content: renderNotifyScript(a), permissions: "0755" },
    ...(a.interfaceName === undefined
      ? [
          {
            path: paths.detectInterface,
            content: renderDetectInterfaceScript(a.unicastSourceIp),
            permissions: "0755" as const,
          },
          { path: KEEPALIVED_DROP_IN_PATH, content: renderKeepalivedDropIn(a), permissions: "0644" as const },
        ]
      : []),
  ];
  return {
    files: files.sort((x, y) => x.path.localeCompare(y.path)),
    packages: ["keepalived"],
    services: ["keepalived.service"],
  };
}

/** Renders keepalived.conf. Throws one error naming every invalid argument. */
export function renderKeepalivedConf(a: KeepalivedConfigArgs): string {
  checkConfigArgs(a);
  const profile = GROUPS[a.group];
  const paths = pathsOf(a);
  const detected = a.interfaceName === undefined;
  const iface = a.interfaceName ?? `\${${INTERFACE_PARAMETER}}`;
  const peers = [...a.unicastPeers].sort(compareIpv4);
  const lines = [
    `# keepalived.conf for ${a.routerId}: ${profile.what} ${a.vip}. Rendered by xcluster; local changes are overwritten.`,
    ...(detected
      ? [
          `# The interface is found at boot: ${FILE_NAMES.detectInterface} (run by keepalived.service before keepalived`,
          `# starts) writes $${INTERFACE_PARAMETER}=<interface> to ${FILE_NAMES.interfaceConf}; includer fails when it is missing.`,
          `includer ${FILE_NAMES.interfaceConf}`,
          "",
        ]
      : []),
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
    `    script "${paths.check}"`,
    `    interval ${KEEPALIVED_CHECK.intervalSeconds}`,
    `    timeout ${KEEPALIVED_CHECK.timeoutSeconds}`,
    `    fall ${KEEPALIVED_CHECK.fall}`,
    `    rise ${KEEPALIVED_CHECK.rise}`,
    // Failed until the first checks pass: nobody takes the VIP before its service answers (server-0, which
    // initialises the cluster, is the first whose supervisor answers).
    "    init_fail",
    "}",
    "",
    `vrrp_instance ${profile.instance} {`,
    "    state BACKUP",
    "    nopreempt",
    `    interface ${iface}`,
    `    virtual_router_id ${a.virtualRouterId}`,
    `    priority ${a.priority}`,
    `    advert_int ${a.advertIntervalSeconds}`,
    // A group of one (a single-server dev cluster's API group) has nobody to advertise to: no unicast
    // keywords (keepalived 2.2 refuses unicast_src_ip without peers); its multicast adverts reach nobody.
    ...(peers.length === 0
      ? []
      : [
          `    unicast_src_ip ${a.unicastSourceIp}`,
          "    unicast_peer {",
          ...peers.map((p) => `        ${p}`),
          "    }",
        ]),
    ...(a.authPass === undefined
      ? []
      : ["    authentication {", "        auth_type PASS", `        auth_pass ${a.authPass}`, "    }"]),
    "    virtual_ipaddress {",
    `        ${a.vip}/${a.vipPrefixLength} dev ${iface}`,
    "    }",
    "    track_script {",
    `        ${profile.script}`,
    "    }",
    `    garp_master_refresh ${GARP_MASTER_REFRESH_SECONDS}`,
    `    notify ${paths.notify}`,
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Renders the check script of `group`: exit 0 while the group's local service answers healthy, 1 otherwise
 * (keepalived then gives the VIP away). `url` defaults to the group's health endpoint on the node
 * (DEFAULT_API_HEALTH_URL, DEFAULT_INGRESS_HEALTH_URL). The API group's script also asks the server's own
 * kube-apiserver (`apiserverUrl`, default DEFAULT_APISERVER_HEALTH_URL); its two requests share curl's time
 * budget, so the whole script still ends before keepalived's `timeout`.
 */
export function renderCheckScript(
  group: KeepalivedGroup,
  options: { readonly url?: string; readonly apiserverUrl?: string } = {},
): string {
  const profile = GROUPS[group];
  const url = checkUrl(group, "url", options.url ?? profile.healthUrl);
  const apiserver =
    group === "api"
      ? checkUrl(group, "apiserverUrl", options.apiserverUrl ?? DEFAULT_APISERVER_HEALTH_URL)
      : undefined;
  // The API check talks TLS to the server's own supervisor (and apiserver) on loopback and verifies them
  // against the cluster's server CA (both certificates cover 127.0.0.1), so no curl runs unverified.
  const tls = (u: string) => (u.startsWith("https:") ? ` --cacert ${RKE2_SERVER_CA_PATH}` : "");
  const maxTime =
    apiserver === undefined ? KEEPALIVED_CHECK.curlMaxTimeSeconds : KEEPALIVED_CHECK.curlMaxTimeSeconds / 2;
  const head = [
    "#!/bin/sh",
    `# keepalived track_script for the ${profile.what}. Rendered by xcluster; local changes are overwritten.`,
    `# Exit 0 while ${profile.checks}, 1 otherwise (keepalived then gives the VIP away).`,
  ];
  if (apiserver === undefined) {
    return [
      ...head,
      `if curl --fail --silent --show-error${tls(url)} --max-time ${maxTime} --output /dev/null '${url}'; then`,
      "  exit 0",
      "fi",
      "exit 1",
      "",
    ].join("\n");
  }
  return [
    ...head,
    `curl --fail --silent --show-error${tls(url)} --max-time ${maxTime} --output /dev/null '${url}' || exit 1`,
    "# The apiserver (a static pod apart from the supervisor) runs with anonymous auth off: 401 means it serves.",
    `code="$(curl --silent --show-error${tls(apiserver)} --max-time ${maxTime} --output /dev/null --write-out '%{http_code}' '${apiserver}')"`,
    'case "$code" in',
    `  ${APISERVER_SERVING_CODES.join("|")}) exit 0 ;;`,
    "esac",
    `echo "check_api: the kube-apiserver at ${apiserver} is not serving (HTTP \${code:-none})" >&2`,
    "exit 1",
    "",
  ].join("\n");
}

function checkUrl(group: KeepalivedGroup, field: string, url: string): string {
  if (!/^https?:\/\/[A-Za-z0-9.:[\]/_-]+$/.test(url)) {
    throw new Error(`invalid ${group} check: ${field}: not a plain http(s) URL (got ${JSON.stringify(url)})`);
  }
  return url;
}

/** The ingress group's check script (renderCheckScript("ingress", options)). */
export function renderIngressCheckScript(options: { readonly url?: string } = {}): string {
  return renderCheckScript("ingress", options);
}

/** The API group's check script (renderCheckScript("api", options)). */
export function renderApiCheckScript(options: { readonly url?: string } = {}): string {
  return renderCheckScript("api", options);
}

/**
 * Renders the notify script: keepalived runs it on every state change of the instance, appending
 * "INSTANCE", the instance name, the new state (MASTER, BACKUP, FAULT, STOP, DELETED) and the priority
 * (keepalived.conf(5), `notify`). It logs one line to the journal (syslog tag NOTIFY_LOG_TAG).
 */
export function renderNotifyScript(a: Pick<KeepalivedConfigArgs, "group" | "routerId" | "vip">): string {
  const profile = GROUPS[a.group];
  return [
    "#!/bin/sh",
    `# keepalived notify for the ${profile.what} ${a.vip} on ${a.routerId}. Rendered by xcluster; local changes are overwritten.`,
    "# keepalived appends: $1 GROUP|INSTANCE, $2 its name, $3 the new state, $4 the priority.",
    'case "${3:-}" in',
    `  MASTER) holds="holds the ${profile.what} ${a.vip}" ;;`,
    `  *) holds="does not hold the ${profile.what} ${a.vip}" ;;`,
    "esac",
    `exec logger -t ${NOTIFY_LOG_TAG} -p daemon.notice -- "${a.routerId}: $1 $2 is now \${3:-unknown} (priority \${4:-unknown}); this node $holds"`,
    "",
  ].join("\n");
}

/**
 * Renders the interface detection script. Run as `detect_interface.sh OUTPUT`, it writes
 * `$XCLUSTER_INTERFACE=<name>` to OUTPUT: the interface that holds `nodeIp` (waiting up to `waitSeconds` for
 * it at boot, default 20), else the interface of the default route. Exits 1, writing nothing, when it finds
 * neither.
 */
export function renderDetectInterfaceScript(
  nodeIp: string,
  options: { readonly waitSeconds?: number } = {},
): string {
  const wait = options.waitSeconds ?? DETECT_WAIT_SECONDS;
  if (!Number.isInteger(wait) || wait < 0 || wait > 300) {
    throw new Error(
      `invalid interface detection: waitSeconds: out of range (got ${wait}; allowed: 0 to 300)`,
    );
  }
  if (!isIpv4(nodeIp)) {
    throw new Error(
      `invalid interface detection: nodeIp: not an IPv4 address (got ${JSON.stringify(nodeIp)})`,
    );
  }
  return [
    "#!/bin/sh",
    `# Finds the interface keepalived runs VRRP on: the one holding this node's address ${nodeIp}, else the`,
    "# default route's. Rendered by xcluster; local changes are overwritten.",
    `# Usage: ${FILE_NAMES.detectInterface} OUTPUT (keepalived.conf includes OUTPUT).`,
    "set -u",
    'out="${1:?usage: detect_interface.sh OUTPUT}"',
    `node_ip='${nodeIp}'`,
    "by_address() {",
    `  ip -o -4 addr show | awk -v ip="$node_ip" '{ split($4, a, "/"); if (a[1] == ip) { print $2; exit } }'`,
    "}",
    "by_default_route() {",
    "  ip -o -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == \"dev\") { print $(i + 1); exit } }'",
    "}",
    'iface="$(by_address)"',
    "waited=0",
    `while [ -z "$iface" ] && [ "$waited" -lt ${wait} ]; do`,
    "  sleep 1",
    "  waited=$((waited + 1))",
    '  iface="$(by_address)"',
    "done",
    'how="holds $node_ip"',
    'if [ -z "$iface" ]; then',
    '  iface="$(by_default_route)"',
    '  how="has the default route ($node_ip not found)"',
    "fi",
    'case "$iface" in',
    '  "") echo "detect_interface: no interface holds $node_ip and there is no default route" >&2; exit 1 ;;',
    '  *[!A-Za-z0-9._-]*) echo "detect_interface: unexpected interface name: $iface" >&2; exit 1 ;;',
    "esac",
    `printf '%s\\n' '# Written at boot by ${FILE_NAMES.detectInterface}.' "\\$${INTERFACE_PARAMETER}=$iface" > "$out.tmp"`,
    'mv "$out.tmp" "$out"',
    'echo "detect_interface: keepalived uses $iface, which $how"',
    "",
  ].join("\n");
}

/** Renders the keepalived.service drop-in that runs the detection script before keepalived starts. */
export function renderKeepalivedDropIn(a: Pick<KeepalivedConfigArgs, "directory">): string {
  const dir = a.directory ?? KEEPALIVED_DIRECTORY;
  return [
    "# Rendered by xcluster: find keepalived's interface before every start (see detect_interface.sh).",
    "[Service]",
    `ExecStartPre=${dir}/${FILE_NAMES.detectInterface} ${dir}/${FILE_NAMES.interfaceConf}`,
    "",
  ].join("\n");
}

function pathsOf(a: Pick<KeepalivedConfigArgs, "group" | "directory">) {
  const dir = a.directory ?? KEEPALIVED_DIRECTORY;
  const profile = profileOf(a.group);
  return {
    conf: `${dir}/${FILE_NAMES.conf}`,
    check: `${dir}/${profile?.checkScript ?? ""}`,
    notify: `${dir}/${FILE_NAMES.notify}`,
    detectInterface: `${dir}/${FILE_NAMES.detectInterface}`,
  };
}

function checkConfigArgs(a: KeepalivedConfigArgs): void {
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
  if (a.interfaceName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(a.interfaceName))
    problems.push(`interfaceName: not an interface name (got ${JSON.stringify(a.interfaceName)})`);
  if (a.directory !== undefined && !/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(a.directory))
    problems.push(`directory: not an absolute path (got ${JSON.stringify(a.directory)})`);
  intIn("virtualRouterId", a.virtualRouterId, 1, 255);
  intIn("priority", a.priority, 1, 254);
  intIn("advertIntervalSeconds", a.advertIntervalSeconds, 1, 255);
  intIn("vipPrefixLength", a.vipPrefixLength, 1, 32);
  ip("unicastSourceIp", a.unicastSourceIp);
  ip("vip", a.vip);
  if (a.unicastPeers.length === 0 && a.group !== "api")
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
