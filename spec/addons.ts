/**
 * Names of the add-ons xcluster knows. The spec validator accepts exactly these in `spec.addons` and
 * `spec.addonValues`; the add-on catalogue in `components/addons/` must define each of them.
 */
export const ADDON_NAMES = [
  "cert-manager",
  "external-dns",
  "vault-secrets-operator",
  "gpu-operator",
  "jupyterhub",
  "rancher",
] as const;

/**
 * Add-ons every cluster gets from what its spec implies, never listed by users (the OpenStack cloud
 * provider, on clusters whose credentials come from Vault).
 */
export const SYSTEM_ADDON_NAMES = ["openstack-cloud-controller-manager", "openstack-cinder-csi"] as const;

export type AddonName = (typeof ADDON_NAMES)[number] | (typeof SYSTEM_ADDON_NAMES)[number];

/** The cluster label that selects an add-on; `spec.addons: [x]` sets `addons.x: enabled`. */
export function addonLabel(name: string): string {
  return `addons.${name}`;
}

export const ADDON_ENABLED = "enabled";

export function isAddonName(name: string): name is AddonName {
  return (ADDON_NAMES as readonly string[]).includes(name);
}
