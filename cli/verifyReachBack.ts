// `coex verify-reach-back <user...>`: seed 000's test "Verify B2B Reach-Back Automation", steps
// 2 to 6, on users the stack has already processed, read-only (Graph GETs, LDAP searches, the
// journal read): the license groups moved and the reach-back license active; AD a mail user with
// targetAddress = SMTP:<coex routing address>; the swap and the invitation recorded in the journal,
// the revert after them; the original mail and primary SMTP back in AD and in Entra ID with the
// target address a secondary; the user an external member linked to the target identity. One row
// per check; a failed row says what is wrong and what to do. Exit 0: every check passed (a
// redemption pending the first sign-in is reported as such and is not a failure); 1: a check
// failed; 2: a user unknown to the source tenant, or the stack's configuration does not allow
// the checks.
//
// What a user was enabled with (target address, routing address, license-group mapping) comes
// from the stack: the ReachBackUser resource in its state (what `pulumi up` ran), else the entry
// of entra-coexistence:reachBack.users with the stack's licenseGroupMapping output.
import { spawnSync } from "node:child_process";
import { domainOf, hasAddress, primarySmtp, sameAddress } from "../lib/addresses/proxyAddresses";
import type { StackConfig } from "../lib/config/stackConfig";
import { findProjectDir } from "../lib/config/stackConfig";
import { readPartner } from "../lib/crossTenantAccess/policyApi";
import { DirectoryClient } from "../lib/directory/client";
import { type GraphClient, GraphRequestError, graphClientFor } from "../lib/graph/client";
import type { Journal, UserReport } from "../lib/journal/journal";
import { type AdAttributes, userKey } from "../lib/journal/records";
import { describeStep } from "../lib/journal/restore";
import {
  type CloudUser,
  findTargetUser,
  type GroupMembership,
  memberOf,
  readUser,
} from "../lib/reachBack/userApi";
import {
  adAttributesOf,
  canonicalMapping,
  isMailUser,
  isPrimary,
  isReverted,
  mappedGroups,
  reachBackLinkOf,
  recipientTypeOf,
  routesTo,
  swapInvitationTrail,
  targetAddressValue,
} from "../lib/reachBack/userState";
import { openStackJournal, table } from "./journal";
import { pulumi, type StackRef, stackConfigOf, stackOutputsOf } from "./stack";

type Print = (line: string) => void;

export type CheckResult = "pass" | "fail" | "pending" | "skipped";

export interface ReachBackCheck {
  user: string;
  /** The seed test's step the check belongs to. */
  step: number;
  check: string;
  result: CheckResult;
  detail: string;
  /** On fail: what to do. */
  fix?: string;
}

/** What the stack enabled a user with. */
export interface Declaration {
  sourceUserPrincipalName: string;
  targetEmailAddress: string;
  coexRoutingAddress: string;
  licenseGroupMapping: Record<string, string>;
  /** Where it was found, for the heading. */
  from: string;
  /** The resource's ownership record says it found the user enabled (nothing written then). */
  adopted?: boolean;
}

/** A usage or configuration error: exit code 2. */
export class VerifyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerifyUsageError";
  }
}

