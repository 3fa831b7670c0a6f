/** Address-space arithmetic of the admin-range rule (policy/lib/net.ts). Tier: pure functions. */
import * as assert from "assert";
import { publicIpv4Count } from "../../policy/lib/net";

describe("public IPv4 address count of a list of ranges (pure)", () => {
  it("counts one /24 as 256 addresses and a host as one", () => {
    assert.strictEqual(publicIpv4Count(["198.51.100.0/24"]), 256n);
    assert.strictEqual(publicIpv4Count(["198.51.100.7"]), 1n);
  });

  it("counts overlapping and nested ranges once", () => {
    assert.strictEqual(publicIpv4Count(["203.0.112.0/22", "203.0.113.0/24", "203.0.113.7/32"]), 1024n);
  });

  it("leaves out RFC 1918, CGNAT, loopback, link-local and this-network space", () => {
    assert.strictEqual(
      publicIpv4Count([
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
      ]),
      0n,
    );
  });

  it("counts the two /1 halves as the whole public internet, the same as /0", () => {
    const internet = 2n ** 32n - (2n ** 24n * 3n + 2n ** 20n + 2n ** 16n * 2n + 2n ** 22n);
    assert.strictEqual(publicIpv4Count(["0.0.0.0/1", "128.0.0.0/1"]), internet);
    assert.strictEqual(publicIpv4Count(["0.0.0.0/0"]), internet);
  });

  it("counts only the public part of a range that straddles a private one", () => {
    // 172.0.0.0/8 holds 172.16.0.0/12 (RFC 1918).
    assert.strictEqual(publicIpv4Count(["172.0.0.0/8"]), 2n ** 24n - 2n ** 20n);
  });

  it("ignores IPv6 and unparseable entries", () => {
    assert.strictEqual(publicIpv4Count(["2001:db8::/32", "not-a-cidr", "198.51.100.0/24"]), 256n);
  });
});
