/** Cases for the OpenStack compute rules (instances, images, HA, key pairs, keepalived). */
import { KEEPALIVED_CONFIG_PATH } from "../../../components/conventions";
import { T } from "../../../policy/lib/types";
import { osCompute001NoAdminPass } from "../../../policy/rules/os-compute-001-no-admin-pass";
import { osCompute002NoCredentialsInUserData } from "../../../policy/rules/os-compute-002-no-credentials-in-user-data";
import { osCompute003NoSecretsInMetadata } from "../../../policy/rules/os-compute-003-no-secrets-in-metadata";
import { osFlavor001ApprovedFlavors } from "../../../policy/rules/os-flavor-001-approved-flavors";
import { osImage001ApprovedImages } from "../../../policy/rules/os-image-001-approved-images";
import { osHa001OddServerCount } from "../../../policy/rules/os-ha-001-odd-server-count";
import { osHa002ServerAntiAffinity } from "../../../policy/rules/os-ha-002-server-anti-affinity";
import { osKeypair001PublicKeySupplied } from "../../../policy/rules/os-keypair-001-public-key-supplied";
import { keepalived001Hygiene } from "../../../policy/rules/keepalived-001-hygiene";
import { tag001ClusterRoleTags } from "../../../policy/rules/tag-001-cluster-role-tags";
import { byName, RuleCases } from "../harness";
import {
  agent,
  cloudConfig,
  IMAGE,
  instance,
  ingressNode,
  KEEPALIVED_CONF,
  server,
  serverConfig,
  tags,
  VIP,
} from "../fixtures";

/** The API VIP in the keepalived cases (the ingress VIP is fixtures' VIP). */
const API_VIP = "10.0.50.9";

/** A server that holds the API VIP: its keepalived.conf in its user data. */
function apiServer(conf: string) {
  return instance("server", serverConfig(), [{ path: KEEPALIVED_CONFIG_PATH, content: conf }]);
}

const servers = ["0", "1", "2"].map((i) => ({
  type: T.instance,
  name: `demo-server-${i}`,
  inputs: { ...server(), schedulerHints: [{ group: "id-group-servers" }] },
}));
const group = {
  type: T.serverGroup,
  name: "demo-servers",
  id: "id-group-servers",
  inputs: { name: "demo-servers", policies: ["anti-affinity"] },
};
const NOT_APPROVED = `is not in the environment's approved.images list (${IMAGE})`;
const FLAVORS_NOT_APPROVED = "not in the environment's approved.flavors list (m1.large, g1.*)";
/** jwt.io's example token (made up). */
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";

