// Emulated POST /invitations (B2B collaboration) and what redemption does to the invited user.
//
// Two forms, one endpoint:
// - an external address: the inviting tenant gets a guest user (userType Guest, externalUserState
//   PendingAcceptance, creationType Invitation, UPN <address with @ as _>#EXT#@<initial domain>);
//   inviting the same address again answers for the same guest;
// - an existing user (`invitedUser: {id}`): "Invite internal users to B2B collaboration", the
//   conversion that B2B reach-back runs (seed 000, "Enabling B2B Collaboration"); with
//   `resetRedemption: true`, "Reset redemption status for a guest user".
// Redemption: the invitee's home tenant is the emulated tenant that has verified the invited
// address's domain. Automatic redemption applies when the inviting (resource) tenant's partner entry
// for the home tenant allows it inbound and the home tenant's entry for the resource tenant allows
// it outbound; then, depending on the tenant's setting (state.ts AutomaticRedemption, unv), the
// invitation completes at once or at the user's first sign-in (simulated through the admin API).
// Otherwise only a sign-in with consent redeems.
//
// Sources (each rule below names its own):
// [create] Graph "Create invitation" (permissions, required parameters, response example);
// [resource] Graph "invitation resource type" (properties, special characters, resetRedemption);
// [internal] Entra "Invite internal users to B2B collaboration";
// [reset] Entra "Reset redemption status for a guest user";
// [props] Entra "Properties of a Microsoft Entra B2B collaboration user";
// [auto] Entra "Cross-tenant access overview" / its automatic-redemption include, and
//        "B2B collaboration invitation redemption" ("Automatic redemption process setting");
// [seed] seed 000 "B2B Reach-Back Access" (the playbook, not Microsoft's documentation).
// (unv) marks what no source confirms; (obs) what public reports recorded real Entra doing.
import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { timestamp } from "./applicationObjects";
import { badRequest, forbidden, type GraphHttp, GraphHttpError, hasRole } from "./graphHttp";
import { hasMailbox } from "./mailboxes";
import type {
  EmulatedUser,
  InvitationMessage,
  InvitationRecord,
  Json,
  JsonObject,
  Store,
  Tenant,
} from "./state";
import { findUser } from "./users";

/** [create]: User.Invite.All, or the higher Directory.ReadWrite.All, User.ReadWrite.All. */
export const INVITE = ["User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"] as const;
/** Resetting a redemption: [reset] consents to User.Invite.All and User.ReadWrite.All for it
 * (its PowerShell example), graph-facts.md "Reset redemption"; (unv) that Graph refuses the reset
 * to a caller holding User.Invite.All alone, and that Directory.ReadWrite.All suffices. */
export const RESET = ["User.ReadWrite.All", "Directory.ReadWrite.All"] as const;

const ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** [resource]: characters refused in invitedUserEmailAddress; "." and "-" are allowed except at the
 * beginning or end of the user name, "_" anywhere. */
const FORBIDDEN_IN_ADDRESS = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,]/;

/** The invitation's invitedUserMessageInfo when none was given ([create] response example). */
const NO_MESSAGE_INFO: JsonObject = {
  messageLanguage: null,
  customizedMessageBody: null,
  ccRecipients: [{ emailAddress: { name: null, address: null } }],
};

const lower = (s: unknown) => String(s ?? "").toLowerCase();
const domainOf = (address: string) => lower(address.split("@")[1]);

/** The wording Graph uses for an invalid invitation property; (unv) for these cases. */
const invalidProperty = (name: string) =>
  badRequest(`Invalid value specified for property '${name}' of resource 'Invitation'.`);

/** Whether the address is one of the tenant's own: a verified or the initial domain. */
export function ownDomain(tenant: Tenant, address: string): boolean {
  const domain = domainOf(address);
  return domain === lower(tenant.initialDomain) || tenant.domains.some((d) => lower(d) === domain);
}

/** The guest an earlier invitation of this address created, if any. */
function invitedGuest(tenant: Tenant, address: string): EmulatedUser | undefined {
  const wanted = lower(address);
  return Object.values(tenant.users).find(
    (u) =>
      u.creationType === "Invitation" &&
      (lower(u.mail) === wanted ||
        (Array.isArray(u.otherMails) && u.otherMails.some((m) => lower(m) === wanted))),
  );
}

