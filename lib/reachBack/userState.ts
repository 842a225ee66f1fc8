// What a source user's state means for reach-back, as pure functions of what AD and Graph show:
// which steps are done, the address edits of the swap and the revert, the seed's verification,
// and the drift the resource reports in words. The procedure (procedure.ts) reads the systems and
// decides with these; the tests check them without a network.
import {
  addSecondarySmtp,
  hasAddress,
  makePrimarySmtp,
  parseProxyAddress,
  primarySmtp,
  sameAddress,
} from "../addresses/proxyAddresses";
import type { DirectoryUser } from "../directory/client";
import type { AdAttributes, JournalRecord, StepRecord } from "../journal/records";
import type { CloudUser, GroupMembership } from "./userApi";

/** Seed 000, "Converting Remote Mailbox to Mail User". */
export const MAIL_USER = {
  msExchRecipientDisplayType: 6,
  msExchRecipientTypeDetails: 128,
  msExchRemoteRecipientType: null,
} as const;

/** AD's user in the journal's form (null: not set). */
export function adAttributesOf(u: DirectoryUser): AdAttributes {
  return {
    mail: u.mail ?? null,
    proxyAddresses: [...u.proxyAddresses],
    targetAddress: u.targetAddress ?? null,
    msExchRecipientDisplayType: u.msExchRecipientDisplayType ?? null,
    msExchRecipientTypeDetails: u.msExchRecipientTypeDetails ?? null,
    msExchRemoteRecipientType: u.msExchRemoteRecipientType ?? null,
  };
}

/** The targetAddress value the procedure writes: `SMTP:<coex routing address>`. */
export function targetAddressValue(coexRoutingAddress: string): string {
  return `SMTP:${coexRoutingAddress}`;
}

/** Whether targetAddress routes to the coex routing address (prefix and address case aside). */
export function routesTo(targetAddress: string | null | undefined, coexRoutingAddress: string): boolean {
  if (!targetAddress) return false;
  try {
    const p = parseProxyAddress(targetAddress);
    return p.type.toLowerCase() === "smtp" && sameAddress(p.address, coexRoutingAddress);
  } catch {
    return false;
  }
}

export function isMailUser(a: Pick<AdAttributes, keyof typeof MAIL_USER>): boolean {
  return (
    a.msExchRecipientDisplayType === 6 &&
    a.msExchRecipientTypeDetails === 128 &&
    (a.msExchRemoteRecipientType ?? null) === null
  );
}

/** The recipient type in words, for drift and errors. */
export function recipientTypeOf(a: Pick<AdAttributes, keyof typeof MAIL_USER>): string {
  if (isMailUser(a)) return "mail user";
  const values = `msExchRecipientDisplayType ${a.msExchRecipientDisplayType ?? "not set"}, msExchRecipientTypeDetails ${a.msExchRecipientTypeDetails ?? "not set"}, msExchRemoteRecipientType ${a.msExchRemoteRecipientType ?? "not set"}`;
  const remote =
    (a.msExchRemoteRecipientType ?? 0) !== 0 ||
    [2147483648, 8589934592, 17179869184, 34359738368].includes(a.msExchRecipientTypeDetails ?? 0);
  return `${remote ? "remote mailbox" : "not a mail user"} (${values})`;
}

export function isPrimary(proxies: readonly string[], address: string): boolean {
  const p = primarySmtp(proxies);
  return p !== undefined && sameAddress(p, address);
}

