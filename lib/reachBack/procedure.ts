// Seed 000's per-user procedure ("Develop B2B Reach-Back Automation"; DESIGN.md, "The per-user
// state machine"): license, AD, sync, invite, revert, verify. Each step reads AD and Graph before
// it acts and acts only when they are not yet as the step leaves them, so that a run after a
// failure or a crash continues from where the systems are. Every write is announced in the
// journal before it is made (lib/journal), after the user's original values were recorded there.
//
// The one rule above all: no user is left with the target address as primary SMTP. Whatever
// fails after the swap (the sync wait, the invitation), the revert runs, and a revert that cannot
// be written is reported as such, with the values to put back by hand.
import { hasAddress, primarySmtp, sameAddress } from "../addresses/proxyAddresses";
import type { DirectoryClient, DirectoryUser, ExchangeAttributeChanges } from "../directory/client";
import type { GraphClient } from "../graph/client";
import { type Clock, ConsistencyTimeoutError, eventually, retryingOn, THROTTLED } from "../graph/consistency";
import { type Journal, JournalCorruptError, type UserReport } from "../journal/journal";
import type { GroupRef, JournalRecord, OriginalValues, StepName, StepWrites } from "../journal/records";
import {
  type DirectLicenseContext,
  disableScrubbingPlans,
  readDirectLicenseProblems,
  restoreDirectPlans,
} from "./directLicense";
import { checkPreconditions, type PreconditionProblem } from "./preconditions";
import type { DeltaSyncTrigger, SyncParticipant } from "./syncHook";
import { convertThirdPartyUser, lostValues, thirdPartyAttributesOf } from "./thirdParty";
import {
  addCloudMember,
  type CloudUser,
  type GroupMembership,
  groupSkuIds,
  inviteInternalUser,
  memberListChanged,
  memberOf,
  membershipsAmong,
  readMembershipGroup,
  readUser,
  removeCloudMember,
} from "./userApi";
import type { ReachBackStep, ReachBackUserSpec } from "./userSchema";
import {
  adAttributesOf,
  canonicalMapping,
  declaredLive,
  describeB2b,
  describeLive,
  isMailUser,
  isPrimary,
  isReverted,
  isSwapped,
  type LiveUser,
  MAIL_USER,
  mappedGroups,
  type Redemption,
  recipientTypeOf,
  redemptionOf,
  revertedAddresses,
  routesTo,
  swappedAddresses,
  targetAddressValue,
  targetIsPrimary,
} from "./userState";

export interface ProcedureSettings {
  sourceTenantId: string;
  targetTenantId: string;
  inviteRedirectUrl: string;
  licenseTimeoutMs: number;
  syncTimeoutMs: number;
  pollMs: number;
  /** The OUs the automation's delegation covers; absent when the stack declares no automation. */
  userOus?: readonly string[];
}

export interface ProcedureDeps {
  source: GraphClient;
  target: GraphClient;
  /** The source's AD, as an account that may write the six attributes (and license groups' members). */
  ad: DirectoryClient;
  journal: Journal;
  sync: DeltaSyncTrigger;
  settings: ProcedureSettings;
  /** Progress lines, one per step (the Pulumi display shows them while the user is processed). */
  log?: (message: string) => void;
  /** Told each step a user enters, and "failed" when the run stops with an error (progress.ts). */
  onStep?: (user: string, step: ReachBackStep | "failed") => void;
}

export type UserSpec = Pick<
  ReachBackUserSpec,
  | "sourceUserPrincipalName"
  | "targetEmailAddress"
  | "coexRoutingAddress"
  | "mailboxMigration"
  | "licenseGroupMapping"
>;

export interface ProcedureResult {
  sourceUserId: string;
  /** The step reached: "verified" when the procedure finished. */
  step: ReachBackStep;
  /** The user's final state in words (the B2B link as Graph shows it). */
  state: string;
  redemption: Redemption;
  /** Found already enabled with nothing of this stack's in progress: nothing was written. */
  adopted: boolean;
  /** The reach-back groups the user is in (for a user found enabled: what drift is checked against). */
  reachBackGroups: Array<{ id: string; displayName: string }>;
}

/** A precondition failed before anything was written. */
export class PreconditionError extends Error {
  constructor(
    readonly user: string,
    readonly problems: readonly string[],
  ) {
    super(`${user}: not enabled for B2B reach-back; nothing was written:\n  - ${problems.join("\n  - ")}`);
    this.name = "PreconditionError";
  }
}

/** A step failed: which one, for which user, why, and the state the user is in now. */
export class ReachBackError extends Error {
  constructor(
    readonly user: string,
    readonly step: ReachBackStep,
    readonly reason: string,
    readonly userState: string,
    readonly todo = "fix the cause and run pulumi up again: the procedure continues from where AD and Entra ID are",
  ) {
    super(`${user}: step "${step}" failed: ${reason}\n  the user now: ${userState}\n  what to do: ${todo}`);
    this.name = "ReachBackError";
  }
}

/** Entra ID removed the target address (proxy scrubbing). */
export class ScrubbedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScrubbedError";
  }
}

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const same = (a: string | null | undefined, b: string | null | undefined) =>
  a == null || b == null ? a == null && b == null : sameAddress(a, b);

/** Runs the procedure for one user; see the file's comment. */
export async function enableReachBack(
  deps: ProcedureDeps,
  spec: UserSpec,
  options: EnableOptions = {},
): Promise<ProcedureResult> {
  const user = spec.sourceUserPrincipalName;
  deps.onStep?.(user, "preconditions");
  const cycles = deps.sync.enter();
  try {
    const result = await new UserRun(deps, spec, options, cycles).enable();
    deps.onStep?.(user, "verified");
    return result;
  } catch (e) {
    deps.onStep?.(user, "failed");
    throw e;
  } finally {
    cycles.leave();
  }
}

export interface EnableOptions {
  /** The target address the user was declared with before (an update changed it): the B2B link
   * to that identity is reset and made to the new one (resetRedemption). */
  previousTarget?: string;
}

/** Puts AD attributes and license groups back as the journal found them (rollbackOnDelete). The
 * B2B link stays: the only way back, convertExternalToInternalMemberUser, is in Graph's beta API. */