/** Whether a directory object holds the address (mail, UPN or an SMTP proxy address). */
function holds(o: JsonObject, address: string): boolean {
  const wanted = lower(address);
  return (
    lower(o.mail) === wanted ||
    lower(o.userPrincipalName) === wanted ||
    (Array.isArray(o.proxyAddresses) &&
      o.proxyAddresses.some((p) => lower(p).replace(/^smtp:/, "") === wanted))
  );
}

/** Another directory object already holding the address (proxyAddresses are unique per tenant). */
function holderOf(tenant: Tenant, address: string, except?: string): JsonObject | undefined {
  const other = (o: JsonObject) => o.id !== except && holds(o, address);
  return Object.values(tenant.users).find(other) ?? Object.values(tenant.groups).find(other);
}

/** (obs) Graph's answer when the address belongs to an object of the directory already: quoted
 * from msgraph-beta-sdk-dotnet#798 (an invitation that did not name the existing user). (unv)
 * that the same answer comes for a proxyAddresses conflict with another object when inviting an
 * existing user (the conflict itself blocks the invitation: Entra B2B troubleshooting). */
const alreadyExists = (holderId: Json | undefined) =>
  badRequest(
    `The invited user already exists in the directory as objectID: ${String(holderId)}. They can use that account to sign in to shared apps and resources.`,
  );

function newGuest(
  tenant: Tenant,
  address: string,
  displayName: string | null,
  userType: string,
): EmulatedUser {
  const local = address.replace("@", "_");
  const id = randomUUID();
  const upn = `${local}#EXT#@${tenant.initialDomain}`;
  return {
    id,
    userPrincipalName: upn,
    // (unv) the display name Graph gives a guest invited without one: the address's local part.
    displayName: displayName ?? address.split("@")[0],
    givenName: null,
    surname: null,
    mail: address,
    mailNickname: `${local}#EXT#`,
    otherMails: [address],
    proxyAddresses: [`SMTP:${address}`],
    accountEnabled: true,
    userType,
    creationType: "Invitation",
    externalUserState: "PendingAcceptance",
    externalUserStateChangeDateTime: timestamp(),
    createdDateTime: timestamp(),
    // [props]: until redemption the identity is the host's own domain.
    identities: [{ signInType: "userPrincipalName", issuer: tenant.initialDomain, issuerAssignedId: upn }],
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    usageLocation: null,
    onPremisesSyncEnabled: null,
    onPremisesImmutableId: null,
    onPremisesSamAccountName: null,
    onPremisesUserPrincipalName: null,
    assignedLicenses: [],
    licenseAssignmentStates: [],
  };
}

/** Whether a user is already a B2B collaboration user (invited, pending or redeemed). */
export function isExternalUser(user: JsonObject): boolean {
  const identities = Array.isArray(user.identities) ? (user.identities as JsonObject[]) : [];
  return (
    (user.externalUserState ?? null) !== null ||
    identities.some((i) => i.signInType === "federated") ||
    String(user.userPrincipalName ?? "").includes("#EXT#")
  );
}

/** The emulated tenant that has verified the address's domain: the invitee's home tenant. */
export function homeTenantOf(store: Store, inviting: Tenant, address: string): Tenant | undefined {
  const domain = domainOf(address);
  return Object.values(store.state.tenants).find(
    (t) => t.id !== inviting.id && t.domains.some((d) => lower(d) === domain),
  );
}

/** The account in the home tenant that redeems: the user whose UPN, mail or SMTP proxy address is
 * the invited address ((unv) which of them Entra matches on). */
export function homeAccountOf(home: Tenant, address: string): EmulatedUser | undefined {
  return Object.values(home.users).find((u) => holds(u, address));
}

/** [auto]: the consent prompt (and so the invitation's wait for a person) is suppressed only when
 * the home tenant allows automatic redemption outbound for the resource tenant and the resource
 * tenant allows it inbound for the home tenant, each in its partner entry (the default's
 * automaticUserConsentSettings is read-only and always false: graph-facts.md). */
export function automaticRedemptionAllowed(resource: Tenant, home: Tenant): boolean {
  const setting = (t: Tenant, partner: string) =>
    t.crossTenantAccessPolicy.partners[partner]?.partner.automaticUserConsentSettings as
      | { inboundAllowed?: boolean | null; outboundAllowed?: boolean | null }
      | null
      | undefined;
  return (
    setting(resource, home.id)?.inboundAllowed === true &&
    setting(home, resource.id)?.outboundAllowed === true
  );
}

/** How an invitation would redeem now. `automatic`: without a consent prompt. */
interface RedemptionPath {
  home?: Tenant;
  account?: EmulatedUser;
  automatic: boolean;
  /** Why not automatic, for the admin API's answer. */
  reason?: string;
}

