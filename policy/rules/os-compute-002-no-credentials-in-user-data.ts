import { resourceRule } from "../lib/rule";
import { userDataOf } from "../lib/cloudinit";
import { CREDENTIAL_PATTERNS, findCredentials } from "../lib/secrets";
import { schema, settings } from "../lib/settings";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";

const NOT_KEYS = CREDENTIAL_PATTERNS.filter((p) => p.label !== "private key");
const KEYS = CREDENTIAL_PATTERNS.filter((p) => p.label === "private key");

export const osCompute002NoCredentialsInUserData = resourceRule(
  {
    name: "os-compute-002-no-credentials-in-user-data",
    description:
      "User data carries no cloud or admin credentials (OpenStack, AWS, Vault, kubeconfig keys, Rancher keys) and no private keys except the cluster CAs written to servers.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Fetch credentials at boot (e.g. from Vault) instead of embedding them; write private keys only to servers, under the RKE2 TLS directory.",
    tags: ["compute", "openstack", "secrets"],
    sources: [
      '`CKV_AWS_46` "Ensure no hard-coded secrets exist in EC2 user data" (`checkov/terraform/checks/resource/aws/EC2Credentials.py`, regexes `checkov/common/util/secrets.py`)',
      "KICS `assets/queries/common/passwords_and_secrets/regex_rules.json`",
      'Kubernetes "Restricting cloud metadata API access … avoid using provisioning data to deliver secrets" (`kubernetes/website:content/en/docs/tasks/administer-cluster/securing-a-cluster.md`)',
      "pulumi-openstack schema (userData not secret)",
    ],
    configSchema: schema("allowedPrivateKeyPaths"),
  },
  [T.instance],
  (props, args, report) => {
    const ud = userDataOf(props);
    if (ud === undefined) return;
    const found = findCredentials(ud.text, NOT_KEYS);
    if (found.length > 0) report(`user data contains ${found.join(", ")}`);
    const allowed = settings(args).allowedPrivateKeyPaths;
    const server = roleOf(props) === "server";
    for (const [path, body] of ud.files) {
      if (findCredentials(body, KEYS).length === 0) continue;
      if (!(server && allowed.some((dir) => path.startsWith(dir))))
        report(`user data writes a private key to ${path}`);
    }
    if (findCredentials(ud.outsideFiles, KEYS).length > 0)
      report("user data contains a private key outside write_files");
  },
);
