// The admin API's directory part (/_emulator/tenants/{id}/...): what exists in a tenant before the
// calls under test (cloud users, internal or external members; verified domains; Exchange
// mailboxes), the B2B redemption settings, and a user's sign-in that redeems an invitation (no
// API does that in Microsoft Graph: a person opens the redeem link or signs in). Documented in
// emulator/admin-api.md. The admin key check is registerAdmin's (admin.ts).
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { timestamp } from "./applicationObjects";
import type { EntraConnectSync } from "./entraConnect";
import { reprojectSyncedUser, withUpnIdentity } from "./entraConnect";
import { type GraphHttp, GraphHttpError, notFound } from "./graphHttp";
import { signIn } from "./invitations";
import { hasMailbox, setMailbox } from "./mailboxes";
import type { AutomaticRedemption, EmulatedUser, ExternalIssuer, JsonObject, Tenant } from "./state";
import { findUser } from "./users";

type TenantParams = { tenantId: string };
type UserParams = TenantParams & { userId: string };

const bad = (message: string) => new GraphHttpError(400, "BadRequest", message);
const lower = (s: unknown) => String(s ?? "").toLowerCase();
const AUTOMATIC_REDEMPTION: readonly AutomaticRedemption[] = ["immediate", "firstSignIn"];
const EXTERNAL_ISSUERS: readonly ExternalIssuer[] = ["ExternalAzureAD", "homeDomain"];

/** A cloud user as the admin API takes it. */
export interface AdminUserBody {
  userPrincipalName: string;
  displayName?: string;
  mail?: string | null;
  otherMails?: string[];
  /** Default: SMTP:<mail> when mail is given. */
  proxyAddresses?: string[];
  userType?: "Member" | "Guest";
  accountEnabled?: boolean;
  usageLocation?: string | null;
  /** Has a mailbox in Exchange Online. */
  mailbox?: boolean;
  /** A B2B collaboration user of an earlier invitation (an external member when userType is
   * Member): redeemed (default) or pending, with an account of this home tenant. */
  external?: {
    homeTenantId: string;
    homeUserId?: string;
    externalUserState?: "Accepted" | "PendingAcceptance";
  };
}

function verifiedOrInitial(tenant: Tenant, domain: string): boolean {
  return (
    lower(domain) === lower(tenant.initialDomain) || tenant.domains.some((d) => lower(d) === lower(domain))
  );
}

/** A cloud user made the way the admin center makes one (or, with `external`, the user an earlier
 * B2B invitation left). Graph's rules that apply: the UPN's domain is one of the tenant's, UPNs
 * and proxy addresses are unique. */