const reason = (e: unknown): string => {
  if (e instanceof GraphRequestError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
};

const same = (a: string | null | undefined, b: string | null | undefined) =>
  a == null || b == null ? a == null && b == null : sameAddress(a, b);

// biome-ignore lint/suspicious/noExplicitAny: a state export is walked as JSON
type Json = any;

/** ReachBackUser resources of the stack's last state: their inputs, by source UPN (lower case). */
export function declarationsInState(exported: Json): Map<string, Declaration> {
  const found = new Map<string, Declaration>();
  for (const r of exported?.deployment?.resources ?? []) {
    if (typeof r?.type !== "string" || !r.type.endsWith(":ReachBackUser")) continue;
    const o = r.outputs ?? r.inputs ?? {};
    if (typeof o.sourceUserPrincipalName !== "string") continue;
    found.set(userKey(o.sourceUserPrincipalName), {
      sourceUserPrincipalName: o.sourceUserPrincipalName,
      targetEmailAddress: String(o.targetEmailAddress),
      coexRoutingAddress: String(o.coexRoutingAddress),
      licenseGroupMapping: (o.licenseGroupMapping ?? {}) as Record<string, string>,
      from: `the ReachBackUser ${String(r.urn).split("::").pop()} in the stack's state`,
      adopted: o.ownership?.kind === "adopted",
    });
  }
  return found;
}

/** The users of entra-coexistence:reachBack.users, with the stack's licenseGroupMapping output. */
export function declarationsInConfig(
  config: StackConfig,
  outputs: Record<string, unknown>,
): Map<string, Declaration> {
  const mapping = (outputs.licenseGroupMapping ?? {}) as Record<string, string>;
  const found = new Map<string, Declaration>();
  config.reachBack.users.forEach((u, i) => {
    found.set(userKey(u.sourceUserPrincipalName), {
      sourceUserPrincipalName: u.sourceUserPrincipalName,
      targetEmailAddress: u.targetEmailAddress,
      coexRoutingAddress: u.coexRoutingAddress,
      licenseGroupMapping: mapping,
      from: `entra-coexistence:reachBack.users.${i} with the stack's licenseGroupMapping output`,
    });
  });
  return found;
}

export interface VerifyContext {
  stack: string;
  source: GraphClient;
  target: GraphClient;
  ad: DirectoryClient;
  /** The stack's journal; undefined with the reason when it could not be opened. */
  journal: Journal | { unavailable: string };
  sourceTenantId: string;
  targetTenantId: string;
  targetDomain: string;
  declarations: Map<string, Declaration>;
}

/** Whether both partner entries allow automatic redemption (read once per run). */
async function automaticRedemption(ctx: VerifyContext): Promise<boolean> {
  const inbound = (await readPartner(ctx.source, ctx.targetTenantId))?.settings.automaticUserConsentSettings
    ?.inboundAllowed;
  const outbound = (await readPartner(ctx.target, ctx.sourceTenantId))?.settings.automaticUserConsentSettings
    ?.outboundAllowed;
  return inbound === true && outbound === true;
}

/** The checks of one user. Throws VerifyUsageError when the source tenant has no such user. */
export async function verifyUser(
  ctx: VerifyContext,
  upn: string,
  automatic: () => Promise<boolean>,
): Promise<{ heading: string; rows: ReachBackCheck[] }> {
  const user = userKey(upn);
  const cloud = await readUser(ctx.source, upn);
  const adUser = await ctx.ad.findUserByUpn(upn);
  if (!cloud) {
    throw new VerifyUsageError(
      `${upn}: no such user in the source tenant (GET /users/${upn} answered 404)${adUser ? `; AD has ${adUser.dn}, not synced yet?` : " nor in AD under activeDirectory.baseDn"}: check the user principal name`,
    );
  }
  const decl = ctx.declarations.get(user);
  const report: UserReport | undefined =
    "unavailable" in ctx.journal ? undefined : await ctx.journal.report(user);
  const journalMissing = "unavailable" in ctx.journal ? ctx.journal.unavailable : undefined;
  const original = report?.found?.original;
  const rows: ReachBackCheck[] = [];
  const row = (step: number, check: string, result: CheckResult, detail: string, fix?: string) =>
    rows.push({ user: upn, step, check, result, detail, ...(result === "fail" && fix ? { fix } : {}) });
  const upAgain = `run \`pulumi up --refresh --stack ${ctx.stack}\`: the procedure puts back what it owns and continues from where AD and Entra ID are`;
  const notDeclared = `the user is not declared in stack ${ctx.stack} (no ReachBackUser in its state, not in entra-coexistence:reachBack.users)`;
  // In the rows: the heading says it in full.
  const undeclared = "not declared in the stack";
  const declareIt = `declare the user in entra-coexistence:reachBack.users and run \`pulumi up --stack ${ctx.stack}\``;

  // 1. The procedure ran to its end (the journal's state).
  if (journalMissing !== undefined) {
    row(
      1,
      "procedure completed",
      "fail",
      `the journal could not be read: ${journalMissing}`,
      "see the journal section of the README",
    );
  } else if (!report || report.state === "not-started") {
    row(
      1,
      "procedure completed",
      decl?.adopted ? "skipped" : "fail",
      decl?.adopted
        ? "found already enabled when the stack took it over: the journal has no run of this stack for the user"
        : `never processed by stack ${ctx.stack}: the journal has no records for ${user}${decl ? "" : `; ${undeclared}`}`,
      decl ? `run \`pulumi up --stack ${ctx.stack}\`` : declareIt,
    );
  } else if (report.state === "completed") {
    row(
      1,
      "procedure completed",
      "pass",
      `journal: completed (${report.last?.at ?? "?"}, run ${report.last?.runId ?? "?"})`,
    );
  } else if (report.state === "reverted") {
    row(
      1,
      "procedure completed",
      "fail",
      "rolled back: the journal's last cycle ends put back as found (rollbackOnDelete)",
      declareIt,
    );
  } else {
    const failure = report.failure
      ? `; failed at ${describeStep(report.failure.step)}: ${report.failure.error}`
      : "";
    row(
      1,
      "procedure completed",
      "fail",
      `in progress: last step ${report.lastStep ? describeStep(report.lastStep) : "originals recorded"}${failure}`,
      `fix the cause, then run \`pulumi up --stack ${ctx.stack}\`: it continues from the journal; \`coex journal show ${upn} --stack ${ctx.stack}\` shows the history`,
    );
  }

  // 2. License groups: out of the original, into the reach-back group, its license active.
  const groups: GroupMembership[] = await memberOf(ctx.source, cloud.id);
  const mapping = canonicalMapping(decl?.licenseGroupMapping ?? {});
  const inGroup = new Set(groups.map((g) => g.id));
  const originalIds = new Set([
    ...Object.keys(mapping),
    ...(original?.groups.map((g) => g.id.toLowerCase()) ?? []),
  ]);
  const stillIn = groups.filter((g) => originalIds.has(g.id));
  if (!decl && !original) {
    row(
      2,
      "original license group left",
      "fail",
      `unknown: ${undeclared}, and the journal has no original groups`,
      declareIt,
    );
  } else if (stillIn.length > 0) {
    row(
      2,
      "original license group left",
      "fail",
      `still in ${stillIn.map((g) => `${g.displayName} (${g.id})`).join(", ")}`,
      upAgain,
    );
  } else {
    row(
      2,
      "original license group left",
      "pass",
      original?.groups.length
        ? `not in ${original.groups.map((g) => g.displayName ?? g.id).join(", ")}`
        : "in none of the mapping's original groups",
    );
  }
  const expected: Array<{ id: string; from: string }> = original
    ? original.groups
        .filter((g) => mapping[g.id.toLowerCase()])
        .map((g) => ({ id: mapping[g.id.toLowerCase()], from: g.displayName ?? g.id }))
    : mappedGroups(groups, mapping).reachBackIn.map((g) => ({ id: g.id, from: "(no journal: as found)" }));
  const directOnly = original !== undefined && original.groups.length === 0;
  const missing = expected.filter((g) => !inGroup.has(g.id));
  const nameOf = (id: string) => groups.find((g) => g.id === id)?.displayName ?? id;
  if (directOnly) {
    row(
      2,
      "reach-back license group joined",
      "pass",
      "licensed directly when found: no license group to move",
    );
  } else if (expected.length === 0) {
    row(
      2,
      "reach-back license group joined",
      "fail",
      decl ? "in none of the mapping's reach-back groups" : `unknown: ${undeclared}`,
      decl ? upAgain : declareIt,
    );
  } else if (missing.length > 0) {
    row(
      2,
      "reach-back license group joined",
      "fail",
      `not in ${missing.map((g) => `${g.id} (the reach-back group of ${g.from})`).join(", ")}`,
      upAgain,
    );
  } else {
    row(2, "reach-back license group joined", "pass", `in ${expected.map((g) => nameOf(g.id)).join(", ")}`);
  }
  if (directOnly) {
    row(2, "reach-back license active", "pass", "licensed directly when found: no group license to wait for");
  } else if (expected.length === 0) {
    row(
      2,
      "reach-back license active",
      "fail",
      "no reach-back group to take the license from (see the row above)",
      decl ? upAgain : declareIt,
    );
  } else {
    const states = expected.map((g) => ({
      g,
      s: cloud.licenseAssignmentStates.filter((s) => s.assignedByGroup === g.id),
    }));
    const notActive = states.filter(({ s }) => s.length === 0 || s.some((x) => x.state !== "Active"));
    row(
      2,
      "reach-back license active",
      notActive.length === 0 ? "pass" : "fail",
      notActive.length === 0
        ? `active from ${expected.map((g) => nameOf(g.id)).join(", ")}`
        : notActive
            .map(({ g, s }) =>
              s.length === 0
                ? `no license from ${nameOf(g.id)} on the user`
                : `${nameOf(g.id)}: ${s.map((x) => `${x.state}${x.error ? ` ${x.error}` : ""}`).join(", ")}`,
            )
            .join("; "),
      "wait for group-based licensing (Entra admin center, the group's Licenses page shows errors), then run this again",
    );
  }

  // 3. AD: a mail user routed to the coex routing address.
  const ad: AdAttributes | undefined = adUser ? adAttributesOf(adUser) : undefined;
  const noAd = `not found in AD under activeDirectory.baseDn (${upn})`;
  if (!ad) {
    row(3, "AD mail user", "fail", noAd, "check activeDirectory.baseDn and that the user is in scope");
    row(3, "AD targetAddress", "fail", noAd, "check activeDirectory.baseDn and that the user is in scope");
  } else {
    row(
      3,
      "AD mail user",
      isMailUser(ad) ? "pass" : "fail",
      isMailUser(ad)
        ? "msExchRecipientDisplayType 6, msExchRecipientTypeDetails 128, msExchRemoteRecipientType not set"
        : `AD has ${recipientTypeOf(ad)}; wanted msExchRecipientDisplayType 6, msExchRecipientTypeDetails 128, msExchRemoteRecipientType not set`,
      decl ? upAgain : declareIt,
    );
    if (!decl)
      row(
        3,
        "AD targetAddress",
        "fail",
        `targetAddress is ${ad.targetAddress ?? "not set"}; the routing address is unknown: ${undeclared}`,
        declareIt,
      );
    else {
      const want = targetAddressValue(decl.coexRoutingAddress);
      const ok = routesTo(ad.targetAddress, decl.coexRoutingAddress);
      row(
        3,
        "AD targetAddress",
        ok ? "pass" : "fail",
        ok ? (ad.targetAddress ?? want) : `targetAddress is ${ad.targetAddress ?? "not set"}, not ${want}`,
        upAgain,
      );
    }
  }

  // 4. The swap and the invitation, from the journal.
  if (journalMissing !== undefined || !report || report.state === "not-started") {
    row(
      4,
      "swap and invitation recorded",
      decl?.adopted ? "skipped" : "fail",
      journalMissing !== undefined
        ? `the journal could not be read: ${journalMissing}`
        : decl?.adopted
          ? "found already enabled: the swap and the invitation were not this stack's"
          : "the journal has no records for the user",
      decl ? `run \`pulumi up --stack ${ctx.stack}\`` : declareIt,
    );
  } else {
    const t = swapInvitationTrail(report.records);
    const at = (r: { seq: number; at: string }) => `#${r.seq} ${r.at}`;
    if (t.swapped && t.invited && t.reverted) {
      row(
        4,
        "swap and invitation recorded",
        "pass",
        `target address made primary ${at(t.swapped)}, invitation ${at(t.invited)}, reverted ${at(t.reverted)} (acceptance: see the B2B row)`,
      );
    } else {
      const what = !t.swapped
        ? "no swap of the target address to primary recorded in the user's latest cycle"
        : !t.invited
          ? `swap recorded (${at(t.swapped)}) but no invitation after it that did not fail`
          : `swap ${at(t.swapped)} and invitation ${at(t.invited)} recorded, but no revert after them`;
      row(
        4,
        "swap and invitation recorded",
        "fail",
        what,
        `run \`pulumi up --stack ${ctx.stack}\`; \`coex journal show ${upn} --stack ${ctx.stack}\` shows the history`,
      );
    }
  }

  // 5. The original mail and primary SMTP back, the target address a secondary: AD, then Entra ID.
  const target = decl?.targetEmailAddress;
  const originalAttrs = original?.ad.attributes;
  const originalPrimary = originalAttrs ? primarySmtp(originalAttrs.proxyAddresses) : undefined;
  if (!ad)
    row(5, "AD primary reverted", "fail", noAd, "check activeDirectory.baseDn and that the user is in scope");
  else if (!target)
    row(
      5,
      "AD primary reverted",
      "fail",
      `primary SMTP ${primarySmtp(ad.proxyAddresses) ?? "(none)"}; the target address is unknown: ${undeclared}`,
      declareIt,
    );
  else if (!originalAttrs) {
    row(
      5,
      "AD primary reverted",
      "fail",
      `no original values in the journal to compare with (mail ${ad.mail ?? "(none)"}, primary SMTP ${primarySmtp(ad.proxyAddresses) ?? "(none)"})`,
      `run \`pulumi up --stack ${ctx.stack}\``,
    );
  } else if (isReverted(ad, originalAttrs, target)) {
    row(
      5,
      "AD primary reverted",
      "pass",
      `mail ${ad.mail ?? "(none)"}, primary SMTP ${originalPrimary ?? "(none)"} as found; ${target} a secondary smtp:`,
    );
  } else {
    const primary = primarySmtp(ad.proxyAddresses);
    const targetPrimary = (primary !== undefined && sameAddress(primary, target)) || same(ad.mail, target);
    const parts = [
      !same(ad.mail, originalAttrs.mail)
        ? `mail is ${ad.mail ?? "(none)"}, was ${originalAttrs.mail ?? "(none)"}`
        : "",
      originalPrimary !== undefined && !isPrimary(ad.proxyAddresses, originalPrimary)
        ? `primary SMTP is ${primary ?? "(none)"}, was ${originalPrimary}`
        : "",
      !hasAddress(ad.proxyAddresses, target) ? `${target} is not among the proxyAddresses` : "",
      targetPrimary ? "THE TARGET ADDRESS IS PRIMARY" : "",
    ].filter(Boolean);
    row(
      5,
      "AD primary reverted",
      "fail",
      parts.join("; ") || "not as the revert leaves it",
      targetPrimary
        ? `run \`pulumi up --stack ${ctx.stack}\` now: it reverts the primary (no user may keep the target address as primary)`
        : `set mail ${originalAttrs.mail ?? "(none)"} and primary SMTP ${originalPrimary ?? "(none)"} back with ${target} a secondary smtp: (the procedure leaves a primary changed by someone else as it is), or run \`pulumi up --refresh --stack ${ctx.stack}\` where only the target address is missing`,
    );
  }
  if (!originalAttrs) {
    row(
      5,
      "Entra ID mail reverted",
      "fail",
      `no original values in the journal; Entra ID shows mail ${cloud.mail ?? "(none)"}`,
      decl ? `run \`pulumi up --stack ${ctx.stack}\`` : declareIt,
    );
  } else {
    const cloudPrimary = primarySmtp(cloud.proxyAddresses);
    const ok =
      same(cloud.mail, originalAttrs.mail) &&
      (originalPrimary === undefined || isPrimary(cloud.proxyAddresses, originalPrimary));
    const secondary = target && hasAddress(cloud.proxyAddresses, target) ? `; ${target} a secondary` : "";
    row(
      5,
      "Entra ID mail reverted",
      ok ? "pass" : "fail",
      ok
        ? `mail ${cloud.mail ?? "(none)"}, primary SMTP ${cloudPrimary ?? "(none)"}${secondary}`
        : `Entra ID shows mail ${cloud.mail ?? "(none)"} and primary SMTP ${cloudPrimary ?? "(none)"}, not the original ${originalAttrs.mail ?? "(none)"} / ${originalPrimary ?? "(none)"}`,
      "when AD is right (the row above), wait for Entra Connect's next cycle (or ask for a delta cycle), then run this again",
    );
  }

  // 6. An external member linked to the target identity.
  const homeIssuers = [ctx.targetDomain, ...(target ? [domainOf(target)] : [])];
  const link = reachBackLinkOf(cloud, await automatic(), homeIssuers);
  const targetUsers: CloudUser[] = target ? await findTargetUser(ctx.target, target) : [];
  const identity =
    targetUsers.length === 1
      ? `target identity ${targetUsers[0].userPrincipalName} (${targetUsers[0].id})`
      : undefined;
  if (link.kind === "redeemed") {
    row(6, "B2B external member", "pass", `${link.words}${identity ? `; ${identity}` : ""}`);
  } else if (link.kind === "pending") {
    row(
      6,
      "B2B external member",
      "pending",
      `enabled, pending first sign-in: ${link.words}; automatic redemption is allowed on both sides${identity ? `; ${identity}` : ""}`,
    );
  } else {
    row(
      6,
      "B2B external member",
      "fail",
      link.problem,
      link.problem.includes("automatic redemption")
        ? "apply the coexistence stack (crossTenantAccess.automaticRedemption sourceInbound and targetOutbound), then run this again"
        : decl
          ? upAgain
          : declareIt,
    );
  }
  if (target && !identity) {
    rows[rows.length - 1] = {
      ...rows[rows.length - 1],
      result: "fail",
      detail: `${rows[rows.length - 1].detail}; ${targetUsers.length === 0 ? `the target tenant has no user with the address ${target}` : `${targetUsers.length} target users have the address ${target}`}`,
      fix: "the target identity must exist once in the target tenant (its mail the target address): correct targetEmailAddress or the target user",
    };
  }

  const heading = decl
    ? `${upn}: target ${decl.targetEmailAddress}, routing ${decl.coexRoutingAddress} (from ${decl.from})`
    : `${upn}: ${notDeclared}`;
  return { heading, rows };
}

export function formatChecks(rows: ReachBackCheck[]): string[] {
  return table(
    ["step", "check", "result", "detail"],
    rows.map((r) => [String(r.step), r.check, r.result, r.fix ? `${r.detail}\nfix: ${r.fix}` : r.detail]),
  );
}

/** "a@x (check, check); b@x (check)". */
function byUser(rows: readonly ReachBackCheck[]): string {
  const checks = new Map<string, string[]>();
  for (const r of rows) checks.set(r.user, [...(checks.get(r.user) ?? []), r.check]);
  return [...checks].map(([user, names]) => `${user} (${names.join(", ")})`).join("; ");
}

/** The stack pulumi has selected, when --stack is not given. */
function selectedStack(): string {
  const r = spawnSync("pulumi", ["stack", "--show-name", "--non-interactive"], {
    cwd: findProjectDir(),
    encoding: "utf8",
  });
  const name = r.status === 0 ? r.stdout.trim() : "";
  if (!name) throw new VerifyUsageError("no stack is selected: pass --stack <name>");
  return name;
}

/** Exit codes: 0 every check passed (pending first sign-in included), 1 a check failed, 2 usage or
 * configuration errors (no user, a user the source tenant does not have, no AD configured). */
export async function verifyReachBackCommand(
  users: string[],
  opts: { stack?: string; configFile?: string },
  print: Print,
): Promise<number> {
  let ad: DirectoryClient | undefined;
  try {
    if (users.length === 0)
      throw new VerifyUsageError("name at least one user (their source user principal name)");
    const ref: StackRef = { stack: opts.stack ?? selectedStack(), configFile: opts.configFile };
    let config: StackConfig;
    try {
      config = stackConfigOf(ref);
    } catch (e) {
      throw new VerifyUsageError(`the configuration of stack ${ref.stack}: ${reason(e)}`);
    }
    if (!config.activeDirectory) {
      throw new VerifyUsageError(
        "entra-coexistence:activeDirectory is not set: the users' attributes are read from AD",
      );
    }
    let outputs: Record<string, unknown> = {};
    let exported: Json;
    try {
      outputs = stackOutputsOf(ref);
      exported = JSON.parse(pulumi(["stack", "export"], ref, false));
    } catch (e) {
      throw new VerifyUsageError(`stack ${ref.stack} could not be read: ${reason(e)}`);
    }
    const declarations = declarationsInConfig(config, outputs);
    for (const [k, v] of declarationsInState(exported)) declarations.set(k, v);
    const journalNotes: string[] = [];
    const journal = await openStackJournal(ref, (l) => journalNotes.push(l.replace(/^coex journal: /, "")));
    ad = new DirectoryClient(config.activeDirectory);
    const ctx: VerifyContext = {
      stack: ref.stack,
      source: graphClientFor(config.source, config.cloud),
      target: graphClientFor(config.target, config.cloud),
      ad,
      journal: journal?.journal ?? { unavailable: journalNotes.join("; ") || "not found" },
      sourceTenantId: config.source.tenantId,
      targetTenantId: config.target.tenantId,
      targetDomain: config.target.domain,
      declarations,
    };
    let automatic: Promise<boolean> | undefined;
    const once = () => {
      automatic ??= automaticRedemption(ctx);
      return automatic;
    };
    const all: ReachBackCheck[] = [];
    const unknown: string[] = [];
    // Users whose reading failed (a network or permission error): the others are still checked.
    const unreadable: string[] = [];
    for (const upn of users) {
      try {
        const { heading, rows } = await verifyUser(ctx, upn, once);
        print(heading);
        for (const line of formatChecks(rows)) print(`  ${line}`);
        print("");
        all.push(...rows);
      } catch (e) {
        if (e instanceof VerifyUsageError) unknown.push(e.message);
        else unreadable.push(upn);
        print(e instanceof VerifyUsageError ? e.message : `${upn}: could not be checked: ${reason(e)}`);
        print("");
      }
    }
    const failed = all.filter((r) => r.result === "fail");
    const pending = all.filter((r) => r.result === "pending").length;
    const skipped = all.filter((r) => r.result === "skipped").length;
    const checked = users.length - unknown.length;
    const extras = [
      pending ? `${pending} pending the user's first sign-in` : "",
      skipped ? `${skipped} not applicable (found enabled)` : "",
    ].filter(Boolean);
    print(
      failed.length === 0
        ? `all ${all.length} checks passed for ${checked} user(s)${extras.length ? ` (${extras.join(", ")})` : ""}`
        : `${failed.length} of ${all.length} checks failed: ${byUser(failed)}`,
    );
    if (unreadable.length > 0)
      print(`${unreadable.length} user(s) could not be checked: ${unreadable.join(", ")}`);
    if (unknown.length > 0) {
      print(`${unknown.length} user(s) not checked: not in the source tenant`);
      return 2;
    }
    return failed.length === 0 && unreadable.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof VerifyUsageError) {
      print(`coex verify-reach-back: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    await ad?.close();
  }
}
