/**
 * Every rule of the pack, ordered by name. Importing this module starts no policy server, so tests,
 * the offline evaluator and the README generator use it; only `index.ts` builds the PolicyPack.
 */
import { XclusterPolicy } from "./lib/rule";
import { extdns001Scoped } from "./rules/extdns-001-scoped";
import { gpu001OperatorVersion } from "./rules/gpu-001-operator-version";
import { helm001PinnedChartVersion } from "./rules/helm-001-pinned-chart-version";
import { helm002ApprovedRepositories } from "./rules/helm-002-approved-repositories";
import { helm003NoLiteralSecretsInValues } from "./rules/helm-003-no-literal-secrets-in-values";
import { helm004NamespaceAndImageTags } from "./rules/helm-004-namespace-and-image-tags";
import { helm005ApprovedRegistries } from "./rules/helm-005-approved-registries";
import { jhub001Authenticator } from "./rules/jhub-001-authenticator";
import { jhub002AccessScope } from "./rules/jhub-002-access-scope";
import { jhub003NotebookSecurity } from "./rules/jhub-003-notebook-security";
import { k8sPsa001PrivilegedNamespaces } from "./rules/k8s-psa-001-privileged-namespaces";
import { k8sTol001PrivilegedTolerations } from "./rules/k8s-tol-001-privileged-tolerations";
import { keepalived001Hygiene } from "./rules/keepalived-001-hygiene";
import { metadata001BlockCloudMetadata } from "./rules/metadata-001-block-cloud-metadata";
import { net001AdminAddressSpace } from "./rules/net-001-admin-address-space";
import { osCompute001NoAdminPass } from "./rules/os-compute-001-no-admin-pass";
import { osCompute002NoCredentialsInUserData } from "./rules/os-compute-002-no-credentials-in-user-data";
import { osCompute003NoSecretsInMetadata } from "./rules/os-compute-003-no-secrets-in-metadata";
import { osFip001FloatingIpTargets } from "./rules/os-fip-001-floating-ip-targets";
import { osFlavor001ApprovedFlavors } from "./rules/os-flavor-001-approved-flavors";
import { osHa001OddServerCount } from "./rules/os-ha-001-odd-server-count";
import { osHa002ServerAntiAffinity } from "./rules/os-ha-002-server-anti-affinity";
import { osImage001ApprovedImages } from "./rules/os-image-001-approved-images";
import { osKeypair001PublicKeySupplied } from "./rules/os-keypair-001-public-key-supplied";
import { osLb001RestrictedControlListeners } from "./rules/os-lb-001-restricted-control-listeners";
import { osLb002OpenListenersWebOnly } from "./rules/os-lb-002-open-listeners-web-only";
import { osPort001PortSecurityEnabled } from "./rules/os-port-001-port-security-enabled";
import { osPort002AddressPairsVipOnly } from "./rules/os-port-002-address-pairs-vip-only";
import { osPort003ExplicitSecurityGroups } from "./rules/os-port-003-explicit-security-groups";
import { osSg001SensitivePorts } from "./rules/os-sg-001-sensitive-ports";
import { osSg002PublicIngressWebOnly } from "./rules/os-sg-002-public-ingress-web-only";
import { osSg003NoOpenProtocolIngress } from "./rules/os-sg-003-no-open-protocol-ingress";
import { osSg004VrrpClusterSubnetOnly } from "./rules/os-sg-004-vrrp-cluster-subnet-only";
import { osSg005EtcdFromServerGroup } from "./rules/os-sg-005-etcd-from-server-group";
import { osSg006SecurityGroupDescription } from "./rules/os-sg-006-security-group-description";
import { osSubnet001VipOutsideDhcpPool } from "./rules/os-subnet-001-vip-outside-dhcp-pool";
import { policy001ExceptionsCurrent } from "./rules/policy-001-exceptions-current";
import { prov001ProviderTls } from "./rules/prov-001-provider-tls";
import { prov002OpenstackApplicationCredentials } from "./rules/prov-002-openstack-application-credentials";
import { r53001NoPrivateTargetsInPublicZones } from "./rules/r53-001-no-private-targets-in-public-zones";
import { r53002RecordHygiene } from "./rules/r53-002-record-hygiene";
import { rancher001HardenedCluster } from "./rules/rancher-001-hardened-cluster";
import { rancher002SecureRegistration } from "./rules/rancher-002-secure-registration";
import { rke2001CisProfile } from "./rules/rke2-001-cis-profile";
import { rke2002SecretsEncryption } from "./rules/rke2-002-secrets-encryption";
import { rke2003EtcdSnapshots } from "./rules/rke2-003-etcd-snapshots";
import { rke2004NoInsecureComponentArgs } from "./rules/rke2-004-no-insecure-component-args";
import { rke2005KubeconfigMode } from "./rules/rke2-005-kubeconfig-mode";
import { rke2006TlsSan } from "./rules/rke2-006-tls-san";
import { rke2007GpuNodesTainted } from "./rules/rke2-007-gpu-nodes-tainted";
import { rke2008AgentTokenSeparation } from "./rules/rke2-008-agent-token-separation";
import { rke2009EtcdBackupTls } from "./rules/rke2-009-etcd-backup-tls";
import { rke2011SnapshotHistory } from "./rules/rke2-011-snapshot-history";
import { rke2010ConfigReadable } from "./rules/rke2-010-config-readable";
import { tag001ClusterRoleTags } from "./rules/tag-001-cluster-role-tags";
import { vault001ClusterPathOnly } from "./rules/vault-001-cluster-path-only";
import { vso001VaultTls } from "./rules/vso-001-vault-tls";

