import { resourceRule } from "../lib/rule";
import { listFlag } from "../lib/cloudinit";
import { nodeConfig } from "../lib/rke2";
import { T } from "../lib/types";

interface Bad {
  readonly flag: string;
  readonly test: (name: string, value: string) => boolean;
  readonly cis: string;
}

const is = (n: string, v: string) => (name: string, value: string) => name === n && value === v;

/** Component arguments that undo a CIS control (ids from RKE2's CIS self-assessment). */
const BAD: readonly Bad[] = [
  { flag: "kube-apiserver-arg", test: is("anonymous-auth", "true"), cis: "1.2.1" },
  { flag: "kube-apiserver-arg", test: (n) => n === "token-auth-file", cis: "1.2.2" },
  {
    flag: "kube-apiserver-arg",
    test: (n, v) => n === "authorization-mode" && v.includes("AlwaysAllow"),
    cis: "1.2.6",
  },
  { flag: "kube-apiserver-arg", test: is("profiling", "true"), cis: "1.2.15" },
  { flag: "kube-controller-manager-arg", test: is("profiling", "true"), cis: "1.3.2" },
  { flag: "kube-scheduler-arg", test: is("profiling", "true"), cis: "1.4.1" },
  { flag: "etcd-arg", test: is("client-cert-auth", "false"), cis: "2.2" },
  { flag: "etcd-arg", test: is("auto-tls", "true"), cis: "2.3" },
  { flag: "etcd-arg", test: is("peer-client-cert-auth", "false"), cis: "2.5" },
  { flag: "etcd-arg", test: is("peer-auto-tls", "true"), cis: "2.6" },
  { flag: "kubelet-arg", test: is("anonymous-auth", "true"), cis: "4.2.1" },
  {
    flag: "kubelet-arg",
    test: (n, v) => n === "authorization-mode" && v.includes("AlwaysAllow"),
    cis: "4.2.2",
  },
  { flag: "kubelet-arg", test: (n, v) => n === "read-only-port" && v !== "0", cis: "4.2.4" },
  { flag: "kubelet-arg", test: is("rotate-certificates", "false"), cis: "4.2.10" },
];

const FLAGS = [...new Set(BAD.map((b) => b.flag))];

export const rke2004NoInsecureComponentArgs = resourceRule(
  {
    name: "rke2-004-no-insecure-component-args",
    description:
      "No RKE2 component argument undoes a CIS control (anonymous auth, AlwaysAllow, profiling, etcd auto-TLS, the kubelet read-only port …).",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Remove the argument from the node's RKE2 config; RKE2's defaults satisfy the CIS control.",
    tags: ["rke2", "cis"],
    sources: ["control list in `rancher/rke2-docs:docs/security/cis_self_assessment112.md`"],
  },
  [T.instance],
  (props, args, report) => {
    const config = nodeConfig(props, args);
    for (const flag of FLAGS) {
      for (const arg of listFlag(config, flag)) {
        const i = arg.indexOf("=");
        const name = (i < 0 ? arg : arg.slice(0, i)).replace(/^--/, "");
        const value = i < 0 ? "" : arg.slice(i + 1);
        const bad = BAD.find((b) => b.flag === flag && b.test(name, value));
        if (bad) report(`${flag} ${arg} undoes CIS ${bad.cis}`);
      }
    }
  },
);
