// Graph calls of the per-user procedure, in one place. Permissions (source tenant): User.Read.All
// (read the user, its licenses and groups), GroupMember.ReadWrite.All or ownership of the cloud
// license groups (membership), User.Invite.All (the invitation), Domain.Read.All (the verified
// domains), Policy.Read.All (automatic redemption), MailboxSettings.Read (whether a third-party
// user's source mailbox is gone), LicenseAssignment.ReadWrite.All or User.ReadWrite.All (a direct
// license's disabled plans), Organization.Read.All (the SKUs' plans); target tenant: User.Read.All.
import { primarySmtp } from "../addresses/proxyAddresses";
import { allPages } from "../graph/batch";
import { type GraphClient, GraphRequestError, odataString } from "../graph/client";
import { coalescerFor } from "../graph/coalesce";
import { lookUp } from "../graph/consistency";

/** One license a user holds, and where it comes from (Graph's licenseAssignmentState). */
export interface LicenseState {
  skuId: string;
  /** The group that assigns it; null for a direct assignment. */
  assignedByGroup: string | null;
  state: string;
  error: string | null;
  disabledPlans: string[];
}

/** The source user as the procedure reads it. */
export interface CloudUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[];
  userType: string | null;
  externalUserState: string | null;
  identities: Array<{ signInType?: string; issuer?: string; issuerAssignedId?: string }>;
  onPremisesSyncEnabled: boolean | null;
  onPremisesImmutableId: string | null;
  onPremisesUserPrincipalName: string | null;
  onPremisesLastSyncDateTime: string | null;
  creationType: string | null;
  licenseAssignmentStates: LicenseState[];
}

export interface GroupMembership {
  id: string;
  displayName: string;
  onPremisesSyncEnabled: boolean;
  onPremisesSamAccountName: string | null;
}

const USER_SELECT =
  "$select=id,userPrincipalName,mail,proxyAddresses,userType,externalUserState,identities," +
  "onPremisesSyncEnabled,onPremisesImmutableId,onPremisesUserPrincipalName,onPremisesLastSyncDateTime," +
  "creationType,licenseAssignmentStates";

function toUser(u: Record<string, unknown>): CloudUser {
  const states = (u.licenseAssignmentStates as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    id: String(u.id),
    userPrincipalName: String(u.userPrincipalName ?? ""),
    mail: (u.mail as string | null | undefined) ?? null,
    proxyAddresses: (u.proxyAddresses as string[] | undefined) ?? [],
    userType: (u.userType as string | null | undefined) ?? null,
    externalUserState: (u.externalUserState as string | null | undefined) ?? null,
    identities: (u.identities as CloudUser["identities"] | undefined) ?? [],
    onPremisesSyncEnabled: (u.onPremisesSyncEnabled as boolean | null | undefined) ?? null,
    onPremisesImmutableId: (u.onPremisesImmutableId as string | null | undefined) ?? null,
    onPremisesUserPrincipalName: (u.onPremisesUserPrincipalName as string | null | undefined) ?? null,
    onPremisesLastSyncDateTime: (u.onPremisesLastSyncDateTime as string | null | undefined) ?? null,
    creationType: (u.creationType as string | null | undefined) ?? null,
    licenseAssignmentStates: states.map((s) => ({
      skuId: String(s.skuId ?? "").toLowerCase(),
      assignedByGroup: s.assignedByGroup ? String(s.assignedByGroup).toLowerCase() : null,
      state: String(s.state ?? ""),
      error: (s.error as string | null | undefined) ?? null,
      disabledPlans: ((s.disabledPlans as string[] | undefined) ?? []).map((p) => p.toLowerCase()),
    })),
  };
}

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user by UPN or object id; undefined when Graph has none. Concurrent reads of the process
 * are sent together (lib/graph/coalesce.ts): `id in (...)` or `userPrincipalName in (...)`. */
export async function readUser(graph: GraphClient, idOrUpn: string): Promise<CloudUser | undefined> {
  const key = OBJECT_ID.test(idOrUpn) ? "id" : "userPrincipalName";
  const rows = await coalescerFor(graph).byKey(
    "/users",
    key,
    idOrUpn,
    USER_SELECT,
    (v) => `/users/${encodeURIComponent(v)}?${USER_SELECT}`,
  );
  return rows[0] ? toUser(rows[0]) : undefined;
}

/** The user's mail as Graph shows it, and its primary SMTP address. */
export function cloudPrimary(u: CloudUser): string | undefined {
  return primarySmtp(u.proxyAddresses);
}

/** The groups the user is a direct member of (sent with the process's concurrent reads). */
export async function memberOf(graph: GraphClient, userId: string): Promise<GroupMembership[]> {
  const first = await coalescerFor(graph).get<{ value?: Array<Record<string, unknown>> }>(
    `/users/${userId}/memberOf?$select=id,displayName,onPremisesSyncEnabled,onPremisesSamAccountName&$top=999`,
  );
  const groups = await allPages(graph, first);
  return groups
    .filter((g) => g["@odata.type"] === undefined || g["@odata.type"] === "#microsoft.graph.group")
    .map((g) => ({
      id: String(g.id).toLowerCase(),
      displayName: String(g.displayName ?? g.id),
      onPremisesSyncEnabled: g.onPremisesSyncEnabled === true,
      onPremisesSamAccountName: (g.onPremisesSamAccountName as string | null | undefined) ?? null,
    }));
}

