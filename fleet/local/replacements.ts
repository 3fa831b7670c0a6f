/**
 * Which input changes the real provider answers with a replacement, for the stand-in's `diff`: without
 * it the stand-in would report every change as an in-place update and a "no replacement" test on the
 * engine would pass whatever the program did.
 *
 * openstack: terraform-provider-openstack v1.54.1 (bridged by pulumi-openstack 3.15.2),
 * openstack/resource_openstack_compute_instance_v2.go, the `ForceNew: true` fields of the instance
 * (region, user_data, availability_zone_hints, availability_zone, network_mode, network, config_drive,
 * key_pair, block_device, scheduler_hints), in Pulumi's names. `image_id` is not ForceNew there but its
 * Update rebuilds the server (wiping the root disk); a rebuild is a replacement for a node, so it counts.
 */
export const REPLACING_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "openstack:compute/instance:Instance": [
    "region",
    "userData",
    "availabilityZoneHints",
    "availabilityZone",
    "networkMode",
    "networks",
    "configDrive",
    "keyPair",
    "blockDevices",
    "schedulerHints",
    "imageId",
  ],
};

/** The inputs of `type` whose change between `olds` and `news` replaces the resource. */
export function replacingChanges(
  type: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): string[] {
  return (REPLACING_INPUTS[type] ?? []).filter(
    (k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
  );
}
