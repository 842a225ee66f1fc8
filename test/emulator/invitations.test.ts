// Inviting external addresses as guests, deleting users and reading a user's group memberships in
// the emulator, through the Graph client with tokens of apps registered the way the portal does.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import * as path from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { CsdlModel } from "../../emulator/csdl";
import { certDerBase64, createClientCertificate, writeCredentialPem } from "../../emulator/pki";
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

    it("refuses addresses of the tenant's own domains, bad bodies, and an existing internal user (not modelled yet)", async () => {
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
      const internal = await graphError(invite(external(), { invitedUser: { id: randomUUID() } }));
      assert.equal(internal.status, 400);
      assert.match(internal.graphMessage, /does not model inviting an existing internal user/);
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
