// What must hold before a user's reach-back is enabled (seed 000, "Preparing the Source User",
// "Automatic Redemption and Order of Operations"), read-only, for a whole list of users at once:
// the program runs it before it registers any resource, so that preview says every problem, one
// line per user with the fix, and nothing is written. Tenant-wide facts (verified domains, the
// automatic-redemption pairing) are read once; per-user facts once per user.
import { domainOf } from "../addresses/proxyAddresses";
import type { DirectoryClient } from "../directory/client";
import { type GraphClient, odataString } from "../graph/client";
import type { ReachBackUserSpec } from "./userSchema";

export interface PreconditionContext {
  source: GraphClient;
  target: GraphClient;
  sourceTenantId: string;
  targetTenantId: string;
  /** The source's AD through the delegated account; absent: the scope check is skipped and said. */
  ad?: DirectoryClient;
  /** The OUs the automation's delegation covers (entra-coexistence:automation.userOus). */
  userOus: readonly string[];
}

/** One unmet precondition: which user, what is wrong, what to do. */
export interface PreconditionProblem {
  user: string;
  problem: string;
  fix: string;
}

export function describeProblem(p: PreconditionProblem): string {
  return `${p.user}: ${p.problem}; ${p.fix}`;
}

interface GraphUser {
  id: string;
  userPrincipalName?: string;
  userType?: string | null;
  mail?: string | null;
  onPremisesSyncEnabled?: boolean | null;
  onPremisesUserPrincipalName?: string | null;
  externalUserState?: string | null;
}

interface GraphGroup {
  "@odata.type"?: string;
  id: string;
  displayName?: string;
  assignedLicenses?: Array<{ skuId: string }>;
}

const SOURCE_SELECT =
  "$select=id,userPrincipalName,userType,mail,onPremisesSyncEnabled,onPremisesUserPrincipalName,externalUserState";

/** Users read at once: each costs three Graph reads and one LDAP search. */
const USER_CONCURRENCY = 8;

/** Every unmet precondition of every user; empty when all may go ahead. */
export async function checkPreconditions(
  users: readonly ReachBackUserSpec[],
  ctx: PreconditionContext,
): Promise<PreconditionProblem[]> {
  const problems: PreconditionProblem[] = [];
  const verified = new Set(
    (await ctx.source.list<{ id: string; isVerified?: boolean }>("/domains?$select=id,isVerified"))
      .filter((d) => d.isVerified === true)
      .map((d) => d.id.toLowerCase()),
  );
  for (const p of await pairingProblems(ctx)) problems.push({ user: "(all users)", ...p });
  // A few users at a time, so that preview of a wave stays fast; the lines keep the list's order.
  const perUser: PreconditionProblem[][] = new Array(users.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < users.length; i = next++)
      perUser[i] = await userProblems(users[i], ctx, verified);
  };
  await Promise.all(Array.from({ length: Math.min(USER_CONCURRENCY, users.length) }, worker));
  problems.push(...perUser.flat());
  return problems;
}

/** Automatic redemption needs both sides (seed 000): inbound in the source's entry for the
 * target, outbound in the target's entry for the source. */
async function pairingProblems(ctx: PreconditionContext): Promise<Array<Omit<PreconditionProblem, "user">>> {
  const entry = (graph: GraphClient, partner: string) =>
    graph.getOptional<{
      automaticUserConsentSettings?: { inboundAllowed?: boolean; outboundAllowed?: boolean };
    }>(`/policies/crossTenantAccessPolicy/partners/${partner}`);
  const out: Array<Omit<PreconditionProblem, "user">> = [];
  const inbound = (await entry(ctx.source, ctx.targetTenantId))?.automaticUserConsentSettings?.inboundAllowed;
  if (inbound !== true) {
    out.push({
      problem: `the source tenant does not allow automatic redemption inbound from the target ${ctx.targetTenantId}`,
      fix: "apply the coexistence stack (crossTenantAccess.automaticRedemption.sourceInbound: true) first",
    });
  }
  const outbound = (await entry(ctx.target, ctx.sourceTenantId))?.automaticUserConsentSettings
    ?.outboundAllowed;
  if (outbound !== true) {
    out.push({
      problem: `the target tenant does not allow automatic redemption outbound to the source ${ctx.sourceTenantId}`,
      fix: "apply the coexistence stack (crossTenantAccess.automaticRedemption.targetOutbound: true) first",
    });
  }
  return out;
}