/** A group by id, as membership changes need it; undefined when it does not exist. */
export async function readMembershipGroup(
  graph: GraphClient,
  groupId: string,
): Promise<GroupMembership | undefined> {
  const [g] = await coalescerFor(graph).byKey(
    "/groups",
    "id",
    groupId,
    GROUP_SELECT,
    (v) => `/groups/${encodeURIComponent(v)}?${GROUP_SELECT}`,
  );
  return g
    ? {
        id: String(g.id).toLowerCase(),
        displayName: String(g.displayName ?? g.id),
        onPremisesSyncEnabled: g.onPremisesSyncEnabled === true,
        onPremisesSamAccountName: (g.onPremisesSamAccountName as string | null | undefined) ?? null,
      }
    : undefined;
}

const GROUP_SELECT = "$select=id,displayName,onPremisesSyncEnabled,onPremisesSamAccountName";

/** How long a group's member list read for one phase's observations is reused: the reads of a
 * refresh arrive within seconds; a change made after that is seen by the next read. */
const MEMBER_LIST_TTL_MS = 10_000;
const memberLists = new WeakMap<
  GraphClient,
  Map<string, { at: number; list: Promise<{ group?: GroupMembership; members: Set<string> }> }>
>();

/** A group and the ids of its direct members, shared by the observations of one phase. */
function groupMembers(graph: GraphClient, groupId: string) {
  let cache = memberLists.get(graph);
  if (!cache) {
    cache = new Map();
    memberLists.set(graph, cache);
  }
  const id = groupId.toLowerCase();
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && now - hit.at < MEMBER_LIST_TTL_MS) return hit.list;
  const list = (async () => {
    // The group and its members in the same round trip; a group that is gone has no members.
    const [group, first] = await Promise.all([
      readMembershipGroup(graph, id),
      coalescerFor(graph)
        .get<{ value?: Array<{ id: string }> }>(`/groups/${id}/members?$select=id&$top=999`)
        .catch((e: unknown) => {
          if (e instanceof GraphRequestError && e.status === 404) return { value: [] };
          throw e;
        }),
    ]);
    if (!group) return { members: new Set<string>() };
    const members = await allPages(graph, first);
    return { group, members: new Set(members.map((m) => String(m.id).toLowerCase())) };
  })();
  list.catch(() => cache.delete(id));
  cache.set(id, { at: now, list });
  return list;
}

/** A group's membership changed in this process (a member added or removed, or an on-premises
 * change synced): its member list is read again, so the observation that follows a write, within
 * the few seconds a list is reused, sees the write and not what the refresh before it read. */
export function memberListChanged(graph: GraphClient, groupId: string): void {
  memberLists.get(graph)?.delete(groupId.toLowerCase());
}

/**
 * The user's direct memberships among `groupIds`, read from those groups' member lists rather
 * than the user's memberOf: the observations of a wave's refresh name the same few license
 * groups, so one paged list per group answers for every user (a list is reused for a few
 * seconds; the procedure's own waits read memberOf, never this).
 */
export async function membershipsAmong(
  graph: GraphClient,
  userId: string,
  groupIds: readonly string[],
): Promise<GroupMembership[]> {
  const user = userId.toLowerCase();
  const out: GroupMembership[] = [];
  for (const g of await Promise.all(
    [...new Set(groupIds.map((i) => i.toLowerCase()))].map((i) => groupMembers(graph, i)),
  )) {
    if (g.group && g.members.has(user)) out.push(g.group);
  }
  return out;
}

/** Adds the user to a cloud group; a member already there is not an error (Graph answers 400). */
export async function addCloudMember(graph: GraphClient, groupId: string, userId: string): Promise<void> {
  try {
    await graph.post(
      `/groups/${groupId}/members/$ref`,
      { "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${userId}` },
      // Adding a member twice leaves one membership (the second answers "already exist", below).
      { retry: "idempotent" },
    );
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 400 && /already exist/i.test(e.graphMessage)) return;
    throw e;
  } finally {
    memberListChanged(graph, groupId);
  }
}

/** Removes the user from a cloud group; a non-member is not an error (Graph answers 404). */
export async function removeCloudMember(graph: GraphClient, groupId: string, userId: string): Promise<void> {
  try {
    await graph.delete(`/groups/${groupId}/members/${userId}/$ref`);
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return;
    throw e;
  } finally {
    memberListChanged(graph, groupId);
  }
}

/** Graph's answer for a user without an Exchange Online mailbox (Exchange troubleshooting, KB
 * 4462988: 404 with either code; observed for mailbox-less users on GET mailboxSettings). */
const NO_MAILBOX_CODES = new Set(["MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI"]);

