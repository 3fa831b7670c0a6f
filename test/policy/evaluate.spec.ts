import * as assert from "assert";
import { evaluatePolicies, PlannedResource, STACK_RESOURCE } from "../../policy/evaluate";
import { T } from "../../policy/lib/types";
import { agent, gpuNode, ingressNode, server, sgRule, tags } from "./fixtures";

/** CrossGuard's marker for a string that is unknown during preview (what the engine sends). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PACK = "'xcluster@v0.1.0'";

const worldApi: PlannedResource = {
  type: T.secGroupRule,
  name: "api-from-world",
  inputs: sgRule({ protocol: "tcp", portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: "0.0.0.0/0" }),
};

describe("offline policy evaluator", () => {
  it("returns violations in the plan report format, named after the resource", async () => {
    const found = await evaluatePolicies([worldApi]);
    assert.deepStrictEqual(found, [
      {
        policy: "os-sg-001-sensitive-ports",
        enforcement: "mandatory",
        severity: "critical",
        resource: "api-from-world",
        message: "ingress tcp 6443 from 0.0.0.0/0 exposes Kubernetes API outside the cluster",
      },
      {
        policy: "os-sg-002-public-ingress-web-only",
        enforcement: "mandatory",
        severity: "critical",
        resource: "api-from-world",
        message: "ingress tcp 6443 from 0.0.0.0/0 is public; only tcp 80, 443 may be",
      },
      {
        policy: "net-001-admin-address-space",
        enforcement: "mandatory",
        severity: "high",
        resource: STACK_RESOURCE,
        message:
          "admin ranges open 4239261696 public IPv4 addresses (0.0.0.0/0), more than the environment's ceiling of 1024 (policy.adminAddressCeiling)",
      },
    ]);
  });

  it("names stack-wide findings (stack)", async () => {
    const twoServers = ["a", "b"].map((n) => ({ type: T.instance, name: `s-${n}`, inputs: server() }));
    const found = (await evaluatePolicies(twoServers)).filter(
      (v) => v.policy === "os-ha-001-odd-server-count",
    );
    assert.deepStrictEqual(
      found.map((v) => v.resource),
      [STACK_RESOURCE],
    );
  });

  it("reports nothing for a compliant set of nodes", async () => {
    const nodes = [
      { type: T.instance, name: "s0", inputs: server() },
      { type: T.instance, name: "a0", inputs: agent() },
      { type: T.instance, name: "g0", inputs: gpuNode() },
      { type: T.instance, name: "i0", inputs: ingressNode() },
    ];
    assert.deepStrictEqual(await evaluatePolicies(nodes), []);
  });

  describe("unknown values (preview)", () => {
    it("turns a mandatory rule that reads an unknown value into the engine's advisory", async () => {
      const r = { ...worldApi, inputs: { ...worldApi.inputs, remoteIpPrefix: UNKNOWN } };
      const found = (await evaluatePolicies([r])).filter((v) => v.policy === "os-sg-001-sensitive-ports");
      assert.deepStrictEqual(found, [
        {
          policy: "os-sg-001-sensitive-ports",
          enforcement: "advisory",
          severity: "critical",
          resource: "api-from-world",
          message: `can't run policy 'os-sg-001-sensitive-ports' from policy pack ${PACK} during preview: string value at .remoteIpPrefix can't be known during preview`,
        },
      ]);
    });

    it("treats the SDK's own unknown (mock previews) like the engine's marker", async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { unknown } = require("@pulumi/pulumi/output") as { unknown: unknown };
      const r = { ...worldApi, inputs: { ...worldApi.inputs, remoteIpPrefix: unknown } };
      const found = (await evaluatePolicies([r])).filter((v) => v.policy === "os-sg-001-sensitive-ports");
      assert.strictEqual(found.length, 1);
      assert.strictEqual(found[0]?.enforcement, "advisory");
      assert.match(
        found[0]?.message ?? "",
        /^can't run policy .* during preview: string value at \.remoteIpPrefix/,
      );
    });

    it("still decides when the unknown value is one the rule does not read", async () => {
      const r = { ...worldApi, inputs: { ...worldApi.inputs, securityGroupId: UNKNOWN } };
      const found = (await evaluatePolicies([r])).filter((v) => v.policy === "os-sg-001-sensitive-ports");
      assert.deepStrictEqual(
        found.map((v) => v.enforcement),
        ["mandatory"],
      );
    });

    it("turns a stack rule that meets an unknown value into one advisory for the stack", async () => {
      const vrrp = {
        type: T.secGroupRule,
        name: "vrrp",
        inputs: sgRule({ protocol: "vrrp", remoteIpPrefix: UNKNOWN }),
      };
      const found = (await evaluatePolicies([vrrp])).filter(
        (v) => v.policy === "os-sg-004-vrrp-cluster-subnet-only",
      );
      assert.deepStrictEqual(
        found.map((v) => [v.enforcement, v.resource]),
        [["advisory", STACK_RESOURCE]],
      );
    });

    it("never turns an unknown input into a verdict, for any resource rule", async () => {
      // Every top-level input of every fixture unknown: each rule either bows out or cannot run.
      const fixtures: PlannedResource[] = [
        { type: T.instance, name: "s0", inputs: server() },
        { type: T.instance, name: "g0", inputs: gpuNode() },
        worldApi,
        {
          type: T.port,
          name: "p0",
          inputs: {
            networkId: "n",
            securityGroupIds: ["sg"],
            tags: tags("agent"),
            allowedAddressPairs: [{ ipAddress: "0.0.0.0/0" }],
          },
        },
        { type: T.helmRelease, name: "h0", inputs: { chart: "jupyterhub", namespace: "jhub", values: {} } },
      ];
      const unknownAll = fixtures.map((f) => ({
        ...f,
        inputs: Object.fromEntries(Object.keys(f.inputs).map((k) => [k, UNKNOWN])),
      }));
      const found = await evaluatePolicies(unknownAll);
      assert.ok(found.length > 0);
      for (const v of found) {
        assert.strictEqual(v.enforcement, "advisory", `${v.policy} on ${v.resource}: ${v.message}`);
        assert.match(v.message, /during preview/);
      }
    });
  });

  describe("config, as the engine reconciles it", () => {
    it("skips a disabled rule", async () => {
      const found = await evaluatePolicies([worldApi], {
        "os-sg-001-sensitive-ports": { enforcementLevel: "disabled" },
      });
      assert.deepStrictEqual(
        found.map((v) => v.policy),
        ["os-sg-002-public-ingress-web-only", "net-001-admin-address-space"],
      );
    });

    it("applies all's level, with a rule's own entry (also in shorthand) winning", async () => {
      const found = await evaluatePolicies([worldApi], {
        all: { enforcementLevel: "advisory" },
        "os-sg-002-public-ingress-web-only": "mandatory",
      });
      assert.deepStrictEqual(
        found.map((v) => [v.policy, v.enforcement]),
        [
          ["os-sg-001-sensitive-ports", "advisory"],
          ["os-sg-002-public-ingress-web-only", "mandatory"],
          ["net-001-admin-address-space", "advisory"],
        ],
      );
    });

    it("reports remediate as mandatory", async () => {
      const found = await evaluatePolicies([worldApi], {
        "os-sg-001-sensitive-ports": { enforcementLevel: "remediate" },
      });
      assert.strictEqual(found[0]?.enforcement, "mandatory");
    });

    it("passes a rule its own properties and never all's", async () => {
      const admin = { ...worldApi, inputs: { ...worldApi.inputs, remoteIpPrefix: "198.51.100.0/24" } };
      assert.strictEqual(
        (await evaluatePolicies([admin], { all: { adminCidrs: ["198.51.100.0/24"] } })).length,
        2,
      );
      const own = await evaluatePolicies([admin], {
        "os-sg-001-sensitive-ports": { adminCidrs: ["198.51.100.0/24"] },
        "os-sg-002-public-ingress-web-only": { adminCidrs: ["198.51.100.0/24"] },
      });
      assert.deepStrictEqual(own, []);
    });

    it("rejects config values of the wrong type, naming rule and key", async () => {
      await assert.rejects(
        evaluatePolicies([worldApi], { "os-sg-001-sensitive-ports": { adminCidrs: "198.51.100.0/24" } }),
        /os-sg-001-sensitive-ports: adminCidrs: invalid type \(got "198.51.100.0\/24"; allowed: "array"\)/,
      );
    });
  });

  it("unwraps secret inputs (policies see plaintext, as under the engine)", async () => {
    const secret = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "hunter2hunter2",
    };
    const found = await evaluatePolicies([
      { type: T.instance, name: "a0", inputs: { ...agent(), adminPass: secret } },
    ]);
    assert.deepStrictEqual(
      found.map((v) => v.message),
      ["adminPass is set"],
    );
  });

  it("follows references through IDs for stack rules (floating IP on a server port)", async () => {
    const resources: PlannedResource[] = [
      {
        type: T.port,
        name: "srv-port",
        id: "port-1",
        inputs: { networkId: "n", securityGroupIds: ["sg"], tags: tags("server") },
      },
      { type: T.floatingIp, name: "fip", inputs: { pool: "public", portId: "port-1", tags: tags("vip") } },
    ];
    const found = (await evaluatePolicies(resources)).filter(
      (v) => v.policy === "os-fip-001-floating-ip-targets",
    );
    assert.deepStrictEqual(
      found.map((v) => [v.resource, v.message]),
      [["fip", "floating IP is attached to port srv-port with role=server"]],
    );
  });
});
