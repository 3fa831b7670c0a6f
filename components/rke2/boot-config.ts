/**
 * Nodes are long-lived: what a node was booted with (its user data, image and root disk) is read once,
 * at first boot, and changing it later must not replace the node. This file holds the two halves of
 * that decision, pure so that the tests and the offline plan share them:
 *
 * - NODE_BOOT_PROPERTIES: the instance inputs the engine is told to ignore after creation. Each of them
 *   would otherwise replace (or rebuild) the instance in the OpenStack provider (terraform-provider-openstack
 *   v1.54.1, the one pulumi-openstack 3.15.2 bridges, openstack/resource_openstack_compute_instance_v2.go):
 *   `user_data` is `ForceNew: true` (line 99), `availability_zone` `ForceNew` (128), every `block_device`
 *   field `ForceNew` (239–291), and an `image_id` change runs a Nova *rebuild* (Update, line 1065), which
 *   wipes the root disk, etcd data included.
 * - the boot-config digest: a sha256 over those same inputs, written into the instance's metadata
 *   (`metadata` is `ForceNew: false` there, line 200: an in-place update). A preview then shows which
 *   nodes run an older boot config as an update of exactly that key, and `xcluster plan --baseline`
 *   compares digests between two plan reports. The digest is not secret material: it is a one-way hash
 *   over a document holding 256-bit random tokens, so it cannot be used to recover or test guesses of them.
 *
 * A node boots with the current config when it is created afresh: a pool's `count` going down then up, or
 * a replacement the operator asks for (docs/operations.md). `pulumi up --replace <urn>` alone is not
 * enough: the engine resets ignored inputs to their old values before it diffs, for a targeted replace too
 * (pulumi v3.248.0 pkg/resource/deploy/step_generator.go, `processIgnoreChanges` called whenever an old
 * state exists), so a replaced instance would boot with the old user data; `xcluster replace`
 * (fleet/replace.ts) lifts the ignore list from that one instance for the run that replaces it.
 */
import { createHash } from "crypto";

/** Instance metadata key holding the boot-config digest (64 lowercase hex characters). */
export const BOOT_CONFIG_METADATA_KEY = "xcluster-boot-config-sha256";

/** Instance inputs (Pulumi names) the engine ignores once the instance exists; see the module comment. */
export const NODE_BOOT_PROPERTIES = ["userData", "imageId", "blockDevices", "availabilityZone"] as const;

/**
 * Instance inputs that only matter when Nova places and first boots the instance, and that the provider
 * would replace it for (terraform-provider-openstack v1.54.1 openstack/resource_openstack_compute_instance_v2.go:
 * `key_pair` line 229 and `scheduler_hints.group` line 327, both ForceNew). A new SSH key or a replaced server
 * group must never delete every node at once (with deleteBeforeReplace the replacements run in parallel);
 * running nodes keep them, and a node replaced on purpose gets the current ones.
 */
export const NODE_PLACEMENT_PROPERTIES = ["keyPair", "schedulerHints"] as const;

/** What a node is booted with. */
export interface BootConfig {
  /** The rendered cloud-init user data. */
  readonly userData: string;
  /** Glance image ID. */
  readonly imageId: string;
  /** Root volume size; 0 boots from the flavor's ephemeral disk. */
  readonly rootVolumeGb: number;
  /** Availability zone; undefined lets the scheduler choose. */
  readonly availabilityZone: string | undefined;
}

/** sha256 (hex) of the boot config, stable across runs for the same inputs. */
export function bootConfigDigest(b: BootConfig): string {
  // JSON of a fixed key order: unambiguous (no separator can be forged by a field's content).
  const canonical = JSON.stringify([b.userData, b.imageId, b.rootVolumeGb, b.availabilityZone ?? null]);
  return createHash("sha256").update(canonical).digest("hex");
}
