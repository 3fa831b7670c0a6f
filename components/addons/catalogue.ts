/**
 * Every add-on xcluster knows, in install order where nothing else decides it. Exactly the names in
 * `spec/addons.ts` (the spec validator accepts those; a test holds the two lists together).
 */
import type { AddonName } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import { openstackCinderCsi, openstackCloudControllerManager } from "./openstack-cloud-provider";
import { certManager } from "./cert-manager";
import { externalDns } from "./external-dns";
import { vaultSecretsOperator } from "./vault-secrets-operator";
import { gpuOperator } from "./gpu-operator";
import { jupyterhub } from "./jupyterhub";
import { rancher } from "./rancher";

export const CATALOGUE: readonly AddonDefinition[] = [
  openstackCloudControllerManager,
  openstackCinderCsi,
  certManager,
  externalDns,
  vaultSecretsOperator,
  gpuOperator,
  jupyterhub,
  rancher,
];

/** The catalogue entry for a name. */
export function addonDefinition(name: AddonName): AddonDefinition {
  const found = CATALOGUE.find((a) => a.name === name);
  if (found === undefined)
    throw new Error(`add-on ${name} is not in the catalogue (components/addons/catalogue.ts)`);
  return found;
}
