/**
 * k8s-tol-001: the compliant stack is what our add-ons render (gpu-operator and Cinder CSI in privileged
 * namespaces with keyed tolerations, JupyterHub restricted, the agent upgrade Plan tolerating the spec's
 * taints); each failing case plants one match-all toleration, including the evasions (nested values, key
 * "" vs absent, an effect, a list written as text, a host-level workload in a restricted namespace).
 */
import type { PlannedResource } from "../../../policy/evaluate";
import { k8sTol001PrivilegedTolerations } from "../../../policy/rules/k8s-tol-001-privileged-tolerations";
import { T } from "../../../policy/lib/types";
import { byName, Props, RuleCases } from "../harness";
import { helmRelease } from "../fixtures";

const PLAN = "kubernetes:upgrade.cattle.io/v1:Plan";
const DS = "kubernetes:apps/v1:DaemonSet";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const GPU_TOL = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

const ns = (name: string, level: string): PlannedResource => ({
  type: T.namespace,
  name: `ns-${name}`,
  inputs: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } },
});

const stack = (): PlannedResource[] => [
  ns("gpu-operator", "privileged"),
  ns("jupyterhub", "restricted"),
  {
    type: T.helmRelease,
    name: "gpu-operator",
    inputs: helmRelease("gpu-operator", "v25.10.1", "https://helm.ngc.nvidia.com/nvidia", {
      daemonsets: { tolerations: [GPU_TOL] },
      "node-feature-discovery": {
        worker: {
          tolerations: [
            { key: "node-role.kubernetes.io/control-plane", operator: "Equal", value: "" },
            GPU_TOL,
          ],
        },
      },
    }),
  },
  {
    type: T.helmRelease,
    name: "cinder-csi",
    inputs: helmRelease(
      "openstack-cinder-csi",
      "2.33.1",
      "https://kubernetes.github.io/cloud-provider-openstack",
      { csi: { plugin: { nodePlugin: { tolerations: [{ operator: "Exists" }] } } } },
      "kube-system",
    ),
  },
  {
    type: T.helmRelease,
    name: "jupyterhub",
    inputs: helmRelease("jupyterhub", "4.4.0", "https://hub.jupyter.org/helm-chart/", {
      prePuller: { extraTolerations: [{ operator: "Exists" }] },
    }),
  },
  {
    type: PLAN,
    name: "agent-plan",
    inputs: {
      apiVersion: "upgrade.cattle.io/v1",
      kind: "Plan",
      metadata: { name: "rke2-agent", namespace: "system-upgrade" },
      spec: {
        tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
      },
    },
  },
];

const values = (rs: PlannedResource[], name: string): Props => byName(rs, name)["values"] as Props;
const msg = (what: string, why: string, path: string, tail = "tolerates every taint") =>
  `${what} (${why}): ${path} (operator Exists, no key) ${tail}`;
const GPU_WHY = "namespace gpu-operator enforces the privileged Pod Security level";