export function rollBackReachBack(deps: ProcedureDeps, spec: UserSpec): Promise<string> {
  return new UserRun(deps, spec).rollBack();
}

class UserRun {
  private readonly user: string;
  private readonly target: string;
  private readonly mapping: Record<string, string>;
  private step: ReachBackStep = "preconditions";
  /** The journal's name of the step being attempted (recorded with a failure). */
  private journalStep: StepName = "license.reachBackGroupAdded";
  private original?: OriginalValues;
  private cloudId = "";
  private adDn = "";
  /** Whether this run wrote to AD or Graph. */
  private wrote = false;
  /** Whether this run wrote the revert. */
  private revertWritten = false;
  /** Set by the swap: Entra ID's last sync of the user before it, and when it was written. */
  private swapWritten?: { lastSyncBefore: string | null; at: number };

  /** Set when the user is linked as another address than the declared one: the invitation is
   * sent again with resetRedemption, and this address leaves the user's proxyAddresses. */
  private relinkFrom?: string;
  /** Whether the invitation must reset an existing B2B link. */
  private reset = false;

  constructor(
    private readonly deps: ProcedureDeps,
    private readonly spec: UserSpec,
    private readonly options: EnableOptions = {},
    /** How this run asks for delta cycles: gathered with the process's other runs (a wave). */
    private readonly cycles: Pick<SyncParticipant, "request"> = deps.sync,
  ) {
    this.user = spec.sourceUserPrincipalName;
    this.target = spec.targetEmailAddress;
    this.mapping = canonicalMapping(spec.licenseGroupMapping);
  }

  /** The step being attempted, told to whoever follows the wave's progress. */
  private setStep(step: ReachBackStep): void {
    this.step = step;
    // "verified" is told once verification passed (enableReachBack).
    if (step !== "verified") this.deps.onStep?.(this.user, step);
  }

  private log(message: string): void {
    this.deps.log?.(`${this.user}: ${message}`);
  }

  private get thirdParty(): boolean {
    return this.spec.mailboxMigration === "thirdParty";
  }

  private get clock() {
    return this.deps.source.consistency.clock;
  }

  // --- the procedure ---------------------------------------------------------------------

  async enable(): Promise<ProcedureResult> {
    const report = await this.report();
    const { ad, cloud } = await this.readUserPair();
    const groups = await memberOf(this.deps.source, cloud.id);
    const invitation = lastInvitation(report.records);
    this.planRelink(invitation, adAttributesOf(ad), cloud);
    if (
      report.state !== "in-progress" &&
      !this.reset &&
      this.isEnabled(adAttributesOf(ad), cloud, groups) &&
      (await readDirectLicenseProblems(this.deps.source, cloud)).length === 0
    ) {
      // Enabled before (by hand, by another stack, or by this one before its state was lost):
      // taken as it is, nothing written.
      const redemption = redemptionOf(cloud) as Redemption;
      this.log(`already enabled (${describeB2b(cloud)}); nothing written`);
      return {
        sourceUserId: cloud.id,
        step: "verified",
        state: `enabled: ${describeB2b(cloud)}`,
        redemption,
        adopted: report.state !== "completed",
        reachBackGroups: mappedGroups(groups, this.mapping).reachBackIn.map((g) => ({
          id: g.id,
          displayName: g.displayName,
        })),
      };
    }
    if (report.state === "in-progress" && report.found) {
      this.original = report.found.original;
      this.log(
        `continuing from where AD and Entra ID are (the journal's last step: ${report.lastStep ?? "originals recorded"}${report.failure ? `; it failed at ${report.failure.step}` : ""})`,
      );
    } else {
      await this.preconditions();
      this.setStep("journaled");
      const recorded = await this.deps.journal.recordOriginal(
        this.user,
        await this.originals(ad, cloud, groups),
      );
      this.original = recorded.record.original;
      this.log(
        recorded.recorded
          ? "original values recorded in the journal"
          : "original values already in the journal",
      );
    }

    let failure: { step: ReachBackStep; journalStep: StepName; error: unknown } | undefined;
    try {
      this.setStep("licensed");
      await this.license();
      this.setStep("addressSwapped");
      await this.convertToMailUser();
      const now = await this.cloudUser();
      if (redemptionOf(now) === undefined || this.reset) {
        if (this.reset) {
          this.log(
            `linked to B2B as ${this.relinkFrom ?? "an address the journal names as unconfirmed"}: the invitation is sent again as ${this.target} with resetRedemption`,
          );
        }
        await this.swap();
        this.setStep("synced");
        await this.waitForSwap();
        this.setStep("invited");
        await this.invite();
      } else {
        this.log(`already invited (${describeB2b(now)}): no swap, no invitation`);
      }
    } catch (e) {
      failure = { step: this.step, journalStep: this.journalStep, error: e };
    }
    // Whatever happened above: the target address must not stay primary.
    await this.revert(failure);
    if (failure) {
      // The revert synced, recorded before the failure: the journal then shows the primary safe.
      if (this.revertWritten) await this.waitForRevert().catch(() => undefined);
      else await this.cycles.request().catch(() => undefined);
      await this.deps.journal
        .recordFailure(this.user, failure.journalStep, failure.error)
        .catch(() => undefined);
      throw new ReachBackError(this.user, failure.step, reasonOf(failure.error), await this.describeNow());
    }
    this.setStep("reverted");
    try {
      await this.waitForRevert();
    } catch (e) {
      await this.deps.journal.recordFailure(this.user, "sync.revertArrived", e).catch(() => undefined);
      throw new ReachBackError(
        this.user,
        "reverted",
        reasonOf(e),
        await this.describeNow(),
        "AD has the original primary SMTP address back; once Entra Connect has synced it, run pulumi up again to verify",
      );
    }
    this.setStep("verified");
    return this.verify();
  }

  /** The journal's report of the user; a damaged history stops everything for this user. */
  private async report(): Promise<UserReport> {
    const report = await this.deps.journal.report(this.user);
    if (report.problems.length > 0) throw new JournalCorruptError(report.user, report.problems);
    return report;
  }

