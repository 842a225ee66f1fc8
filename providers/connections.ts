// Tenant connections for the providers' implementations: read from the stack configuration in
// the dynamic provider's configure call, never captured in serialized state.
import type * as pulumi from "@pulumi/pulumi";
import { credentialFileProblems } from "../lib/config/preflight";
import {
  CONFIG_NAMESPACE,
  ConfigError,
  loadStackConfig,
  type StackConfig,
  type TenantRole,
} from "../lib/config/stackConfig";
import { DirectoryClient } from "../lib/directory/client";
import { type GraphClient, graphClientFor } from "../lib/graph/client";

let config: StackConfig | undefined;
let credentialProblems: string[] = [];

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  config = loadStackConfig((key) => req.config.get(`${CONFIG_NAMESPACE}:${key}`));
  // Refresh and destroy do not run the program, whose preflight names a bad certificate file.
  credentialProblems = credentialFileProblems(config);
}

/** The stack configuration the provider was configured with. */
export function stackConfig(): StackConfig {
  if (!config) throw new Error("the provider was not configured with the stack configuration");
  return config;
}

export function graphFor(role: TenantRole): GraphClient {
  if (!config) throw new Error("the provider was not configured with the stack configuration");
  const problem = credentialProblems.find((p) => p.startsWith(`${CONFIG_NAMESPACE}:${role}.`));
  if (problem) throw new ConfigError(problem);
  return graphClientFor(config[role], config.cloud);
}

let directory: { key: string; client: DirectoryClient } | undefined;

/** Runs `work` with the process's client of the source's AD as the deploying account. One client
 * (one bound connection, opened on first use and reopened when it drops: lib/directory/client.ts)
 * serves every resource of the phase, so that a wave's users share a bind and their look-ups can
 * share searches; it is replaced only when the configuration names another directory. */
export async function withDirectory<T>(work: (ad: DirectoryClient) => Promise<T>): Promise<T> {
  if (!config) throw new Error("the provider was not configured with the stack configuration");
  if (!config.activeDirectory) {
    throw new Error(
      `${CONFIG_NAMESPACE}:activeDirectory is not set: the on-premises resources change AD through it`,
    );
  }
  const key = JSON.stringify(config.activeDirectory);
  // Calls still running on a previous client finish on it; it goes when the process ends.
  if (directory?.key !== key) directory = { key, client: new DirectoryClient(config.activeDirectory) };
  return work(directory.client);
}
