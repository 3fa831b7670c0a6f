/**
 * No record external-dns writes into a public zone can hold a private address.
 *
 * Tier: pure, property-based (fast-check). external-dns itself cannot run here; its target filter is
 * small and is reproduced from the source at the pinned app version (v0.20.0, chart 1.20.0), cited below,
 * and applied to the arguments our values actually pass.
 */
import { strict as assert } from "assert";
import { BlockList, isIPv4 } from "net";
import fc from "fast-check";
import type { ClusterSpec } from "../../spec/types";
import { addonDefinition } from "../../components/addons/catalogue";
import { addonValues } from "../../components/addons/values";
import { FIXTURES, referenceSpec } from "./fixtures";

type Json = Record<string, unknown>;

/** The `--exclude-target-net` and `--target-net-filter` arguments the chart passes (it forwards extraArgs verbatim). */
function targetNets(values: Json): { exclude: string[]; filter: string[] } {
  const args = (values["extraArgs"] ?? []) as string[];
  const pick = (flag: string) =>
    args.filter((a) => a.startsWith(`--${flag}=`)).map((a) => a.slice(flag.length + 3));
  return { exclude: pick("exclude-target-net"), filter: pick("target-net-filter") };
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split("/");
    // Go's net.ParseCIDR would reject anything else and external-dns would then only log it
    // (endpoint/target_filter.go v0.20.0, lines 41-52): an unparsable exclusion is no exclusion.
    assert.match(bits ?? "", /^\d+$/, cidr);
    list.addSubnet(net as string, Number(bits), isIPv4(net as string) ? "ipv4" : "ipv6");
  }
  return list;
}

/**
 * `TargetNetFilter.Match` (endpoint/target_filter.go v0.20.0, lines 63-88): a target is kept when it is in
 * a filter net (or there are none) and in no excluded net; a target that is not an IP (a CNAME) never
 * matches a net.
 */
function keeps(values: Json, target: string): boolean {
  const { exclude, filter } = targetNets(values);
  const inside = (cidrs: string[]) => isIPv4(target) && blockList(cidrs).check(target, "ipv4");
  return (filter.length === 0 || inside(filter)) && !(exclude.length > 0 && inside(exclude));
}

const values = (spec: ClusterSpec): Json => addonValues(addonDefinition("external-dns"), spec) as Json;

const octet = fc.integer({ min: 0, max: 255 });
/** Any address in `<first>.0.0.0/8`. */
function inRange(first: number): fc.Arbitrary<string> {
  return fc.tuple(octet, octet, octet).map(([b, c, d]) => `${first}.${b}.${c}.${d}`);
}
/** Addresses that are not publicly routable (RFC 1918, CGNAT, loopback, link-local). */
const privateAddress = fc.oneof(
  inRange(10),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
  fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => `100.${b}.${c}.${d}`),
  inRange(127),
  fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
);

/** Addresses in ordinary public unicast space (a floating IP pool, say). */
const publicAddress = fc
  .tuple(fc.integer({ min: 1, max: 223 }), octet, octet, octet)
  .filter(([a, b]) => ![0, 10, 127].includes(a) && !(a === 100 && b >= 64 && b < 128))
  .filter(
    ([a, b]) => !(a === 169 && b === 254) && !(a === 172 && b >= 16 && b < 32) && !(a === 192 && b === 168),
  )
  .filter(([a, b]) => !(a === 192 && b === 0) && !(a === 198 && (b === 18 || b === 19)))
  .map((parts) => parts.join("."));

describe("external-dns never publishes a private address (pure, property-based)", () => {
  it("does not read Ingress status, which holds node InternalIPs under RKE2's ingress-nginx", () => {
    for (const make of FIXTURES) {
      const v = values(make());
      assert.deepEqual(v["sources"], ["service"]);
      assert.ok((v["extraArgs"] as string[]).includes("--service-type-filter=LoadBalancer"));
    }
  });

  it("drops every private target a LoadBalancer service could report, for every fixture cluster", () => {
    for (const make of FIXTURES) {
      const v = values(make());
      fc.assert(fc.property(privateAddress, (ip) => !keeps(v, ip)));
    }
  });

  it("drops targets inside the cluster's own subnet, pod and service ranges", () => {
    const spec = referenceSpec();
    const v = values(spec);
    for (const ip of ["10.0.50.11", "10.42.3.7", "10.43.0.10"]) assert.equal(keeps(v, ip), false, ip);
    // Even when the cluster uses ranges outside RFC 1918.
    const odd = { ...spec, network: { ...spec.network, subnetCidr: "203.0.113.0/24" } };
    assert.equal(keeps(values(odd), "203.0.113.20"), false);
  });

  it("keeps public targets (the floating IPs Octavia load balancers get)", () => {
    const v = values(referenceSpec());
    fc.assert(fc.property(publicAddress, (ip) => keeps(v, ip)));
  });

  it("leaves private addresses alone in a private zone, where they belong", () => {
    const ref = referenceSpec();
    const v = values({ ...ref, dns: { ...ref.dns, privateZone: true } });
    assert.equal(keeps(v, "10.0.50.11"), true);
  });
});