  private async readUserPair(): Promise<{ ad: DirectoryUser; cloud: CloudUser }> {
    const ad = await this.deps.ad.findUserByUpn(this.user);
    const cloud = await readUser(this.deps.source, this.user);
    const problems: string[] = [];
    if (!ad) {
      problems.push(
        "not found in AD under the configured base DN (entra-coexistence:activeDirectory.baseDn): check the UPN and that the user is in the OUs in scope",
      );
    }
    if (!cloud) problems.push("not found in the source tenant (GET /users/<UPN> answered 404)");
    if (!ad || !cloud) throw new PreconditionError(this.user, problems);
    this.cloudId = cloud.id;
    this.adDn = ad.dn;
    return { ad, cloud };
  }

  private async cloudUser(): Promise<CloudUser> {
    const u = await readUser(this.deps.source, this.cloudId);
    if (!u) throw new Error(`the user ${this.cloudId} is gone from the source tenant`);
    return u;
  }

  private async adUser(): Promise<DirectoryUser> {
    const dn = this.original?.ad.distinguishedName ?? this.adDn;
    const u = (await this.deps.ad.getUser(dn)) ?? (await this.deps.ad.findUserByUpn(this.user));
    if (!u) throw new Error(`the user is gone from AD (${dn})`);
    this.adDn = u.dn;
    return u;
  }

  /** Already enabled: invited, AD converted, the target address a secondary only, no original group. */
  private isEnabled(
    ad: ReturnType<typeof adAttributesOf>,
    cloud: CloudUser,
    groups: GroupMembership[],
  ): boolean {
    return (
      redemptionOf(cloud) !== undefined &&
      routesTo(ad.targetAddress, this.spec.coexRoutingAddress) &&
      isMailUser(ad) &&
      !targetIsPrimary(ad, this.target) &&
      hasAddress(ad.proxyAddresses, this.target) &&
      !same(cloud.mail, this.target) &&
      mappedGroups(groups, this.mapping).originalsIn.length === 0
    );
  }

  /** Decides whether the invitation resets an existing B2B link: the user is linked, and the
   * journal's last invitation was sent as another address (the declaration changed), or as this
   * one by a run that did not go on after it (the invitation may not have been sent). A link the
   * journal knows nothing of, without the target address among the user's addresses, may be to
   * another identity: refused rather than guessed. */
  private planRelink(
    invitation: LastInvitation | undefined,
    ad: ReturnType<typeof adAttributesOf>,
    cloud: CloudUser,
  ): void {
    const linked = redemptionOf(cloud) !== undefined;
    const previous = this.options.previousTarget;
    if (invitation?.address && !same(invitation.address, this.target)) {
      this.relinkFrom = invitation.address;
    } else if (previous && !same(previous, this.target) && !invitation?.address) {
      this.relinkFrom = previous;
    }
    if (!linked) return;
    if (this.relinkFrom) {
      this.reset = true;
      return;
    }
    if (invitation?.address && !invitation.answered) {
      this.reset = true;
      return;
    }
    if (!invitation?.address && !hasAddress(ad.proxyAddresses, this.target)) {
      throw new PreconditionError(this.user, [
        `is already linked to B2B (${describeB2b(cloud)}), but this stack's journal has no invitation of it, and ${this.target} is not among its addresses: ` +
          "it may be linked to another identity; check the user's B2B link in the source tenant, then either add " +
          `smtp:${this.target} as a secondary address in AD if the link is to that identity, or reset its redemption by hand (Graph: POST /invitations with resetRedemption) and run again`,
      ]);
    }
  }

  // --- 1. preconditions ------------------------------------------------------------------

  /** The checks preview runs (preconditions.ts), read again now: the systems may have changed
   * since the preview. */
  private async preconditions(): Promise<void> {
    const { source, target, ad, settings } = this.deps;
    let problems: PreconditionProblem[];
    try {
      problems = await checkPreconditions([this.spec], {
        source,
        target,
        ad,
        sourceTenantId: settings.sourceTenantId,
        targetTenantId: settings.targetTenantId,
        userOus: settings.userOus,
      });
    } catch (e) {
      throw new PreconditionError(this.user, [`could not check the preconditions: ${reasonOf(e)}`]);
    }
    if (problems.length > 0) {
      throw new PreconditionError(
        this.user,
        problems.map((p) => `${p.problem}: ${p.fix}`),
      );
    }
  }

  // --- 2. journal ------------------------------------------------------------------------

  private async originals(
    ad: DirectoryUser,
    cloud: CloudUser,
    groups: GroupMembership[],
  ): Promise<OriginalValues> {
    const { originalsIn, reachBackIn } = mappedGroups(groups, this.mapping);
    const refs: GroupRef[] = [];
    for (const g of [...originalsIn, ...reachBackIn]) refs.push(await this.groupRef(g));
    const bySku = new Map<string, string[]>();
    for (const s of cloud.licenseAssignmentStates.filter((x) => x.assignedByGroup === null)) {
      bySku.set(s.skuId, s.disabledPlans);
    }
    return {
      mailboxMigration: this.spec.mailboxMigration,
      sourceUserId: cloud.id,
      ad: {
        distinguishedName: ad.dn,
        objectGuid: ad.objectGuid,
        // The third-party path records the extension attributes too (Disable-RemoteMailbox's).
        attributes: this.thirdParty ? thirdPartyAttributesOf(ad) : adAttributesOf(ad),
      },
      groups: refs,
      directLicenses: [...bySku].map(([skuId, disabledPlans]) => ({ skuId, disabledPlans })),
    };
  }

  private async groupRef(g: GroupMembership): Promise<GroupRef> {
    if (!g.onPremisesSyncEnabled) return { id: g.id, displayName: g.displayName, source: "cloud" };
    const name = g.onPremisesSamAccountName ?? g.displayName;
    const inAd = await this.deps.ad.findGroupByName(name);
    if (!inAd) {
      throw new Error(
        `the license group ${g.displayName} is synced from AD but ${name} is not found under the configured base DN: widen entra-coexistence:activeDirectory.baseDn to include it`,
      );
    }
    return { id: g.id, displayName: g.displayName, source: "onPremises", distinguishedName: inAd.dn };
  }