function redemptionPath(store: Store, resource: Tenant, address: string): RedemptionPath {
  const home = homeTenantOf(store, resource, address);
  if (!home) {
    return { automatic: false, reason: `no emulated tenant has verified ${domainOf(address)}` };
  }
  const account = homeAccountOf(home, address);
  if (!automaticRedemptionAllowed(resource, home)) {
    return { home, account, automatic: false, reason: "automatic redemption is not allowed on both sides" };
  }
  if (!account) {
    return { home, automatic: false, reason: `${home.displayName} has no account for ${address}` };
  }
  if (isExternalUser(account)) {
    // [seed] "Automatic Redemption and Order of Operations": when the target (home) user is still
    // an external member there, automatic redemption does not work and the user must accept the
    // invitation by hand. (unv) that Entra decides this from the home account being external.
    return { home, account, automatic: false, reason: `the home account ${account.id} is an external user` };
  }
  return { home, account, automatic: true };
}

/** The invited user after redemption: externalUserState Accepted (with its change time) and the
 * identity of the account that redeemed ([props] "After invitation redemption"); userType, UPN,
 * object id, memberships unchanged ([internal]). */
function redeem(tenant: Tenant, user: JsonObject, record: InvitationRecord, path: RedemptionPath): void {
  const now = timestamp();
  const identities = (Array.isArray(user.identities) ? (user.identities as JsonObject[]) : []).filter(
    (i) => i.signInType !== "federated",
  );
  let issuer: string;
  if (path.home) {
    issuer =
      tenant.invitations.externalIssuer === "ExternalAzureAD"
        ? "ExternalAzureAD"
        : (path.home.domains[0] ?? path.home.initialDomain);
  } else {
    // [props]: "mail" for email one-time passcode, the fallback for an address no Entra tenant
    // holds; (unv) the signInType and issuerAssignedId of such an identity.
    issuer = "mail";
  }
  // (unv) issuerAssignedId: the home account's object id, or the address when there is none.
  identities.push({
    signInType: "federated",
    issuer,
    issuerAssignedId: path.account?.id ?? record.invitedUserEmailAddress,
  });
  user.identities = identities;
  user.externalUserState = "Accepted";
  user.externalUserStateChangeDateTime = now;
  record.status = "Completed";
  record.redeemedDateTime = now;
}

function message(tenant: Tenant, kind: InvitationMessage["kind"], record: InvitationRecord): void {
  tenant.invitations.messages.push({
    kind,
    to: record.invitedUserEmailAddress,
    invitationId: record.id,
    sentDateTime: timestamp(),
  });
}

/** Records a new invitation for `user`, sends what Entra sends, and redeems it at once when
 * automatic redemption applies and the tenant completes it immediately. */
function invite(
  store: Store,
  tenant: Tenant,
  user: EmulatedUser,
  input: { address: string; redirect: string; send: boolean; reset: boolean },
): InvitationRecord {
  const record: InvitationRecord = {
    id: randomUUID(),
    userId: user.id,
    invitedUserEmailAddress: input.address,
    inviteRedirectUrl: input.redirect,
    sendInvitationMessage: input.send,
    resetRedemption: input.reset,
    status: "PendingAcceptance",
    createdDateTime: timestamp(),
    redeemedDateTime: null,
  };
  tenant.invitations.byUser[user.id] = record;
  user.externalUserState = "PendingAcceptance";
  user.externalUserStateChangeDateTime = record.createdDateTime;
  const path = redemptionPath(store, tenant, input.address);
  const suppressed = path.home !== undefined && automaticRedemptionAllowed(tenant, path.home);
  // [auto]: with automatic redemption on both sides users get no invitation email but a
  // notification email, sent at once. (unv) that sendInvitationMessage: false does not suppress
  // the notification.
  if (suppressed) message(tenant, "notification", record);
  else if (input.send) message(tenant, "invitation", record);
  if (path.automatic && tenant.invitations.automaticRedemption === "immediate") {
    redeem(tenant, user, record, path);
  }
  return record;
}

/** What a simulated sign-in did. */
export interface SignInResult {
  invitationId: string;
  redeemed: boolean;
  /** Whether the user met the consent prompt (no automatic redemption). */
  consentPrompted: boolean;
  reason?: string;
  externalUserState: Json;
}