/** Whether the address is there as a secondary ("smtp:"), not as the primary. */
export function isSecondary(proxies: readonly string[], address: string): boolean {
  return hasAddress(proxies, address) && !isPrimary(proxies, address);
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  a == null || b == null ? a == null && b == null : sameAddress(a, b);

/** The swap (seed 000, "Assigning the Target Email Address"): the target address becomes mail
 * and the primary SMTP; the old primary stays as a secondary. */
export function swappedAddresses(
  a: Pick<AdAttributes, "proxyAddresses">,
  target: string,
): { mail: string; proxyAddresses: string[] } {
  return { mail: target, proxyAddresses: makePrimarySmtp(a.proxyAddresses, target) };
}

/** Whether AD has the swap: mail and primary SMTP are the target address. */
export function isSwapped(a: Pick<AdAttributes, "mail" | "proxyAddresses">, target: string): boolean {
  return same(a.mail, target) && isPrimary(a.proxyAddresses, target);
}

/** Whether AD still carries the target address as mail or primary: a state no user may be left in. */
export function targetIsPrimary(a: Pick<AdAttributes, "mail" | "proxyAddresses">, target: string): boolean {
  return same(a.mail, target) || isPrimary(a.proxyAddresses, target);
}

/** The revert (seed 000, "Reverting the Primary SMTP Address"): the original mail and primary SMTP
 * back, the target address kept as a secondary. Other addresses stay as they are now. */
export function revertedAddresses(
  now: readonly string[],
  original: Pick<AdAttributes, "mail" | "proxyAddresses">,
  target: string,
): { mail: string | null; proxyAddresses: string[] } {
  const originalPrimary = primarySmtp(original.proxyAddresses);
  let proxies: string[];
  if (originalPrimary !== undefined) proxies = makePrimarySmtp(now, originalPrimary);
  else {
    // No primary to put back: the target address is demoted, and the list has no primary, as found.
    proxies = now.map((p) => {
      try {
        const parsed = parseProxyAddress(p);
        return parsed.type.toLowerCase() === "smtp" && sameAddress(parsed.address, target)
          ? `smtp:${parsed.address}`
          : p;
      } catch {
        return p;
      }
    });
  }
  const reverted = addSecondarySmtp(proxies, target);
  // Nothing else changed since the swap: the original list as it was, the target appended, so
  // that AD ends with exactly the found values plus one secondary.
  const asFound = addSecondarySmtp(original.proxyAddresses, target);
  const key = (xs: readonly string[]) =>
    [...xs]
      .map((x) => x.toLowerCase())
      .sort()
      .join("\n");
  const samePrimary = primarySmtp(asFound) === primarySmtp(reverted);
  return {
    mail: original.mail,
    proxyAddresses: samePrimary && key(asFound) === key(reverted) ? asFound : reverted,
  };
}

/** Whether AD shows the revert done: the original mail and primary, the target as a secondary. */
export function isReverted(
  a: Pick<AdAttributes, "mail" | "proxyAddresses">,
  original: Pick<AdAttributes, "mail" | "proxyAddresses">,
  target: string,
): boolean {
  const originalPrimary = primarySmtp(original.proxyAddresses);
  return (
    same(a.mail, original.mail) &&
    (originalPrimary === undefined
      ? primarySmtp(a.proxyAddresses) === undefined
      : isPrimary(a.proxyAddresses, originalPrimary)) &&
    isSecondary(a.proxyAddresses, target)
  );
}

/** Graph's B2B state of the user: invited (PendingAcceptance) or redeemed (Accepted). */
export type Redemption = "redeemed" | "pendingFirstSignIn";

export function redemptionOf(u: Pick<CloudUser, "externalUserState">): Redemption | undefined {
  if (u.externalUserState === "Accepted") return "redeemed";
  if (u.externalUserState === "PendingAcceptance") return "pendingFirstSignIn";
  return undefined;
}

/** The B2B link in words, as Graph shows it (both redemption states reported as they are). */
export function describeB2b(u: Pick<CloudUser, "externalUserState" | "identities">): string {
  const r = redemptionOf(u);
  if (r === "redeemed") {
    const federated = u.identities.filter((i) => i.signInType === "federated").map((i) => i.issuer);
    return `linked and redeemed (externalUserState Accepted${federated.length ? `, identity issued by ${federated.join(", ")}` : ""})`;
  }
  if (r === "pendingFirstSignIn") {
    return "invited; redemption pending the user's first sign-in (externalUserState PendingAcceptance)";
  }
  return `not linked (externalUserState ${u.externalUserState ?? "null"})`;
}

/** A license group of the mapping as the user has it. */
export interface MappedGroups {
  /** Original groups (mapping keys) the user is in now. */
  originalsIn: GroupMembership[];
  /** Reach-back groups (mapping values) the user is in now. */
  reachBackIn: GroupMembership[];
}

export function mappedGroups(
  groups: readonly GroupMembership[],
  mapping: Record<string, string>,
): MappedGroups {
  const keys = new Set(Object.keys(mapping).map((k) => k.toLowerCase()));
  const values = new Set(Object.values(mapping).map((v) => v.toLowerCase()));
  return {
    originalsIn: groups.filter((g) => keys.has(g.id.toLowerCase())),
    reachBackIn: groups.filter((g) => values.has(g.id.toLowerCase())),
  };
}

/** The mapping with lower-case ids. */
export function canonicalMapping(mapping: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
}

/** The observed properties of a ReachBackUser, in words, so that refresh shows `declared => live`
 * (the declared values are DECLARED below). */
export interface LiveUser {
  /** "reach-back groups only", or what is wrong: back in an original group, not in a reach-back
   * one, a plan that triggers proxy scrubbing enabled on a direct license. */
  licenseGroups: string;
  /** AD targetAddress as it is. */
  targetAddress: string;
  /** "mail user", or what AD has. */
  recipientType: string;
  /** "original", or the address AD has as primary instead. */
  primarySmtp: string;
  /** "kept", or "removed". */
  targetAddressSecondary: string;
  /** "linked", or "not linked (…)". */
  b2bLinked: string;
}

/** What each observed property reads when the user is as the procedure left it. */
export function declaredLive(coexRoutingAddress: string): LiveUser {
  return {
    licenseGroups: "reach-back groups only",
    targetAddress: targetAddressValue(coexRoutingAddress),
    recipientType: "mail user",
    primarySmtp: "original",
    targetAddressSecondary: "kept",
    b2bLinked: "linked",
  };
}

export interface LiveFacts {
  ad: AdAttributes;
  cloud: Pick<CloudUser, "externalUserState">;
  groups: readonly GroupMembership[];
  /** The reach-back groups the user must be in (from the journal's original groups, or, for a user
   * adopted as found, the reach-back groups it was in). */
  expectedReachBack: readonly { id: string; displayName?: string }[];
  /** The original primary SMTP address, when the journal has it. */
  originalPrimary?: string;
  /** What is wrong with the licenses assigned directly, in words (directLicense.ts): a plan that
   * triggers proxy scrubbing enabled on one. */
  directLicenses?: readonly string[];
}

export function describeLive(
  spec: {
    targetEmailAddress: string;
    coexRoutingAddress: string;
    licenseGroupMapping: Record<string, string>;
  },
  f: LiveFacts,
): LiveUser {
  const mapping = canonicalMapping(spec.licenseGroupMapping);
  const { originalsIn } = mappedGroups(f.groups, mapping);
  const member = new Set(f.groups.map((g) => g.id.toLowerCase()));
  const problems = [
    ...originalsIn.map((g) => `back in the original group ${g.displayName}`),
    ...f.expectedReachBack
      .filter((g) => !member.has(g.id.toLowerCase()))
      .map((g) => `not in the reach-back group ${g.displayName ?? g.id}`),
    ...(f.directLicenses ?? []),
  ];
  const primary = primarySmtp(f.ad.proxyAddresses);
  let primaryWords: string;
  if (primary !== undefined && sameAddress(primary, spec.targetEmailAddress)) {
    primaryWords = `${primary} (the target address: the revert is missing)`;
  } else if (
    f.originalPrimary !== undefined &&
    (primary === undefined || !sameAddress(primary, f.originalPrimary))
  ) {
    primaryWords = `${primary ?? "none"} (changed from ${f.originalPrimary})`;
  } else primaryWords = "original";
  return {
    licenseGroups: problems.length === 0 ? "reach-back groups only" : problems.join("; "),
    targetAddress: f.ad.targetAddress ?? "not set",
    recipientType: recipientTypeOf(f.ad),
    primarySmtp: primaryWords,
    targetAddressSecondary: hasAddress(f.ad.proxyAddresses, spec.targetEmailAddress) ? "kept" : "removed",
    b2bLinked:
      redemptionOf(f.cloud) !== undefined
        ? "linked"
        : `not linked (the B2B link was reset: externalUserState ${f.cloud.externalUserState ?? "null"})`,
  };
}

/** How the user's B2B link reads for seed 000's test "Verify B2B Reach-Back Automation", step 6:
 * - redeemed: an external member (userType Member), externalUserState Accepted, and a federated
 *   identity issued by the target's Entra ID (issuer ExternalAzureAD, or one of `homeIssuers`: the
 *   target's domains, where a tenant shows the home domain as the issuer);
 * - pending: invited (PendingAcceptance) with automatic redemption allowed on both sides, so the
 *   user is enabled and redemption happens at the first sign-in (Microsoft does not document
 *   whether automatic redemption completes at once or then);
 * - not linked: anything else, with what is missing in `problem`. */
export type ReachBackLink =
  | { kind: "redeemed"; words: string }
  | { kind: "pending"; words: string }
  | { kind: "notLinked"; words: string; problem: string };

export function reachBackLinkOf(
  u: Pick<CloudUser, "userType" | "externalUserState" | "identities">,
  automaticRedemptionBothSides: boolean,
  homeIssuers: readonly string[] = [],
): ReachBackLink {
  const words = describeB2b(u);
  if (u.userType !== "Member") {
    return {
      kind: "notLinked",
      words,
      problem: `userType is ${u.userType ?? "null"}: a reach-back user stays a Member (an external member), not a guest`,
    };
  }
  const r = redemptionOf(u);
  if (r === "redeemed") {
    const issuers = new Set(["externalazuread", ...homeIssuers.map((i) => i.toLowerCase())]);
    const home = u.identities.find(
      (i) => i.signInType === "federated" && issuers.has(String(i.issuer ?? "").toLowerCase()),
    );
    if (home) return { kind: "redeemed", words };
    const others = u.identities.map((i) => `${i.signInType ?? "?"}/${i.issuer ?? "?"}`).join(", ");
    return {
      kind: "notLinked",
      words,
      problem: `redeemed, but not with the target identity: no federated identity issued by ExternalAzureAD${homeIssuers.length ? ` or ${homeIssuers.join(", ")}` : ""} (identities: ${others || "none"})`,
    };
  }
  if (r === "pendingFirstSignIn") {
    return automaticRedemptionBothSides
      ? { kind: "pending", words }
      : {
          kind: "notLinked",
          words,
          problem:
            "invited, but automatic redemption is not allowed on both sides, so the user would be asked to accept an invitation",
        };
  }
  return { kind: "notLinked", words, problem: words };
}

/** Seed 000's test, step 4, from the journal: in the user's latest cycle (after its last original
 * values), the swap (target address as mail and primary), the invitation after it that did not
 * fail, and the revert after the invitation. A run that found the user invited already (after a
 * crash) swaps and invites no more: the earlier run's records of the cycle count. */
export interface SwapInvitationTrail {
  swapped?: StepRecord;
  invited?: StepRecord;
  reverted?: StepRecord;
}

export function swapInvitationTrail(records: readonly JournalRecord[]): SwapInvitationTrail {
  let lastFound = -1;
  records.forEach((r, i) => {
    if (r.kind === "found") lastFound = i;
  });
  let swapped: StepRecord | undefined;
  let trail: SwapInvitationTrail = {};
  for (const r of records.slice(lastFound + 1)) {
    if (r.kind === "step" && r.step === "ad.primarySwapped") swapped = r;
    else if (r.kind === "step" && r.step === "invite.sent" && swapped) trail = { swapped, invited: r };
    else if (r.kind === "failed" && r.step === "invite.sent" && trail.invited && r.seq > trail.invited.seq) {
      // The invitation announced before was not sent: a later run's counts, if any.
      trail = {};
    } else if (r.kind === "step" && r.step === "ad.primaryReverted" && trail.invited && !trail.reverted) {
      trail = { ...trail, reverted: r };
    }
  }
  if (!trail.invited && swapped) return { swapped };
  return trail;
}
