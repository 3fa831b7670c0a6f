import { stackRule } from "../lib/rule";
import { rke2ConfigOfInstance, type Rke2Lookup } from "../lib/cloudinit";
import { ofType } from "../lib/stack";
import { RKE2_NODE_ROLES, roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { Undecided } from "../lib/unknown";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export const rke2008AgentTokenSeparation = stackRule(
  {
    name: "rke2-008-agent-token-separation",
    description:
      "Agents never hold the server token (which grants full cluster admin): servers set a separate agent token and agents join with it.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Give servers agent-token-file (or agent-token) and let agents read only that token (token-file pointing at the agent token).",
    tags: ["rke2", "secrets"],
    sources: [
      '`rancher/rke2-docs:docs/security/token.md` ("Anyone with access to the server token essentially has full administrator access"; short tokens skip CA verification and "may be vulnerable to man-in-the-middle"; separate agent token)',
    ],
  },
  (args, report) => {
    const undecided = new Undecided();
    // User data not known yet (a first preview) decides nothing; what is known is still checked.
    const nodes = ofType(args.resources, T.instance)
      .map((i) => ({ i, role: roleOf(i.props) ?? "" }))
      .filter((n) => RKE2_NODE_ROLES.includes(n.role))
      .map((n) => {
        const lookup = rke2ConfigOfInstance(n.i);
        if (lookup !== "unknown") return { ...n, lookup };
        undecided.note(n.i, "userData");
        return { ...n, lookup: { missing: "user data not known yet" } as Rke2Lookup };
      });
    const servers = nodes.filter((n) => n.role === "server");
    if (servers.length === 0) args.notApplicable("the stack has no RKE2 servers");
    const serverTokens = new Set<string>();
    const serverTokenFiles = new Set<string>();
    for (const { i, lookup } of servers) {
      if (!("config" in lookup)) continue;
      const c = lookup.config;
      const token = str(c["token"]);
      const file = str(c["token-file"]);
      if (token) serverTokens.add(token);
      if (file) serverTokenFiles.add(file);
      if (!str(c["agent-token"]) && !str(c["agent-token-file"])) {
        report("server sets no agent-token or agent-token-file, so agents join with the server token", i.urn);
      }
    }
    for (const { i, lookup } of nodes) {
      if (!("config" in lookup) || servers.some((s) => s.i === i)) continue;
      const token = str(lookup.config["token"]);
      const file = str(lookup.config["token-file"]);
      if (token && serverTokens.has(token)) report("agent holds the server token", i.urn);
      if (file && serverTokenFiles.has(file))
        report(`agent reads its token from ${file}, the servers' token file`, i.urn);
    }
    undecided.settle();
  },
);