export const policies: readonly XclusterPolicy[] = [
  extdns001Scoped,
  gpu001OperatorVersion,
  helm001PinnedChartVersion,
  helm002ApprovedRepositories,
  helm003NoLiteralSecretsInValues,
  helm004NamespaceAndImageTags,
  helm005ApprovedRegistries,
  jhub001Authenticator,
  jhub002AccessScope,
  jhub003NotebookSecurity,
  k8sPsa001PrivilegedNamespaces,
  k8sTol001PrivilegedTolerations,
  keepalived001Hygiene,
  metadata001BlockCloudMetadata,
  net001AdminAddressSpace,
  osCompute001NoAdminPass,
  osCompute002NoCredentialsInUserData,
  osCompute003NoSecretsInMetadata,
  osFip001FloatingIpTargets,
  osFlavor001ApprovedFlavors,
  osHa001OddServerCount,
  osHa002ServerAntiAffinity,
  osImage001ApprovedImages,
  osKeypair001PublicKeySupplied,
  osLb001RestrictedControlListeners,
  osLb002OpenListenersWebOnly,
  osPort001PortSecurityEnabled,
  osPort002AddressPairsVipOnly,
  osPort003ExplicitSecurityGroups,
  osSg001SensitivePorts,
  osSg002PublicIngressWebOnly,
  osSg003NoOpenProtocolIngress,
  osSg004VrrpClusterSubnetOnly,
  osSg005EtcdFromServerGroup,
  osSg006SecurityGroupDescription,
  osSubnet001VipOutsideDhcpPool,
  policy001ExceptionsCurrent,
  prov001ProviderTls,
  prov002OpenstackApplicationCredentials,
  r53001NoPrivateTargetsInPublicZones,
  r53002RecordHygiene,
  rancher001HardenedCluster,
  rancher002SecureRegistration,
  rke2001CisProfile,
  rke2002SecretsEncryption,
  rke2003EtcdSnapshots,
  rke2004NoInsecureComponentArgs,
  rke2005KubeconfigMode,
  rke2006TlsSan,
  rke2007GpuNodesTainted,
  rke2008AgentTokenSeparation,
  rke2009EtcdBackupTls,
  rke2010ConfigReadable,
  rke2011SnapshotHistory,
  tag001ClusterRoleTags,
  vault001ClusterPathOnly,
  vso001VaultTls,
];