/** The user's sign-in into the resource tenant with their home account: redeems a pending
 * invitation, without a prompt when automatic redemption applies, else when the user accepts the
 * consent prompt (`consent`). Throws a GraphHttpError when there is nothing to redeem. */
export function signIn(store: Store, tenant: Tenant, userId: string, consent: boolean): SignInResult {
  const user = findUser(tenant, userId);
  const record = tenant.invitations.byUser[user.id];
  if (!record || user.externalUserState !== "PendingAcceptance") {
    throw new GraphHttpError(
      409,
      "Conflict",
      `User ${user.id} has no invitation pending acceptance (externalUserState ${String(user.externalUserState ?? null)}).`,
    );
  }
  const path = redemptionPath(store, tenant, record.invitedUserEmailAddress);
  if (path.home && !path.account) {
    throw new GraphHttpError(
      409,
      "Conflict",
      `${path.home.displayName} has no account for ${record.invitedUserEmailAddress} to sign in with.`,
    );
  }
  const redeemed = path.automatic || consent;
  if (redeemed) redeem(tenant, user, record, path);
  store.save();
  return {
    invitationId: record.id,
    redeemed,
    consentPrompted: !path.automatic,
    ...(path.reason ? { reason: path.reason } : {}),
    externalUserState: user.externalUserState ?? null,
  };
}

/** The invitedUser of a request: Graph takes it inline (`{"id": …}`, [internal]), which the CSDL
 * validator otherwise refuses for a navigation property; its content must still be a user. */
function invitedUserId(http: GraphHttp, raw: JsonObject): string | undefined {
  if (!("invitedUser" in raw) || raw.invitedUser === null) return undefined;
  http.validate("microsoft.graph.user", raw.invitedUser, "create");
  const id = (raw.invitedUser as JsonObject).id;
  // (unv) the wording for an invitedUser without an id.
  if (typeof id !== "string" || id === "") throw invalidProperty("invitedUser");
  return id;
}

export function registerInvitations(app: FastifyInstance, http: GraphHttp): void {
  app.post("/v1.0/invitations", async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx = await http.authorize(req, INVITE);
    const { tenant } = ctx;
    const raw = (req.body ?? {}) as JsonObject;
    const { invitedUser: _nav, ...structural } = raw;
    http.validate("microsoft.graph.invitation", structural, "create");
    const existingId = invitedUserId(http, raw);
    const address = typeof raw.invitedUserEmailAddress === "string" ? raw.invitedUserEmailAddress.trim() : "";
    // The two required parameters [create]; the special characters [resource].
    const local = address.split("@")[0] ?? "";
    if (!ADDRESS.test(address) || FORBIDDEN_IN_ADDRESS.test(local) || /^[.-]|[.-]$/.test(local)) {
      throw invalidProperty("invitedUserEmailAddress");
    }
    if (
      typeof raw.inviteRedirectUrl !== "string" ||
      !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.inviteRedirectUrl)
    ) {
      throw invalidProperty("inviteRedirectUrl");
    }
    const requestedType = (raw.invitedUserType as string | undefined) ?? "Guest";
    if (requestedType !== "Guest" && requestedType !== "Member") throw invalidProperty("invitedUserType"); // (unv)
    const reset = raw.resetRedemption === true;
    // [resource]: "When true, the invitedUser/id relationship is required." (unv) the wording.
    if (reset && !existingId) throw invalidProperty("invitedUser");
    if (reset && !hasRole(ctx, RESET)) throw forbidden();
    const send = raw.sendInvitationMessage === true;

    let user: EmulatedUser;
    if (existingId) {
      user = findUser(tenant, existingId) as EmulatedUser; // (unv) 404 for an unknown id
      user = convertible(tenant, user, address, reset);
    } else {
      if (ownDomain(tenant, address)) {
        // Users of the tenant's own domains are members, not guests; (unv) Graph's wording.
        throw badRequest(
          `The invited user's email address ${address} is in a domain verified in this tenant; invite external addresses only.`,
        );
      }
      const guest = invitedGuest(tenant, address);
      if (guest) user = guest;
      else {
        const holder = holderOf(tenant, address);
        if (holder) throw alreadyExists(holder.id);
        user = newGuest(
          tenant,
          address,
          (raw.invitedUserDisplayName as string | undefined) ?? null,
          requestedType,
        );
        tenant.users[user.id] = user;
        http.created(tenant, "users", [user.id, String(user.userPrincipalName)]);
      }
    }

    let record: InvitationRecord;
    const current = tenant.invitations.byUser[user.id];
    if (user.externalUserState === "Accepted" && !reset) {
      // (unv) inviting a user who already redeemed answers Completed and changes nothing.
      record = {
        ...(current ?? {}),
        id: randomUUID(),
        userId: user.id,
        invitedUserEmailAddress: address,
        inviteRedirectUrl: raw.inviteRedirectUrl,
        sendInvitationMessage: send,
        resetRedemption: false,
        status: "Completed",
        createdDateTime: timestamp(),
        redeemedDateTime: current?.redeemedDateTime ?? null,
      };
    } else {
      if (reset) {
        // [reset]: the user's sign-in identity is dropped until the new invitation is redeemed;
        // object id, UPN, memberships stay.
        user.identities = (Array.isArray(user.identities) ? (user.identities as JsonObject[]) : []).filter(
          (i) => i.signInType !== "federated",
        );
      }
      record = invite(http.store, tenant, user, {
        address,
        redirect: raw.inviteRedirectUrl,
        send,
        reset,
      });
    }
    http.store.save();
    // The redeem URL has the shape of the documented one, on the emulator's host; opening it is
    // not modelled (the admin API's sign-in stands for the user).
    const rd = `https://${req.headers.host}/invitations/redeem/?tenant=${tenant.id}&user=${record.id}&ticket=${randomBytes(24).toString("base64url")}&ver=2.0`;
    return reply.code(201).send({
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#invitations/$entity`,
      id: record.id,
      inviteRedeemUrl: `https://${req.headers.host}/redeem?rd=${encodeURIComponent(rd)}`,
      invitedUserDisplayName: (raw.invitedUserDisplayName as string | undefined) ?? null,
      // [internal]: the conversion "doesn't change the UserType": the user's own is answered.
      invitedUserType: user.userType ?? null,
      invitedUserEmailAddress: address,
      sendInvitationMessage: send,
      resetRedemption: reset,
      inviteRedirectUrl: raw.inviteRedirectUrl,
      status: record.status,
      invitedUserMessageInfo: (raw.invitedUserMessageInfo as JsonObject | undefined) ?? NO_MESSAGE_INFO,
      invitedUser: { id: user.id },
    });
  });
}

