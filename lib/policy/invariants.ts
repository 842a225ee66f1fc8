// The coexistence invariants as policy: pure functions over what a preview declares, run by
// `coex review` on `pulumi preview --json`. They have the shapes of @pulumi/policy's policies
// (a resource validation `validateResource(args, reportViolation)` with args.type/props/urn/name,
// a stack validation `validateStack(args, reportViolation)` with args.resources and getConfig), so
// that a policy pack can wrap them unchanged once `pulumi preview --policy-pack` can start a
// Node.js pack here (CLI 3.248 starts one through the language host's RunPlugin, which the 3.68
// host we build answers "not supported"). One invariant needs what a pack never sees, the
// preview's delete steps: it is a function over the steps (groupWithMembersDeleted).
import { GOVERNMENT_TWINS, MICROSOFT_EXCHANGE_PLANS, SCRUBBING_PLANS } from "../licensing/servicePlans";

/** A resource as a policy sees it (a subset of @pulumi/policy's ResourceValidationArgs). */
export interface PolicyResource {
  urn: string;
  name: string;
  type: string;
  props: Record<string, unknown>;
}

/** @pulumi/policy's ReportViolation. */
export type ReportViolation = (message: string, urn?: string) => void;

export interface ResourcePolicy {
  name: string;
  description: string;
  enforcementLevel: "mandatory";
  validateResource: (args: PolicyResource, reportViolation: ReportViolation) => void;
}

export interface StackPolicy {
  name: string;
  description: string;
  enforcementLevel: "mandatory";
  validateStack: (
    args: { resources: PolicyResource[]; getConfig: <T>() => T },
    reportViolation: ReportViolation,
  ) => void;
}

/** What the stack policies read from the stack configuration (a pack's policy config). */
export interface CoexPolicyConfig {
  /** Domains known to be verified in the source tenant (offline: the declared source domain). */
  sourceDomains: string[];
}

const TYPE = "pulumi-nodejs:dynamic/entra-coexistence:";
const isKind = (r: { type: string }, kind: string) => r.type === `${TYPE}${kind}`;

