/** Cases for the admin address-space rule: the whole list of admin ranges is measured, not each entry. */
import { net001AdminAddressSpace } from "../../../policy/rules/net-001-admin-address-space";
import { T } from "../../../policy/lib/types";
import { byName, RuleCases } from "../harness";
import { sgRule } from "../fixtures";

const ssh = (prefix: string, name: string) => ({
  type: T.secGroupRule,
  name,
  inputs: sgRule({ protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: prefix }),
});
const ceiling = (n: number, from: string) =>
  `more than the environment's ceiling of ${n} (policy.adminAddressCeiling)`.replace(/^/, from);

export const adminRangeCases: RuleCases[] = [
  {
    policy: net001AdminAddressSpace,
    config: { adminCidrs: ["198.51.100.0/24"], adminAddressCeiling: 1024 },
    resources: [
      ssh("198.51.100.0/24", "ssh-admin"),
      ssh("10.0.50.0/24", "ssh-cluster"),
      {
        type: T.secGroupRule,
        name: "https-world",
        inputs: sgRule({
          protocol: "tcp",
          portRangeMin: 443,
          portRangeMax: 443,
          remoteIpPrefix: "0.0.0.0/0",
        }),
      },
    ],
    passing: [
      {
        when: "four public /24s reach the ceiling exactly",
        config: {
          adminCidrs: ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "198.51.101.0/24"],
        },
        change: () => undefined,
      },
      {
        when: "overlapping entries are counted once",
        config: { adminCidrs: ["203.0.112.0/22", "203.0.113.0/24", "203.0.113.7/32"] },
        change: (rs) => (byName(rs, "ssh-admin")["remoteIpPrefix"] = "203.0.113.0/24"),
      },
      {
        when: "private ranges are treated apart, however wide",
        config: { adminCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] },
        change: () => undefined,
      },
    ],
    failing: [
      {
        when: "two /1 halves cover the whole internet",
        config: { adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"] },
        change: () => undefined,
        expect: [
          {
            resource: "(stack)",
            message: ceiling(
              1024,
              "admin ranges open 4239261696 public IPv4 addresses (0.0.0.0/1, 128.0.0.0/1, 198.51.100.0/24), ",
            ),
          },
        ],
      },
      {
        when: "a public /8 is listed",
        config: { adminCidrs: ["198.51.100.0/24", "44.0.0.0/8"] },
        change: () => undefined,
        expect: [
          {
            resource: "(stack)",
            message: ceiling(
              1024,
              "admin ranges open 16777472 public IPv4 addresses (198.51.100.0/24, 44.0.0.0/8), ",
            ),
          },
        ],
      },
      {
        when: "many /24s, each narrow, add up past the ceiling",
        config: {
          adminCidrs: [
            "198.51.100.0/24",
            "203.0.113.0/24",
            "192.0.2.0/24",
            "198.51.101.0/24",
            "198.51.102.0/24",
          ],
        },
        change: () => undefined,
        expect: [
          {
            resource: "(stack)",
            message: ceiling(
              1024,
              "admin ranges open 1280 public IPv4 addresses (192.0.2.0/24, 198.51.100.0/24, 198.51.101.0/24, 198.51.102.0/24, 203.0.113.0/24), ",
            ),
          },
        ],
      },
      {
        when: "a security-group rule opens SSH to a range the admin list does not have",
        change: (rs) => (byName(rs, "ssh-admin")["remoteIpPrefix"] = "44.0.0.0/16"),
        expect: [
          {
            resource: "(stack)",
            message: ceiling(
              1024,
              "admin ranges open 65792 public IPv4 addresses (198.51.100.0/24, 44.0.0.0/16), ",
            ),
          },
        ],
      },
    ],
  },
];
