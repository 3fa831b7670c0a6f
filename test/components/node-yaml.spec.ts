/**
 * Tier: pure functions, and Pulumi mocks (every committed cluster rendered by the real cluster program).
 * Node files are rendered from memoised pieces (components/rke2/node-yaml.ts); these tests hold that to
 * the bytes `yaml`'s own `stringify` writes for the same values (every rendering compared while the
 * renderer's check is on), on real node files and on edge values, and keep secrets out of the memo.
 */
import { strict as assert } from "assert";
import { parse, stringify } from "yaml";
import {
  NODE_YAML_OPTIONS,
  checkNodeYamlAgainstStringify,
  nodeYamlMemoContains,
  renderNodeYaml,
} from "../../components/rke2/node-yaml";
import { agentUserData } from "../../components/rke2/user-data";
import { INSTALL_SCRIPT_PATH } from "../../components/rke2/install-script";
import { SPEC } from "./rke2-fixtures";
import { committedUserData } from "../support/committed-fleet";

const HEADER = "#cloud-config\n";

const reference = (v: unknown): string => stringify(v, NODE_YAML_OPTIONS);

describe("node files: YAML rendered from memoised pieces", function () {
  this.timeout(120_000);

  it("writes every committed node's cloud-config, config.yaml and registries.yaml byte for byte as yaml's stringify does, on a first and on a repeated rendering", async () => {
    // Every rendering is compared with stringify of the very values it rendered; a difference throws.
    checkNodeYamlAgainstStringify(true);
    let first: Map<string, string>;
    let again: Map<string, string>;
    try {
      first = await committedUserData();
      again = await committedUserData();
    } finally {
      checkNodeYamlAgainstStringify(false);
    }
    let files = 0;
    for (const [node, text] of first) {
      assert.equal(again.get(node), text, `${node}: a second rendering (memoised pieces) differs`);
      assert.ok(text.startsWith(HEADER), `${node}: cloud-config header`);
      const config = parse(text.slice(HEADER.length)) as { write_files: { path: string; content: string }[] };
      assert.equal(text, HEADER + reference(config), `${node}: cloud-config`);
      for (const f of config.write_files.filter((w) => w.path.endsWith(".yaml"))) {
        assert.equal(f.content, reference(parse(f.content)), `${node}: ${f.path}`);
        files++;
      }
    }
    assert.ok(first.size >= 20, `nodes: ${first.size}`);
    // Every node writes RKE2's config.yaml; some also registries.yaml.
    assert.ok(files > first.size, `YAML files checked: ${files}`);
  });

  it("writes block scalars, quoted scalars, odd keys, nesting and empty collections as yaml's stringify does", () => {
    const maps: Record<string, unknown>[] = [
      {},
      { only: undefined },
      { a: undefined, b: 1 },
      {
        script: "#!/bin/sh\nset -e\necho hi\n",
        none: "no newline\nat the end",
        kept: "two\n\n",
        lead: "  indented\nx\n",
      },
      {
        octal: "0755",
        yes: "yes",
        on: "on",
        t: "true",
        empty: "",
        tilde: "~",
        colon: "a: b",
        hash: "# x",
        num: "1e3",
      },
      { "key with: colon": 1, "#hash": 2, "-dash": 3, "": 4, "0755": 5 },
      { n: 0, neg: -1.5, big: 12345678901234, t: true, f: false, z: null },
      { nested: { b: { d: [1, 2], c: "x" }, a: [] }, emptyMap: {}, emptyList: [] },
      {
        list: [
          ["systemctl", "enable", "--now", "rke2-agent.service"],
          "set -e",
          { path: "/x", content: "a\nb\n" },
        ],
      },
      {
        write_files: [
          { path: "/b", content: "z\n", permissions: "0600" },
          { path: "/a", content: "y", owner: "root:root" },
        ],
      },
      { unicode: "ünïcode ✓", tab: "a\tb", cr: "a\r\nb" },
    ];
    for (const m of maps) {
      assert.equal(renderNodeYaml(m), reference(m), JSON.stringify(m));
      // The second time from the memo.
      assert.equal(renderNodeYaml(m), reference(m), `${JSON.stringify(m)} (memoised)`);
    }
  });

  it("never hands back another value's rendering for values JSON cannot tell apart, nor drops yaml's anchors", () => {
    const shared = { a: 1 };
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    // Each group renders one after the other: a memo keyed by JSON alone would answer the later ones
    // with the first one's text.
    const groups: Record<string, unknown>[][] = [
      [{ n: 0 }, { n: -0 }],
      [{ x: null }, { x: NaN }, { x: Infinity }, { x: -Infinity }],
      [{ l: [null, null, null] }, { l: sparse }, { l: [1, undefined, 3] }],
      [{ m: {} }, { m: new Map([["k", "v"]]) }, { m: new Set(["v"]) }],
      [{ d: "2026-12-02T00:00:00.000Z" }, { d: new Date("2026-12-02T00:00:00.000Z") }],
      [{ b: 1 }, { b: BigInt(1) }],
      [
        { s1: { a: 1 }, s2: { a: 1 } },
        { s1: shared, s2: shared },
      ],
      [{ ["k".repeat(1100)]: ["a", "b"] }],
    ];
    for (const group of groups) {
      for (const m of group) {
        assert.equal(renderNodeYaml(m), reference(m), String(Object.keys(m)[0]).slice(0, 20));
      }
    }
    // An object used twice is written once with an anchor, as stringify does.
    assert.match(renderNodeYaml({ s1: shared, s2: shared }), /&a1/);
  });

  it("keeps no secret file of a node's cloud-config in the memo, and does keep the shared scripts", () => {
    const token = "K10" + "f".repeat(64) + "::node:memo-probe-agent-secret";
    const password = "memo-probe-node-password";
    const registryPassword = "memo-probe-registry-password";
    const text = agentUserData({
      nodeName: "memo-probe-0",
      registrationAddress: "10.0.50.9",
      labels: {},
      taints: [],
      rke2: {
        ...SPEC.rke2,
        install: { ...SPEC.rke2.install, registryCredentials: { "registry.example.org": "kv/registry" } },
      },
      agentToken: token,
      nodePassword: password,
      registryAuth: { "registry.example.org": { username: "robot", password: registryPassword } },
    });
    for (const secret of [token, password, registryPassword]) {
      assert.ok(text.includes(secret), "the user data carries it");
      assert.equal(nodeYamlMemoContains(secret), false, `memo holds ${secret}`);
    }
    assert.ok(nodeYamlMemoContains(INSTALL_SCRIPT_PATH), "the install script's piece is memoised");
  });

  it("keeps rendering correctly past the memo's limit of pieces", () => {
    for (let i = 0; i < 4500; i++) {
      const m = {
        "node-name": `node-${i}`,
        "node-label": [`pool=${i % 7}`],
        server: "https://10.0.0.5:9345",
      };
      const text = renderNodeYaml(m);
      if (i % 250 === 0 || i > 4090) assert.equal(text, reference(m), `map ${i}`);
    }
  });
});