function at(obj: unknown, path: string): unknown {
  let v = obj;
  for (const p of path.split("."))
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

export const AUTOMATION_PERMISSIONS = ["User.Invite.All", "User.ReadWrite.All"] as const;

export const automaticRedemption: ResourcePolicy = {
  name: "automatic-redemption-both-sides",
  description:
    "A pairing redeems invitations automatically on both sides: inbound in the source, outbound in the target",
  enforcementLevel: "mandatory",
  validateResource: (r, report) => {
    if (!isKind(r, "CrossTenantAccessPartner")) return;
    const side = r.props.tenant === "target" ? "outboundAllowed" : "inboundAllowed";
    if (at(r.props, `settings.automaticUserConsentSettings.${side}`) !== true) {
      const key = r.props.tenant === "target" ? "targetOutbound" : "sourceInbound";
      report(
        `${r.name}: automatic redemption is not allowed ${side === "inboundAllowed" ? "inbound in the source" : "outbound in the target"} tenant, so every reach-back user would be asked to accept a consent prompt; set entra-coexistence:crossTenantAccess.automaticRedemption.${key} to true`,
        r.urn,
      );
    }
  },
};

export const inboundMfaTrust: ResourcePolicy = {
  name: "inbound-mfa-trust",
  description: "The source trusts the target's MFA when reach-back redemption is allowed inbound",
  enforcementLevel: "mandatory",
  validateResource: (r, report) => {
    if (!isKind(r, "CrossTenantAccessPartner") || r.props.tenant === "target") return;
    // Inbound automatic redemption in the source is what reach-back uses.
    if (at(r.props, "settings.automaticUserConsentSettings.inboundAllowed") !== true) return;
    if (at(r.props, "settings.inboundTrust.isMfaAccepted") !== true) {
      report(
        `${r.name}: reach-back users sign in with the target's MFA, which the source does not trust, so they are asked to register MFA again; set entra-coexistence:crossTenantAccess.inboundTrust.isMfaAccepted to true`,
        r.urn,
      );
    }
  },
};

export const automationLeastPrivilege: ResourcePolicy = {
  name: "automation-least-privilege",
  description: `The automation's app signs in with a certificate only and holds ${AUTOMATION_PERMISSIONS.join(" and ")} only`,
  enforcementLevel: "mandatory",
  validateResource: (r, report) => {
    if (!isKind(r, "AutomationApp")) return;
    const permissions = Array.isArray(r.props.permissions) ? (r.props.permissions as string[]) : [];
    const beyond = permissions.filter((p) => !(AUTOMATION_PERMISSIONS as readonly string[]).includes(p));
    if (beyond.length > 0) {
      report(
        `${r.name}: permissions beyond the automation's two: ${beyond.join(", ")}; remove them from entra-coexistence:automation (the automation needs ${AUTOMATION_PERMISSIONS.join(" and ")} only)`,
        r.urn,
      );
    }
    const secrets = Object.keys(r.props).filter(
      (k) => /secret|password/i.test(k) && r.props[k] !== undefined && r.props[k] !== null,
    );
    if (secrets.length > 0) {
      report(
        `${r.name}: declares a client secret (${secrets.join(", ")}); the automation signs in with a certificate only: remove the secret and give entra-coexistence:automation.certificates`,
        r.urn,
      );
    }
  },
};

const FLAGGED = [...SCRUBBING_PLANS, ...MICROSOFT_EXCHANGE_PLANS, ...GOVERNMENT_TWINS];

/** The catalogue's plan that an id or a name names, if any. */
function flaggedPlan(entry: string) {
  const e = entry.trim().toLowerCase();
  return FLAGGED.find((p) => p.servicePlanId.toLowerCase() === e || p.servicePlanName.toLowerCase() === e);
}

export const scrubbingPlansDisabled: ResourcePolicy = {
  name: "license-group-scrubbing-plans",
  description:
    "Every reach-back license group disables every plan the catalogue flags as triggering proxy scrubbing",
  enforcementLevel: "mandatory",
  validateResource: (r, report) => {
    if (!isKind(r, "ReachBackLicenseGroup")) return;
    const never = Array.isArray(r.props.neverDisable) ? (r.props.neverDisable as string[]) : [];
    for (const entry of never) {
      const plan = flaggedPlan(entry);
      if (plan) {
        report(
          `${r.name}: neverDisable keeps ${plan.servicePlanName} (${plan.friendlyName}) enabled, a plan that triggers proxy scrubbing of reach-back users; remove it from entra-coexistence:licenseGroups.neverDisable`,
          r.urn,
        );
      }
    }
    // Which plans of the original's SKUs are flagged is known from the tenant only: the kernel's
    // read says it in scrubbingPlansLeftEnabled (declared empty). coex review gives the last read
    // here; a pack's props hold the declaration, so there it never fires.
    const live = r.props.scrubbingPlansLeftEnabled;
    if (Array.isArray(live) && live.length > 0) {
      report(
        `${r.name}: the group leaves enabled ${live.join(", ")}, which trigger proxy scrubbing (a plan Microsoft added, or a hand edit); run coex discover --write, review the mapping, then pulumi up`,
        r.urn,
      );
    }
  },
};

/** The address's domain, lower-case. */
const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();

export const targetNotInSource: StackPolicy = {
  name: "wave-target-not-source-domain",
  description: "No wave user's target address is in a domain verified in the source tenant",
  enforcementLevel: "mandatory",
  validateStack: ({ resources, getConfig }, report) => {
    const domains = getConfig<CoexPolicyConfig>().sourceDomains.map((d) => d.toLowerCase());
    for (const r of resources.filter((x) => isKind(x, "ReachBackUser"))) {
      const target = String(r.props.targetEmailAddress ?? "");
      const domain = domainOf(target);
      const hit = domains.find((d) => domain === d || domain.endsWith(`.${d}`));
      if (hit) {
        report(
          `${r.name}: target address ${target} is in ${hit}, a domain verified in the source tenant: the source would route mail for it to itself; give the user's address in the target tenant's domain`,
          r.urn,
        );
      }
    }
  },
};

export const RESOURCE_POLICIES: readonly ResourcePolicy[] = [
  automaticRedemption,
  inboundMfaTrust,
  automationLeastPrivilege,
  scrubbingPlansDisabled,
];
export const STACK_POLICIES: readonly StackPolicy[] = [targetNotInSource];

/** A ReachBackLicenseGroup removed by a step, and the group id its state holds. */
export interface DeletedGroup {
  stack: string;
  urn: string;
  name: string;
  groupId: string;
  /** Created by the stack (deleted), or adopted (put back, never deleted). */
  created: boolean;
}

/** A wave user kept by the reviewed stacks, with the reach-back groups it is mapped to. */
export interface KeptUser {
  stack: string;
  name: string;
  reachBackGroupIds: string[];
}

/** "No stack deletes a group that has members": members known offline are the reviewed wave
 * stacks' users mapped to the group (a pack never sees deletes, hence this shape). */
export function groupWithMembersDeleted(
  deleted: readonly DeletedGroup[],
  users: readonly KeptUser[],
  report: ReportViolation,
): void {
  for (const g of deleted.filter((d) => d.created)) {
    const members = users.filter((u) => u.reachBackGroupIds.includes(g.groupId.toLowerCase()));
    if (members.length > 0) {
      report(
        `${g.name} (stack ${g.stack}) deletes reach-back group ${g.groupId}, which ${members.length} wave user(s) are licensed through (${members
          .slice(0, 5)
          .map((m) => `${m.name} in ${m.stack}`)
          .join(
            ", ",
          )}${members.length > 5 ? ", …" : ""}); keep its mapping (coex discover marks it stale rather than removing it) until those users have their target licenses`,
        g.urn,
      );
    }
  }
}
