import { chartName, get, valuesOf } from "../lib/helm";
import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

/**
 * Where user-pod security is set in z2jh 4.4.0 values: `singleuser.*` (uid, allowPrivilegeEscalation,
 * extraPodConfig, storage.extraVolumes, profileList[].kubespawner_override) and the hub's KubeSpawner
 * config (`hub.config.KubeSpawner.*`, container_security_context winning over uid; see
 * components/addons/jupyterhub.ts for the sources). Both snake_case (KubeSpawner traits) and camelCase
 * (chart keys, Kubernetes fields) spellings are read.
 */
function findings(v: unknown, path: string, out: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => findings(x, `${path}[${i}]`, out));
    return;
  }
  if (v === null || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const at = `${path}.${k}`;
    if ((k === "uid" || k === "runAsUser" || k === "run_as_user") && x === 0)
      out.push(`${at} runs notebooks as root`);
    else if ((k === "runAsNonRoot" || k === "run_as_non_root") && x === false)
      out.push(`${at} lets notebooks run as root`);
    else if ((k === "allowPrivilegeEscalation" || k === "allow_privilege_escalation") && x === true)
      out.push(`${at} lets notebooks escalate privileges`);
    else if (k === "privileged" && x === true) out.push(`${at} runs notebooks privileged`);
    else if ((k === "hostNetwork" || k === "host_network") && x === true)
      out.push(`${at} puts notebooks on the node's network`);
    else if ((k === "hostPID" || k === "hostIPC") && x === true)
      out.push(`${at} shares the node's ${k.slice(4)}`);
    else if (k === "hostPath" && x !== null && typeof x === "object")
      out.push(`${at} mounts a node directory`);
    else findings(x, at, out);
  }
}

export const jhub003NotebookSecurity = resourceRule(
  {
    name: "jhub-003-notebook-security",
    description:
      "JupyterHub notebooks run as a non-root user without privilege escalation, node directories (hostPath), or the node's network, PID or IPC namespaces, in the chart's singleuser values, the hub's KubeSpawner config, and every profile override.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Remove the override: notebooks run as uid 1000 with allowPrivilegeEscalation false; give users storage through PVCs, never hostPath; for sudo inside notebooks use a separate, reviewed profile on dedicated nodes.",
    tags: ["helm", "jupyterhub", "kubernetes"],
    sources: [
      "kubernetes/pod-security-admission `policy/check_runAsNonRoot.go`, `check_runAsUser.go`, `check_allowPrivilegeEscalation.go`, `check_privileged.go`, `check_hostPathVolumes.go`, `check_hostNamespaces.go` (the restricted and baseline levels)",
      "jupyterhub/zero-to-jupyterhub-k8s 4.4.0 `jupyterhub/values.yaml` (`singleuser.uid`, `allowPrivilegeEscalation`, `extraPodConfig`, `storage.extraVolumes`, `profileList`)",
      "jupyterhub/kubespawner `kubespawner/spawner.py` (`uid`, `container_security_context`, `extra_pod_config`, `kubespawner_override`)",
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "jupyterhub") args.notApplicable("applies to the jupyterhub chart only");
    const values = valuesOf(props);
    const out: string[] = [];
    findings(get(values, "singleuser"), "values.singleuser", out);
    findings(get(values, "hub", "config", "KubeSpawner"), "values.hub.config.KubeSpawner", out);
    for (const m of out) report(m);
  },
);
