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
import { journalConfigSchema } from "../journal/config";
import { automationConfigSchema } from "./automation";
import { licenseGroupsConfigSchema } from "./licenseGroups";
import { entraConnectConfigSchema, reachBackConfigSchema } from "./reachBack";
import { closest, echo } from "./suggest";
import { waveConfigSchema } from "./wave";

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
  z.strictObject({
    /** Workload identity federation: a token from the CI platform (GitHub Actions OIDC, Azure
     * Pipelines OIDC, or a token file), no stored secret (lib/auth/federatedToken.ts). */
    kind: z.literal("workloadIdentity"),
    /** A file holding the token; default AZURE_FEDERATED_TOKEN_FILE. */
    tokenFile: z.string().min(1).optional(),
    /** Azure Pipelines: the service connection's id; default AZURESUBSCRIPTION_SERVICE_CONNECTION_ID. */
    serviceConnectionId: z.string().min(1).optional(),
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
  })
  .refine((c) => c.credential.kind !== "workloadIdentity" || c.clientId !== undefined, {
    error:
      "clientId is required with a workloadIdentity credential (the app whose federated credential trusts the pipeline)",
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
  /** Where the per-user journal goes when not beside the state (lib/journal/location.ts). */
  journal: journalConfigSchema.optional(),
  /** How the per-user procedure asks Entra Connect for a delta cycle and waits for it (reachBack.ts). */
  entraConnect: entraConnectConfigSchema.prefault({}),
  /** The per-user procedure's invitation and license wait (reachBack.ts). */
  reachBack: reachBackConfigSchema.prefault({}),
  /** Makes the stack a wave stack: the users of a CSV, with the coexistence stack's outputs (wave.ts). */
  wave: waveConfigSchema.optional(),
});
export type StackConfig = z.output<typeof stackConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Where secrets live in the stack configuration (top-level key, then the path below it). They
 * must be Pulumi secrets, and their values are never echoed in a message. */
export const SECRET_CONFIG_PATHS: readonly (readonly string[])[] = [
  ["activeDirectory", "password"],
  ["automation", "serviceAccount", "password"],
];

export interface LoadOptions {
  /** Every key set under `entra-coexistence:` (without the namespace), so that a key this
   * program does not know is reported rather than ignored. */
  keys?: readonly string[];
  /** Whether Pulumi holds the top-level key as a secret: nothing under it is echoed then,
   * except where the schema says which values are the secret ones. */
  isSecret?: (key: string) => boolean;
}

/** Reads `entra-coexistence:<key>` values through `get` (Pulumi's Config or the dynamic
 * provider's configure request), parses the JSON Pulumi hands over for objects, and validates. */
export function loadStackConfig(
  get: (key: string) => string | undefined,
  projectDir = findProjectDir(),
  options: LoadOptions = {},
): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(stackConfigSchema.shape), ...(options.keys ?? [])])) {
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
    throw new ConfigError(
      `invalid stack configuration:\n${issueLines(parsed.error.issues, raw, options).join("\n")}`,
    );
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
    if (cred.kind === "workloadIdentity" && cred.tokenFile)
      cred.tokenFile = path.resolve(projectDir, cred.tokenFile);
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

/** One line per problem: the key, what is wrong, and the value found (cut short; never a secret).
 * A misspelt key names the key that was meant, and the "missing" line of that key is dropped. */
function issueLines(issues: readonly z.core.$ZodIssue[], raw: unknown, options: LoadOptions): string[] {
  const keyOf = (at: readonly PropertyKey[]) => `${CONFIG_NAMESPACE}:${at.map(String).join(".")}`;
  const meant = new Set<string>();
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const known = knownKeysAt(stackConfigSchema, issue.path, raw);
    for (const key of issue.keys) {
      const near = closest(key, known);
      if (near) meant.add(keyOf([...issue.path, near]));
      const hint = near
        ? `did you mean ${near}?`
        : known.length > 0
          ? `the keys here are ${known.join(", ")}`
          : "remove it";
      lines.push(`  ${keyOf([...issue.path, key])}: unknown key; ${hint}`);
    }
  }
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") continue;
    const key = keyOf(issue.path);
    const got = valueAt(raw, issue.path);
    if (got === undefined && meant.has(key)) continue;
    lines.push(`  ${key}: ${issue.message} (${shownValue(issue.path, got, options)})`);
  }
  return lines;
}

