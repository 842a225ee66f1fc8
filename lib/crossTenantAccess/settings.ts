// Cross-tenant access settings in Microsoft Graph's own shape (names and enums from the v1.0
// CSDL: crossTenantAccessPolicyB2BSetting, crossTenantAccessPolicyInboundTrust, ...). The zod
// schemas are both the validation of what users write and the types the code uses.
import { z } from "zod";
import { closest } from "../config/suggest";

const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const tenantIdSchema = z
  .string()
  .regex(GUID_PATTERN, {
    error: "must be a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)",
  })
  .transform((s) => s.toLowerCase());

/** Keywords Graph accepts as targets besides object ids, by the part of a B2B setting they belong
 * to (crossTenantAccessPolicyTarget: AllUsers; AllApplications, and the reserved application
 * values AllMicrosoftApps and Office365). */
export const WELL_KNOWN_TARGETS = {
  usersAndGroups: ["AllUsers"],
  applications: ["AllApplications", "AllMicrosoftApps", "Office365"],
} as const;
type B2BPart = keyof typeof WELL_KNOWN_TARGETS;
/** The targetTypes an object id may have in each part (crossTenantAccessPolicyTargetType). */
const OBJECT_TARGET_TYPES: Record<B2BPart, readonly string[]> = {
  usersAndGroups: ["user", "group"],
  applications: ["application"],
};

export const targetSchema = z.strictObject({
  target: z.string().min(1, { error: "give an object id or a keyword such as AllUsers" }),
  targetType: z.enum(["user", "group", "application"]),
});

/** Why a target cannot stand in `part`, or undefined when it can. Graph accepts some of these
 * and then fails later or means something else, so they are refused before anything is sent. */
export function targetProblem(part: B2BPart, t: z.infer<typeof targetSchema>): string | undefined {
  const other: B2BPart = part === "usersAndGroups" ? "applications" : "usersAndGroups";
  const ownKeyword = (WELL_KNOWN_TARGETS[part] as readonly string[]).includes(t.target);
  if (ownKeyword) {
    const type = part === "usersAndGroups" ? "user" : "application";
    return t.targetType === type ? undefined : `${t.target} needs targetType ${type}, not ${t.targetType}`;
  }
  if ((WELL_KNOWN_TARGETS[other] as readonly string[]).includes(t.target)) {
    return `${t.target} is ${other === "applications" ? "an application" : "a user"} target: put it under ${other}, not ${part}`;
  }
  if (GUID_PATTERN.test(t.target)) {
    return OBJECT_TARGET_TYPES[part].includes(t.targetType)
      ? undefined
      : `an object id under ${part} has targetType ${OBJECT_TARGET_TYPES[part].join(" or ")}, not ${t.targetType}`;
  }
  const all = [...WELL_KNOWN_TARGETS.usersAndGroups, ...WELL_KNOWN_TARGETS.applications];
  const near = closest(t.target, all);
  return (
    `must be an object id (a GUID) or ${WELL_KNOWN_TARGETS[part].join(", ")}` +
    (near ? `; did you mean ${near}?` : "")
  );
}

/** The users-and-groups or applications part of a B2B setting. */
export function targetConfigurationSchema(part: B2BPart) {
  return z
    .strictObject({
      accessType: z.enum(["allowed", "blocked"]),
      targets: z
        .array(targetSchema)
        .min(1, { error: `list at least one target (${WELL_KNOWN_TARGETS[part][0]} or object ids)` }),
    })
    .superRefine((c, ctx) => {
      c.targets.forEach((t, i) => {
        const problem = targetProblem(part, t);
        if (problem) ctx.addIssue({ code: "custom", path: ["targets", i, "target"], message: problem });
      });
    });
}

export const b2bSettingSchema = z
  .strictObject({
    usersAndGroups: targetConfigurationSchema("usersAndGroups").optional(),
    applications: targetConfigurationSchema("applications").optional(),
  })
  .refine((s) => s.usersAndGroups !== undefined || s.applications !== undefined, {
    error: "give usersAndGroups, applications or both",
  });

export const inboundTrustSchema = z.strictObject({
  isMfaAccepted: z.boolean(),
  isCompliantDeviceAccepted: z.boolean(),
  isHybridAzureADJoinedDeviceAccepted: z.boolean(),
});

/** null (or left out) = not set on the partner entry: it inherits the default, which Graph keeps
 * at false ("Unless specifically configured, the inboundAllowed and outboundAllowed properties
 * are null and inherit from the default settings, which is always false"). */
export const automaticUserConsentSchema = z.strictObject({
  inboundAllowed: z.boolean().nullable().default(null),
  outboundAllowed: z.boolean().nullable().default(null),
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
  /** Left out or null: both directions inherit (Graph reads them back as null, so an adopted
   * entry that never set them shows no drift). */
  automaticUserConsentSettings: automaticUserConsentSchema.nullable().default(null),
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