/** The rules an existing user must meet to be invited (converted to B2B) or reset. Returns the
 * user, or throws Graph's refusal. */
function convertible(tenant: Tenant, user: EmulatedUser, address: string, reset: boolean): EmulatedUser {
  if (ownDomain(tenant, address)) {
    // The address must not be in a verified domain of the inviting tenant (Graph "customize
    // invitation API"; graph-facts.md). (obs) The admin center's wording, MicrosoftDocs/azure-docs#76227;
    // (unv) that Graph answers it too.
    throw badRequest(
      "User's email address cannot be in a verified domain. Please change the user's email to enable conversion to a B2B user.",
    );
  }
  if (user.onPremisesUserPrincipalName) {
    // [internal] note: "we block internal-to-external conversions for user objects with this
    // attribute" (Entra Connect's default rule writes it). (obs) "Invalid request input." is what
    // the admin center shows (MicrosoftDocs/azure-docs#107086); (unv) Graph's code and wording.
    throw badRequest(
      `Invalid request input. User ${user.id} has onPremisesUserPrincipalName set, which blocks internal-to-external conversion.`,
    );
  }
  if (hasMailbox(tenant, user)) {
    // (obs) "B2B users having a mailbox is not supported": the [internal] page's author,
    // MicrosoftDocs/azure-docs#105881; [seed] "Third-Party Mailbox Migration" deletes the source
    // mailbox first for that reason. (unv) that Graph refuses the invitation, and its wording.
    throw badRequest(
      `User ${user.id} has a mailbox in Exchange Online; a user with a mailbox cannot be converted to B2B collaboration.`,
    );
  }
  const mails = [
    lower(user.mail),
    ...(reset && Array.isArray(user.otherMails) ? user.otherMails.map(lower) : []),
  ];
  if (!mails.includes(lower(address))) {
    // [internal]: mail must already be the external address; [reset]: the new address must be in
    // mail or otherMails. (unv) that Graph refuses otherwise, and its wording.
    throw badRequest(
      reset
        ? `The invited email address ${address} must be in the mail or otherMails property of user ${user.id}.`
        : `The invited email address ${address} must be the mail property of user ${user.id} (it is ${String(user.mail ?? null)}).`,
    );
  }
  const holder = holderOf(tenant, address, user.id);
  if (holder) throw alreadyExists(holder.id);
  return user;
}