/** The value found at `at` as a message shows it: cut short, and never a secret. */
function shownValue(at: readonly PropertyKey[], got: unknown, options: LoadOptions): string {
  if (got === undefined) return "missing";
  const top = String(at[0] ?? "");
  const known = SECRET_CONFIG_PATHS.filter((p) => p[0] === top);
  const shown = redactSecrets(got, at);
  if (shown === REDACTED || (options.isSecret?.(top) && known.length === 0)) {
    return "value not shown: it is a secret";
  }
  return `got ${echo(shown)}`;
}

const REDACTED = "[secret]";

/** `value` (found at `at`) with every value at a SECRET_CONFIG_PATHS path replaced, and so is
 * anything but an object on the way to one (`activeDirectory: <the password>` by mistake). */
export function redactSecrets(value: unknown, at: readonly PropertyKey[] = []): unknown {
  const here = at.map(String);
  for (const secret of SECRET_CONFIG_PATHS) {
    if (secret.length <= here.length && secret.every((k, i) => here[i] === k)) return REDACTED;
    const onTheWay = here.every((k, i) => secret[i] === k);
    if (onTheWay && (value === null || typeof value !== "object" || Array.isArray(value))) return REDACTED;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, [...at, i]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, [...at, k])]));
}

/** The keys the schema knows for the object at `at` (for "did you mean"). */
function knownKeysAt(schema: z.core.$ZodType, at: readonly PropertyKey[], raw: unknown): string[] {
  let s: z.core.$ZodType | undefined = schema;
  let value: unknown = raw;
  for (let i = 0; ; i++) {
    s = s && objectLike(s, value);
    if (!s) return [];
    if (i === at.length) break;
    const def = s._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
    };
    s = def.type === "array" ? def.element : def.shape?.[String(at[i])];
    value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[at[i]] : undefined;
  }
  const def = s._zod.def as { shape?: Record<string, unknown> };
  return Object.keys(def.shape ?? {});
}

/** Unwraps optional, default, pipe and the like down to an object or array schema; for a
 * discriminated union, the option the value's discriminator picks. */
function objectLike(schema: z.core.$ZodType, value: unknown): z.core.$ZodType | undefined {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
    options?: z.core.$ZodType[];
    discriminator?: string;
  };
  if (def.type === "object" || def.type === "array") return schema;
  if (def.innerType) return objectLike(def.innerType, value);
  if (def.type === "pipe" && def.in) return objectLike(def.in, value);
  if (def.type === "union" && def.options) {
    const tag =
      value && typeof value === "object" && def.discriminator
        ? (value as Record<string, unknown>)[def.discriminator]
        : undefined;
    for (const option of def.options) {
      const o = objectLike(option, value);
      const literal =
        o && def.discriminator
          ? (o._zod.def as { shape?: Record<string, z.core.$ZodType> }).shape?.[def.discriminator]
          : undefined;
      const values = literal ? ((literal._zod.def as { values?: unknown[] }).values ?? []) : [];
      if (o && (tag === undefined || values.includes(tag))) return o;
    }
  }
  return undefined;
}

/** The secrets written as plain text in the stack configuration, each with the command that
 * stores it as a Pulumi secret instead. `isSecret` tells whether Pulumi holds a top-level key as a
 * secret (Pulumi marks the whole key when any value below it is one). */
export function plainSecretProblems(
  config: StackConfig,
  isSecret: (key: string) => boolean,
  stack: string,
): string[] {
  const problems: string[] = [];
  for (const secretPath of SECRET_CONFIG_PATHS) {
    if (valueAt(config, secretPath) === undefined || isSecret(secretPath[0])) continue;
    const key = `${CONFIG_NAMESPACE}:${secretPath.join(".")}`;
    problems.push(
      `${key} is plain text in the stack configuration; store it as a secret (the command asks for the value): ` +
        `pulumi config set --secret --path ${key} --stack ${stack}`,
    );
  }
  return problems;
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