  private async record(step: StepName, writes?: StepWrites, note?: string): Promise<void> {
    this.journalStep = step;
    await this.deps.journal.recordStep(this.user, step, writes, note);
  }

  // --- 3. license ------------------------------------------------------------------------

  /** For each original group: into the reach-back group, its license active, out of the
   * original, its license gone. Never the other order: the user keeps a license throughout. */
  private async license(): Promise<void> {
    const { source } = this.deps;
    const original = this.original as OriginalValues;
    const groups = await memberOf(source, this.cloudId);
    const member = (id: string) => groups.some((g) => g.id === id);
    const toMove = new Map<string, { id: string; displayName?: string }>();
    for (const g of original.groups) if (this.mapping[g.id.toLowerCase()]) toMove.set(g.id.toLowerCase(), g);
    for (const g of mappedGroups(groups, this.mapping).originalsIn) toMove.set(g.id, g);
    for (const [originalId, o] of toMove) {
      const reachBackId = this.mapping[originalId];
      const r = await readMembershipGroup(source, reachBackId);
      const oName = o.displayName ?? originalId;
      if (!r) {
        throw new Error(
          `the reach-back group ${reachBackId} (mapped from ${oName}) does not exist in the source tenant: check licenseGroupMapping (the coexistence stack's output)`,
        );
      }
      const licenses = (await groupSkuIds(source, reachBackId)) ?? [];
      if (licenses.length === 0) {
        throw new Error(
          `the reach-back group ${r.displayName} (${r.id}) assigns no license: run the coexistence stack (ReachBackLicenseGroup) first; the user stays in ${oName}`,
        );
      }
      let added = false;
      if (!member(r.id)) {
        const ref = await this.groupRef(r);
        await this.record("license.reachBackGroupAdded", { groupsAdded: [ref] });
        this.log(`adding to the reach-back group ${r.displayName}`);
        await this.join(ref);
        added = true;
      }
      this.journalStep = "license.reachBackLicenseActive";
      await this.waitForLicense(r, oName);
      if (added) await this.record("license.reachBackLicenseActive");
      const now = await memberOf(source, this.cloudId);
      const stillIn = now.find((g) => g.id === originalId);
      if (stillIn) {
        const ref = await this.groupRef(stillIn);
        await this.record("license.originalGroupRemoved", { groupsRemoved: [ref] });
        this.log(`reach-back license active; removing from ${stillIn.displayName}`);
        await this.leave(ref);
      }
      this.journalStep = "license.originalGroupRemoved";
      await this.waitForLicenseGone(originalId, oName);
    }
    // Licenses assigned directly: their scrubbing plans disabled in place (directLicense.ts).
    await disableScrubbingPlans(this.directContext());
  }

  /** What directLicense.ts needs of this run. */
  private directContext(): DirectLicenseContext {
    return {
      graph: this.deps.source,
      userId: this.cloudId,
      readUser: () => this.cloudUser(),
      record: (step, writes) => this.record(step, writes),
      writing: () => {
        this.wrote = true;
      },
      log: (m) => this.log(m),
      poll: (what, read, hint) => this.poll(what, read, this.deps.settings.licenseTimeoutMs, hint),
    };
  }

  private async join(g: GroupRef): Promise<void> {
    this.wrote = true;
    if (g.source === "cloud") {
      return this.throttledWait("adding to the group", () =>
        addCloudMember(this.deps.source, g.id, this.cloudId),
      );
    }
    await this.deps.ad.addGroupMember(g.distinguishedName as string, this.adDn);
    await this.waitForMembership(g, true);
    memberListChanged(this.deps.source, g.id);
  }

  private async leave(g: GroupRef): Promise<void> {
    this.wrote = true;
    if (g.source === "cloud") {
      return this.throttledWait("removing from the group", () =>
        removeCloudMember(this.deps.source, g.id, this.cloudId),
      );
    }
    await this.deps.ad.removeGroupMember(g.distinguishedName as string, this.adDn);
    await this.waitForMembership(g, false);
    memberListChanged(this.deps.source, g.id);
  }

  /** An on-premises group's membership change, until Entra Connect has synced it. */
  private async waitForMembership(g: GroupRef, member: boolean): Promise<void> {
    await this.cycles.request();
    await this.poll(
      `Entra Connect to sync ${member ? "the user into" : "the user out of"} ${g.displayName ?? g.id}`,
      async () => {
        const now = await memberOf(this.deps.source, this.cloudId);
        return now.some((x) => x.id === g.id) === member ? true : undefined;
      },
      this.deps.settings.syncTimeoutMs,
      "is Entra Connect running, and is the group in its sync scope? (entra-coexistence:entraConnect.deltaSyncCommand asks it for a cycle)",
    );
  }

  private async waitForLicense(r: GroupMembership, originalName: string): Promise<void> {
    await this.poll(
      `the license of ${r.displayName} to be active on the user`,
      async () => {
        const u = await this.cloudUser();
        const states = u.licenseAssignmentStates.filter((s) => s.assignedByGroup === r.id);
        const bad = states.find(
          (s) => s.state === "Error" || s.state === "Disabled" || s.state === "ActiveWithError",
        );
        if (bad) {
          throw new Error(
            `group-based licensing could not give the user ${r.displayName}'s license (SKU ${bad.skuId}: ${bad.state}${bad.error ? `, ${bad.error}` : ""}): ` +
              `fix it (free licenses, conflicting plans) and run again; the user stays in ${originalName} meanwhile`,
          );
        }
        return states.length > 0 && states.every((s) => s.state === "Active") ? u : undefined;
      },
      this.deps.settings.licenseTimeoutMs,
      `group-based licensing is still processing; the user stays in ${originalName} meanwhile (entra-coexistence:reachBack.licenseTimeoutSeconds)`,
    );
  }

  private async waitForLicenseGone(originalId: string, originalName: string): Promise<void> {
    await this.poll(
      `the license of ${originalName} to leave the user`,
      async () => {
        const u = await this.cloudUser();
        return u.licenseAssignmentStates.some((s) => s.assignedByGroup === originalId) ? undefined : u;
      },
      this.deps.settings.licenseTimeoutMs,
      "group-based licensing is still processing (entra-coexistence:reachBack.licenseTimeoutSeconds)",
    );
  }

