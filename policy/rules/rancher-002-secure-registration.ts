import { resourceRule } from "../lib/rule";
import { userDataOf } from "../lib/cloudinit";
import { T } from "../lib/types";

const CURL_INSECURE = /\bcurl\b[^\n|;&]*\s(--insecure|-[a-zA-Z]*k[a-zA-Z]*)(\s|$)/;
const WGET_INSECURE = /\bwget\b[^\n|;&]*\s--no-check-certificate\b/;
const HTTP_REGISTRATION = /http:\/\/[^\s"']*(\/v3\/import\/|system-agent-install|\/cacerts)/;

export const rancher002SecureRegistration = resourceRule(
  {
    name: "rancher-002-secure-registration",
    description:
      "Nodes register with Rancher over verified TLS: no curl --insecure / wget --no-check-certificate, no plain-http registration URLs, no 'insecure' registration commands.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Use the registration command (not insecureCommand), download over https with the Rancher CA (--ca-checksum), and never pass -k/--insecure.",
    tags: ["rancher", "tls", "compute"],
    sources: [
      "`rancher/terraform-provider-rancher2:docs/resources/cluster_v2.md` (`cluster_registration_token` is sensitive; `insecure_command`, `insecure_node_command`)",
      "RKE2 `token.md` (TLS bootstrap rationale)",
    ],
  },
  [T.instance],
  (props, _args, report) => {
    const ud = userDataOf(props);
    if (ud === undefined) return;
    if (CURL_INSECURE.test(ud.text)) report("user data runs curl without TLS verification (-k/--insecure)");
    if (WGET_INSECURE.test(ud.text)) report("user data runs wget --no-check-certificate");
    const http = HTTP_REGISTRATION.exec(ud.text);
    if (http) report(`user data fetches Rancher registration over plain http (${http[0]})`);
  },
);
