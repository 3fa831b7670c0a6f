/**
 * Fixed addresses on the cluster subnet for the nodes other nodes must find before DNS or DHCP can tell
 * them: RKE2 servers (behind the API VIP or LB, and each other's keepalived peers), the API VIP and the
 * keepalived ingress nodes (their keepalived peers are each other's fixed addresses). Pool agents use DHCP.
 *
 * Scheme (offsets from the subnet's network address, all below the DHCP allocation pool):
 * - servers from `.11` upwards,
 * - the API VIP: keepalived's from the spec (`topology.apiVip`, default `.9`), Octavia's planned at `.10`,
 * - keepalived ingress nodes from `.5` upwards.
 * Each block skips the gateway, both keepalived VIPs and every address already handed out, so no fixed
 * address can ever equal the gateway or a VIP. Blocks are filled in a fixed order (servers, Octavia API VIP,
 * ingress) and each grows upwards, so adding a server never moves an existing one, and the keepalived VIPs,
 * being spec values, never move at all.
 */
import { Network, Topology } from "../../spec/types";
import { formatIpv4, isCidr, parseCidr, parseIpv4 } from "../../spec/ipv4";

/** Offset of the first server address. */
export const SERVER_ADDRESS_OFFSET = 11;
/** Offset of the Octavia API load balancer's fixed VIP (keepalived's API VIP is a spec value). */
export const API_VIP_OFFSET = 10;
/** Offset of the first keepalived ingress node address. */
export const INGRESS_ADDRESS_OFFSET = 5;

export interface FixedAddresses {
  /** One per server, in server index order. */
  readonly servers: readonly string[];
  /** One per keepalived ingress node (empty for the octavia topology). */
  readonly ingress: readonly string[];
  /** The API VIP: the keepalived topology's (servers hold it) or the Octavia API load balancer's. */
  readonly apiVip: string;
}

function mustParse(text: string, field: string): number {
  const value = parseIpv4(text);
  if (value === undefined) throw new Error(`${field}: not an IPv4 address (got ${text})`);
  return value;
}

/** Plans the fixed addresses; throws naming the field when the subnet has no room below the pool. */
export function planFixedAddresses(
  network: Network,
  topology: Topology,
  serverCount: number,
  ingressCount: number,
): FixedAddresses {
  const cidr = parseCidr(network.subnetCidr);
  if (!isCidr(cidr)) throw new Error(`network.subnetCidr: ${cidr.error} (got ${network.subnetCidr})`);
  const poolStart = mustParse(network.allocationPool.start, "network.allocationPool.start");
  const taken = new Set<number>([mustParse(network.gatewayIp, "network.gatewayIp")]);
  if (topology.mode === "keepalived") {
    taken.add(mustParse(topology.vip, "topology.vip"));
    taken.add(mustParse(topology.apiVip, "topology.apiVip"));
  }

  const take = (offset: number, count: number, what: string): string[] => {
    const out: string[] = [];
    for (let address = cidr.network + offset; out.length < count; address++) {
      if (address >= poolStart) {
        throw new Error(
          `network.allocationPool.start: no room for ${count} fixed ${what} address(es) from ` +
            `${formatIpv4(cidr.network + offset)} below the DHCP pool (got ${network.allocationPool.start})`,
        );
      }
      if (taken.has(address)) continue;
      taken.add(address);
      out.push(formatIpv4(address));
    }
    return out;
  };

  const servers = take(SERVER_ADDRESS_OFFSET, serverCount, "server");
  const apiVip =
    topology.mode === "octavia" ? (take(API_VIP_OFFSET, 1, "API VIP")[0] as string) : topology.apiVip;
  const ingress = topology.mode === "keepalived" ? take(INGRESS_ADDRESS_OFFSET, ingressCount, "ingress") : [];
  return { servers, ingress, apiVip };
}