  /** Reads until `read` answers (N times in a row), or fails at the deadline with `hint`. */
  private async poll<T>(
    what: string,
    read: () => Promise<T | undefined>,
    deadlineMs: number,
    hint: string,
  ): Promise<T> {
    try {
      const { pollMs } = this.deps.settings;
      return await eventually(what, read, {
        ...this.deps.source.consistency,
        clock: onPollGrid(this.deps.source.consistency.clock, pollMs),
        intervalMs: pollMs,
        deadlineMs,
        confirm: this.deps.source.consistency,
      });
    } catch (e) {
      if (e instanceof ConsistencyTimeoutError) {
        throw new Error(`timed out after ${Math.round(deadlineMs / 1000)} s waiting for ${what}: ${hint}`);
      }
      throw e;
    }
  }

  // --- 4. AD -----------------------------------------------------------------------------

  private async write(changes: ExchangeAttributeChanges): Promise<void> {
    this.wrote = true;
    await this.deps.ad.writeExchangeAttributes(this.adDn, changes);
  }

  /** targetAddress first (seed 000's warning: converting first would send the source's routing
   * address to Exchange Online), then the three msExch attributes of a mail user. */
  private async convertToMailUser(): Promise<void> {
    if (this.thirdParty) {
      await convertThirdPartyUser({
        original: (this.original as OriginalValues).ad.attributes,
        now: thirdPartyAttributesOf(await this.adUser()),
        coexRoutingAddress: this.spec.coexRoutingAddress,
        record: (writes) => this.record("ad.mailUserSet", writes),
        write: (changes) => this.write(changes),
        log: (m) => this.log(m),
      });
      return;
    }
    const ad = adAttributesOf(await this.adUser());
    if (!routesTo(ad.targetAddress, this.spec.coexRoutingAddress)) {
      const targetAddress = targetAddressValue(this.spec.coexRoutingAddress);
      await this.record("ad.targetAddressSet", { ad: { targetAddress } });
      this.log(`targetAddress = ${targetAddress}`);
      await this.write({ targetAddress });
    }
    if (!isMailUser(ad)) {
      await this.record("ad.mailUserSet", { ad: { ...MAIL_USER } });
      this.log(
        "converting the remote mailbox to a mail user (msExchRecipientDisplayType 6, msExchRecipientTypeDetails 128)",
      );
      await this.write({ ...MAIL_USER });
    }
  }

  private async swap(): Promise<void> {
    const ad = adAttributesOf(await this.adUser());
    if (isSwapped(ad, this.target)) return;
    const before = await this.cloudUser();
    const w = swappedAddresses(ad, this.target);
    await this.record("ad.primarySwapped", { ad: w });
    this.log(`mail and primary SMTP = ${this.target} (until the invitation)`);
    this.swapWritten = { lastSyncBefore: before.onPremisesLastSyncDateTime, at: this.clock.now() };
    await this.write(w);
  }

  // --- 5. sync ---------------------------------------------------------------------------

  private async waitForSwap(): Promise<void> {
    this.journalStep = "sync.swapArrived";
    this.log("waiting for Entra Connect to sync the target address");
    await this.waitForSync(
      `${this.target} as the user's mail and primary SMTP in Entra ID`,
      (u) => same(u.mail, this.target) && isPrimary(u.proxyAddresses, this.target),
      true,
    );
    if (this.wrote) await this.record("sync.swapArrived");
  }

  /** Asks for a delta cycle, then reads the user until `arrived` holds twice in a row. With
   * `watchScrubbing`, stops when Entra ID drops the target address: seen and then gone, or gone
   * from a sync of the user after the swap was written. */
  private async waitForSync(
    what: string,
    arrived: (u: CloudUser) => boolean,
    watchScrubbing = false,
  ): Promise<CloudUser> {
    const { settings } = this.deps;
    await this.cycles.request();
    const start = this.clock.now();
    const needed = this.deps.source.consistency.successesInARow;
    let inARow = 0;
    let seen = false;
    let goneAfterSeen = 0;
    let droppedBySync = 0;
    for (;;) {
      const u = await this.cloudUser();
      if (arrived(u)) {
        seen = true;
        goneAfterSeen = 0;
        droppedBySync = 0;
        if (++inARow >= needed) return u;
      } else {
        inARow = 0;
        if (watchScrubbing) {
          if (seen && ++goneAfterSeen >= 2) {
            throw new ScrubbedError(
              `${this.target} arrived in Entra ID and was then removed (proxy scrubbing: ${SCRUBBING_TRIGGERS})`,
            );
          }
          if (
            !seen &&
            this.syncedAfterSwap(u) &&
            !hasAddress(u.proxyAddresses, this.target) &&
            ++droppedBySync >= 2
          ) {
            throw new ScrubbedError(
              `Entra Connect synced the swap, but Entra ID dropped ${this.target} (proxy scrubbing: ${SCRUBBING_TRIGGERS})`,
            );
          }
        }
      }
      if (this.clock.now() - start >= settings.syncTimeoutMs) {
        throw new Error(
          `timed out after ${Math.round(settings.syncTimeoutMs / 1000)} s waiting for ${what}: is Entra Connect running? ` +
            "(entra-coexistence:entraConnect.deltaSyncCommand asks it for a cycle; syncTimeoutSeconds is how long to wait)",
        );
      }
      // On the process's poll grid: every user waiting for a sync reads at the same instants. A
      // first sighting is confirmed sooner: the users that saw it at one instant confirm together.
      if (inARow > 0) await this.clock.sleep(this.deps.source.consistency.intervalMs);
      else await onPollGrid(this.clock, settings.pollMs).sleep(settings.pollMs);
    }
  }

  /** Whether Entra Connect synced the user after the swap was written (its last sync time moved
   * on, to the second of the write or later). */
  private syncedAfterSwap(u: CloudUser): boolean {
    const w = this.swapWritten;
    if (!w || !u.onPremisesLastSyncDateTime || u.onPremisesLastSyncDateTime === w.lastSyncBefore)
      return false;
    return Date.parse(u.onPremisesLastSyncDateTime) >= Math.floor(w.at / 1000) * 1000;
  }

