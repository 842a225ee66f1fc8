// What must hold before a user's reach-back is enabled (seed 000, "Preparing the Source User",
// "Automatic Redemption and Order of Operations"), read-only, for a whole list of users at once:
// the program runs it before it registers any resource, so that preview says every problem, one
// line per user with the fix, and nothing is written. Tenant-wide facts (verified domains, the
// automatic-redemption pairing) are read once; per-user facts once per user.
import { domainOf } from "../addresses/proxyAddresses";
import type { DirectoryClient, DirectoryUser } from "../directory/client";
import type { GraphClient } from "../graph/client";
import { listSubscribedSkus, type SubscribedSku } from "../licensing/licenseGroupApi";
import { directAssignments, unknownSkus } from "./directLicense";
import {
  type CloudUser,
  findTargetUser,
  hasExchangeOnlineMailbox,
  partnerConsent,
  readMembershipGroup,
  readUser,
  verifiedDomains,
} from "./userApi";
import type { ReachBackUserSpec } from "./userSchema";

export interface PreconditionContext {
  source: GraphClient;
  target: GraphClient;
  sourceTenantId: string;
  targetTenantId: string;
  /** The source's AD through the delegated account; absent: the scope check is skipped and said. */
  ad?: DirectoryClient;
  /** The OUs the automation's delegation covers (entra-coexistence:automation.userOus); absent
   * when the stack declares no automation (the deploying account writes AD then). */
  userOus?: readonly string[];
}

/** What the checks read of a user's declaration. */
export type PreconditionUser = Pick<
  ReachBackUserSpec,
  "sourceUserPrincipalName" | "targetEmailAddress" | "mailboxMigration" | "licenseGroupMapping"
>;

/** One unmet precondition: which user, what is wrong, what to do. */
export interface PreconditionProblem {
  user: string;
  problem: string;
  fix: string;
}

export function describeProblem(p: PreconditionProblem): string {
  return `${p.user}: ${p.problem}; ${p.fix}`;
}

/** What the checks read of each user, for the whole list at once. */
interface UserReads {
  source: CloudUser | undefined;
  target: CloudUser[];
  inAd: DirectoryUser | undefined;
}

/** Every unmet precondition of every user; empty when all may go ahead. The users are read for
 * the whole list at once: the Graph reads are coalesced (lib/graph/coalesce.ts: `in (...)`
 * filters of 15 values in JSON batches of 20) and the AD look-ups share OR searches
 * (DirectoryClient.findUserByUpn), so a wave's preview costs a few requests, not a few per user. */
export async function checkPreconditions(
  users: readonly PreconditionUser[],
  ctx: PreconditionContext,
): Promise<PreconditionProblem[]> {
  const problems: PreconditionProblem[] = [];
  const verified = new Set(await verifiedDomains(ctx.source));
  for (const p of await pairingProblems(ctx)) problems.push({ user: "(all users)", ...p });
  const [sources, targets, inAd] = await Promise.all([
    Promise.all(users.map((u) => readUser(ctx.source, u.sourceUserPrincipalName))),
    Promise.all(users.map((u) => findTargetUser(ctx.target, u.targetEmailAddress))),
    Promise.all(users.map((u) => ctx.ad?.findUserByUpn(u.sourceUserPrincipalName))),
  ]);
  // The lines keep the list's order.
  const perUser = await Promise.all(
    users.map((u, i) =>
      userProblems(u, ctx, verified, { source: sources[i], target: targets[i], inAd: inAd[i] }),
    ),
  );
  problems.push(...perUser.flat());
  return problems;
}

/** Automatic redemption needs both sides (seed 000): inbound in the source's entry for the
 * target, outbound in the target's entry for the source. */
async function pairingProblems(ctx: PreconditionContext): Promise<Array<Omit<PreconditionProblem, "user">>> {
  const out: Array<Omit<PreconditionProblem, "user">> = [];
  const inbound = (await partnerConsent(ctx.source, ctx.targetTenantId))?.inboundAllowed;
  if (inbound !== true) {
    out.push({
      problem: `the source tenant does not allow automatic redemption inbound from the target ${ctx.targetTenantId}`,
      fix: "apply the coexistence stack (crossTenantAccess.automaticRedemption.sourceInbound: true) first",
    });
  }
  const outbound = (await partnerConsent(ctx.target, ctx.sourceTenantId))?.outboundAllowed;
  if (outbound !== true) {
    out.push({
      problem: `the target tenant does not allow automatic redemption outbound to the source ${ctx.sourceTenantId}`,
      fix: "apply the coexistence stack (crossTenantAccess.automaticRedemption.targetOutbound: true) first",
    });
  }
  return out;
}

