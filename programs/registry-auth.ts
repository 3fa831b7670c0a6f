/**
 * registries.yaml credentials for the nodes, read from Vault KV (v2) by the program: one entry per
 * registry host named in `rke2Install.registryCredentials`, fields `username` and `password`. The result
 * is a Pulumi secret; it reaches the nodes only inside their (secret) user data, rendered by
 * components/rke2/cloud-init.ts `renderRegistries` into /etc/rancher/rke2/registries.yaml (0600).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import type { ClusterSpec } from "../spec/types";
import type { RegistryAuth } from "../components/rke2/cloud-init";
import { kvField, readKvSecret } from "../components/vault-secrets";

/** The credentials per registry host, or undefined when the spec names none. */
export function registryAuthFromVault(
  spec: ClusterSpec,
  provider: vault.Provider | undefined,
): pulumi.Output<Record<string, RegistryAuth>> | undefined {
  const wanted = spec.rke2.install.registryCredentials;
  const hosts = Object.keys(wanted).sort();
  if (hosts.length === 0) return undefined;
  if (provider === undefined) {
    // Validation refuses this (spec/semantics.ts); a program given such a spec must not render nodes
    // that silently lack their credentials.
    throw new Error(
      `cluster "${spec.name}": rke2Install.registryCredentials needs Vault (vault.enabled is false)`,
    );
  }
  const mount = spec.vault.kvMount;
  const entries = hosts.map((host) => {
    const path = wanted[host] as string;
    const entry = readKvSecret(mount, path, { provider });
    return pulumi
      .all([kvField(entry, mount, path, "username"), kvField(entry, mount, path, "password")])
      .apply(([username, password]) => [host, { username, password }] as const);
  });
  return pulumi.secret(pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs)));
}
