// Emulated POST /invitations for external addresses: the inviting tenant gets a guest user
// (userType Guest, externalUserState PendingAcceptance, creationType Invitation, UPN
// <address with @ as _>#EXT#@<initial domain>) and the caller the invitation with its redeem URL.
// Inviting the same address again answers for the same guest. Redemption is not modelled, and
// neither is inviting an existing internal user (invitedUser): that is a later issue.
// Sources: Graph's "Create invitation" page (permissions, required parameters, response example)
// and the invitation resource; graph-facts.md "Inviting"; (unv) marks what no source confirms.
import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { timestamp } from "./applicationObjects";
import { badRequest, type GraphHttp } from "./graphHttp";
import type { EmulatedUser, JsonObject, Tenant } from "./state";

/** "Create invitation": User.Invite.All, or the higher Directory.ReadWrite.All, User.ReadWrite.All. */
const INVITE = ["User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"] as const;

const ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The invitation's invitedUserMessageInfo when none was given (the documented response example). */
const NO_MESSAGE_INFO: JsonObject = {
  messageLanguage: null,
  customizedMessageBody: null,
  ccRecipients: [{ emailAddress: { name: null, address: null } }],
};

const lower = (s: unknown) => String(s ?? "").toLowerCase();

/** Whether the address is one of the tenant's own: a verified or the initial domain. */
function ownDomain(tenant: Tenant, address: string): boolean {
  const domain = lower(address.split("@")[1]);
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

/** Another directory object already holding the address (proxyAddresses are unique per tenant). */
function holderOf(tenant: Tenant, address: string): JsonObject | undefined {
  const wanted = lower(address);
  const holds = (o: JsonObject) =>
    lower(o.mail) === wanted ||
    lower(o.userPrincipalName) === wanted ||
    (Array.isArray(o.proxyAddresses) &&
      o.proxyAddresses.some((p) => lower(p).replace(/^smtp:/, "") === wanted));
  return Object.values(tenant.users).find(holds) ?? Object.values(tenant.groups).find(holds);
}

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

export function registerInvitations(app: FastifyInstance, http: GraphHttp): void {
  app.post("/v1.0/invitations", async (req: FastifyRequest, reply: FastifyReply) => {
    const { tenant } = await http.authorize(req, INVITE);
    const raw = (req.body ?? {}) as JsonObject;
    if ("invitedUser" in raw || raw.resetRedemption === true) {
      // Inviting an existing internal user (B2B conversion) and resetting a redemption are real
      // Graph features the emulator does not model yet.
      throw badRequest(
        "The emulator does not model inviting an existing internal user (invitedUser) or resetting redemption yet.",
      );
    }
    http.validate("microsoft.graph.invitation", raw, "create");
    const address = typeof raw.invitedUserEmailAddress === "string" ? raw.invitedUserEmailAddress.trim() : "";
    // The two required parameters; (unv) Graph's wording when one is missing or malformed.
    if (!ADDRESS.test(address)) {
      throw badRequest(
        "Invalid value specified for property 'invitedUserEmailAddress' of resource 'Invitation'.",
      );
    }
    if (
      typeof raw.inviteRedirectUrl !== "string" ||
      !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.inviteRedirectUrl)
    ) {
      throw badRequest("Invalid value specified for property 'inviteRedirectUrl' of resource 'Invitation'.");
    }
    const userType = (raw.invitedUserType as string | undefined) ?? "Guest";
    if (userType !== "Guest" && userType !== "Member") {
      throw badRequest("Invalid value specified for property 'invitedUserType' of resource 'Invitation'."); // (unv)
    }
    if (ownDomain(tenant, address)) {
      // Users of the tenant's own domains are members, not guests; (unv) Graph's wording.
      throw badRequest(
        `The invited user's email address ${address} is in a domain verified in this tenant; invite external addresses only.`,
      );
    }
    let guest = invitedGuest(tenant, address);
    if (!guest) {
      const holder = holderOf(tenant, address);
      if (holder) {
        // (unv) that an invitation meets the proxyAddresses uniqueness rule with this answer.
        throw badRequest("Another object with the same value for property proxyAddresses already exists.");
      }
      guest = newGuest(tenant, address, (raw.invitedUserDisplayName as string | undefined) ?? null, userType);
      tenant.users[guest.id] = guest;
      http.created(tenant, "users", [guest.id, String(guest.userPrincipalName)]);
      http.store.save();
    }
    const id = randomUUID();
    // The redeem URL has the shape of the documented one, on the emulator's host; redeeming it is
    // not modelled.
    const rd = `https://${req.headers.host}/invitations/redeem/?tenant=${tenant.id}&user=${id}&ticket=${randomBytes(24).toString("base64url")}&ver=2.0`;
    return reply.code(201).send({
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#invitations/$entity`,
      id,
      inviteRedeemUrl: `https://${req.headers.host}/redeem?rd=${encodeURIComponent(rd)}`,
      invitedUserDisplayName: (raw.invitedUserDisplayName as string | undefined) ?? null,
      invitedUserType: guest.userType,
      invitedUserEmailAddress: address,
      sendInvitationMessage: raw.sendInvitationMessage === true,
      resetRedemption: false,
      inviteRedirectUrl: raw.inviteRedirectUrl,
      // (unv) that an invitation of an already redeemed guest answers Completed.
      status: guest.externalUserState === "Accepted" ? "Completed" : "PendingAcceptance",
      invitedUserMessageInfo: (raw.invitedUserMessageInfo as JsonObject | undefined) ?? NO_MESSAGE_INFO,
      invitedUser: { id: guest.id },
    });
  });
}
