// The stack configuration, validated at program start (and again in the providers' configure):
// a wrong value fails `pulumi preview` with the key that is wrong and what to write instead.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import {
  b2bSettingSchema,
  defaultSettingsSchema,
  identitySyncSchema,
  inboundTrustSchema,
  tenantIdSchema,
} from "../crossTenantAccess/settings";
import { automationConfigSchema } from "./automation";
import { licenseGroupsConfigSchema } from "./licenseGroups";

/** Pulumi's config namespace for this project (the `name` in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "entra-coexistence";

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" });

export const cloudSchema = z
  .strictObject({
    /** Where tokens come from: https://login.microsoftonline.com, a national cloud's, or the emulator. */
    authorityHost: httpsUrl.default("https://login.microsoftonline.com"),
    /** Microsoft Graph's root: https://graph.microsoft.com, a national cloud's, or the emulator. */
    graphEndpoint: httpsUrl.default("https://graph.microsoft.com"),
    /** Skip MSAL's authority discovery against the public cloud (needed for private authorities). */
    disableInstanceDiscovery: z.boolean().optional(),
  })
  .transform((c) => ({
    ...c,
    disableInstanceDiscovery:
      c.disableInstanceDiscovery ?? new URL(c.authorityHost).hostname !== "login.microsoftonline.com",
  }));
export type CloudConfig = z.output<typeof cloudSchema>;

const credentialSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("certificate"),
    /** PEM file with the private key and the certificate, relative to the project directory. */
    certificatePath: z
      .string()
      .min(1, { error: "give the path of a PEM file holding the key and certificate" }),
  }),
  z.strictObject({
    /** The person at the terminal (Azure CLI, environment variables, managed identity...). */
    kind: z.literal("default"),
  }),
]);

export const tenantConnectionSchema = z
  .strictObject({
    tenantId: tenantIdSchema,
    /** The tenant's primary verified domain, used in names and messages. */
    domain: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, {
      error: "must be a DNS domain such as contoso.com",
    }),
    /** The application (client) id of the deploying identity; required for certificate credentials. */
    clientId: tenantIdSchema.optional(),
    credential: credentialSchema,
  })
  .refine((c) => c.credential.kind !== "certificate" || c.clientId !== undefined, {
    error: "clientId is required with a certificate credential",
    path: ["clientId"],
  });
export type TenantConnection = z.output<typeof tenantConnectionSchema>;

export const TENANT_ROLES = ["source", "target"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** What the reach-back pairing asks of both tenants; defaults follow seed 000's prerequisites. */
export const crossTenantAccessConfigSchema = z.strictObject({
  /** Claims the source trusts from the target's users (seed 000: MFA, compliant and hybrid-joined devices). */
  inboundTrust: inboundTrustSchema.default({
    isMfaAccepted: true,
    isCompliantDeviceAccepted: true,
    isHybridAzureADJoinedDeviceAccepted: true,
  }),
  /** Who from the target may come into the source by B2B collaboration (default: all users, all apps). */
  b2bCollaborationInbound: b2bSettingSchema.optional(),
  /** Who in the target may go out to the source by B2B collaboration (default: all users, all apps). */
  b2bCollaborationOutbound: b2bSettingSchema.optional(),
  /** Automatic redemption: the source must allow it inbound and the target outbound (seed 002). */
  automaticRedemption: z
    .strictObject({ sourceInbound: z.boolean().default(true), targetOutbound: z.boolean().default(true) })
    .prefault({}),
  /** Cross-tenant synchronization from the target into the source; off unless asked for. */
  identitySynchronization: identitySyncSchema.optional(),
  /** The tenant-wide defaults each tenant is held at; keys left out keep what the tenant has. */
  sourceDefault: defaultSettingsSchema.default({}),
  targetDefault: defaultSettingsSchema.default({}),
});
export type CrossTenantAccessConfig = z.output<typeof crossTenantAccessConfigSchema>;

/** The source's Active Directory, for the commands and resources that write to it. The account is
 * the deploying one: it changes OU permissions (DirectoryDelegation) and, for coex
 * verify-license-groups, license-group membership. The automation's own account is
 * automation.serviceAccount. */
export const activeDirectorySchema = z.strictObject({
  /** ldaps://dc1.corp.contoso.com:636, or ldap://...:389 with startTls. */
  url: z.string().regex(/^ldaps?:\/\//, { error: "must be an ldaps:// (or ldap:// with startTls) URL" }),
  startTls: z.boolean().optional(),
  /** PEM of the CA the DCs' certificates chain to, relative to the project directory. */
  caCertPath: z.string().optional(),
  /** The deploying account: admin@corp.contoso.com or DOMAIN\\name. */
  bindDn: z.string().min(1),
  /** Keep it a secret: `pulumi config set --secret entra-coexistence:activeDirectory.password ... --path`. */
  password: z.string().min(1),
  /** The OU scope. */
  baseDn: z.string().min(1),
});

export const stackConfigSchema = z.strictObject({
  cloud: cloudSchema.prefault({}),
  source: tenantConnectionSchema,
  target: tenantConnectionSchema,
  crossTenantAccess: crossTenantAccessConfigSchema.prefault({}),
  licenseGroups: licenseGroupsConfigSchema.prefault({}),
  activeDirectory: activeDirectorySchema.optional(),
  automation: automationConfigSchema.optional(),
});
export type StackConfig = z.output<typeof stackConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads `entra-coexistence:<key>` values through `get` (Pulumi's Config or the dynamic
 * provider's configure request), parses the JSON Pulumi hands over for objects, and validates. */
export function loadStackConfig(
  get: (key: string) => string | undefined,
  projectDir = findProjectDir(),
): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const text = get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      raw[key] = text;
    }
  }
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = `${CONFIG_NAMESPACE}:${issue.path.map(String).join(".")}`;
      const got = valueAt(raw, issue.path);
      const shown = got === undefined ? "missing" : `got ${JSON.stringify(got)}`;
      return `  ${key}: ${issue.message} (${shown})`;
    });
    throw new ConfigError(`invalid stack configuration:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  if (config.source.tenantId === config.target.tenantId) {
    throw new ConfigError(
      `invalid stack configuration:\n  ${CONFIG_NAMESPACE}:target.tenantId: the target tenant must differ from the source tenant (${config.source.tenantId})`,
    );
  }
  if (config.automation?.serviceAccount && !config.activeDirectory) {
    throw new ConfigError(
      `invalid stack configuration:\n  ${CONFIG_NAMESPACE}:activeDirectory: required when automation.serviceAccount is set (the delegation is written to AD through it)`,
    );
  }
  for (const role of TENANT_ROLES) {
    const cred = config[role].credential;
    if (cred.kind === "certificate") cred.certificatePath = path.resolve(projectDir, cred.certificatePath);
  }
  if (config.activeDirectory?.caCertPath) {
    config.activeDirectory.caCertPath = path.resolve(projectDir, config.activeDirectory.caCertPath);
  }
  if (config.automation) {
    const a = config.automation;
    a.certificates = a.certificates.map((c) => path.resolve(projectDir, c));
    if (a.verify.credentialPath) a.verify.credentialPath = path.resolve(projectDir, a.verify.credentialPath);
  }
  return config;
}

/** The directory of Pulumi.yaml: relative paths in the stack configuration are relative to it.
 * Pulumi runs the program and its providers from the program's directory (dist/ here). */
export function findProjectDir(from = process.cwd()): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of at) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