  // --- 6. invite -------------------------------------------------------------------------

  private async invite(): Promise<void> {
    // The address in the note: a later run tells from it whom the user was invited as.
    await this.record("invite.sent", undefined, `as ${this.target}${this.reset ? " (resetRedemption)" : ""}`);
    this.wrote = true;
    const answer = await this.throttledWait("the invitation", () =>
      inviteInternalUser(this.deps.source, this.cloudId, this.target, this.deps.settings.inviteRedirectUrl, {
        resetRedemption: this.reset,
      }),
    );
    this.log(
      `${this.reset ? "invitation reset and sent again" : "invited to B2B collaboration"} as ${this.target} (invitation ${answer.status})`,
    );
  }

  /** Runs `call` again while Graph keeps answering 429 after the client's own retries, until the
   * sync timeout: a wave's invitations are limited per tenant (150 per 5 s), so hundreds of users
   * queue there. */
  private throttledWait<T>(what: string, call: () => Promise<T>): Promise<T> {
    return retryingOn(what, [THROTTLED], call, {
      ...this.deps.source.consistency,
      // Spread a little, so that a wave's users do not come back all at once.
      intervalMs: 2000 + Math.floor(Math.random() * 2000),
      deadlineMs: this.deps.settings.syncTimeoutMs,
    });
  }

  // --- 7. revert -------------------------------------------------------------------------

