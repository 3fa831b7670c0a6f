import { strict as assert } from "assert";
import { cidrsOverlap, isCidr, nthAddress, parseCidr, parseIpv4, type Cidr } from "../../spec/ipv4";

const cidr = (t: string): Cidr => {
  const c = parseCidr(t);
  assert.ok(isCidr(c), t);
  return c;
};

describe("IPv4 arithmetic", () => {
  it("parses addresses and refuses malformed ones", () => {
    assert.equal(parseIpv4("10.0.50.1"), 167784961);
    for (const bad of ["10.0.50", "10.0.50.256", "010.0.0.1", "a.b.c.d", "1.2.3.4.5", ""])
      assert.equal(parseIpv4(bad), undefined, bad);
  });

  it("detects overlaps and disjoint ranges", () => {
    assert.equal(cidrsOverlap(cidr("10.42.0.0/16"), cidr("10.42.8.0/24")), true);
    assert.equal(cidrsOverlap(cidr("10.0.50.0/24"), cidr("10.0.51.0/24")), false);
    assert.equal(cidrsOverlap(cidr("0.0.0.0/0"), cidr("192.168.0.0/16")), true);
  });

  it("computes the nth address of a network", () => {
    assert.equal(nthAddress(cidr("10.0.50.0/24"), 10), "10.0.50.10");
    assert.equal(nthAddress(cidr("10.0.0.0/16"), 256), "10.0.1.0");
  });

  it("rejects host bits, naming the network meant", () => {
    assert.deepEqual(parseCidr("10.0.50.7/24"), { error: "host bits set (the network is 10.0.50.0/24)" });
  });
});