export function createCloudUser(tenant: Tenant, b: AdminUserBody): EmulatedUser {
  const upn = b?.userPrincipalName;
  if (typeof upn !== "string" || !/^[^@\s]+@[^@\s]+$/.test(upn)) {
    throw bad("userPrincipalName is required (name@domain).");
  }
  if (!verifiedOrInitial(tenant, upn.split("@")[1])) {
    throw bad(
      `The domain of ${upn} is not verified in tenant ${tenant.id}; use ${tenant.initialDomain} or one of ${tenant.domains.join(", ")}.`,
    );
  }
  if (b.userType !== undefined && b.userType !== "Member" && b.userType !== "Guest") {
    throw bad("userType is Member or Guest.");
  }
  const proxyAddresses = b.proxyAddresses ?? (b.mail ? [`SMTP:${b.mail}`] : []);
  const addresses = [
    upn,
    ...(b.mail ? [b.mail] : []),
    ...proxyAddresses.map((p) => p.replace(/^smtp:/i, "")),
  ];
  for (const other of [...Object.values(tenant.users), ...Object.values(tenant.groups)]) {
    const taken = [
      lower(other.userPrincipalName),
      lower(other.mail),
      ...(Array.isArray(other.proxyAddresses)
        ? other.proxyAddresses.map((p) => lower(p).replace(/^smtp:/, ""))
        : []),
    ];
    const clash = addresses.find((a) => a && taken.includes(lower(a)));
    if (clash) throw new GraphHttpError(409, "Conflict", `${clash} is already held by object ${other.id}.`);
  }
  const now = timestamp();
  const id = randomUUID();
  const user: EmulatedUser = {
    id,
    userPrincipalName: upn,
    displayName: b.displayName ?? upn.split("@")[0],
    givenName: null,
    surname: null,
    mail: b.mail ?? null,
    mailNickname: upn.split("@")[0].replace(/#EXT#$/, ""),
    otherMails: b.otherMails ?? [],
    proxyAddresses,
    accountEnabled: b.accountEnabled ?? true,
    userType: b.userType ?? "Member",
    creationType: null,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    createdDateTime: now,
    identities: withUpnIdentity([], tenant.initialDomain, upn),
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    usageLocation: b.usageLocation ?? null,
    onPremisesSyncEnabled: null,
    onPremisesImmutableId: null,
    onPremisesSamAccountName: null,
    onPremisesUserPrincipalName: null,
    assignedLicenses: [],
    licenseAssignmentStates: [],
  };
  if (b.external) {
    const state = b.external.externalUserState ?? "Accepted";
    if (state !== "Accepted" && state !== "PendingAcceptance") {
      throw bad("external.externalUserState is Accepted or PendingAcceptance.");
    }
    user.creationType = "Invitation";
    user.externalUserState = state;
    user.externalUserStateChangeDateTime = now;
    if (state === "Accepted") {
      (user.identities as JsonObject[]).push({
        signInType: "federated",
        issuer: "ExternalAzureAD",
        issuerAssignedId: b.external.homeUserId ?? null,
      });
    }
  }
  tenant.users[id] = user;
  if (b.mailbox) setMailbox(tenant, user, true);
  return user;
}

export function registerAdminDirectory(
  app: FastifyInstance,
  http: GraphHttp,
  entraConnect: Map<string, EntraConnectSync>,
): void {
  const tenantOf = (req: FastifyRequest<{ Params: TenantParams }>) => {
    const tenant = http.store.tenant(req.params.tenantId);
    if (!tenant) throw notFound(req.params.tenantId);
    return tenant;
  };
  /** A change to what proxy calculation reads: every synced user's addresses are recalculated
   * at once, as a license change does (unv: Entra's timing). */
  const reprojectAll = (tenant: Tenant) => {
    for (const u of Object.values(tenant.users)) {
      if (u.onPremisesSyncEnabled === true) reprojectSyncedUser(tenant, u.id, entraConnect.get(tenant.id));
    }
  };

  app.post(
    "/_emulator/tenants/:tenantId/users",
    async (req: FastifyRequest<{ Params: TenantParams; Body: AdminUserBody }>, reply) => {
      const user = createCloudUser(tenantOf(req), req.body);
      http.store.save();
      return reply.code(201).send(user);
    },
  );

  /** The user's mailbox in Exchange Online: GET {exists}; PUT makes one; DELETE removes it. */
  app.get(
    "/_emulator/tenants/:tenantId/users/:userId/mailbox",
    async (req: FastifyRequest<{ Params: UserParams }>) => {
      const tenant = tenantOf(req);
      return { exists: hasMailbox(tenant, findUser(tenant, req.params.userId)) };
    },
  );
  for (const [method, exists] of [
    ["PUT", true],
    ["DELETE", false],
  ] as const) {
    app.route({
      method,
      url: "/_emulator/tenants/:tenantId/users/:userId/mailbox",
      handler: async (req: FastifyRequest<{ Params: UserParams }>, reply) => {
        const tenant = tenantOf(req);
        const user = findUser(tenant, req.params.userId);
        if (setMailbox(tenant, user, exists))
          reprojectSyncedUser(tenant, user.id, entraConnect.get(tenant.id));
        http.store.save();
        return reply.code(204).send();
      },
    });
  }

  /** The user signs in to this (resource) tenant with their home account: redeems their pending
   * invitation. `{consent: true}`: the user accepts the consent prompt if one appears. */
  app.post(
    "/_emulator/tenants/:tenantId/users/:userId/signIn",
    async (req: FastifyRequest<{ Params: UserParams; Body: { consent?: boolean } | undefined }>) =>
      signIn(http.store, tenantOf(req), req.params.userId, req.body?.consent === true),
  );

  /** B2B invitations: the settings, each user's latest invitation and the messages "sent". */
  app.get(
    "/_emulator/tenants/:tenantId/invitations",
    async (req: FastifyRequest<{ Params: TenantParams }>) => tenantOf(req).invitations,
  );
  /** `{automaticRedemption: "immediate" | "firstSignIn", externalIssuer: "ExternalAzureAD" |
   * "homeDomain"}`; both are (unv) choices, see state.ts. */
  app.patch(
    "/_emulator/tenants/:tenantId/invitations",
    async (
      req: FastifyRequest<{
        Params: TenantParams;
        Body: { automaticRedemption?: AutomaticRedemption; externalIssuer?: ExternalIssuer };
      }>,
    ) => {
      const tenant = tenantOf(req);
      const { automaticRedemption, externalIssuer, ...rest } = req.body ?? {};
      if (Object.keys(rest).length > 0) throw bad(`Unknown settings: ${Object.keys(rest).join(", ")}.`);
      if (automaticRedemption !== undefined && !AUTOMATIC_REDEMPTION.includes(automaticRedemption)) {
        throw bad(`automaticRedemption is one of ${AUTOMATIC_REDEMPTION.join(", ")}.`);
      }
      if (externalIssuer !== undefined && !EXTERNAL_ISSUERS.includes(externalIssuer)) {
        throw bad(`externalIssuer is one of ${EXTERNAL_ISSUERS.join(", ")}.`);
      }
      if (automaticRedemption) tenant.invitations.automaticRedemption = automaticRedemption;
      if (externalIssuer) tenant.invitations.externalIssuer = externalIssuer;
      http.store.save();
      return {
        automaticRedemption: tenant.invitations.automaticRedemption,
        externalIssuer: tenant.invitations.externalIssuer,
      };
    },
  );
  app.delete(
    "/_emulator/tenants/:tenantId/invitations/messages",
    async (req: FastifyRequest<{ Params: TenantParams }>, reply) => {
      tenantOf(req).invitations.messages = [];
      http.store.save();
      return reply.code(204).send();
    },
  );

  /** Verifies a domain in the tenant (`{name}`), as an administrator does with a DNS record. */
  app.post(
    "/_emulator/tenants/:tenantId/domains",
    async (req: FastifyRequest<{ Params: TenantParams; Body: { name?: string } }>, reply) => {
      const tenant = tenantOf(req);
      const name = lower(req.body?.name).trim();
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name))
        throw bad('Give the domain\'s name, e.g. {"name": "contoso.com"}.');
      if (lower(tenant.initialDomain) === name || tenant.domains.some((d) => lower(d) === name)) {
        throw new GraphHttpError(409, "Conflict", `${name} is already a domain of tenant ${tenant.id}.`);
      }
      // A domain is verified in one tenant only (unv: the emulator's simplification of Entra's rule).
      const holder = Object.values(http.store.state.tenants).find((t) =>
        t.domains.some((d) => lower(d) === name),
      );
      if (holder) throw new GraphHttpError(409, "Conflict", `${name} is verified in tenant ${holder.id}.`);
      tenant.domains.push(name);
      reprojectAll(tenant);
      http.store.save();
      return reply.code(201).send({ domains: tenant.domains });
    },
  );
  app.delete(
    "/_emulator/tenants/:tenantId/domains/:name",
    async (req: FastifyRequest<{ Params: TenantParams & { name: string } }>, reply) => {
      const tenant = tenantOf(req);
      const name = lower(req.params.name);
      if (!tenant.domains.some((d) => lower(d) === name)) throw notFound(name);
      tenant.domains = tenant.domains.filter((d) => lower(d) !== name);
      reprojectAll(tenant);
      http.store.save();
      return reply.code(204).send();
    },
  );
}
