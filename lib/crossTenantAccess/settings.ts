// Cross-tenant access settings in Microsoft Graph's own shape (names and enums from the v1.0
// CSDL: crossTenantAccessPolicyB2BSetting, crossTenantAccessPolicyInboundTrust, ...). The zod
// schemas are both the validation of what users write and the types the code uses.
import { z } from "zod";

export const tenantIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: "must be a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)",
  })
  .transform((s) => s.toLowerCase());

/** Well-known targets Graph accepts besides object ids. */
export const WELL_KNOWN_TARGETS = ["AllUsers", "AllApplications", "AllMicrosoftApps", "Office365"] as const;

export const targetSchema = z.strictObject({
  target: z
    .string()
    .min(1, { error: `target must be an object id or one of ${WELL_KNOWN_TARGETS.join(", ")}` }),
  targetType: z.enum(["user", "group", "application"]),
});

export const targetConfigurationSchema = z.strictObject({
  accessType: z.enum(["allowed", "blocked"]),
  targets: z
    .array(targetSchema)
    .min(1, { error: "list at least one target (AllUsers, AllApplications or ids)" }),
});

export const b2bSettingSchema = z
  .strictObject({
    usersAndGroups: targetConfigurationSchema.optional(),
    applications: targetConfigurationSchema.optional(),
  })
  .refine((s) => s.usersAndGroups !== undefined || s.applications !== undefined, {
    error: "give usersAndGroups, applications or both",
  });

export const inboundTrustSchema = z.strictObject({
  isMfaAccepted: z.boolean(),
  isCompliantDeviceAccepted: z.boolean(),
  isHybridAzureADJoinedDeviceAccepted: z.boolean(),
});

/** null = not set on the partner entry (Graph's answer for an entry that never set it). */
export const automaticUserConsentSchema = z.strictObject({
  inboundAllowed: z.boolean().nullable(),
  outboundAllowed: z.boolean().nullable(),
});

export const identitySyncSchema = z.strictObject({
  displayName: z.string().min(1).default("entra-coexistence"),
  userSyncInbound: z.strictObject({ isSyncAllowed: z.boolean() }),
});

export type B2BSetting = z.infer<typeof b2bSettingSchema>;
export type InboundTrust = z.infer<typeof inboundTrustSchema>;
export type AutomaticUserConsent = z.infer<typeof automaticUserConsentSchema>;
export type IdentitySync = z.infer<typeof identitySyncSchema>;

/** The B2B and trust settings of a partner entry. null means "inherit the tenant's default",
 * which is what Graph stores for a setting a partner entry does not override. */
export const partnerSettingsSchema = z.strictObject({
  b2bCollaborationInbound: b2bSettingSchema.nullable().default(null),
  b2bCollaborationOutbound: b2bSettingSchema.nullable().default(null),
  b2bDirectConnectInbound: b2bSettingSchema.nullable().default(null),
  b2bDirectConnectOutbound: b2bSettingSchema.nullable().default(null),
  inboundTrust: inboundTrustSchema.nullable().default(null),
  automaticUserConsentSettings: automaticUserConsentSchema.default({
    inboundAllowed: false,
    outboundAllowed: false,
  }),
  /** Cross-tenant synchronization into this tenant from the partner (null: no policy object). */
  identitySynchronization: identitySyncSchema.nullable().default(null),
});
export type PartnerSettings = z.infer<typeof partnerSettingsSchema>;
export type PartnerSettingsInput = z.input<typeof partnerSettingsSchema>;

/** The settings of the tenant-wide default that this project manages. Keys left out are not
 * managed: they keep whatever the tenant has. automaticUserConsentSettings is read-only (always
 * false) on the default, so it is not settable here. */
export const defaultSettingsSchema = z.strictObject({
  b2bCollaborationInbound: b2bSettingSchema.optional(),
  b2bCollaborationOutbound: b2bSettingSchema.optional(),
  b2bDirectConnectInbound: b2bSettingSchema.optional(),
  b2bDirectConnectOutbound: b2bSettingSchema.optional(),
  inboundTrust: inboundTrustSchema.optional(),
});
export type DefaultSettings = z.infer<typeof defaultSettingsSchema>;
export const DEFAULT_MANAGED_KEYS = [
  "b2bCollaborationInbound",
  "b2bCollaborationOutbound",
  "b2bDirectConnectInbound",
  "b2bDirectConnectOutbound",
  "inboundTrust",
] as const satisfies readonly (keyof DefaultSettings)[];

