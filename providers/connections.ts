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

/** Runs `work` with a connection to the source's AD as the deploying account, closed afterwards. */
export async function withDirectory<T>(work: (ad: DirectoryClient) => Promise<T>): Promise<T> {
  if (!config) throw new Error("the provider was not configured with the stack configuration");
  if (!config.activeDirectory) {
    throw new Error(
      `${CONFIG_NAMESPACE}:activeDirectory is not set: the on-premises resources change AD through it`,
    );
  }
  const ad = new DirectoryClient(config.activeDirectory);
  try {
    return await work(ad);
  } finally {
    await ad.close();
  }
}