export const computeCases: RuleCases[] = [
  {
    policy: osCompute001NoAdminPass,
    type: T.instance,
    props: agent(),
    failing: [
      {
        when: "adminPass is set",
        change: (p) => (p["adminPass"] = "N0tSoS3cret"),
        expect: ["adminPass is set"],
      },
    ],
  },
  {
    policy: osCompute002NoCredentialsInUserData,
    type: T.instance,
    props: server(),
    passing: [
      {
        when: "a server receives the cluster CA key in RKE2's TLS directory",
        change: (p) =>
          (p["userData"] = cloudConfig(serverConfig(), [
            { path: "/var/lib/rancher/rke2/server/tls/server-ca.key", content: KEY },
          ])),
      },
    ],
    failing: [
      {
        when: "a shell script exports an application credential secret",
        change: (p) => (p["userData"] = "#!/bin/bash\nexport OS_APPLICATION_CREDENTIAL_SECRET=Xk3abcdefgh\n"),
        expect: ["user data contains OpenStack application credential secret"],
      },
      {
        when: "a service-account JWT is pasted into a kubeconfig written by runcmd",
        change: (p) =>
          (p["userData"] = `${String(p["userData"])}runcmd:\n  - kubectl --token ${JWT} get nodes\n`),
        expect: ["user data contains JWT"],
      },
      {
        when: "an agent receives a PGP private key block",
        change: (p) =>
          (p["userData"] = cloudConfig(serverConfig(), [
            {
              path: "/root/signing.asc",
              content:
                "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF0\n-----END PGP PRIVATE KEY BLOCK-----\n",
            },
          ])),
        expect: ["user data writes a private key to /root/signing.asc"],
      },
      {
        when: "an AWS key pair is written to a file",
        change: (p) =>
          (p["userData"] = cloudConfig(serverConfig(), [
            {
              path: "/root/.aws/credentials",
              content:
                "[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            },
          ])),
        expect: ["user data contains AWS access key ID, AWS secret access key"],
      },
      {
        when: "a Vault token is in runcmd",
        change: (p) =>
          (p["userData"] =
            `${String(p["userData"])}bootcmd:\n  - VAULT_TOKEN=hvs.CAESIJlWh0aBcDeFgHiJkLmNoPqRsTuVwXyZ vault kv get x\n`),
        expect: ["user data contains Vault token"],
      },
      {
        when: "an agent receives a private key",
        change: (p) =>
          Object.assign(p, {
            ...agent(),
            userData: cloudConfig(serverConfig(), [
              { path: "/var/lib/rancher/rke2/server/tls/server-ca.key", content: KEY },
            ]),
          }),
        expect: ["user data writes a private key to /var/lib/rancher/rke2/server/tls/server-ca.key"],
      },
      {
        when: "a server receives a key outside the TLS directory",
        change: (p) =>
          (p["userData"] = cloudConfig(serverConfig(), [{ path: "/root/id_rsa", content: KEY }])),
        expect: ["user data writes a private key to /root/id_rsa"],
      },
      {
        when: "a private key sits in runcmd",
        change: (p) =>
          (p["userData"] =
            `${String(p["userData"])}bootcmd:\n  - echo '${KEY.replace(/\n/g, " ")}' > /tmp/k\n`),
        expect: ["user data contains a private key outside write_files"],
      },
    ],
  },
  {
    policy: osCompute003NoSecretsInMetadata,
    type: T.instance,
    props: agent(),
    passing: [
      {
        when: "metadata carries a sha256 checksum and a password policy name",
        change: (p) =>
          Object.assign(p["metadata"] as Record<string, string>, {
            image_sha256: SHA256,
            passwordPolicy: "strict",
          }),
      },
    ],
    failing: [
      {
        when: "a metadata key names a token",
        change: (p) => ((p["metadata"] as Record<string, string>)["rke2_token"] = "K10abc::server:def"),
        expect: ["metadata key rke2_token names a secret"],
      },
      {
        when: "a metadata value carries an AWS key",
        change: (p) => ((p["metadata"] as Record<string, string>)["note"] = "AKIAABCDEFGHIJKLMNOP"),
        expect: ["metadata value of note contains AWS access key ID"],
      },
      {
        when: "a metadata key ends in _PASSWORD, upper case",
        change: (p) => ((p["metadata"] as Record<string, string>)["DB_PASSWORD"] = "hunter2"),
        expect: ["metadata key DB_PASSWORD names a secret"],
      },
      {
        when: "a metadata value under an innocent key is a JWT",
        change: (p) => ((p["metadata"] as Record<string, string>)["session"] = JWT),
        expect: ["metadata value of session contains JWT"],
      },
      {
        when: "a metadata value under an innocent key is a long random string",
        change: (p) =>
          ((p["metadata"] as Record<string, string>)["bootstrap"] = "q8Zr2VbN4xK7pLm1TfW9cY3hJd6GsE0aUo5Rk"),
        expect: ["metadata value of bootstrap contains high-entropy string"],
      },
      {
        when: "personality files are injected",
        change: (p) => (p["personalities"] = [{ file: "/etc/x", content: "y" }]),
        expect: ["personality file injection is used"],
      },
    ],
  },
  {
    policy: osImage001ApprovedImages,
    type: T.instance,
    config: { approvedImageIds: [IMAGE] },
    props: agent(),
    passing: [
      {
        when: "no approved list is configured",
        config: { approvedImageIds: [] },
        change: (p) => (p["imageId"] = "another-id"),
      },
    ],
    failing: [
      {
        when: "the image is given by name",
        change: (p) => {
          delete p["imageId"];
          p["imageName"] = "ubuntu-22.04";
        },
        expect: ["boots by image name ubuntu-22.04; pin the image by ID"],
      },
      {
        when: "the image ID is not approved",
        change: (p) => (p["imageId"] = "deadbeef"),
        expect: [`image deadbeef ${NOT_APPROVED}`],
      },
      {
        when: "the boot volume's image is not approved",
        change: (p) => {
          delete p["imageId"];
          p["blockDevices"] = [
            { sourceType: "image", uuid: "deadbeef", destinationType: "volume", bootIndex: 0 },
          ];
        },
        expect: [`boot volume image deadbeef ${NOT_APPROVED}`],
      },
      {
        when: "no image is given at all",
        change: (p) => delete p["imageId"],
        expect: ["boots from no image ID"],
      },
    ],
  },
  {
    policy: osFlavor001ApprovedFlavors,
    type: T.instance,
    config: { approvedFlavors: ["m1.large", "g1.*"] },
    props: agent(),
    passing: [
      { when: "the flavor matches an approved glob", change: (p) => (p["flavorName"] = "g1.a100") },
      {
        when: "no approved list is configured",
        config: { approvedFlavors: [] },
        change: (p) => (p["flavorName"] = "x9.huge"),
      },
    ],
    failing: [
      {
        when: "a cluster override picks a flavor outside the list",
        change: (p) => (p["flavorName"] = "m1.4xlarge"),
        expect: [`flavor m1.4xlarge is ${FLAVORS_NOT_APPROVED}`],
      },
      {
        when: "the approved name is only a prefix of the flavor",
        change: (p) => (p["flavorName"] = "m1.large-gpu"),
        expect: [`flavor m1.large-gpu is ${FLAVORS_NOT_APPROVED}`],
      },
      {
        when: "the flavor is given by an ID that matches no approved name",
        change: (p) => {
          delete p["flavorName"];
          p["flavorId"] = "7c0b2e3a-1111-4222-8333-944455556666";
        },
        expect: [`flavor ID 7c0b2e3a-1111-4222-8333-944455556666 is ${FLAVORS_NOT_APPROVED}`],
      },
    ],
  },
  {
    policy: osHa001OddServerCount,
    config: { production: true },
    resources: [...servers, { type: T.instance, name: "demo-agent-0", inputs: agent() }],
    passing: [
      {
        when: "a development cluster runs one server",
        config: { production: false },
        change: (rs) => rs.splice(1, 2),
      },
    ],
    failing: [
      {
        when: "production runs one server",
        change: (rs) => rs.splice(1, 2),
        expect: [
          {
            resource: "(stack)",
            message: "cluster demo has 1 RKE2 servers; production needs an odd number of at least 3",
          },
        ],
      },
      {
        when: "production runs four servers",
        change: (rs) => rs.push({ type: T.instance, name: "demo-server-3", inputs: server() }),
        expect: [
          {
            resource: "(stack)",
            message: "cluster demo has 4 RKE2 servers; production needs an odd number of at least 3",
          },
        ],
      },
      {
        when: "a development cluster runs two servers",
        config: { production: false },
        change: (rs) => rs.splice(2, 1),
        expect: [{ resource: "(stack)", message: "cluster demo has 2 RKE2 servers; use an odd number" }],
      },
    ],
  },
  {
    policy: osHa002ServerAntiAffinity,
    config: { production: true },
    resources: [group, ...servers],
    passing: [
      {
        when: "the cluster is not production",
        config: { production: false },
        change: (rs) => (byName(rs, "demo-server-0")["schedulerHints"] = []),
      },
      {
        when: "soft anti-affinity is allowed by config",
        config: { allowSoftAntiAffinity: true },
        change: (rs) => (byName(rs, "demo-servers")["policies"] = ["soft-anti-affinity"]),
      },
    ],
    failing: [
      {
        when: "a server has no scheduler hint",
        change: (rs) => (byName(rs, "demo-server-1")["schedulerHints"] = []),
        expect: [
          { resource: "demo-server-1", message: "server instance has no server-group scheduler hint" },
        ],
      },
      {
        when: "the group is soft anti-affinity",
        change: (rs) => (byName(rs, "demo-servers")["policies"] = ["soft-anti-affinity"]),
        expect: ["demo-server-0", "demo-server-1", "demo-server-2"].map((resource) => ({
          resource,
          message: "server instance is in server group demo-servers with policies [soft-anti-affinity]",
        })),
      },
      {
        when: "servers are spread over two groups",
        change: (rs) => (byName(rs, "demo-server-2")["schedulerHints"] = [{ group: "id-group-other" }]),
        expect: [{ resource: "(stack)", message: "demo server instances are spread over 2 server groups" }],
      },
    ],
  },
  {
    policy: osKeypair001PublicKeySupplied,
    type: T.keypair,
    props: { name: "demo", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ops@demo" },
    failing: [
      {
        when: "no public key is given",
        change: (p) => delete p["publicKey"],
        expect: ["key pair has no publicKey; Nova would generate the private key"],
      },
      {
        when: "the key is DSA",
        change: (p) => (p["publicKey"] = "ssh-dss AAAAB3NzaC1kc3M ops@demo"),
        expect: ["key pair is a DSA (ssh-dss) key"],
      },
    ],
  },
  {
    policy: keepalived001Hygiene,
    type: T.instance,
    config: { vipAddresses: [VIP, API_VIP] },
    props: ingressNode(),
    notApplicable: [
      { when: "the instance is a server without keepalived", change: (p) => Object.assign(p, server()) },
      { when: "the instance is an agent", change: (p) => Object.assign(p, agent()) },
    ],
    passing: [
      {
        when: "a server holds the API VIP with unicast VRRP",
        change: (p) => Object.assign(p, apiServer(KEEPALIVED_CONF.replace(`${VIP}/24`, `${API_VIP}/32`))),
      },
      {
        when: "a single server holds the API VIP alone (no peers, so no unicast keywords)",
        change: (p) =>
          Object.assign(
            p,
            apiServer(
              KEEPALIVED_CONF.replace(`${VIP}/24`, `${API_VIP}/32`).replace(
                /  unicast_src_ip .*\n  unicast_peer \{\n {4}10\.0\.50\.6\n  \}\n/,
                "",
              ),
            ),
          ),
      },
    ],
    failing: [
      {
        when: "a server's keepalived uses PASS authentication",
        change: (p) =>
          Object.assign(
            p,
            apiServer(
              KEEPALIVED_CONF.replace(`${VIP}/24`, `${API_VIP}/32`).replace(
                "state BACKUP",
                "state BACKUP\n  authentication {\n    auth_type PASS\n    auth_pass 1111\n  }",
              ),
            ),
          ),
        expect: ["keepalived uses PASS authentication"],
      },
      {
        when: "a server's keepalived moves an address that is no VIP of the cluster",
        change: (p) => Object.assign(p, apiServer(KEEPALIVED_CONF.replace(`${VIP}/24`, "10.0.50.11/32"))),
        expect: ["keepalived moves 10.0.50.11/32, which is not a VIP of the cluster"],
      },
      {
        when: "PASS authentication is configured",
        change: (p) =>
          Object.assign(
            p,
            ingressNode(
              KEEPALIVED_CONF.replace(
                "state BACKUP",
                "state BACKUP\n  authentication {\n    auth_type PASS\n    auth_pass 1111\n  }",
              ),
            ),
          ),
        expect: ["keepalived uses PASS authentication"],
      },
      {
        when: "VRRP is multicast",
        change: (p) =>
          Object.assign(
            p,
            ingressNode(KEEPALIVED_CONF.replace(/ {2}unicast_peer \{\n {4}10\.0\.50\.6\n {2}\}\n/, "")),
          ),
        expect: ["keepalived sends multicast VRRP (no unicast_peer)"],
      },
      {
        when: "script security is off",
        change: (p) => Object.assign(p, ingressNode(KEEPALIVED_CONF.replace("enable_script_security", ""))),
        expect: ["keepalived runs scripts without enable_script_security"],
      },
      {
        when: "another address is moved",
        change: (p) => Object.assign(p, ingressNode(KEEPALIVED_CONF.replace(`${VIP}/24`, "10.0.50.99/24"))),
        expect: ["keepalived moves 10.0.50.99/24, which is not a VIP of the cluster"],
      },
    ],
  },
  {
    policy: tag001ClusterRoleTags,
    type: T.port,
    config: { clusterName: "demo", environment: "dev" },
    props: { networkId: "id-net", securityGroupIds: ["id-sg"], tags: tags("agent") },
    passing: [
      {
        when: "an instance carries its identity in metadata only",
        type: T.instance,
        change: (p) => Object.assign(p, agent(), { tags: undefined }),
      },
    ],
    failing: [
      {
        when: "tags are missing",
        change: (p) => (p["tags"] = []),
        expect: ["missing cluster=, role=, environment="],
      },
      {
        when: "the role is unknown",
        change: (p) => (p["tags"] = ["cluster=demo", "environment=dev", "role=bastion"]),
        expect: ["role=bastion is not one of server, agent, gpu, ingress, network, loadbalancer, vip"],
      },
      {
        when: "the cluster is another one",
        change: (p) => (p["tags"] = ["cluster=other", "environment=dev", "role=agent"]),
        expect: ["cluster=other, but this stack is cluster demo"],
      },
      {
        when: "the environment is another one",
        change: (p) => (p["tags"] = ["cluster=demo", "environment=prod", "role=agent"]),
        expect: ["environment=prod, but this stack is in environment dev"],
      },
      {
        when: "an instance has neither tags nor metadata",
        type: T.instance,
        change: (p) => Object.assign(p, agent(), { tags: undefined, metadata: undefined }),
        expect: ["missing cluster=, role=, environment="],
      },
    ],
  },
];