export const PARTNER_POLICY_KEYS = [
  "b2bCollaborationInbound",
  "b2bCollaborationOutbound",
  "b2bDirectConnectInbound",
  "b2bDirectConnectOutbound",
  "inboundTrust",
  "automaticUserConsentSettings",
] as const satisfies readonly (keyof PartnerSettings)[];

/** Graph returns a B2B setting with only the parts it has; the order of targets carries no
 * meaning. Canonical form: sorted targets, absent parts omitted, unknown keys dropped. */
export function canonicalB2B(value: unknown): B2BSetting | null {
  if (value === null || value === undefined || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const out: B2BSetting = {};
  for (const part of ["usersAndGroups", "applications"] as const) {
    const c = v[part] as { accessType?: string; targets?: { target: string; targetType: string }[] } | null;
    if (c && typeof c === "object" && c.accessType) {
      out[part] = {
        accessType: c.accessType as "allowed" | "blocked",
        targets: [...(c.targets ?? [])]
          .map((t) => ({ target: t.target, targetType: t.targetType as "user" | "group" | "application" }))
          .sort((a, b) => `${a.targetType}/${a.target}`.localeCompare(`${b.targetType}/${b.target}`)),
      };
    }
  }
  return out.usersAndGroups || out.applications ? out : null;
}

export function canonicalTrust(value: unknown): InboundTrust | null {
  if (value === null || value === undefined || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  return {
    isMfaAccepted: v.isMfaAccepted === true,
    isCompliantDeviceAccepted: v.isCompliantDeviceAccepted === true,
    isHybridAzureADJoinedDeviceAccepted: v.isHybridAzureADJoinedDeviceAccepted === true,
  };
}

/** A partner entry as Graph returns it, in the canonical form the providers compare. */
export function partnerSettingsFromGraph(
  partner: Record<string, unknown>,
  identitySync: Record<string, unknown> | undefined,
): PartnerSettings {
  const consent = (partner.automaticUserConsentSettings ?? {}) as Record<string, unknown>;
  const sync = identitySync?.userSyncInbound as { isSyncAllowed?: boolean } | undefined;
  return {
    b2bCollaborationInbound: canonicalB2B(partner.b2bCollaborationInbound),
    b2bCollaborationOutbound: canonicalB2B(partner.b2bCollaborationOutbound),
    b2bDirectConnectInbound: canonicalB2B(partner.b2bDirectConnectInbound),
    b2bDirectConnectOutbound: canonicalB2B(partner.b2bDirectConnectOutbound),
    inboundTrust: canonicalTrust(partner.inboundTrust),
    automaticUserConsentSettings: {
      inboundAllowed: typeof consent.inboundAllowed === "boolean" ? consent.inboundAllowed : null,
      outboundAllowed: typeof consent.outboundAllowed === "boolean" ? consent.outboundAllowed : null,
    },
    identitySynchronization: identitySync
      ? {
          displayName: typeof identitySync.displayName === "string" ? identitySync.displayName : "",
          userSyncInbound: { isSyncAllowed: sync?.isSyncAllowed === true },
        }
      : null,
  };
}

/** The managed keys of a tenant's default, canonical, from Graph's response. */
export function defaultSettingsFromGraph(
  policy: Record<string, unknown>,
  keys: readonly string[],
): DefaultSettings {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = key === "inboundTrust" ? canonicalTrust(policy[key]) : canonicalB2B(policy[key]);
  }
  return out as DefaultSettings;
}

export function canonicalPartnerSettings(input: PartnerSettingsInput): PartnerSettings {
  const parsed = partnerSettingsSchema.parse(input);
  return partnerSettingsFromGraph(
    parsed as unknown as Record<string, unknown>,
    parsed.identitySynchronization ?? undefined,
  );
}

/** Deep equality of JSON values. Key order is ignored: values that went through Pulumi's state
 * come back with their keys in another order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The keys whose values differ between two settings objects, in a stable order. */
export function changedKeys<T extends object>(olds: T, news: T, keys: readonly (keyof T)[]): (keyof T)[] {
  return keys.filter((k) => !sameValue(olds[k], news[k]));
}
