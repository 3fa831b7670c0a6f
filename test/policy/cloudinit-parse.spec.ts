/**
 * Tier: Pulumi mocks (every committed cluster rendered by the real cluster program) and pure functions.
 * The policy pack reads node user data with js-yaml (policy/lib/cloudinit.ts says why: speed); the
 * renderers write it with `yaml`. These tests hold the two to the same reading, so a rule never sees
 * something else than what was written.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { committedUserData } from "../support/committed-fleet";
import { rke2ConfigOf, userDataOf } from "../../policy/lib/cloudinit";
import { parseYaml } from "../../policy/lib/yaml-core";
import { RKE2_CONFIG_PATH, KEEPALIVED_CONFIG_PATH } from "../../components/conventions";

describe("policy: reading node user data", function () {
  this.timeout(120_000);

  it("reads every committed cluster's cloud-config and RKE2 config exactly as the renderer's YAML library does", async () => {
    let nodes = 0;
    let keepalived = 0;
    for (const [node, text] of await committedUserData()) {
      assert.deepEqual(parseYaml(text), parse(text), `${node}: cloud-config`);
      const ud = userDataOf({ userData: text });
      assert.ok(ud !== undefined && ud.error === undefined, `${node}: ${ud?.error}`);
      const config = ud.files.get(RKE2_CONFIG_PATH);
      assert.ok(config !== undefined, `${node} writes ${RKE2_CONFIG_PATH}`);
      assert.deepEqual(parseYaml(config), parse(config), `${node}: RKE2 config`);
      assert.deepEqual(rke2ConfigOf({ userData: text }), { config: parse(config) });
      if (ud.files.has(KEEPALIVED_CONFIG_PATH)) keepalived++;
      nodes++;
    }
    // Three committed clusters, servers, agents, GPU agents and (keepalived topology) ingress nodes.
    assert.ok(nodes >= 20, `nodes read: ${nodes}`);
    assert.ok(keepalived > 0, "some nodes run keepalived");
  });

  it("reads scalars as YAML 1.2 core does: dates, yes/no/on/off and octal-looking numbers stay what `yaml` says", () => {
    const text = [
      "date: 2026-12-02",
      "stamp: 2026-12-02T10:00:00Z",
      "yes_: yes",
      "on_: on",
      "off_: off",
      "octal11: 0755",
      "octal12: 0o755",
      "hex: 0x1F",
      "tilde: ~",
      "empty:",
      "float: 1.5e3",
      "inf: .inf",
      "quoted: '0755'",
      "block: |",
      "  line one",
      "  line two",
      "",
    ].join("\n");
    const ours = parseYaml(text);
    assert.deepEqual(ours, parse(text));
    assert.equal((ours as Record<string, unknown>)["date"], "2026-12-02");
    assert.equal((ours as Record<string, unknown>)["on_"], "on");
  });

  it("reads numbers only where `yaml` does: js-yaml's wider forms (binary, signed hex, underscores) stay strings", () => {
    const scalars = [
      "0b101",
      "+0x1F",
      "-0o7",
      "0o7",
      "0x1F",
      "0xG",
      "1_000",
      "1_0.5",
      "+12",
      "-0",
      "007",
      ".5",
      "1.",
      "1e3",
      "-1.5E-3",
      "+.inf",
      "-.INF",
      ".NaN",
      ".nan",
      "1.5.2",
      "0x",
      "12abc",
    ];
    const text = scalars.map((v, i) => `k${i}: ${v}`).join("\n") + "\n";
    const ours = parseYaml(text) as Record<string, unknown>;
    assert.deepEqual(ours, parse(text));
    assert.equal(ours["k0"], "0b101");
    assert.equal(ours["k6"], "1_000");
    assert.equal(ours["k4"], 31);
  });

  it("reads what js-yaml refuses (explicit tags, deep nesting) as `yaml` does", () => {
    const tagged = "data: !!binary aGVsbG8=\nother: !custom x\n";
    assert.deepEqual(parseYaml(tagged), parse(tagged, { logLevel: "error" }));
    const deep = `${"[".repeat(150)}1${"]".repeat(150)}\n`;
    assert.deepEqual(parseYaml(deep), parse(deep));
  });

  it("rejects a key written twice, as the renderer's YAML library does", () => {
    const text = "a: 1\na: 2\n";
    assert.throws(() => parse(text));
    assert.throws(() => parseYaml(text), /Map keys must be unique/);
    assert.match(userDataOf({ userData: `#cloud-config\n${text}` })?.error ?? "", /not valid YAML/);
  });
});
