// CrossTenantCoexistence: the paired cross-tenant access settings B2B reach-back needs (seed 000,
// "Prerequisites"; seed 002). The source tenant is the resource tenant (its apps, SharePoint and
// Teams are reached back into); the target tenant is the users' home tenant after migration.
import * as pulumi from "@pulumi/pulumi";
import type { CrossTenantAccessConfig } from "../lib/config/stackConfig";
import type { B2BSetting, PartnerSettingsInput } from "../lib/crossTenantAccess/settings";
import { CrossTenantAccessDefault } from "../providers/crossTenantAccessDefault";
import { CrossTenantAccessPartner } from "../providers/crossTenantAccessPartner";

export interface CrossTenantCoexistenceArgs {
  sourceTenantId: string;
  targetTenantId: string;
  settings: CrossTenantAccessConfig;
}

const ALL_USERS_ALL_APPS: B2BSetting = {
  usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
  applications: {
    accessType: "allowed",
    targets: [{ target: "AllApplications", targetType: "application" }],
  },
};

/** Why a pairing cannot give reach-back users a consent-free first sign-in, or would break the
 * reach-back users themselves; empty when it can. */
export function pairingProblems(args: CrossTenantCoexistenceArgs): string[] {
  const problems: string[] = [];
  const { automaticRedemption, b2bCollaborationInbound, b2bCollaborationOutbound, identitySynchronization } =
    args.settings;
  if (!automaticRedemption.sourceInbound) {
    problems.push(
      `automatic redemption must be allowed inbound in the source tenant ${args.sourceTenantId} ` +
        "(crossTenantAccess.automaticRedemption.sourceInbound: true); without it every reach-back user gets a consent prompt",
    );
  }
  if (!automaticRedemption.targetOutbound) {
    problems.push(
      `automatic redemption must be allowed outbound in the target tenant ${args.targetTenantId} ` +
        "(crossTenantAccess.automaticRedemption.targetOutbound: true); Entra suppresses consent only when both sides allow it",
    );
  }
  for (const [key, setting] of [
    ["b2bCollaborationInbound", b2bCollaborationInbound],
    ["b2bCollaborationOutbound", b2bCollaborationOutbound],
  ] as const) {
    if (blocksAll(setting?.usersAndGroups, "AllUsers")) {
      problems.push(
        `crossTenantAccess.${key} blocks all of the target's users: reach-back cannot work; allow AllUsers, or block only the users or groups that must not reach back`,
      );
    }
    if (blocksAll(setting?.applications, "AllApplications")) {
      problems.push(
        `crossTenantAccess.${key} blocks all applications: reach-back users could reach nothing; allow AllApplications, or block only the applications they must not reach`,
      );
    }
  }
  if (identitySynchronization?.userSyncInbound.isSyncAllowed) {
    problems.push(
      "crossTenantAccess.identitySynchronization allows cross-tenant synchronization into the source tenant: " +
        "reach-back users are hybrid external members (synced from AD), and hybrid external members are incompatible " +
        'with cross-tenant synchronization (seed 001, "Hybrid External Members"); remove the key, or set userSyncInbound.isSyncAllowed: false',
    );
  }
  if (args.sourceTenantId === args.targetTenantId)
    problems.push("the source and target tenant ids are the same");
  return problems;
}

/** A part of a B2B setting that blocks everyone (or every application) it could name. */
function blocksAll(part: B2BSetting["usersAndGroups"], everyone: string): boolean {
  return part?.accessType === "blocked" && part.targets.some((t) => t.target === everyone);
}

export class CrossTenantCoexistence extends pulumi.ComponentResource {
  /** The source tenant's partner entry for the target (inbound side of reach-back). */
  readonly sourcePartner: CrossTenantAccessPartner;
  /** The target tenant's partner entry for the source (outbound side of reach-back). */
  readonly targetPartner: CrossTenantAccessPartner;
  readonly sourceDefault: CrossTenantAccessDefault;
  readonly targetDefault: CrossTenantAccessDefault;

  constructor(name: string, args: CrossTenantCoexistenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-coexistence:index:CrossTenantCoexistence", name, {}, opts);
    const problems = pairingProblems(args);
    if (problems.length > 0) {
      throw new pulumi.ResourceError(
        `the cross-tenant pairing is refused:\n  - ${problems.join("\n  - ")}`,
        this,
      );
    }
    const s = args.settings;
    const sourceSide: PartnerSettingsInput = {
      b2bCollaborationInbound: s.b2bCollaborationInbound ?? ALL_USERS_ALL_APPS,
      inboundTrust: s.inboundTrust,
      automaticUserConsentSettings: {
        inboundAllowed: s.automaticRedemption.sourceInbound,
        outboundAllowed: false,
      },
      identitySynchronization: s.identitySynchronization ?? null,
    };
    const targetSide: PartnerSettingsInput = {
      b2bCollaborationOutbound: s.b2bCollaborationOutbound ?? ALL_USERS_ALL_APPS,
      automaticUserConsentSettings: {
        inboundAllowed: false,
        outboundAllowed: s.automaticRedemption.targetOutbound,
      },
    };
    this.sourcePartner = new CrossTenantAccessPartner(
      `${name}-source-partner`,
      { tenant: "source", partnerTenantId: args.targetTenantId, settings: sourceSide },
      { parent: this },
    );
    this.targetPartner = new CrossTenantAccessPartner(
      `${name}-target-partner`,
      { tenant: "target", partnerTenantId: args.sourceTenantId, settings: targetSide },
      { parent: this },
    );
    this.sourceDefault = new CrossTenantAccessDefault(
      `${name}-source-default`,
      { tenant: "source", settings: s.sourceDefault },
      { parent: this },
    );
    this.targetDefault = new CrossTenantAccessDefault(
      `${name}-target-default`,
      { tenant: "target", settings: s.targetDefault },
      { parent: this },
    );
    this.registerOutputs({
      sourcePartner: this.sourcePartner.settings,
      targetPartner: this.targetPartner.settings,
    });
  }
}