  /** The original mail and primary SMTP back, the target address kept as a secondary. Runs
   * after every attempt, failed or not; retried, and if it still cannot be written, the error
   * says so first, with the values to write by hand. */
  private async revert(failure?: { error: unknown }): Promise<void> {
    const original = this.original?.ad.attributes;
    if (!original) return;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const ad = adAttributesOf(await this.adUser());
        const linked =
          redemptionOf(await this.cloudUser().catch(() => ({ externalUserState: null }))) !== undefined;
        if (targetIsPrimary(ad, this.target)) {
          // After a re-link the old target address leaves: it names an identity the user no longer has.
          const now = this.relinkFrom
            ? withoutAddress(ad.proxyAddresses, this.relinkFrom)
            : ad.proxyAddresses;
          const w = revertedAddresses(now, original, this.target);
          await this.recordRevert(w);
          this.log(`mail and primary SMTP back to ${w.mail ?? "(none)"}; ${this.target} kept as a secondary`);
          await this.write(w);
          this.revertWritten = true;
        } else if (linked && !hasAddress(ad.proxyAddresses, this.target)) {
          const w = {
            proxyAddresses: revertedAddresses(ad.proxyAddresses, original, this.target).proxyAddresses,
          };
          await this.recordRevert(w);
          this.log(`${this.target} added back as a secondary SMTP address`);
          await this.write(w);
        }
        return;
      } catch (e) {
        lastError = e;
        await this.clock.sleep(2000);
      }
    }
    const w = revertedAddresses([], original, this.target);
    const first = failure ? `step "${this.step}" failed (${reasonOf(failure.error)}), and ` : "";
    throw new ReachBackError(
      this.user,
      "reverted",
      `${first}the revert could not be written: ${reasonOf(lastError)}`,
      `${this.target} MAY STILL BE THE PRIMARY SMTP ADDRESS in AD (${this.adDn})`,
      `put it back now: mail = ${w.mail ?? "(clear it)"}, and in proxyAddresses make SMTP:${primarySmtp(original.proxyAddresses) ?? "(the original)"} the primary with smtp:${this.target} kept as a secondary; or run pulumi up again, which reverts it`,
    );
  }

  /** The revert is announced like any write, but a journal that cannot take the record (damaged,
   * unwritable) does not stop it: it only puts the original values back. */
  private async recordRevert(w: StepWrites["ad"]): Promise<void> {
    try {
      await this.record("ad.primaryReverted", { ad: w });
    } catch (e) {
      this.log(`the journal did not take the revert (${reasonOf(e)}); reverting anyway`);
    }
  }

  private async waitForRevert(): Promise<void> {
    const original = (this.original as OriginalValues).ad.attributes;
    const originalPrimary = primarySmtp(original.proxyAddresses);
    this.journalStep = "sync.revertArrived";
    this.log("waiting for Entra Connect to sync the revert");
    await this.waitForSync(
      `the original address ${originalPrimary ?? original.mail} back in Entra ID`,
      (u) =>
        same(u.mail, original.mail) &&
        (originalPrimary === undefined || isPrimary(u.proxyAddresses, originalPrimary)) &&
        !isPrimary(u.proxyAddresses, this.target),
    );
    if (this.wrote) await this.record("sync.revertArrived");
  }

  // --- 8. verify -------------------------------------------------------------------------

  /** Seed 000's test "Verify B2B Reach-Back Automation", read from AD and Graph. */
  private async verify(): Promise<ProcedureResult> {
    const original = this.original as OriginalValues;
    const ad = adAttributesOf(await this.adUser());
    const cloud = await this.cloudUser();
    const groups = await memberOf(this.deps.source, this.cloudId);
    const problems: string[] = [];
    const reachBack: Array<{ id: string; displayName: string }> = [];
    for (const o of original.groups) {
      const r = this.mapping[o.id.toLowerCase()];
      if (!r) continue;
      const g = groups.find((x) => x.id === r);
      if (g) reachBack.push({ id: g.id, displayName: g.displayName });
      else problems.push(`not in the reach-back group ${r} (mapped from ${o.displayName ?? o.id})`);
    }
    for (const o of mappedGroups(groups, this.mapping).originalsIn) {
      problems.push(`still in the original license group ${o.displayName}`);
    }
    if (!routesTo(ad.targetAddress, this.spec.coexRoutingAddress)) {
      problems.push(
        `targetAddress is ${ad.targetAddress ?? "not set"}, not ${targetAddressValue(this.spec.coexRoutingAddress)}`,
      );
    }
    if (!isMailUser(ad)) problems.push(`AD has ${recipientTypeOf(ad)}, not a mail user`);
    if (!isReverted(ad, original.ad.attributes, this.target)) {
      problems.push(
        `AD's mail ${ad.mail ?? "(none)"} and primary SMTP ${primarySmtp(ad.proxyAddresses) ?? "(none)"} are not the original ` +
          `${original.ad.attributes.mail ?? "(none)"} with ${this.target} as a secondary`,
      );
    }
    if (!same(cloud.mail, original.ad.attributes.mail)) {
      problems.push(
        `Entra ID shows mail ${cloud.mail ?? "(none)"}, not the original ${original.ad.attributes.mail}`,
      );
    }
    if (this.thirdParty) {
      problems.push(...lostValues(original.ad.attributes, thirdPartyAttributesOf(await this.adUser())));
    }
    problems.push(...(await readDirectLicenseProblems(this.deps.source, cloud)));
    const redemption = redemptionOf(cloud);
    if (!redemption) problems.push(`the B2B link is missing: ${describeB2b(cloud)}`);
    if (problems.length > 0) {
      await this.deps.journal
        .recordFailure(this.user, "verify.passed", new Error(problems.join("; ")))
        .catch(() => undefined);
      throw new ReachBackError(this.user, "verified", problems.join("; "), await this.describeNow());
    }
    const state = `enabled: ${describeB2b(cloud)}`;
    if (this.wrote) {
      await this.record("verify.passed");
      await this.deps.journal.recordCompleted(this.user, state);
    }
    this.log(state);
    return {
      sourceUserId: cloud.id,
      step: "verified",
      state,
      redemption: redemption as Redemption,
      adopted: false,
      reachBackGroups: reachBack,
    };
  }

  /** The user's state in words for an error, read now (what could not be read says so). */
  private async describeNow(): Promise<string> {
    const parts: string[] = [];
    try {
      const ad = adAttributesOf(await this.adUser());
      const primary = primarySmtp(ad.proxyAddresses);
      const primaryWords =
        primary !== undefined && sameAddress(primary, this.target)
          ? `${primary} (THE TARGET ADDRESS)`
          : `${primary ?? "(none)"}${targetIsPrimary(ad, this.target) ? "" : " (not the target address)"}`;
      parts.push(
        `AD: primary SMTP ${primaryWords}, mail ${ad.mail ?? "(none)"}, targetAddress ${ad.targetAddress ?? "(not set)"}, ${recipientTypeOf(ad)}`,
      );
    } catch (e) {
      parts.push(`AD could not be read (${reasonOf(e)})`);
    }
    try {
      const cloud = await this.cloudUser();
      const groups = await memberOf(this.deps.source, this.cloudId);
      const { originalsIn, reachBackIn } = mappedGroups(groups, this.mapping);
      parts.push(
        `Entra ID: mail ${cloud.mail ?? "(none)"}, B2B ${describeB2b(cloud)}, license groups: ` +
          `${[...reachBackIn.map((g) => `${g.displayName} (reach-back)`), ...originalsIn.map((g) => `${g.displayName} (original)`)].join(", ") || "none of the mapping's"}`,
      );
    } catch (e) {
      parts.push(`Entra ID could not be read (${reasonOf(e)})`);
    }
    return parts.join("; ");
  }

  // --- rollback (rollbackOnDelete) -------------------------------------------------------

  async rollBack(): Promise<string> {
    const report = await this.report();
    if (report.state === "not-started" || !report.found) {
      return "the journal holds no original values for this user (found enabled, or never changed by this stack): left as it is";
    }
    if (report.state === "reverted") return "already rolled back: left as it is";
    const plan = report.restore;
    if (plan.unknownOriginals.length > 0) {
      throw new Error(
        `${this.user}: the journal lacks the original values of ${plan.unknownOriginals.join(", ")}: nothing rolled back; see coex journal show ${this.user}`,
      );
    }
    this.original = report.found.original;
    const { ad } = await this.readUserPair();
    this.adDn = ad.dn;
    const done: string[] = [];
    // License groups: back into each original first, its license active, then out of the reach-back group.
    for (const g of plan.groups.rejoin) {
      const groups = await memberOf(this.deps.source, this.cloudId);
      if (!groups.some((x) => x.id === g.id.toLowerCase())) {
        await this.record("rollback.license", { groupsAdded: [g] });
        await this.join({ ...g, id: g.id.toLowerCase() });
        done.push(`back in ${g.displayName ?? g.id}`);
      }
      const now = await readMembershipGroup(this.deps.source, g.id.toLowerCase());
      if (now) await this.waitForLicense(now, "the reach-back group");
    }
    for (const g of plan.groups.leave) {
      const groups = await memberOf(this.deps.source, this.cloudId);
      if (groups.some((x) => x.id === g.id.toLowerCase())) {
        await this.record("rollback.license", { groupsRemoved: [g] });
        await this.leave({ ...g, id: g.id.toLowerCase() });
        done.push(`out of ${g.displayName ?? g.id}`);
      }
    }
    // Extension attributes are in the plan only where a step wrote them (the third-party path
    // puts back values lost since the capture); they go back as the journal found them.
    done.push(...(await restoreDirectPlans(this.directContext(), plan.directLicenses)));
    const attributes = plan.ad;
    if (Object.keys(attributes).length > 0) {
      await this.record("rollback.ad", { ad: attributes });
      await this.write(attributes as ExchangeAttributeChanges);
      const names = Object.keys(attributes).flatMap((k) =>
        k === "extensionAttributes" ? Object.keys(attributes.extensionAttributes ?? {}) : [k],
      );
      done.push(`AD attributes put back (${names.join(", ")})`);
    }
    await this.deps.sync.request().catch(() => undefined);
    const note =
      "the B2B link stays: Graph v1.0 cannot convert an external member back to internal (convertExternalToInternalMemberUser is beta only)";
    await this.deps.journal.recordReverted(this.user, `rolled back on delete; ${note}`);
    return `${done.join("; ") || "nothing to put back"}; ${note}`;
  }
}

const SCRUBBING_TRIGGERS =
  "something still triggers it: a mailbox in Exchange Online, remote-mailbox values in AD, or an enabled Exchange Online plan " +
  "(a license group without a reach-back mapping, a direct license, or a plan Microsoft added to a SKU: run coex discover)";