export const tolerationCases: RuleCases[] = [
  {
    policy: k8sTol001PrivilegedTolerations,
    resources: stack(),
    passing: [
      {
        when: "a restricted namespace's release tolerates every taint (nothing privileged can land anywhere)",
        change: (rs) =>
          (values(rs, "jupyterhub")["scheduling"] = { userPods: { tolerations: [{ operator: "Exists" }] } }),
      },
      {
        when: "a privileged release tolerates a key with operator Exists (one taint, every value)",
        change: (rs) =>
          ((values(rs, "gpu-operator")["daemonsets"] as Props)["tolerations"] = [
            { key: "dedicated", operator: "Exists" },
          ]),
      },
    ],
    failing: [
      {
        when: "gpu-operator's daemonsets tolerate every taint (key absent)",
        change: (rs) =>
          ((values(rs, "gpu-operator")["daemonsets"] as Props)["tolerations"] = [
            GPU_TOL,
            { operator: "Exists" },
          ]),
        expect: [
          {
            resource: "gpu-operator",
            message: msg("chart gpu-operator", GPU_WHY, "values.daemonsets.tolerations[1]"),
          },
        ],
      },
      {
        when: "the key is an empty string rather than absent",
        change: (rs) =>
          ((values(rs, "gpu-operator")["daemonsets"] as Props)["tolerations"] = [
            { key: "", operator: "Exists" },
          ]),
        expect: [
          {
            resource: "gpu-operator",
            message: msg("chart gpu-operator", GPU_WHY, "values.daemonsets.tolerations[0]"),
          },
        ],
      },
      {
        when: "the match-all toleration names an effect (every NoExecute taint)",
        change: (rs) =>
          ((values(rs, "gpu-operator")["daemonsets"] as Props)["tolerations"] = [
            { key: null, operator: "Exists", effect: "NoExecute" },
          ]),
        expect: [
          {
            resource: "gpu-operator",
            message: msg(
              "chart gpu-operator",
              GPU_WHY,
              "values.daemonsets.tolerations[0]",
              "tolerates every NoExecute taint",
            ),
          },
        ],
      },
      {
        when: "the list hides deep in nested values under another spelling (extraTolerations)",
        change: (rs) =>
          (values(rs, "gpu-operator")["validator"] = {
            plugin: { env: [], extraTolerations: [{ operator: "Exists", effect: "" }] },
          }),
        expect: [
          {
            resource: "gpu-operator",
            message: msg("chart gpu-operator", GPU_WHY, "values.validator.plugin.extraTolerations[0]"),
          },
        ],
      },
      {
        when: "the list is written as YAML text",
        change: (rs) => (values(rs, "gpu-operator")["tolerations"] = "- operator: Exists\n"),
        expect: [
          { resource: "gpu-operator", message: msg("chart gpu-operator", GPU_WHY, "values.tolerations[0]") },
        ],
      },
      {
        when: "the Cinder CSI controller plugin (not the node plugin) tolerates every taint",
        change: (rs) =>
          ((values(rs, "cinder-csi")["csi"] as { plugin: Props }).plugin["controllerPlugin"] = {
            tolerations: [{ operator: "Exists" }],
          }),
        expect: [
          {
            resource: "cinder-csi",
            message: msg(
              "chart openstack-cinder-csi",
              "namespace kube-system is exempt from Pod Security",
              "values.csi.plugin.controllerPlugin.tolerations[0]",
            ),
          },
        ],
      },
      {
        when: "a restricted namespace's release turns on hostNetwork and tolerates every taint",
        change: (rs) =>
          Object.assign(values(rs, "jupyterhub"), {
            hub: { extraPodSpec: { hostNetwork: true } },
          }),
        expect: [
          {
            resource: "jupyterhub",
            message: msg(
              "chart jupyterhub",
              "values.hub.extraPodSpec.hostNetwork makes it privileged",
              "values.prePuller.extraTolerations[0]",
            ),
          },
        ],
      },
      {
        when: "a release goes to a namespace the stack does not label",
        change: (rs) => {
          const r = byName(rs, "jupyterhub");
          r["namespace"] = "tools";
        },
        expect: [
          {
            resource: "jupyterhub",
            message: msg(
              "chart jupyterhub",
              "namespace tools has no Pod Security level this stack sets",
              "values.prePuller.extraTolerations[0]",
            ),
          },
        ],
      },
      {
        when: "the agent upgrade Plan tolerates every taint",
        change: (rs) => (byName(rs, "agent-plan")["spec"] = { tolerations: [{ operator: "Exists" }] }),
        expect: [
          {
            resource: "agent-plan",
            message: msg(
              "upgrade Plan",
              "its jobs run privileged with the host's root mounted",
              "spec.tolerations[0]",
            ),
          },
        ],
      },
      {
        when: "a DaemonSet in a baseline namespace tolerates every taint",
        change: (rs) => {
          rs.push(ns("logging", "baseline"), {
            type: DS,
            name: "fluent-bit",
            inputs: {
              metadata: { name: "fluent-bit", namespace: "logging" },
              spec: { template: { spec: { tolerations: [{ operator: "Exists" }] } } },
            },
          });
        },
        expect: [
          {
            resource: "fluent-bit",
            message: msg(
              "DaemonSet",
              "namespace logging enforces the baseline Pod Security level",
              "spec.template.spec.tolerations[0]",
            ),
          },
        ],
      },
      {
        when: "a ConfigGroup's inline DaemonSet mounts a host path and tolerates every taint",
        change: (rs) => {
          rs.push({
            type: GROUP,
            name: "extras",
            inputs: {
              objs: [
                { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
                {
                  apiVersion: "apps/v1",
                  kind: "DaemonSet",
                  metadata: { name: "agent", namespace: "jupyterhub" },
                  spec: {
                    template: {
                      spec: {
                        volumes: [{ name: "root", hostPath: { path: "/" } }],
                        tolerations: [{ operator: "Exists" }],
                      },
                    },
                  },
                },
              ],
            },
          });
        },
        expect: [
          {
            resource: "extras",
            message: msg(
              "DaemonSet objs[1]",
              "objs[1].spec.template.spec.volumes[0].hostPath makes it privileged",
              "objs[1].spec.template.spec.tolerations[0]",
            ),
          },
        ],
      },
    ],
  },
];