async function userProblems(
  u: ReachBackUserSpec,
  ctx: PreconditionContext,
  verifiedInSource: ReadonlySet<string>,
): Promise<PreconditionProblem[]> {
  const who = u.sourceUserPrincipalName;
  const problems: PreconditionProblem[] = [];
  const add = (problem: string, fix: string) => problems.push({ user: who, problem, fix });

  const targetDomain = domainOf(u.targetEmailAddress).toLowerCase();
  if (verifiedInSource.has(targetDomain)) {
    add(
      `the target address ${u.targetEmailAddress} is in ${targetDomain}, a domain verified in the source tenant`,
      "B2B invitation needs an address in a domain the source has not verified: use the user's address in the target's own domain",
    );
  }

  const source = await ctx.source.getOptional<GraphUser>(
    `/users/${encodeURIComponent(who)}?${SOURCE_SELECT}`,
  );
  if (!source) {
    add("does not exist in the source tenant", "check the UPN in the wave's list");
  } else {
    if (source.onPremisesSyncEnabled !== true) {
      add(
        "is not synced from Active Directory (onPremisesSyncEnabled is not true)",
        "reach-back changes the user in AD; a cloud-only user is out of scope of this procedure",
      );
    }
    if (source.onPremisesUserPrincipalName) {
      add(
        `carries onPremisesUserPrincipalName (${source.onPremisesUserPrincipalName}), and Microsoft refuses to invite such a user to B2B`,
        "change the Entra Connect sync rule so that it no longer flows onPremisesUserPrincipalName for migrated users, run a sync, then retry",
      );
    }
    if (source.userType && source.userType !== "Member") {
      add(
        `is a ${source.userType} in the source tenant`,
        "reach-back converts an internal member; check the UPN",
      );
    }
    problems.push(...(await licenseProblems(u, source, ctx)));
  }

  const target = (
    await ctx.target.list<GraphUser>(
      `/users?$filter=mail eq ${odataString(u.targetEmailAddress)}&$select=id,userPrincipalName,userType,mail,externalUserState`,
    )
  )[0];
  if (!target) {
    add(
      `has no user with the address ${u.targetEmailAddress} in the target tenant`,
      "migrate the user (their target identity) before enabling reach-back, or correct targetEmailAddress",
    );
  } else if (target.userType !== "Member" || target.externalUserState) {
    add(
      `the target identity ${target.userPrincipalName ?? target.id} is an external user in the target (userType ${target.userType}, externalUserState ${target.externalUserState ?? "none"})`,
      "convert it to an internal member first (seed 000: otherwise automatic redemption fails)",
    );
  }

  if (ctx.ad) {
    const inAd = await ctx.ad.findUserByUpn(who);
    if (!inAd) {
      add(
        "is not found in Active Directory under the configured baseDn",
        "check the UPN and activeDirectory.baseDn",
      );
    } else if (!ctx.userOus.some((ou) => inAd.dn.toLowerCase().endsWith(`,${ou.toLowerCase()}`))) {
      add(
        `is in ${inAd.dn}, outside the OUs the automation may write (${ctx.userOus.join("; ") || "none"})`,
        "add the user's OU to automation.userOus (and apply the coexistence stack), or move the user",
      );
    }
  }
  return problems;
}

/** Every license group of the user has a reach-back group in the mapping (or the user is already
 * in the reach-back group). */
async function licenseProblems(
  u: ReachBackUserSpec,
  source: GraphUser,
  ctx: PreconditionContext,
): Promise<PreconditionProblem[]> {
  const groups = await ctx.source.list<GraphGroup>(
    `/users/${source.id}/memberOf?$select=id,displayName,assignedLicenses`,
  );
  const reachBack = new Set(Object.values(u.licenseGroupMapping).map((g) => g.toLowerCase()));
  const mapped = new Set(Object.keys(u.licenseGroupMapping).map((g) => g.toLowerCase()));
  const out: PreconditionProblem[] = [];
  for (const g of groups) {
    if (g["@odata.type"] && g["@odata.type"] !== "#microsoft.graph.group") continue;
    if ((g.assignedLicenses ?? []).length === 0) continue;
    const id = g.id.toLowerCase();
    if (mapped.has(id) || reachBack.has(id)) continue;
    out.push({
      user: u.sourceUserPrincipalName,
      problem: `is licensed by ${g.displayName ?? g.id} (${g.id}), which has no reach-back group in the mapping`,
      fix: "run coex discover on the coexistence stack, review and apply it, so every license group has its reach-back group",
    });
  }
  return out;
}