/** The procedure's step a journal step belongs to (the resource's `step` output). */
/** The clock with its sleeps ending on the next multiple of `gridMs` (after at least the time
 * asked): every user of the process waiting on a sync or a license polls at the same instants, so
 * their reads fall in one coalescing window (lib/graph/coalesce.ts) and one request answers them
 * all. Reads stay at least the interval apart. */
export function onPollGrid(clock: Clock, gridMs: number): Clock {
  if (!(gridMs > 0)) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms) => {
      const now = clock.now();
      return clock.sleep(Math.ceil((now + ms) / gridMs) * gridMs - now);
    },
  };
}

export function reachBackStepOf(step: StepName | undefined): ReachBackStep {
  if (step === undefined) return "journaled";
  if (step.startsWith("license.")) return "licensed";
  if (step === "ad.primaryReverted" || step === "sync.revertArrived") return "reverted";
  if (step.startsWith("ad.")) return "addressSwapped";
  if (step === "sync.swapArrived") return "synced";
  if (step === "invite.sent") return "invited";
  if (step === "verify.passed") return "verified";
  return "journaled";
}

export interface Observed {
  sourceUserId: string;
  live: LiveUser;
  /** The step reached: "verified" when the user is as the procedure leaves it. */
  step: ReachBackStep;
  /** The user's state in words. */
  state: string;
}

/** What AD, Graph and the journal say of an enabled user now, in the resource's declared shape.
 * Undefined when the user is gone from the source tenant. `found`: for a user adopted as found (no
 * journal), the reach-back groups it was in then and its state as found.
 *
 * The state of an enabled user is the one its verification recorded (in the journal, or when it
 * was adopted), with the date: a redemption that happens later (the user's first sign-in) is not
 * a change a drift check should flag. */
export async function observeReachBack(
  deps: Pick<ProcedureDeps, "source" | "ad" | "journal">,
  spec: UserSpec,
  userId: string,
  found?: { reachBackGroups: ReadonlyArray<{ id: string; displayName?: string }>; state?: string },
): Promise<Observed | undefined> {
  const cloud = await readUser(deps.source, userId);
  if (!cloud) return undefined;
  const ad = await deps.ad.findUserByUpn(spec.sourceUserPrincipalName);
  const report = await deps.journal.report(spec.sourceUserPrincipalName);
  const mapping = canonicalMapping(spec.licenseGroupMapping);
  const original = report.found?.original;
  const expectedReachBack = original
    ? original.groups
        .filter((g) => mapping[g.id.toLowerCase()])
        .map((g) => ({
          id: mapping[g.id.toLowerCase()],
          displayName: `${g.displayName ?? g.id}'s reach-back group`,
        }))
    : (found?.reachBackGroups ?? []);
  // Only the mapped and expected groups count (describeLive): read from their member lists, which
  // every user of the wave shares, not from each user's memberOf.
  const groups = await membershipsAmong(deps.source, cloud.id, [
    ...Object.keys(mapping),
    ...Object.values(mapping),
    ...expectedReachBack.map((g) => g.id),
  ]);
  if (!ad) {
    const missing = "the user is not found in AD under the configured base DN";
    return {
      sourceUserId: cloud.id,
      live: {
        licenseGroups: missing,
        targetAddress: missing,
        recipientType: missing,
        primarySmtp: missing,
        targetAddressSecondary: missing,
        b2bLinked: redemptionOf(cloud)
          ? "linked"
          : `not linked (externalUserState ${cloud.externalUserState ?? "null"})`,
      },
      step: reachBackStepOf(report.lastStep),
      state: `not as enabled: ${missing}`,
    };
  }
  const live = describeLive(spec, {
    ad: adAttributesOf(ad),
    cloud,
    groups,
    expectedReachBack,
    originalPrimary: original ? primarySmtp(original.ad.attributes.proxyAddresses) : undefined,
    directLicenses: await readDirectLicenseProblems(deps.source, cloud),
  });
  const declared = declaredLive(spec.coexRoutingAddress);
  const differs = (Object.keys(declared) as (keyof LiveUser)[]).filter((k) => live[k] !== declared[k]);
  const inProgress = report.state === "in-progress";
  return {
    sourceUserId: cloud.id,
    live,
    step: differs.length === 0 && !inProgress ? "verified" : reachBackStepOf(report.lastStep),
    state:
      differs.length === 0
        ? (verifiedState(report, found?.state) ?? `enabled: ${describeB2b(cloud)}`)
        : `not as enabled: ${differs.map((k) => `${k} ${live[k]}`).join("; ")}${report.failure ? ` (the last run failed at ${report.failure.step})` : ""}`,
  };
}

/** The state the last verification recorded: the journal's completion, or what adoption found. */
function verifiedState(report: UserReport, adopted: string | undefined): string | undefined {
  const last = report.records[report.records.length - 1];
  if (report.state === "completed" && last?.kind === "completed" && last.note) {
    return `${last.note}, as verified on ${last.at.slice(0, 10)}`;
  }
  return adopted;
}

interface LastInvitation {
  /** The address it was sent as (from the record's note; older records have none). */
  address?: string;
  /** Whether the run that sent it wrote another record after it, other than its failure: the
   * invitation was answered. */
  answered: boolean;
}

/** The journal's last invitation of the user, in its records' order. */
export function lastInvitation(records: readonly JournalRecord[]): LastInvitation | undefined {
  let at = -1;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.kind === "step" && r.step === "invite.sent") {
      at = i;
      break;
    }
  }
  if (at < 0) return undefined;
  const sent = records[at] as Extract<JournalRecord, { kind: "step" }>;
  const address = /^as (\S+)/.exec(sent.note ?? "")?.[1];
  const answered = records
    .slice(at + 1)
    .some((r) => r.runId === sent.runId && !(r.kind === "failed" && r.step === "invite.sent"));
  return { address, answered };
}

/** The list without the address (any prefix type's SMTP entry of it). */
function withoutAddress(proxies: readonly string[], address: string): string[] {
  return proxies.filter((p) => !/^smtp:/i.test(p) || !sameAddress(p.slice(5), address));
}