async function userProblems(
  u: PreconditionUser,
  ctx: PreconditionContext,
  verifiedInSource: ReadonlySet<string>,
  reads: UserReads,
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

  const { source } = reads;
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
  if (u.mailboxMigration === "thirdParty" && source) {
    const problem = await thirdPartyMailboxProblem(ctx, source);
    if (problem) add(problem.problem, problem.fix);
  }

  const found = reads.target;
  const target = found[0];
  if (found.length > 1) {
    add(
      `${found.length} users in the target tenant have the address ${u.targetEmailAddress}`,
      "the target address must name one user: fix the duplicates in the target tenant",
    );
  } else if (!target) {
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
    const { inAd } = reads;
    if (!inAd) {
      add(
        "is not found in Active Directory under the configured baseDn",
        "check the UPN and activeDirectory.baseDn",
      );
    } else {
      const ous = ctx.userOus;
      if (ous && !ous.some((ou) => inAd.dn.toLowerCase().endsWith(`,${ou.toLowerCase()}`))) {
        add(
          `is in ${inAd.dn}, outside the OUs the automation may write (${ous.join("; ") || "none"})`,
          "add the user's OU to automation.userOus (and apply the coexistence stack), or move the user",
        );
      }
      if (source?.onPremisesSyncEnabled === true && source.onPremisesImmutableId !== inAd.immutableId) {
        add(
          `the Entra ID user's onPremisesImmutableId (${source.onPremisesImmutableId}) is not the AD user's (${inAd.immutableId}, ${inAd.dn}): two users share the UPN`,
          "fix the UPNs so that the AD user and the synced Entra ID user are the same person",
        );
      }
    }
  }
  return problems;
}

/** Seed 000, "Third-Party Mailbox Migration": the source mailbox must be gone before reach-back,
 * and only holds let it go (or keep it). The user is converted in AD by this procedure (the
 * attribute-level Disable-RemoteMailbox + Enable-MailUser, thirdParty.ts), not before. */
async function thirdPartyMailboxProblem(
  ctx: PreconditionContext,
  source: CloudUser,
): Promise<Omit<PreconditionProblem, "user"> | undefined> {
  let present: boolean;
  try {
    present = await hasExchangeOnlineMailbox(ctx.source, source.id);
  } catch (e) {
    return {
      problem: `could not tell whether the source mailbox is gone (GET /users/${source.id}/mailboxSettings: ${(e as Error).message})`,
      fix: "grant the deploying identity MailboxSettings.Read (application) in the source tenant, with admin consent",
    };
  }
  if (!present) return undefined;
  return {
    problem:
      'uses mailboxMigration "thirdParty" and still has a mailbox in Exchange Online; the source mailbox must be gone first ' +
      '(seed 000, "Third-Party Mailbox Migration")',
    fix:
      "exclude the mailbox from every retention policy and clear all its holds (set ElcProcessingDisabled on it before clearing " +
      "them, so the managed folder assistant purges nothing meanwhile), wait four hours after the holds are removed, then remove " +
      "the mailbox in Exchange Online and run again; a mailbox with ComplianceTagHoldApplied cannot be removed until Microsoft " +
      "clears it through a support request; without a hold the mailbox is soft-deleted and its data destroyed after 30 days, so " +
      "keep what must be retained first. Do not run Disable-RemoteMailbox by hand: this procedure makes its attribute-level " +
      "equivalent and keeps every address and extension attribute",
  };
}

/** The tenant's SKUs, read once per context and only when a user holds a license directly. */
const skusRead = new WeakMap<PreconditionContext, Promise<SubscribedSku[]>>();
function skusOf(ctx: PreconditionContext): Promise<SubscribedSku[]> {
  let skus = skusRead.get(ctx);
  if (!skus) {
    skus = listSubscribedSkus(ctx.source);
    skusRead.set(ctx, skus);
  }
  return skus;
}

/** Every group the user is licensed by has a reach-back group in the mapping (or is one), and
 * every license assigned directly is of a SKU the tenant lists (the procedure disables its plans
 * that trigger scrubbing, which it reads from the SKU). From the user's licenseAssignmentStates,
 * which say which group assigns each license. */
async function licenseProblems(
  u: PreconditionUser,
  source: CloudUser,
  ctx: PreconditionContext,
): Promise<PreconditionProblem[]> {
  const known = new Set(
    [...Object.keys(u.licenseGroupMapping), ...Object.values(u.licenseGroupMapping)].map((g) =>
      g.toLowerCase(),
    ),
  );
  const out: PreconditionProblem[] = [];
  const direct = directAssignments(source);
  for (const skuId of direct.length > 0 ? unknownSkus(direct, await skusOf(ctx)) : []) {
    out.push({
      user: u.sourceUserPrincipalName,
      problem: `is licensed directly with SKU ${skuId}, which the source tenant's subscriptions (GET /subscribedSkus) do not list, so its plans that trigger proxy scrubbing cannot be known`,
      fix: "remove that license from the user, or license the user through a group that has a reach-back mapping",
    });
  }
  const groups = new Set(
    source.licenseAssignmentStates
      .map((s) => s.assignedByGroup)
      .filter((g): g is string => g !== null && !known.has(g)),
  );
  for (const id of groups) {
    const name = (await readMembershipGroup(ctx.source, id))?.displayName ?? id;
    out.push({
      user: u.sourceUserPrincipalName,
      problem: `is licensed by ${name} (${id}), which has no reach-back group in the mapping`,
      fix: "run coex discover on the coexistence stack, review and apply it, so every license group has its reach-back group",
    });
  }
  return out;
}
