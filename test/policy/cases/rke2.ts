/** Cases for the RKE2 node-configuration rules (config parsed out of user data). */
import { gzipSync } from "zlib";
import { stringify } from "yaml";
import { RKE2_CONFIG_PATH } from "../../../components/conventions";
import { T } from "../../../policy/lib/types";
import { rke2001CisProfile } from "../../../policy/rules/rke2-001-cis-profile";
import { rke2002SecretsEncryption } from "../../../policy/rules/rke2-002-secrets-encryption";
import { rke2003EtcdSnapshots } from "../../../policy/rules/rke2-003-etcd-snapshots";
import { rke2004NoInsecureComponentArgs } from "../../../policy/rules/rke2-004-no-insecure-component-args";
import { rke2005KubeconfigMode } from "../../../policy/rules/rke2-005-kubeconfig-mode";
import { rke2006TlsSan } from "../../../policy/rules/rke2-006-tls-san";
import { rke2007GpuNodesTainted } from "../../../policy/rules/rke2-007-gpu-nodes-tainted";
import { rke2008AgentTokenSeparation } from "../../../policy/rules/rke2-008-agent-token-separation";
import { rke2009EtcdBackupTls } from "../../../policy/rules/rke2-009-etcd-backup-tls";
import { rke2010ConfigReadable } from "../../../policy/rules/rke2-010-config-readable";
import { rke2011SnapshotHistory } from "../../../policy/rules/rke2-011-snapshot-history";
import { Props, RuleCases } from "../harness";
import { agent, agentConfig, cloudConfig, gpuNode, instance, server, SERVER_TOKEN, VIP } from "../fixtures";

/** Replaces the instance's RKE2 config by `serverConfig(extra)` (or the agent's). */
const withServer = (extra: Props) => (p: Props) => Object.assign(p, server(extra));
const withAgent = (extra: Props) => (p: Props) => Object.assign(p, agent(extra));

const s3 = {
  "etcd-s3": true,
  "etcd-s3-endpoint": "s3.example.org",
  "etcd-s3-bucket": "demo-etcd",
  "etcd-s3-config-secret": "etcd-s3",
};

const stackOf = (): { type: string; name: string; inputs: Props }[] => [
  { type: T.instance, name: "demo-server-0", inputs: server() },
  {
    type: T.instance,
    name: "demo-server-1",
    inputs: server({ "node-ip": "10.0.50.12", server: `https://${VIP}:9345` }),
  },
  { type: T.instance, name: "demo-agent-0", inputs: agent() },
];

function node(rs: { name: string; inputs: Props }[], name: string): { name: string; inputs: Props } {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`no ${name}`);
  return r;
}