/**
 * Whether the user has a mailbox in Exchange Online, as Graph v1.0 lets an app tell:
 * GET /users/{id}/mailboxSettings (MailboxSettings.Read) answers for a mailbox, and 404
 * MailboxNotEnabledForRESTAPI for a user without one (also a soft-deleted or inactive mailbox,
 * which is "gone" for reach-back). Any other error (403: the permission is missing) is thrown.
 */
export async function hasExchangeOnlineMailbox(graph: GraphClient, userId: string): Promise<boolean> {
  try {
    await coalescerFor(graph).get(`/users/${encodeURIComponent(userId)}/mailboxSettings`);
    return true;
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404 && NO_MAILBOX_CODES.has(e.code)) return false;
    throw e;
  }
}

/** user: assignLicense for licenses assigned directly: a SKU the user already holds directly has
 * its disabledPlans replaced in place (the user keeps the license throughout). */
export async function assignUserLicense(
  graph: GraphClient,
  userId: string,
  add: ReadonlyArray<{ skuId: string; disabledPlans: readonly string[] }>,
  remove: readonly string[] = [],
): Promise<void> {
  await graph.post(
    `/users/${userId}/assignLicense`,
    {
      addLicenses: add.map((l) => ({ skuId: l.skuId, disabledPlans: [...l.disabledPlans] })),
      removeLicenses: [...remove],
    },
    // Sent twice, the same body sets the same licenses: safe to repeat after a 503/504.
    { retry: "idempotent" },
  );
}

/** The domains verified in the tenant, lower-case. Concurrent callers (the users of a wave
 * checking their preconditions) share one read. */
export async function verifiedDomains(graph: GraphClient): Promise<string[]> {
  const first = await coalescerFor(graph).get<{ value?: Array<{ id: string; isVerified?: boolean }> }>(
    "/domains?$select=id,isVerified",
  );
  const domains = await allPages(graph, first);
  return domains.filter((d) => d.isVerified !== false).map((d) => d.id.toLowerCase());
}

/** The automatic-redemption settings of the tenant's partner entry for `partnerTenantId`;
 * undefined without an entry. Concurrent callers share one read. */
export async function partnerConsent(
  graph: GraphClient,
  partnerTenantId: string,
): Promise<{ inboundAllowed?: boolean | null; outboundAllowed?: boolean | null } | undefined> {
  try {
    const p = await coalescerFor(graph).get<{
      automaticUserConsentSettings?: {
        inboundAllowed?: boolean | null;
        outboundAllowed?: boolean | null;
      } | null;
    }>(`/policies/crossTenantAccessPolicy/partners/${encodeURIComponent(partnerTenantId)}`);
    return p.automaticUserConsentSettings ?? {};
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return undefined;
    throw e;
  }
}

/** The SKU ids a group assigns; undefined when the group does not exist. Concurrent callers
 * (users moving into the same reach-back group) share one read. */
export async function groupSkuIds(graph: GraphClient, groupId: string): Promise<string[] | undefined> {
  try {
    const g = await coalescerFor(graph).get<{ assignedLicenses?: Array<{ skuId: string }> }>(
      `/groups/${encodeURIComponent(groupId)}?$select=id,assignedLicenses`,
    );
    return (g.assignedLicenses ?? []).map((l) => String(l.skuId).toLowerCase());
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return undefined;
    throw e;
  }
}

/** The user of the target tenant whose mail (or UPN) is `address`. */
export async function findTargetUser(graph: GraphClient, address: string): Promise<CloudUser[]> {
  const byMail = await coalescerFor(graph).byKey(
    "/users",
    "mail",
    address,
    USER_SELECT,
    (v) => `/users?$filter=mail eq ${odataString(v)}&${USER_SELECT}`,
  );
  if (byMail.length > 0) return byMail.map(toUser);
  const byUpn = await readUser(graph, address);
  return byUpn ? [byUpn] : [];
}

export interface InvitationAnswer {
  id: string | null;
  status: string;
}

/**
 * Invites the existing internal user to B2B collaboration ("Invite internal users to B2B
 * collaboration"): invitedUser.id, the target address, no invitation message. A 503/504 may come
 * after Graph committed it: the user is read before the invitation is sent again, and an
 * externalUserState shows that it was.
 */
export async function inviteInternalUser(
  graph: GraphClient,
  userId: string,
  address: string,
  redirectUrl: string,
  options: { resetRedemption?: boolean } = {},
): Promise<InvitationAnswer> {
  const answer = await graph.post<Record<string, unknown>>(
    "/invitations",
    {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: redirectUrl,
      sendInvitationMessage: false,
      invitedUser: { id: userId },
      // A new target identity: the link to the old one is dropped (needs User.ReadWrite.All).
      ...(options.resetRedemption ? { resetRedemption: true } : {}),
    },
    {
      // A reset sent twice resets twice, harmlessly; a first invitation shows in the user.
      retry: options.resetRedemption
        ? "idempotent"
        : {
            lookup: () =>
              lookUp(
                `the invitation of ${userId}`,
                async () => {
                  const u = await readUser(graph, userId);
                  return u?.externalUserState ? { id: null, status: u.externalUserState } : undefined;
                },
                graph.consistency,
              ),
          },
    },
  );
  return { id: (answer.id as string | undefined) ?? null, status: String(answer.status ?? "") };
}
