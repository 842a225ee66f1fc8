// Inviting external addresses as guests, deleting users and reading a user's group memberships in
// the emulator, through the Graph client with tokens of apps registered the way the portal does.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import * as path from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { CsdlModel } from "../../emulator/csdl";
import { certDerBase64, createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { SKU_FIXTURES } from "../../emulator/skus";
import { SYNCED_OBJECT_READ_ONLY } from "../../emulator/users";
import { GraphClient } from "../../lib/graph/client";
import { graphError } from "../support/graphError";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

const GUEST_PROPERTIES =
  "$select=id,userPrincipalName,displayName,mail,otherMails,proxyAddresses,userType,externalUserState,creationType,accountEnabled,identities";

describe("emulator: invitations and user deletion", () => {
  let pair: TenantPairUnderTest;
  /** The deployer: reads users (User.Read.All) and manages groups, but cannot invite or delete. */
  let deployer: GraphClient;
  /** An app with User.Invite.All only. */
  let inviter: GraphClient;
  /** An app with User.DeleteRestore.All and User.Read.All. */
  let cleaner: GraphClient;
  let initialDomain: string;

  /** An app registered through the admin API (the portal), with a Graph client of its own. */
  const appWith = async (name: string, roles: string[]): Promise<GraphClient> => {
    const kc = createClientCertificate(name);
    const pemPath = path.join(workDir("invite-certs"), `${name}.pem`);
    writeCredentialPem(pemPath, kc);
    const registered = (await emulatorAdmin(pair, "source", "POST", "/applications", {
      displayName: name,
      certificateDer: [certDerBase64(kc.certPem)],
      roles,
    })) as GraphJson;
    const tenantId = pair.connections.source.tenantId;
    return new GraphClient(
      tenantId,
      new ClientCertificateCredential(tenantId, registered.appId, pemPath, {
        authorityHost: pair.cloud.authorityHost,
        disableInstanceDiscovery: true,
      }),
      { ...pair.cloud, disableInstanceDiscovery: true },
      { retryDelaySeconds: 1 },
    );
  };
  const invite = (address: string, extra: Record<string, unknown> = {}, client = inviter) =>
    client.post<GraphJson>("/invitations", {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: "https://myapps.microsoft.com",
      sendInvitationMessage: false,
      ...extra,
    });
  const external = () => `guest-${randomUUID().slice(0, 8)}@partner-${randomUUID().slice(0, 4)}.example`;

  before(async () => {
    // About invitations, not replication (replication.test.ts): new objects are seen at once.
    pair = await emulatedPair(undefined, {}, { replicationDelayMs: 0 });
    deployer = pair.graph("source");
    inviter = await appWith("inviter", ["User.Invite.All"]);
    cleaner = await appWith("cleaner", ["User.DeleteRestore.All", "User.Read.All"]);
    const tenant = pair.emulator?.store.tenant(pair.connections.source.tenantId);
    assert.ok(tenant);
    initialDomain = tenant.initialDomain;
  });
  after(async () => pair.close());

  describe("POST /invitations", () => {
    it("answers 201 with Graph's invitation and creates a guest user pending acceptance", async () => {
      const address = external();
      const invitation = await invite(address, { invitedUserDisplayName: "Alex Partner" });
      assert.match(invitation["@odata.context"], /\$metadata#invitations\/\$entity$/);
      const known = new Set([...CsdlModel.load().propertyNames("microsoft.graph.invitation"), "invitedUser"]);
      for (const key of Object.keys(invitation)) if (!key.startsWith("@")) assert.ok(known.has(key), key);
      assert.match(invitation.id, /^[0-9a-f-]{36}$/);
      assert.equal(invitation.invitedUserEmailAddress, address);
      assert.equal(invitation.invitedUserDisplayName, "Alex Partner");
      assert.equal(invitation.inviteRedirectUrl, "https://myapps.microsoft.com");
      assert.equal(invitation.sendInvitationMessage, false);
      assert.equal(invitation.resetRedemption, false);
      assert.equal(invitation.invitedUserType, "Guest");
      assert.equal(invitation.status, "PendingAcceptance");
      assert.match(invitation.inviteRedeemUrl, /^https:\/\/.+\/redeem\?rd=/);

      const guest = await deployer.get<GraphJson>(`/users/${invitation.invitedUser.id}?${GUEST_PROPERTIES}`);
      assert.equal(guest.userType, "Guest");
      assert.equal(guest.externalUserState, "PendingAcceptance");
      assert.equal(guest.creationType, "Invitation");
      assert.equal(guest.mail, address);
      assert.deepEqual(guest.otherMails, [address]);
      assert.equal(guest.accountEnabled, true);
      assert.equal(guest.displayName, "Alex Partner");
      assert.equal(guest.userPrincipalName, `${address.replace("@", "_")}#EXT#@${initialDomain}`);
      assert.deepEqual(guest.proxyAddresses, [`SMTP:${address}`]);
      const guests = await deployer.list<GraphJson>("/users?$filter=userType eq 'Guest'&$select=id");
      assert.ok(guests.some((g) => g.id === guest.id));
    });

    it("inviting the same address again answers for the same guest", async () => {
      const address = external();
      const first = await invite(address);
      const second = await invite(address.toUpperCase());
      assert.equal(second.invitedUser.id, first.invitedUser.id);
      assert.notEqual(second.id, first.id);
      const withMail = await deployer.list<GraphJson>(`/users?$filter=mail eq '${address}'&$select=id`);
      assert.deepEqual(
        withMail.map((u) => u.id),
        [first.invitedUser.id],
      );
    });

    it("refuses addresses of the tenant's own domains, bad bodies, and an unknown invitedUser", async () => {
      for (const address of [`someone@${pair.connections.source.domain}`, `someone@${initialDomain}`]) {
        const err = await graphError(invite(address));
        assert.equal(err.status, 400, address);
      }
      assert.equal((await graphError(invite("not-an-address"))).status, 400);
      assert.equal(
        (await graphError(inviter.post("/invitations", { invitedUserEmailAddress: external() }))).status,
        400,
        "inviteRedirectUrl is required",
      );
      const unknown = await graphError(invite(external(), { colour: "blue" }));
      assert.equal(unknown.status, 400);
      assert.match(unknown.graphMessage, /'colour' does not exist on type 'microsoft.graph.invitation'/);
      const missing = randomUUID();
      const internal = await graphError(invite(external(), { invitedUser: { id: missing } }));
      assert.equal(internal.status, 404);
      assert.equal(internal.code, "Request_ResourceNotFound");
      assert.match(internal.graphMessage, new RegExp(`Resource '${missing}' does not exist`));
      for (const bad of [
        "a!b@partner.example",
        "a,b@partner.example",
        ".ab@partner.example",
        "ab-@partner.example",
      ]) {
        const err = await graphError(invite(bad));
        assert.equal(err.status, 400, bad);
        assert.equal(err.code, "Request_BadRequest", bad);
        assert.equal(
          err.graphMessage,
          "Invalid value specified for property 'invitedUserEmailAddress' of resource 'Invitation'.",
          bad,
        );
      }
      assert.equal(
        (await invite(`a_b.c-d@partner-${randomUUID().slice(0, 4)}.example`)).status,
        "PendingAcceptance",
      );
    });

    it("needs User.Invite.All, User.ReadWrite.All or Directory.ReadWrite.All", async () => {
      const err = await graphError(invite(external(), {}, deployer));
      assert.equal(err.status, 403);
      assert.equal(err.code, "Authorization_RequestDenied");
    });
  });

  describe("users", () => {
    it("lists the groups a user is a direct member of; without group permissions, with id and type only", async () => {
      const invitation = await invite(external());
      const userId = invitation.invitedUser.id;
      const group = await deployer.post<GraphJson>("/groups", {
        displayName: "partners",
        mailEnabled: false,
        mailNickname: `partners-${randomUUID().slice(0, 6)}`,
        securityEnabled: true,
      });
      await deployer.post(`/groups/${group.id}/members/$ref`, {
        "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/directoryObjects/${userId}`,
      });
      const full = await deployer.get<GraphJson>(`/users/${userId}/memberOf`);
      assert.equal(full.value.length, 1);
      assert.equal(full.value[0]["@odata.type"], "#microsoft.graph.group");
      assert.equal(full.value[0].id, group.id);
      assert.equal(full.value[0].displayName, "partners");
      assert.equal(full.value[0].securityEnabled, true);
      const limited = await cleaner.get<GraphJson>(`/users/${userId}/memberOf`);
      assert.equal(limited.value[0].id, group.id);
      assert.equal(limited.value[0].displayName, null);
      assert.equal((await graphError(inviter.get(`/users/${userId}/memberOf`))).status, 403);
    });

    it("deletes a cloud user (204), who leaves its groups; refuses a synced user and callers without the permission", async () => {
      const invitation = await invite(external());
      const userId = invitation.invitedUser.id;
      const group = await deployer.post<GraphJson>("/groups", {
        displayName: "to leave",
        mailEnabled: false,
        mailNickname: `leave-${randomUUID().slice(0, 6)}`,
        securityEnabled: true,
      });
      await deployer.post(`/groups/${group.id}/members/$ref`, {
        "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/directoryObjects/${userId}`,
      });
      const denied = await graphError(deployer.delete(`/users/${userId}`));
      assert.equal(denied.status, 403, "User.Read.All does not delete");
      assert.equal((await graphError(inviter.delete(`/users/${userId}`))).status, 403);

      await cleaner.delete(`/users/${userId}`);
      assert.equal((await graphError(deployer.get(`/users/${userId}`))).status, 404);
      assert.equal((await graphError(cleaner.delete(`/users/${userId}`))).status, 404);
      assert.equal((await deployer.get<GraphJson>(`/groups/${group.id}/members`)).value.length, 0);

      const synced = (await emulatorAdmin(pair, "source", "POST", "/entraConnect/users", {
        immutableId: randomBytes(16).toString("base64"),
        samAccountName: "onprem",
        userPrincipalName: `onprem@${pair.connections.source.domain}`,
        displayName: "On Prem",
      })) as GraphJson;
      const refused = await graphError(cleaner.delete(`/users/${synced.id}`));
      assert.equal(refused.status, 400);
      assert.equal(refused.graphMessage, SYNCED_OBJECT_READ_ONLY);
      assert.equal((await deployer.get<GraphJson>(`/users/${synced.id}`)).id, synced.id);
    });
  });
});

// Inviting an existing user (invitedUser): the B2B conversion of seed 000's "Enabling B2B
// Collaboration", with Entra's rules, and redemption between the two emulated tenants: the source
// tenant invites (the resource tenant); the target tenant is the invitee's home.
describe("emulator: invitations of existing internal users to B2B collaboration (invitedUser)", () => {
  let pair: TenantPairUnderTest;
  /** User.Read.All (the deployer). */
  let reader: GraphClient;
  /** User.Invite.All only. */
  let inviter: GraphClient;
  /** User.Invite.All and User.ReadWrite.All: may reset redemption. */
  let resetter: GraphClient;
  let sourceId: string;
  let targetId: string;
  let sourceDomain: string;
  let targetDomain: string;

  const USER_PROPERTIES =
    "$select=id,userPrincipalName,userType,mail,otherMails,externalUserState,externalUserStateChangeDateTime,identities,creationType,onPremisesUserPrincipalName";
  const admin = async (role: "source" | "target", method: string, path: string, body?: unknown) =>
    (await emulatorAdmin(pair, role, method, path, body)) as GraphJson;
  const readUser = (id: string) => reader.get<GraphJson>(`/users/${id}?${USER_PROPERTIES}`);
  const inviteUser = (
    userId: string,
    address: string,
    extra: Record<string, unknown> = {},
    client = inviter,
  ) =>
    client.post<GraphJson>("/invitations", {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: "https://myapps.microsoft.com",
      sendInvitationMessage: false,
      invitedUser: { id: userId },
      ...extra,
    });
  /** The partner entries' automatic redemption: inbound in the source (the resource tenant) for
   * the target, outbound in the target (the home tenant) for the source. */
  const automaticRedemption = async (inbound: boolean, outbound: boolean) => {
    await admin("source", "PATCH", `/crossTenantAccessPolicy/partners/${targetId}`, {
      automaticUserConsentSettings: { inboundAllowed: inbound, outboundAllowed: false },
    });
    await admin("target", "PATCH", `/crossTenantAccessPolicy/partners/${sourceId}`, {
      automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: outbound },
    });
  };
  const completion = (automaticRedemption: "immediate" | "firstSignIn") =>
    admin("source", "PATCH", "/invitations", { automaticRedemption });
  const messagesFor = async (invitationId: string) =>
    ((await admin("source", "GET", "/invitations")).messages as GraphJson[]).filter(
      (m) => m.invitationId === invitationId,
    );
  /** A source user prepared as seed 000 says (mail and primary SMTP = the target address), and
   * (unless `home: false`) that person's account in the target tenant. */
  const reachBackUser = async (
    options: { home?: boolean; homeExternal?: boolean; source?: Record<string, unknown> } = {},
  ) => {
    const name = `u${randomUUID().slice(0, 8)}`;
    const address = `${name}@${targetDomain}`;
    const home =
      options.home === false
        ? undefined
        : await admin("target", "POST", "/users", {
            userPrincipalName: address,
            mail: address,
            ...(options.homeExternal ? { external: { homeTenantId: sourceId } } : {}),
          });
    const user = await admin("source", "POST", "/users", {
      userPrincipalName: `${name}@${sourceDomain}`,
      mail: address,
      proxyAddresses: [`SMTP:${address}`, `smtp:${name}@${sourceDomain}`],
      ...options.source,
    });
    return { user, address, home };
  };
  const signIn = (userId: string, consent?: boolean) =>
    admin("source", "POST", `/users/${userId}/signIn`, consent === undefined ? undefined : { consent });
  /** Every refusal leaves the user as it was: no invitation, no B2B state. */
  const untouched = async (userId: string) => {
    const user = await readUser(userId);
    assert.equal(user.externalUserState, null);
    assert.ok(!user.identities.some((i: GraphJson) => i.signInType === "federated"));
    assert.equal((await admin("source", "GET", "/invitations")).byUser[userId], undefined);
  };
  /** An app registered in `role`'s tenant through the admin API, with a Graph client of its own. */
  const appWith = async (name: string, roles: string[], role: "source" | "target" = "source") => {
    const tenantId = pair.connections[role].tenantId;
    const kc = createClientCertificate(name);
    const pemPath = path.join(workDir("invite-internal-certs"), `${name}.pem`);
    writeCredentialPem(pemPath, kc);
    const registered = await admin(role, "POST", "/applications", {
      displayName: name,
      certificateDer: [certDerBase64(kc.certPem)],
      roles,
    });
    return new GraphClient(
      tenantId,
      new ClientCertificateCredential(tenantId, registered.appId, pemPath, {
        authorityHost: pair.cloud.authorityHost,
        disableInstanceDiscovery: true,
      }),
      { ...pair.cloud, disableInstanceDiscovery: true },
      { retryDelaySeconds: 1 },
    );
  };

  before(async () => {
    pair = await emulatedPair(undefined, {}, { replicationDelayMs: 0 });
    reader = pair.graph("source");
    sourceId = pair.connections.source.tenantId;
    targetId = pair.connections.target.tenantId;
    sourceDomain = pair.connections.source.domain;
    targetDomain = pair.connections.target.domain;
    inviter = await appWith("inviter", ["User.Invite.All"]);
    resetter = await appWith("resetter", ["User.Invite.All", "User.ReadWrite.All"]);
    await admin("source", "POST", "/crossTenantAccessPolicy/partners", { tenantId: targetId });
    await admin("target", "POST", "/crossTenantAccessPolicy/partners", { tenantId: sourceId });
  });
  after(async () => pair.close());
  beforeEach(async () => {
    await automaticRedemption(false, false);
    await completion("immediate");
    await admin("source", "PATCH", "/invitations", { externalIssuer: "ExternalAzureAD" });
  });

  describe("the invitation and the user, before and after redemption", () => {
    it("without automatic redemption: 201 PendingAcceptance, the user stays a Member with its id and UPN, and only the user's consent at sign-in redeems", async () => {
      const { user, address, home } = await reachBackUser();
      const before = await readUser(user.id);
      assert.equal(before.userType, "Member");
      assert.equal(before.externalUserState, null);
      assert.equal(before.externalUserStateChangeDateTime, null);
      assert.deepEqual(before.identities, [
        {
          signInType: "userPrincipalName",
          issuer: pair.emulator?.store.tenant(sourceId)?.initialDomain,
          issuerAssignedId: user.userPrincipalName,
        },
      ]);

      const invitation = await inviteUser(user.id, address);
      assert.match(invitation["@odata.context"], /\$metadata#invitations\/\$entity$/);
      const known = new Set([...CsdlModel.load().propertyNames("microsoft.graph.invitation"), "invitedUser"]);
      for (const key of Object.keys(invitation)) if (!key.startsWith("@")) assert.ok(known.has(key), key);
      assert.equal(invitation.status, "PendingAcceptance");
      assert.deepEqual(invitation.invitedUser, { id: user.id });
      assert.equal(invitation.invitedUserType, "Member", "the conversion keeps the user's userType");
      assert.equal(invitation.invitedUserEmailAddress, address);
      assert.equal(invitation.sendInvitationMessage, false);
      assert.equal(invitation.resetRedemption, false);
      assert.match(invitation.inviteRedeemUrl, /^https:\/\/.+\/redeem\?rd=/);
      assert.deepEqual(await messagesFor(invitation.id), [], "sendInvitationMessage false: no email");

      const pending = await readUser(user.id);
      assert.equal(pending.id, user.id);
      assert.equal(pending.userPrincipalName, user.userPrincipalName);
      assert.equal(pending.userType, "Member");
      assert.equal(pending.creationType, null);
      assert.equal(pending.externalUserState, "PendingAcceptance");
      assert.match(pending.externalUserStateChangeDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(pending.identities, before.identities);

      const declined = await signIn(user.id);
      assert.equal(declined.redeemed, false);
      assert.equal(declined.consentPrompted, true);
      assert.equal((await readUser(user.id)).externalUserState, "PendingAcceptance");

      const accepted = await signIn(user.id, true);
      assert.equal(accepted.redeemed, true);
      assert.equal(accepted.consentPrompted, true);
      const after = await readUser(user.id);
      assert.equal(after.userType, "Member");
      assert.equal(after.userPrincipalName, user.userPrincipalName);
      assert.equal(after.externalUserState, "Accepted");
      assert.deepEqual(after.identities, [
        ...before.identities,
        { signInType: "federated", issuer: "ExternalAzureAD", issuerAssignedId: home.id },
      ]);
      assert.match(await adminFailure(() => signIn(user.id, true)), /409 .*no invitation pending acceptance/);
    });

    it("with automatic redemption on both sides, completed at once: 201 Completed, Accepted, an ExternalAzureAD identity, and a notification instead of an invitation email", async () => {
      await automaticRedemption(true, true);
      const { user, address, home } = await reachBackUser();
      const invitation = await inviteUser(user.id, address, { sendInvitationMessage: true });
      assert.equal(invitation.status, "Completed");
      const after = await readUser(user.id);
      assert.equal(after.userType, "Member");
      assert.equal(after.externalUserState, "Accepted");
      assert.ok(after.externalUserStateChangeDateTime);
      assert.deepEqual(
        after.identities.filter((i: GraphJson) => i.signInType === "federated"),
        [{ signInType: "federated", issuer: "ExternalAzureAD", issuerAssignedId: home.id }],
      );
      assert.deepEqual(
        (await messagesFor(invitation.id)).map((m) => [m.kind, m.to]),
        [["notification", address]],
      );
    });

    it("with automatic redemption on both sides, completed at first sign-in: PendingAcceptance until the user signs in, then Accepted without a consent prompt", async () => {
      await automaticRedemption(true, true);
      await completion("firstSignIn");
      const { user, address } = await reachBackUser();
      const invitation = await inviteUser(user.id, address);
      assert.equal(invitation.status, "PendingAcceptance");
      assert.equal((await readUser(user.id)).externalUserState, "PendingAcceptance");
      const first = await signIn(user.id);
      assert.equal(first.redeemed, true);
      assert.equal(first.consentPrompted, false);
      const after = await readUser(user.id);
      assert.equal(after.externalUserState, "Accepted");
      assert.ok(after.identities.some((i: GraphJson) => i.issuer === "ExternalAzureAD"));
      const record = (await admin("source", "GET", "/invitations")).byUser[user.id];
      assert.equal(record.id, invitation.id);
      assert.equal(record.status, "Completed");
    });

    it("automatic redemption needs both tenants: inbound alone or outbound alone leaves the invitation pending and the sign-in prompted", async () => {
      for (const [inbound, outbound] of [
        [true, false],
        [false, true],
      ] as const) {
        await automaticRedemption(inbound, outbound);
        const { user, address } = await reachBackUser();
        const invitation = await inviteUser(user.id, address);
        assert.equal(invitation.status, "PendingAcceptance", `inbound ${inbound}, outbound ${outbound}`);
        const signedIn = await signIn(user.id);
        assert.deepEqual([signedIn.redeemed, signedIn.consentPrompted], [false, true]);
        assert.match(signedIn.reason, /not allowed on both sides/);
      }
    });

    it("a home account that is still an external member (an earlier B2B) is not redeemed automatically: the user must accept (seed 000's order of operations)", async () => {
      await automaticRedemption(true, true);
      const { user, address } = await reachBackUser({ homeExternal: true });
      const invitation = await inviteUser(user.id, address);
      assert.equal(invitation.status, "PendingAcceptance");
      const signedIn = await signIn(user.id);
      assert.deepEqual([signedIn.redeemed, signedIn.consentPrompted], [false, true]);
      assert.match(signedIn.reason, /external user/);
      assert.equal((await signIn(user.id, true)).redeemed, true);
    });

    it("the issuer option: the home tenant's domain instead of ExternalAzureAD", async () => {
      await automaticRedemption(true, true);
      await admin("source", "PATCH", "/invitations", { externalIssuer: "homeDomain" });
      const { user, address } = await reachBackUser();
      await inviteUser(user.id, address);
      const federated = (await readUser(user.id)).identities.filter(
        (i: GraphJson) => i.signInType === "federated",
      );
      assert.deepEqual(
        federated.map((i: GraphJson) => i.issuer),
        [targetDomain],
      );
    });

    it("inviting a redeemed user again answers Completed and changes nothing", async () => {
      await automaticRedemption(true, true);
      const { user, address } = await reachBackUser();
      await inviteUser(user.id, address);
      const redeemed = await readUser(user.id);
      const again = await inviteUser(user.id, address);
      assert.equal(again.status, "Completed");
      assert.deepEqual(await readUser(user.id), redeemed);
    });

    it("sendInvitationMessage true without automatic redemption sends the invitation email", async () => {
      const { user, address } = await reachBackUser();
      const invitation = await inviteUser(user.id, address, { sendInvitationMessage: true });
      assert.equal(invitation.sendInvitationMessage, true);
      assert.deepEqual(
        (await messagesFor(invitation.id)).map((m) => [m.kind, m.to]),
        [["invitation", address]],
      );
    });
  });

  describe("the rules: each refusal is Graph's error, and nothing is written", () => {
    it("mail must already be the invited address", async () => {
      const { user } = await reachBackUser();
      const other = `someone-else@${targetDomain}`;
      const err = await graphError(inviteUser(user.id, other));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.match(err.graphMessage, new RegExp(`${other} must be the mail property of user ${user.id}`));
      assert.ok(err.requestId);
      await untouched(user.id);
    });

    it("the address must not be in a domain verified in the inviting tenant", async () => {
      const name = `v${randomUUID().slice(0, 8)}`;
      const address = `${name}@${sourceDomain}`;
      const user = await admin("source", "POST", "/users", { userPrincipalName: address, mail: address });
      const err = await graphError(inviteUser(user.id, address));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.equal(
        err.graphMessage,
        "User's email address cannot be in a verified domain. Please change the user's email to enable conversion to a B2B user.",
      );
      await untouched(user.id);
      // A domain verified later (through the admin API) is refused as well.
      const later = `later-${randomUUID().slice(0, 6)}.example`;
      const { user: u2 } = await reachBackUser({
        home: false,
        source: { mail: `x@${later}`, proxyAddresses: [] },
      });
      await admin("source", "POST", "/domains", { name: later });
      assert.equal((await graphError(inviteUser(u2.id, `x@${later}`))).status, 400);
      await untouched(u2.id);
    });

    it("no other object may hold the address (proxyAddresses are unique)", async () => {
      const { user, address } = await reachBackUser();
      // A synced user whose on-premises proxyAddresses carry the address too (Entra Connect
      // projects it; the admin API's own uniqueness check would refuse it).
      const name = `holder-${randomUUID().slice(0, 6)}`;
      const clash = await admin("source", "POST", "/entraConnect/users", {
        immutableId: randomBytes(16).toString("base64"),
        samAccountName: name,
        userPrincipalName: `${name}@${sourceDomain}`,
        proxyAddresses: [`SMTP:${name}@${sourceDomain}`, `smtp:${address.toUpperCase()}`],
      });
      const err = await graphError(inviteUser(user.id, address));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.equal(
        err.graphMessage,
        `The invited user already exists in the directory as objectID: ${clash.id}. They can use that account to sign in to shared apps and resources.`,
      );
      await untouched(user.id);
    });

    it("a user with a mailbox in Exchange Online is refused, and its mail cannot be set to an external address", async () => {
      const { user, address } = await reachBackUser({ source: { mailbox: true } });
      assert.deepEqual(await admin("source", "GET", `/users/${user.id}/mailbox`), { exists: true });
      const err = await graphError(inviteUser(user.id, address));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.match(err.graphMessage, new RegExp(`User ${user.id} has a mailbox in Exchange Online`));
      await untouched(user.id);
      const patch = await graphError(resetter.patch(`/users/${user.id}`, { mail: `other@${targetDomain}` }));
      assert.equal(patch.status, 400);
      assert.match(patch.graphMessage, /has a mailbox in Exchange Online: its mail cannot be set/);
      await admin("source", "DELETE", `/users/${user.id}/mailbox`);
      assert.deepEqual(await admin("source", "GET", `/users/${user.id}/mailbox`), { exists: false });
      assert.equal((await inviteUser(user.id, address)).status, "PendingAcceptance");
    });

    it("a synced user carrying onPremisesUserPrincipalName is refused until Entra Connect's rule leaves it out; the B2B state survives later syncs", async () => {
      const name = `s${randomUUID().slice(0, 8)}`;
      const address = `${name}@${targetDomain}`;
      const onPrem = {
        immutableId: randomBytes(16).toString("base64"),
        samAccountName: name,
        userPrincipalName: `${name}@${sourceDomain}`,
        displayName: name,
        mail: address,
        proxyAddresses: [`SMTP:${address}`],
      };
      const synced = await admin("source", "POST", "/entraConnect/users", onPrem);
      assert.equal((await readUser(synced.id)).onPremisesUserPrincipalName, onPrem.userPrincipalName);
      assert.equal((await readUser(synced.id)).mail, address, "a mail user keeps the unverified address");
      const err = await graphError(inviteUser(synced.id, address));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.match(err.graphMessage, /^Invalid request input\./);
      assert.match(err.graphMessage, /onPremisesUserPrincipalName/);
      await untouched(synced.id);

      await admin("source", "PATCH", "/entraConnect/settings", { writeOnPremisesUserPrincipalName: false });
      try {
        await admin("source", "POST", "/entraConnect/users", onPrem);
        assert.equal((await readUser(synced.id)).onPremisesUserPrincipalName, null);
        await automaticRedemption(true, true);
        await admin("target", "POST", "/users", { userPrincipalName: address, mail: address });
        assert.equal((await inviteUser(synced.id, address)).status, "Completed");
        // The B2B state is cloud-mastered: the next sync keeps it.
        await admin("source", "POST", "/entraConnect/users", onPrem);
        const resynced = await readUser(synced.id);
        assert.equal(resynced.externalUserState, "Accepted");
        assert.ok(resynced.identities.some((i: GraphJson) => i.issuer === "ExternalAzureAD"));
      } finally {
        await admin("source", "PATCH", "/entraConnect/settings", { writeOnPremisesUserPrincipalName: true });
      }
    });

    it("resetRedemption needs invitedUser", async () => {
      const { address } = await reachBackUser();
      const err = await graphError(
        resetter.post("/invitations", {
          invitedUserEmailAddress: address,
          inviteRedirectUrl: "https://myapps.microsoft.com",
          resetRedemption: true,
        }),
      );
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
      assert.equal(
        err.graphMessage,
        "Invalid value specified for property 'invitedUser' of resource 'Invitation'.",
      );
    });

    it("invitedUser is read as a user (CSDL): a value of the wrong type is refused as Graph refuses it", async () => {
      const { user, address } = await reachBackUser();
      const cases: Array<[unknown, string]> = [
        [
          { id: user.id, accountEnabled: "yes" },
          "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'.",
        ],
        [
          user.id,
          "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. A 'StartObject' node was expected.",
        ],
      ];
      for (const [invitedUser, message] of cases) {
        const err = await graphError(
          inviter.post("/invitations", {
            invitedUserEmailAddress: address,
            inviteRedirectUrl: "https://myapps.microsoft.com",
            invitedUser,
          }),
        );
        assert.equal(err.status, 400);
        assert.equal(err.code, "Request_BadRequest");
        assert.equal(err.graphMessage, message);
      }
      await untouched(user.id);
    });
  });

  describe("permissions", () => {
    it("403 without User.Invite.All (or a higher permission)", async () => {
      const { user, address } = await reachBackUser();
      const err = await graphError(inviteUser(user.id, address, {}, reader));
      assert.equal(err.status, 403);
      assert.equal(err.code, "Authorization_RequestDenied");
      assert.equal(err.graphMessage, "Insufficient privileges to complete the operation.");
      await untouched(user.id);
    });

    it("resetting a redemption needs User.ReadWrite.All; the reset keeps the object and asks for a new redemption", async () => {
      await automaticRedemption(true, true);
      const { user, address } = await reachBackUser();
      await inviteUser(user.id, address);
      assert.equal((await readUser(user.id)).externalUserState, "Accepted");
      const newAddress = `new-${randomUUID().slice(0, 6)}@${targetDomain}`;
      await admin("target", "POST", "/users", { userPrincipalName: newAddress, mail: newAddress });
      await resetter.patch(`/users/${user.id}`, { otherMails: [newAddress] });

      const denied = await graphError(inviteUser(user.id, newAddress, { resetRedemption: true }));
      assert.equal(denied.status, 403);
      assert.equal(denied.code, "Authorization_RequestDenied");
      assert.equal((await readUser(user.id)).externalUserState, "Accepted");

      await automaticRedemption(false, false);
      const reset = await inviteUser(user.id, newAddress, { resetRedemption: true }, resetter);
      assert.equal(reset.resetRedemption, true);
      assert.equal(reset.status, "PendingAcceptance");
      assert.deepEqual(reset.invitedUser, { id: user.id });
      const after = await readUser(user.id);
      assert.equal(after.id, user.id);
      assert.equal(after.userPrincipalName, user.userPrincipalName);
      assert.equal(after.externalUserState, "PendingAcceptance");
      assert.ok(!after.identities.some((i: GraphJson) => i.signInType === "federated"));
    });
  });

  describe("the target tenant's estate through the admin API and Graph", () => {
    it("GET /domains lists the initial and the verified domains; a domain verified through the admin API appears", async () => {
      const userReader = await appWith("user-reader", ["User.Read.All"], "target");
      const denied = await graphError(userReader.get("/domains"));
      assert.equal(denied.status, 403, "User.Read.All does not read domains");
      assert.equal(denied.code, "Authorization_RequestDenied");
      const domainReader = await appWith("domain-reader", ["Domain.Read.All"], "target");
      const added = `added-${randomUUID().slice(0, 6)}.example`;
      await admin("target", "POST", "/domains", { name: added });
      const domains = await domainReader.get<GraphJson>("/domains");
      const byId = new Map<string, GraphJson>(domains.value.map((d: GraphJson) => [d.id, d]));
      const initial = pair.emulator?.store.tenant(targetId)?.initialDomain ?? "";
      assert.equal(byId.get(initial)?.isInitial, true);
      assert.equal(byId.get(targetDomain)?.isVerified, true);
      assert.equal(byId.get(targetDomain)?.isDefault, true);
      assert.equal(byId.get(added)?.isVerified, true);
      const one = await domainReader.get<GraphJson>(`/domains/${added}?$select=id,isVerified`);
      assert.deepEqual({ id: one.id, isVerified: one.isVerified }, { id: added, isVerified: true });
    });

    it("a direct license's disabledPlans change in place in one assignLicense, and proxy calculation follows (the directly licensed reach-back user)", async () => {
      const name = `d${randomUUID().slice(0, 8)}`;
      const address = `${name}@${targetDomain}`;
      const synced = await admin("source", "POST", "/entraConnect/users", {
        immutableId: randomBytes(16).toString("base64"),
        samAccountName: name,
        userPrincipalName: `${name}@${sourceDomain}`,
        mail: address,
        proxyAddresses: [`SMTP:${address}`, `smtp:${name}@${sourceDomain}`],
      });
      assert.equal((await readUser(synced.id)).mail, address);
      const e5 = SKU_FIXTURES.SPE_E5;
      await resetter.post(`/users/${synced.id}/assignLicense`, {
        addLicenses: [{ skuId: e5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      assert.notEqual(
        (await readUser(synced.id)).mail,
        address,
        "an Exchange Online plan scrubs the address",
      );
      const allPlans = e5.servicePlans.map((p) => p.servicePlanId);
      await resetter.post(`/users/${synced.id}/assignLicense`, {
        addLicenses: [{ skuId: e5.skuId, disabledPlans: allPlans }],
        removeLicenses: [],
      });
      const licensed = await reader.get<GraphJson>(
        `/users/${synced.id}?$select=assignedLicenses,licenseAssignmentStates,mail`,
      );
      assert.deepEqual(licensed.assignedLicenses, [{ skuId: e5.skuId, disabledPlans: allPlans }]);
      assert.deepEqual(
        licensed.licenseAssignmentStates.map((st: GraphJson) => [st.skuId, st.assignedByGroup, st.state]),
        [[e5.skuId, null, "Active"]],
      );
      assert.equal(licensed.mail, address, "with every plan disabled the address survives");
    });

    it("admin-made users: internal members, and external members of an earlier B2B", async () => {
      const internal = await admin("target", "POST", "/users", {
        userPrincipalName: `m-${randomUUID().slice(0, 6)}@${targetDomain}`,
      });
      const external = await admin("target", "POST", "/users", {
        userPrincipalName: `x-${randomUUID().slice(0, 6)}@${targetDomain}`,
        external: { homeTenantId: sourceId, homeUserId: randomUUID() },
      });
      const read = (id: string) => pair.graph("target").get<GraphJson>(`/users/${id}?${USER_PROPERTIES}`);
      const i = await read(internal.id);
      assert.deepEqual([i.userType, i.externalUserState, i.creationType], ["Member", null, null]);
      const x = await read(external.id);
      assert.deepEqual(
        [x.userType, x.externalUserState, x.creationType],
        ["Member", "Accepted", "Invitation"],
      );
      assert.ok(x.identities.some((id: GraphJson) => id.issuer === "ExternalAzureAD"));
      const refused = await adminFailure(() =>
        admin("target", "POST", "/users", {
          userPrincipalName: `nope@unverified-${randomUUID().slice(0, 4)}.example`,
        }),
      );
      assert.match(refused, /400 .*is not verified in tenant/);
    });
  });
});

/** The message of an admin call that must fail. */
async function adminFailure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the admin call to fail");
}
