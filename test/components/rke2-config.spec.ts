import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  AGENT_TOKEN_PATH,
  SERVER_TOKEN_PATH,
  formatTaint,
  renderAgentConfig,
  renderServerConfig,
  ServerConfigInput,
} from "../../components/rke2/config";
import { referenceClusterSpec } from "../support/cluster-specs";

const rke2 = referenceClusterSpec().rke2;

function server(overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    nodeName: "c-server-0",
    nodeIp: "10.0.50.11",
    tlsSans: ["api.c.example.org", "10.0.50.10", "203.0.113.7", "10.0.50.10"],
    rke2,
    labels: {},
    taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NoExecute" }],
    cisProfile: "cis",
    bootstrap: { mode: "initialise" },
    ...overrides,
  };
}

describe("RKE2 config.yaml renderer", () => {
  it("renders the first server's config unchanged (snapshot; UPDATE_SNAPSHOTS=1 rewrites it)", () => {
    const snapshot = path.join(__dirname, "__snapshots__", "rke2-server-config.yaml.snap");
    if (process.env["UPDATE_SNAPSHOTS"] === "1") fs.writeFileSync(snapshot, renderServerConfig(server()));
    assert.equal(renderServerConfig(server()), fs.readFileSync(snapshot, "utf8"));
  });

  it("initialises without a server key and sets every hardening setting from the spec", () => {
    const c = parse(renderServerConfig(server()));
    assert.equal(c.server, undefined);
    assert.equal(c.profile, "cis");
    assert.equal(c["secrets-encryption"], true);
    assert.equal(c["etcd-snapshot-schedule-cron"], "0 */6 * * *");
    assert.equal(c["etcd-snapshot-retention"], 8);
    assert.equal(c["write-kubeconfig-mode"], "0600");
    assert.equal(c.cni, "canal");
    assert.equal(c["cluster-cidr"], "10.42.0.0/16");
    assert.equal(c["service-cidr"], "10.43.0.0/16");
    assert.equal(c["node-ip"], "10.0.50.11");
    assert.deepEqual(c["node-taint"], ["CriticalAddonsOnly=true:NoExecute"]);
  });

  it("joins through the registration address on the supervisor port", () => {
    const c = parse(
      renderServerConfig(server({ bootstrap: { mode: "join", registrationAddress: "10.0.50.10" } })),
    );
    assert.equal(c.server, "https://10.0.50.10:9345");
  });

  it("lists tls-san sorted and without duplicates", () => {
    const c = parse(renderServerConfig(server()));
    assert.deepEqual(c["tls-san"], ["10.0.50.10", "203.0.113.7", "api.c.example.org"]);
  });

  it("points at token files instead of carrying a token", () => {
    const text = renderServerConfig(server());
    const c = parse(text);
    assert.equal(c["token-file"], SERVER_TOKEN_PATH);
    assert.equal(c["agent-token-file"], AGENT_TOKEN_PATH);
    assert.equal(c.token, undefined);
    assert.equal(c["agent-token"], undefined);
  });

  it("writes keys in sorted order (deterministic output)", () => {
    const keys = Object.keys(parse(renderServerConfig(server())));
    assert.deepEqual(keys, [...keys].sort());
  });

  it("leaves profile unset when the CIS profile is off", () => {
    const c = parse(renderServerConfig(server({ cisProfile: "" })));
    assert.equal(c.profile, undefined);
  });

  it("renders an agent with the agent token file, labels and taints, and no node-ip on DHCP", () => {
    const c = parse(
      renderAgentConfig({
        nodeName: "c-gpu-0",
        registrationAddress: "10.0.50.10",
        labels: { "nvidia.com/gpu.present": "true", a: "b" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
        cisProfile: "cis",
      }),
    );
    assert.equal(c.server, "https://10.0.50.10:9345");
    assert.equal(c["token-file"], AGENT_TOKEN_PATH);
    assert.equal(c["node-ip"], undefined);
    assert.deepEqual(c["node-label"], ["a=b", "nvidia.com/gpu.present=true"]);
    assert.deepEqual(c["node-taint"], ["nvidia.com/gpu=present:NoSchedule"]);
    assert.equal(c.profile, "cis");
  });

  it("formats taints in RKE2's key=value:Effect syntax", () => {
    assert.equal(formatTaint({ key: "k", value: "v", effect: "PreferNoSchedule" }), "k=v:PreferNoSchedule");
  });
});
