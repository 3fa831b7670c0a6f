/**
 * Tier: pure. The listener map per node role (components/listeners.ts) with the ingress controller's rows
 * derived from the values we really render (components/rke2/manifests.ts): no two sockets on one node may
 * collide, and the old 6443 passthrough collision is caught if it ever comes back.
 */
import { strict as assert } from "assert";
import {
  Listener,
  findCollisions,
  ingressControllerListeners,
  listenerMap,
} from "../../components/listeners";
import { ingressNginxValues } from "../../components/rke2/manifests";
import { NODE_GROUPS, requiredFlows } from "../../components/flows";
import { NodeRole } from "../../spec/types";

const describeCollision = (c: ReturnType<typeof findCollisions>[number]) =>
  `${c.protocol}/${c.port}: ${c.a.process} (${c.a.address}) vs ${c.b.process} (${c.b.address})`;
const at = (ls: readonly Listener[], port: number, protocol = "tcp") =>
  ls.filter((l) => l.port === port && l.protocol === protocol).map((l) => `${l.address} ${l.process}`);

describe("listener map per node role (pure)", () => {
  for (const topology of ["keepalived", "octavia"] as const) {
    for (const cni of ["canal", "cilium", "calico"] as const) {
      it(`has no two listeners on one port of one node (${topology}, ${cni}, our ingress values)`, () => {
        const values = topology === "keepalived" ? ingressNginxValues() : {};
        const map = listenerMap({ topology, cni, ingressNginxValues: values });
        for (const [role, listeners] of Object.entries(map)) {
          assert.deepEqual(findCollisions(listeners).map(describeCollision), [], role);
          for (const l of listeners) assert.ok(l.source.length > 20, `${role} ${l.process} cites a source`);
        }
      });
    }
  }

  for (const topology of ["keepalived", "octavia"] as const) {
    it(`has something listening behind every port the flow table opens into nodes (${topology})`, () => {
      for (const cni of ["canal", "cilium", "calico"] as const) {
        const map = listenerMap({
          topology,
          cni,
          ingressNginxValues: topology === "keepalived" ? ingressNginxValues() : {},
        });
        for (const f of requiredFlows({ topology, cni })) {
          if (f.ports === undefined || f.protocol === "icmp" || f.protocol === "vrrp") continue;
          if (f.key.startsWith("nodeport")) continue; // Services claim NodePorts on demand.
          const roles = (Object.keys(NODE_GROUPS) as NodeRole[]).filter((r) =>
            NODE_GROUPS[r].some((g) => f.to.includes(g)),
          );
          if (roles.length === 0) continue; // load balancers
          const port = f.ports.min;
          const served = roles.some((r) =>
            map[r].some((l) => l.port === port && l.protocol === f.protocol && l.address !== "127.0.0.1"),
          );
          assert.ok(
            served,
            `${cni}: flow ${f.key} (${f.protocol}/${port}) into ${roles.join(", ")} reaches no listener`,
          );
        }
      }
    });
  }

  it("catches the 6443 collision of an ingress controller passing the API through on an ingress node", () => {
    // The values this project rendered before the API VIP: TCP passthrough of 6443 and 9345 through nginx.
    const old = {
      ...ingressNginxValues(),
      tcp: { "6443": "default/kubernetes:443", "9345": "kube-system/rke2-supervisor:9345" },
    };
    const ingress = listenerMap({ topology: "keepalived", cni: "canal", ingressNginxValues: old }).ingress;
    const collisions = findCollisions(ingress);
    assert.deepEqual(collisions.map(describeCollision), [
      "tcp/6443: rke2 agent apiserver load balancer (127.0.0.1) vs ingress-nginx tcp passthrough (0.0.0.0)",
    ]);
  });

  it("treats a wildcard and a specific address on one port as a collision, two distinct addresses not", () => {
    const l = (address: Listener["address"]): Listener => ({
      process: address,
      protocol: "tcp",
      address,
      port: 2379,
      source: "test",
    });
    assert.equal(findCollisions([l("0.0.0.0"), l("127.0.0.1")]).length, 1);
    assert.equal(findCollisions([l("node"), l("0.0.0.0")]).length, 1);
    assert.equal(findCollisions([l("node"), l("node")]).length, 1);
    assert.equal(findCollisions([l("node"), l("127.0.0.1")]).length, 0);
    assert.equal(findCollisions([l("node"), { ...l("node"), protocol: "udp" }]).length, 0);
  });

  it("puts the apiserver and the supervisor on the servers only, and the agent load balancer on loopback", () => {
    const map = listenerMap({
      topology: "keepalived",
      cni: "canal",
      ingressNginxValues: ingressNginxValues(),
    });
    assert.deepEqual(at(map.server, 6443), ["0.0.0.0 kube-apiserver"]);
    assert.deepEqual(at(map.server, 9345), ["0.0.0.0 rke2 supervisor"]);
    for (const role of ["agent", "gpu", "ingress"] as const) {
      assert.deepEqual(at(map[role], 6443), ["127.0.0.1 rke2 agent apiserver load balancer"], role);
      assert.deepEqual(at(map[role], 6444), ["127.0.0.1 rke2 agent supervisor load balancer"], role);
      assert.deepEqual(at(map[role], 9345), [], role);
    }
  });

  it("runs the ingress controller on the ingress nodes only: 80, 443, the webhook on 8443 and health on 10254", () => {
    const map = listenerMap({
      topology: "keepalived",
      cni: "canal",
      ingressNginxValues: ingressNginxValues(),
    });
    for (const port of [80, 443, 8443, 10254]) {
      assert.equal(at(map.ingress, port).length, 1, `ingress ${port}`);
      for (const role of ["server", "agent", "gpu"] as const) assert.deepEqual(at(map[role], port), [], role);
    }
  });

  it("derives RKE2's chart as shipped to hostPorts 80/443 without a host webhook", () => {
    assert.deepEqual(
      ingressControllerListeners({}).map((l) => `${l.protocol}/${l.port}`),
      ["tcp/80", "tcp/443"],
    );
  });
});
