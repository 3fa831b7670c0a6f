/**
 * Tier: pure function (the derivation) and rendered user data. What RKE2 does with the file (reads it when
 * present, k3s pkg/agent/config/config.go `ensureNodePassword`) cannot run here: no RKE2 in the tests.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { NODE_PASSWORD_PATH, nodePassword } from "../../components/rke2/node-password";
import { SERVER_SECRET, agentNode, firstServer, joiningServer } from "./rke2-fixtures";

describe("stable node passwords", () => {
  it("derives 32 hex characters, the same for the same node and secret, different for another node or cluster", () => {
    const a = nodePassword("secret-1", "c1-workers-0");
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.equal(nodePassword("secret-1", "c1-workers-0"), a);
    assert.notEqual(nodePassword("secret-1", "c1-workers-1"), a);
    assert.notEqual(nodePassword("secret-2", "c1-workers-0"), a);
  });

  it("rejects an empty secret", () => {
    assert.throws(() => nodePassword("", "n"), /empty server token secret/);
  });

  it("is written to /etc/rancher/node/password (0600) on servers and agents", () => {
    for (const [render, node] of [
      [firstServer, "ecmwf-ai-platform-server-0"],
      [joiningServer, "ecmwf-ai-platform-server-1"],
      [agentNode, "ecmwf-ai-platform-workers-0"],
    ] as const) {
      const c = parse(render()) as { write_files: { path: string; content: string; permissions: string }[] };
      const f = c.write_files.find((w) => w.path === NODE_PASSWORD_PATH);
      assert.equal(f?.content, `${nodePassword(SERVER_SECRET, node)}\n`, node);
      assert.equal(f?.permissions, "0600");
    }
    assert.equal(NODE_PASSWORD_PATH, "/etc/rancher/node/password");
  });
});
