import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

export const osKeypair001PublicKeySupplied = resourceRule(
  {
    name: "os-keypair-001-public-key-supplied",
    description:
      "Key pairs are imported from a public key: without one Nova generates the private key, and Pulumi keeps it in the stack state.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Pass publicKey (ed25519 or RSA ≥ 3072) from Vault; keep the private key out of Pulumi.",
    tags: ["compute", "openstack", "secrets"],
    sources: [
      "terraform-provider-openstack `docs/resources/compute_keypair_v2.md` (without `public_key` Nova generates the key pair and the private key is stored in state)",
      "OpenSSH 7.0 release notes (ssh-dss disabled by default)",
    ],
  },
  [T.keypair],
  (props, _args, report) => {
    const key = props["publicKey"];
    if (typeof key !== "string" || key.trim() === "")
      report("key pair has no publicKey; Nova would generate the private key");
    else if (key.trim().startsWith("ssh-dss")) report("key pair is a DSA (ssh-dss) key");
  },
);
