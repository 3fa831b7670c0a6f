/**
 * Tier: pure functions (a virtual clock for the wait). Which Route53 records external-dns owns for a
 * cluster and what its TXT registry calls them; how the bounded wait ends; the report's Markdown.
 */
import { strict as assert } from "assert";
import { ownedRecords, parseInterval, txtRecordName } from "../../teardown/dns";
import { waitUntilGone, type WaitedObject } from "../../teardown/wait";
import type { Presence } from "../../teardown/cluster-api";
import { renderTeardownMarkdown } from "../../fleet/teardown-report";
import type { ClusterResult } from "../../fleet/operation";
import type { TeardownReport } from "../../teardown/teardown";

describe("external-dns records owned by a cluster", () => {
  it("names TXT registry records <type>-<first label>.<rest>, as external-dns v0.20.0 writes them", () => {
    assert.equal(txtRecordName("web.dev.example.org", "A"), "a-web.dev.example.org");
    assert.equal(txtRecordName("api.dev.example.org", "CNAME"), "cname-api.dev.example.org");
    assert.equal(txtRecordName("localhost", "AAAA"), "aaaa-localhost");
  });

  it("lists the hostname annotation's names in the zone, per record type of the load balancer's addresses", () => {
    const records = ownedRecords(
      [
        {
          metadata: {
            name: "web",
            namespace: "shop",
            annotations: { "external-dns.alpha.kubernetes.io/hostname": "Web.dev.example.org., x.other.org" },
          },
          spec: { type: "LoadBalancer" },
          status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }, { ip: "2001:db8::1" }] } },
        },
        {
          metadata: {
            name: "plain",
            annotations: { "external-dns.alpha.kubernetes.io/hostname": "p.dev.example.org" },
          },
          spec: { type: "ClusterIP" },
        },
        { metadata: { name: "nameless" }, spec: { type: "LoadBalancer" } },
      ],
      "dev.example.org",
    );
    assert.deepEqual(
      records.map((r) => [r.name, r.type, r.txtName, r.targets.join(",")]),
      [
        ["web.dev.example.org", "A", "a-web.dev.example.org", "192.0.2.10"],
        ["web.dev.example.org", "AAAA", "aaaa-web.dev.example.org", "2001:db8::1"],
      ],
    );
  });

  it("reads --interval as Go durations are written, and rejects what is not one", () => {
    assert.equal(parseInterval("1m"), 60_000);
    assert.equal(parseInterval("1m30s"), 90_000);
    assert.equal(parseInterval("2s"), 2000);
    assert.equal(parseInterval("1h"), 3_600_000);
    assert.equal(parseInterval(""), undefined);
    assert.equal(parseInterval("soon"), undefined);
  });
});

describe("the bounded wait for deleted objects", () => {
  /** A virtual clock: `sleep` advances it; each object goes at the given time (never when undefined). */
  function world(goneAt: Record<string, number | undefined>) {
    let now = 0;
    const lines: string[] = [];
    return {
      lines,
      deps: {
        now: () => now,
        sleep: async (ms: number) => void (now += ms),
        progress: (l: string) => lines.push(l),
        presence: async (_k: string, o: { name: string }): Promise<Presence> => {
          const at = goneAt[o.name];
          return at !== undefined && now >= at ? { gone: true } : { gone: false, finalizers: ["f"] };
        },
      },
    };
  }
  const obj = (name: string, deletedAt = 0): WaitedObject => ({
    kind: "Service",
    namespace: "ns",
    name,
    deletedAt,
  });

  it("reports each object's own wait, from its deletion to the look that found it gone", async () => {
    const w = world({ a: 3000, b: 7000 });
    const r = await waitUntilGone([obj("a"), obj("b", 1000)], w.deps, {
      pollMs: 1000,
      progressIntervalMs: 2000,
    });
    assert.deepEqual(
      r.map((x) => [x.name, x.outcome, x.waitedMs]),
      [
        ["a", "gone", 3000],
        ["b", "gone", 6000],
      ],
    );
    assert.ok(
      w.lines.some((l) => /waiting for 1 object\(s\).*Service ns\/b \[f\]/.test(l)),
      w.lines.join("\n"),
    );
  });

  it("gives up on an object at its own limit and on the rest at the deadline, keeping their finalizers", async () => {
    const w = world({ slow: undefined, late: undefined, quick: 1000 });
    const r = await waitUntilGone([obj("slow"), obj("late", 4000), obj("quick")], w.deps, {
      pollMs: 1000,
      perObjectTimeoutMs: 3000,
      deadlineMs: 5000,
    });
    assert.deepEqual(
      r.map((x) => [x.name, x.outcome, x.waitedMs]),
      [
        ["slow", "timed-out", 3000],
        ["late", "timed-out", 1000],
        ["quick", "gone", 1000],
      ],
    );
    assert.deepEqual(r[0]?.finalizers, ["f"]);
  });
});

describe("the destroy report's teardown section", () => {
  const teardown: TeardownReport = {
    api: "answered",
    apiVersion: "v1.33.13",
    deleted: [
      {
        kind: "Service",
        namespace: "shop",
        name: "web",
        cloudResource: "kube_service_c1_shop_web",
        outcome: "gone",
        waitedMs: 41_000,
      },
      {
        kind: "PersistentVolume",
        namespace: "",
        name: "pv-db",
        cloudResource: "vol-db",
        outcome: "timed-out",
        waitedMs: 300_000,
        finalizers: ["kubernetes.io/pv-protection"],
      },
    ],
    retainedVolumes: [
      { volume: "pv-archive", cinderVolumeId: "vol-archive", claim: { namespace: "data", name: "archive" } },
    ],
    orphans: [
      {
        kind: "volume",
        selector: "Cinder volumes with the property cinder.csi.openstack.org/cluster=c1",
        command: "openstack volume list --long --property cinder.csi.openstack.org/cluster=c1",
        known: ["vol-db"],
      },
    ],
    forceOrphans: true,
    refused: false,
    waitMs: 300_000,
    steps: ["connect", "list", "wait", "pulumi destroy"],
  };
  const result = { cluster: "c1", environment: "dev", teardown } as unknown as ClusterResult;

  it("shows per object its cloud resource and wait, kept volumes, orphans with their command, and --force-orphans", () => {
    const md = renderTeardownMarkdown([result]).join("\n");
    assert.match(md, /#### Teardown before destroy/);
    assert.match(
      md,
      /\*\*c1\*\* \(dev\): cluster API answered \(v1\.33\.13\); waited 300\.0 s; --force-orphans used; destroy ran/,
    );
    assert.match(md, /\| Service shop\/web \| kube_service_c1_shop_web \| 41\.0 s \| gone \|/);
    assert.match(
      md,
      /\| PersistentVolume pv-db \| vol-db \| 300\.0 s \| TIMED OUT \(kubernetes\.io\/pv-protection\) \|/,
    );
    assert.match(
      md,
      /kept \(reclaim policy Retain\): Cinder volume vol-archive \(PV pv-archive, claim data\/archive\)/,
    );
    assert.match(
      md,
      /orphan volume: .* \(known: vol-db\) — `openstack volume list --long --property cinder\.csi\.openstack\.org\/cluster=c1`/,
    );
  });

  it("has no section when no cluster ran a teardown", () => {
    assert.deepEqual(renderTeardownMarkdown([{ cluster: "c1" } as unknown as ClusterResult]), []);
  });
});