export const rke2Cases: RuleCases[] = [
  {
    policy: rke2001CisProfile,
    type: T.instance,
    config: { production: true },
    props: agent(),
    notApplicable: [
      {
        when: "the cluster is not production",
        config: { production: false },
        change: withAgent({ profile: undefined }),
      },
      {
        when: "the instance is not an RKE2 node",
        change: (p) => (p["tags"] = ["cluster=demo", "environment=dev", "role=loadbalancer"]),
      },
    ],
    passing: [{ when: "the versioned CIS profile is used", change: withAgent({ profile: "cis-1.23" }) }],
    failing: [
      {
        when: "the profile is unset",
        change: withAgent({ profile: undefined }),
        expect: ["RKE2 profile is unset, not cis"],
      },
      {
        when: "protect-kernel-defaults is off",
        change: withAgent({ "protect-kernel-defaults": false }),
        expect: ["protect-kernel-defaults: false undoes the CIS kernel hardening"],
      },
    ],
  },
  {
    policy: rke2002SecretsEncryption,
    type: T.instance,
    props: server(),
    notApplicable: [{ when: "the node is an agent", change: withAgent({}) }],
    passing: [
      {
        when: "the provider is secretbox",
        change: withServer({ "secrets-encryption-provider": "secretbox" }),
      },
    ],
    failing: [
      {
        when: "encryption is off",
        change: withServer({ "secrets-encryption": false }),
        expect: ["secrets-encryption: false leaves secrets unencrypted in etcd"],
      },
      {
        when: "the provider is identity",
        change: withServer({ "secrets-encryption-provider": "identity" }),
        expect: ["secrets-encryption-provider identity is neither aescbc nor secretbox"],
      },
      {
        when: "the API server gets its own encryption config",
        change: withServer({ "kube-apiserver-arg": ["encryption-provider-config=/tmp/x.yaml"] }),
        expect: ["kube-apiserver-arg overrides encryption-provider-config"],
      },
    ],
  },
  {
    policy: rke2003EtcdSnapshots,
    type: T.instance,
    props: server(),
    failing: [
      {
        when: "snapshots are disabled",
        change: withServer({ "etcd-disable-snapshots": true }),
        expect: ["etcd-disable-snapshots: true turns etcd snapshots off"],
      },
      {
        when: "retention is too short",
        change: withServer({ "etcd-snapshot-retention": 2 }),
        expect: ["etcd-snapshot-retention 2 keeps fewer than 5 snapshots"],
      },
      {
        when: "the schedule is blank",
        change: withServer({ "etcd-snapshot-schedule-cron": "" }),
        expect: ["etcd-snapshot-schedule-cron is empty"],
      },
      {
        when: "the schedule has six fields (a seconds field the standard parser does not take)",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 0 */6 * * *" }),
        expect: ['etcd-snapshot-schedule-cron "0 0 */6 * * *" does not parse: expected 5 fields, got 6'],
      },
      {
        when: "the schedule names an hour that does not exist",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 24 * * *" }),
        expect: ['etcd-snapshot-schedule-cron "0 24 * * *" does not parse: "24" is outside 0-23'],
      },
      {
        when: "the schedule fires only on 30 February, which never comes",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 3 30 2 *" }),
        expect: ['etcd-snapshot-schedule-cron "0 3 30 2 *" never fires (no such date)'],
      },
      {
        when: "the schedule fires only on 31 April, 31 June, 31 September and 31 November",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 3 31 APR,JUN,SEP,NOV *" }),
        expect: ['etcd-snapshot-schedule-cron "0 3 31 APR,JUN,SEP,NOV *" never fires (no such date)'],
      },
      {
        when: "a production schedule is weekly",
        config: { production: true },
        change: withServer({ "etcd-snapshot-schedule-cron": "@weekly" }),
        expect: [
          'etcd-snapshot-schedule-cron "@weekly" does not fire every day; production snapshots at least daily',
        ],
      },
      {
        when: "a production schedule skips weekends",
        config: { production: true },
        change: withServer({ "etcd-snapshot-schedule-cron": "0 */6 * * MON-FRI" }),
        expect: [
          'etcd-snapshot-schedule-cron "0 */6 * * MON-FRI" does not fire every day; production snapshots at least daily',
        ],
      },
    ],
    passing: [
      {
        when: "a production schedule fires every six hours",
        config: { production: true },
        change: withServer({ "etcd-snapshot-schedule-cron": "0 */6 * * *" }),
      },
      {
        when: "a production schedule is @every 8h",
        config: { production: true },
        change: withServer({ "etcd-snapshot-schedule-cron": "@every 8h" }),
      },
      {
        when: "a development schedule is weekly",
        change: withServer({ "etcd-snapshot-schedule-cron": "@weekly" }),
      },
      {
        when: "the schedule fires on 29 February only (leap years)",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 3 29 2 *" }),
      },
    ],
  },
  {
    policy: rke2011SnapshotHistory,
    type: T.instance,
    props: server(),
    passing: [
      {
        when: "the fixture keeps 14 snapshots on RKE2's default 12-hourly schedule (7 days)",
        change: withServer({}),
      },
      {
        when: "24 hourly snapshots are kept",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 * * * *", "etcd-snapshot-retention": 24 }),
      },
      {
        when: "the schedule does not fire every day (history is then not measured)",
        change: withServer({ "etcd-snapshot-schedule-cron": "@weekly", "etcd-snapshot-retention": 1 }),
      },
    ],
    failing: [
      {
        when: "hourly snapshots keep the fixture's 14",
        change: withServer({ "etcd-snapshot-schedule-cron": "0 * * * *" }),
        expect: [
          'etcd-snapshot-retention 14 with "0 * * * *" (24 a day) keeps 14 h of history, less than a day',
        ],
      },
      {
        when: "snapshots every 5 minutes keep 100",
        change: withServer({ "etcd-snapshot-schedule-cron": "*/5 * * * *", "etcd-snapshot-retention": 100 }),
        expect: [
          'etcd-snapshot-retention 100 with "*/5 * * * *" (288 a day) keeps 8.33 h of history, less than a day',
        ],
      },
    ],
  },
  {
    policy: rke2004NoInsecureComponentArgs,
    type: T.instance,
    props: server(),
    failing: [
      {
        when: "the API server allows anonymous auth",
        change: withServer({ "kube-apiserver-arg": ["anonymous-auth=true"] }),
        expect: ["kube-apiserver-arg anonymous-auth=true undoes CIS 1.2.1"],
      },
      {
        when: "the API server authorises everything",
        change: withServer({ "kube-apiserver-arg": ["authorization-mode=AlwaysAllow"] }),
        expect: ["kube-apiserver-arg authorization-mode=AlwaysAllow undoes CIS 1.2.6"],
      },
      {
        when: "the API server reads a token file",
        change: withServer({ "kube-apiserver-arg": ["token-auth-file=/tmp/t.csv"] }),
        expect: ["kube-apiserver-arg token-auth-file=/tmp/t.csv undoes CIS 1.2.2"],
      },
      {
        when: "the scheduler profiles",
        change: withServer({ "kube-scheduler-arg": ["profiling=true"] }),
        expect: ["kube-scheduler-arg profiling=true undoes CIS 1.4.1"],
      },
      {
        when: "etcd uses auto TLS",
        change: withServer({ "etcd-arg": ["auto-tls=true"] }),
        expect: ["etcd-arg auto-tls=true undoes CIS 2.3"],
      },
      {
        when: "an agent's kubelet opens the read-only port",
        change: withAgent({ "kubelet-arg": "read-only-port=10255" }),
        expect: ["kubelet-arg read-only-port=10255 undoes CIS 4.2.4"],
      },
      {
        when: "the kubelet stops rotating certificates",
        change: withAgent({ "kubelet-arg": ["--rotate-certificates=false"] }),
        expect: ["kubelet-arg --rotate-certificates=false undoes CIS 4.2.10"],
      },
    ],
  },
  {
    policy: rke2005KubeconfigMode,
    type: T.instance,
    props: server(),
    passing: [{ when: "the mode is unset", change: withServer({ "write-kubeconfig-mode": undefined }) }],
    failing: [
      {
        when: "the kubeconfig is world-readable",
        change: withServer({ "write-kubeconfig-mode": "0644" }),
        expect: ["write-kubeconfig-mode 0644 lets other users read the admin kubeconfig"],
      },
      {
        when: "the mode is not octal",
        change: withServer({ "write-kubeconfig-mode": "rw-r--r--" }),
        expect: ["write-kubeconfig-mode rw-r--r-- is not an octal file mode"],
      },
    ],
  },
  {
    policy: rke2006TlsSan,
    resources: stackOf(),
    config: { requiredTlsSans: ["api.demo.example.org"] },
    passing: [
      {
        when: "nodes join through the first server's own address, which only that server serves",
        change: (rs) => {
          for (const n of rs.slice(1)) {
            const inputs = n.name.includes("agent")
              ? agent({ server: "https://10.0.50.11:9345" })
              : server({
                  "node-ip": "10.0.50.12",
                  server: "https://10.0.50.11:9345",
                  "tls-san": ["api.demo.example.org"],
                });
            Object.assign(n, { inputs });
          }
        },
      },
    ],
    failing: [
      {
        when: "a server's tls-san misses the VIP",
        change: (rs) => (node(rs, "demo-server-0").inputs = server({ "tls-san": ["api.demo.example.org"] })),
        expect: [{ resource: "demo-server-0", message: "tls-san does not cover 10.0.50.4" }],
      },
      {
        when: "a server has no tls-san",
        change: (rs) => (node(rs, "demo-server-0").inputs = server({ "tls-san": undefined })),
        expect: [
          { resource: "demo-server-0", message: "tls-san does not cover 10.0.50.4, api.demo.example.org" },
        ],
      },
      {
        when: "tls-san holds a wildcard",
        change: (rs) =>
          (node(rs, "demo-server-0").inputs = server({
            "tls-san": [VIP, "api.demo.example.org", "*.example.org"],
          })),
        expect: [{ resource: "demo-server-0", message: "tls-san *.example.org is a wildcard" }],
      },
      {
        when: "tls-san-security is off",
        change: (rs) => (node(rs, "demo-server-0").inputs = server({ "tls-san-security": false })),
        expect: [
          {
            resource: "demo-server-0",
            message: "tls-san-security: false lets clients add names to the serving certificate",
          },
        ],
      },
    ],
  },
  {
    policy: rke2007GpuNodesTainted,
    type: T.instance,
    config: { gpuFlavorPatterns: ["g1.*"] },
    props: gpuNode(),
    notApplicable: [{ when: "the node is an ordinary agent", change: withAgent({}) }],
    passing: [
      {
        when: "the taint evicts (NoExecute)",
        change: (p) => Object.assign(p, gpuNode({ "node-taint": ["nvidia.com/gpu:NoExecute"] })),
      },
    ],
    failing: [
      {
        when: "the taint is missing",
        change: (p) => Object.assign(p, gpuNode({ "node-taint": undefined })),
        expect: ["GPU node has no nvidia.com/gpu taint with effect NoSchedule or NoExecute"],
      },
      {
        when: "the taint only prefers",
        change: (p) =>
          Object.assign(p, gpuNode({ "node-taint": ["nvidia.com/gpu=present:PreferNoSchedule"] })),
        expect: ["GPU node has no nvidia.com/gpu taint with effect NoSchedule or NoExecute"],
      },
      {
        when: "a GPU flavor runs as a plain agent",
        change: (p) =>
          Object.assign(p, agent({ "node-taint": ["nvidia.com/gpu=present:NoSchedule"] }), {
            flavorName: "g1.a100",
          }),
        expect: ["GPU flavor g1.a100 on an instance with role=agent"],
      },
    ],
  },
  {
    policy: rke2008AgentTokenSeparation,
    resources: stackOf(),
    failing: [
      {
        when: "servers set no agent token",
        change: (rs) => (node(rs, "demo-server-0").inputs = server({ "agent-token-file": undefined })),
        expect: [
          {
            resource: "demo-server-0",
            message: "server sets no agent-token or agent-token-file, so agents join with the server token",
          },
        ],
      },
      {
        when: "an agent reads the server token file",
        change: (rs) => (node(rs, "demo-agent-0").inputs = agent({ "token-file": SERVER_TOKEN })),
        expect: [
          {
            resource: "demo-agent-0",
            message: `agent reads its token from ${SERVER_TOKEN}, the servers' token file`,
          },
        ],
      },
      {
        when: "an agent holds the literal server token",
        change: (rs) => {
          node(rs, "demo-server-0").inputs = server({
            "token-file": undefined,
            token: "K10abc::server:s3cr3t",
          });
          node(rs, "demo-agent-0").inputs = agent({
            "token-file": undefined,
            token: "K10abc::server:s3cr3t",
          });
        },
        expect: [{ resource: "demo-agent-0", message: "agent holds the server token" }],
      },
    ],
  },
  {
    policy: rke2009EtcdBackupTls,
    type: T.instance,
    config: { production: true },
    props: server(s3),
    passing: [
      {
        when: "a development server keeps snapshots locally",
        config: { production: false },
        change: withServer({}),
      },
    ],
    failing: [
      {
        when: "production has no off-site snapshots",
        change: withServer({}),
        expect: ["production etcd snapshots stay on the servers (etcd-s3 is off)"],
      },
      {
        when: "S3 TLS verification is off",
        change: withServer({ ...s3, "etcd-s3-skip-ssl-verify": true }),
        expect: ["etcd snapshots go to S3 without TLS verification (etcd-s3-skip-ssl-verify)"],
      },
      {
        when: "the S3 secret key is inline",
        change: withServer({ ...s3, "etcd-s3-secret-key": "wJalrXUtnFEMI" }),
        expect: ["etcd-s3-secret-key is written into the RKE2 config"],
      },
      {
        when: "etcd metrics are exposed",
        change: withServer({ ...s3, "etcd-expose-metrics": true }),
        expect: ["etcd-expose-metrics: true serves etcd metrics on every interface"],
      },
    ],
  },
  {
    policy: rke2010ConfigReadable,
    type: T.instance,
    props: agent(),
    passing: [
      {
        when: "the config is gzip+base64 encoded",
        change: (p) =>
          (p["userData"] =
            `#cloud-config\n${stringify({ write_files: [{ path: RKE2_CONFIG_PATH, encoding: "gz+b64", content: gzipSync(stringify(agentConfig())).toString("base64") }] })}`),
      },
    ],
    notApplicable: [
      {
        when: "the instance is not an RKE2 node",
        change: (p) => (p["tags"] = ["cluster=demo", "environment=dev", "role=vip"]),
      },
    ],
    failing: [
      {
        when: "user data is a shell script",
        change: (p) => (p["userData"] = "#!/bin/sh\ncurl -sfL https://get.rke2.io | sh -\n"),
        expect: [`no readable RKE2 config: user data writes no ${RKE2_CONFIG_PATH}`],
      },
      {
        when: "the config file is missing",
        change: (p) => Object.assign(p, instance("agent", undefined)),
        expect: [`no readable RKE2 config: user data writes no ${RKE2_CONFIG_PATH}`],
      },
      {
        when: "there is no user data",
        change: (p) => delete p["userData"],
        expect: ["no readable RKE2 config: the instance has no user data"],
      },
      {
        when: "the config is not a mapping",
        change: (p) =>
          (p["userData"] = cloudConfig(undefined, [{ path: RKE2_CONFIG_PATH, content: "- a\n- b\n" }])),
        expect: [`no readable RKE2 config: ${RKE2_CONFIG_PATH} is not a YAML mapping`],
      },
    ],
  },
];
