// App registrations, service principals and app role assignments in the emulator, driven as the
// automation-access provider drives real Graph: through the Graph client as the deployer, and
// with tokens obtained by @azure/identity's ClientCertificateCredential for the app it creates.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { grantedGraphRoles, servicePrincipalByAppId } from "../../emulator/applicationObjects";
import { CsdlModel } from "../../emulator/csdl";
import { MICROSOFT_GRAPH_APP_ID } from "../../emulator/graphAppRoles";
import { certDerBase64, createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { Store } from "../../emulator/state";
import { GraphClient } from "../../lib/graph/client";
import { graphError } from "../support/graphError";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

const csdl = CsdlModel.load();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every property of a Graph answer is one the CSDL type declares. */
function assertDeclared(type: string, o: GraphJson): void {
  const known = new Set(csdl.propertyNames(type));
  for (const key of Object.keys(o)) {
    if (!key.startsWith("@")) assert.ok(known.has(key), `${key} is not a property of ${type}`);
  }
}

interface Certificate {
  /** base64 DER: keyCredentials[].key */
  der: string;
  /** key and certificate, what ClientCertificateCredential reads */
  pemPath: string;
}

describe("emulator: applications, service principals and app role assignments", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;
  let tenantId: string;
  let certDir: string;

  const newCertificate = (name: string): Certificate => {
    const kc = createClientCertificate(name);
    const pemPath = path.join(certDir, `${name}-${randomUUID().slice(0, 8)}.pem`);
    writeCredentialPem(pemPath, kc);
    return { der: certDerBase64(kc.certPem), pemPath };
  };
  const credential = (appId: string, cert: Certificate) =>
    new ClientCertificateCredential(tenantId, appId, cert.pemPath, {
      authorityHost: pair.cloud.authorityHost,
      disableInstanceDiscovery: true,
    });
  /** A fresh token (a new credential, so no token cache), decoded. */
  const claimsOf = async (appId: string, cert: Certificate): Promise<GraphJson> => {
    const token = await credential(appId, cert).getToken(`${pair.cloud.graphEndpoint}/.default`);
    return JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
  };
  const clientFor = (appId: string, cert: Certificate) =>
    new GraphClient(
      tenantId,
      credential(appId, cert),
      { ...pair.cloud, disableInstanceDiscovery: true },
      { retryDelaySeconds: 1 },
    );
  const keyCredential = (cert: Certificate, extra: Record<string, unknown> = {}) => ({
    type: "AsymmetricX509Cert",
    usage: "Verify",
    key: cert.der,
    ...extra,
  });
  const createApp = (displayName: string, certs: Certificate[]): Promise<GraphJson> =>
    graph.post<GraphJson>("/applications", {
      displayName,
      signInAudience: "AzureADMyOrg",
      keyCredentials: certs.map((c) => keyCredential(c)),
    });
  const createServicePrincipal = (appId: string): Promise<GraphJson> =>
    graph.post<GraphJson>("/servicePrincipals", { appId });
  const graphServicePrincipal = async (): Promise<GraphJson> => {
    const list = await graph.get<GraphJson>(
      `/servicePrincipals?$filter=appId eq '${MICROSOFT_GRAPH_APP_ID}'&$select=id,appId,displayName,appRoles`,
    );
    assert.equal(list.value.length, 1);
    return list.value[0];
  };
  /** Grants a Microsoft Graph application permission, its id resolved by value as providers do. */
  const grant = async (spId: string, value: string): Promise<GraphJson> => {
    const resource = await graphServicePrincipal();
    const role = resource.appRoles.find((r: GraphJson) => r.value === value);
    assert.ok(role, `Graph defines ${value}`);
    return graph.post<GraphJson>(`/servicePrincipals/${spId}/appRoleAssignments`, {
      principalId: spId,
      resourceId: resource.id,
      appRoleId: role.id,
    });
  };
  /** An app with a certificate, its service principal and these Graph permissions. */
  const automationApp = async (name: string, roles: string[]) => {
    const cert = newCertificate(name);
    const app = await createApp(name, [cert]);
    const sp = await createServicePrincipal(app.appId);
    for (const r of roles) await grant(sp.id, r);
    return { app, sp, cert };
  };
  /** A user synced from on-premises, projected through the admin API (no AD needed). */
  const syncedUser = (name: string): Promise<GraphJson> =>
    emulatorAdmin(pair, "source", "POST", "/entraConnect/users", {
      immutableId: randomBytes(16).toString("base64"),
      samAccountName: name,
      userPrincipalName: `${name}@${pair.connections.source.domain}`,
      displayName: name,
    }) as Promise<GraphJson>;
  const createGroup = (name: string): Promise<GraphJson> =>
    graph.post<GraphJson>("/groups", {
      displayName: name,
      mailEnabled: false,
      mailNickname: name,
      securityEnabled: true,
    });
  const ref = (id: string) => ({ "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/directoryObjects/${id}` });

  before(async () => {
    // About applications, not replication (replication.test.ts): new objects are seen at once.
    pair = await emulatedPair(undefined, {}, { replicationDelayMs: 0 });
    graph = pair.graph("source");
    tenantId = pair.connections.source.tenantId;
    certDir = workDir("app-certs");
  });
  after(async () => pair.close());

  describe("applications", () => {
    it("creates an app registration with a certificate: Graph's shape, the thumbprint as customKeyIdentifier, validity from the certificate, no key in the answer", async () => {
      const cert = newCertificate("shape");
      const app = await graph.post<GraphJson>("/applications", {
        displayName: "B2B Reach-Back Automation",
        signInAudience: "AzureADMyOrg",
        tags: ["coex"],
        notes: "managed by entra-coexistence",
        keyCredentials: [keyCredential(cert, { displayName: "automation 2025" })],
      });
      assert.match(app["@odata.context"], /\$metadata#applications\/\$entity$/);
      assert.match(app.id, GUID);
      assert.match(app.appId, GUID);
      assert.notEqual(app.id, app.appId);
      assert.equal(app.displayName, "B2B Reach-Back Automation");
      assert.equal(app.signInAudience, "AzureADMyOrg");
      assert.deepEqual(app.tags, ["coex"]);
      assert.equal(app.notes, "managed by entra-coexistence");
      assert.deepEqual(app.passwordCredentials, []);
      assertDeclared("microsoft.graph.application", app);
      assert.equal(app.keyCredentials.length, 1);
      const [k] = app.keyCredentials;
      assertDeclared("microsoft.graph.keyCredential", k);
      const x509 = new X509Certificate(Buffer.from(cert.der, "base64"));
      assert.match(k.keyId, GUID);
      assert.equal(k.type, "AsymmetricX509Cert");
      assert.equal(k.usage, "Verify");
      assert.equal(k.displayName, "automation 2025");
      assert.equal(k.key, null);
      assert.equal(
        k.customKeyIdentifier,
        createHash("sha1").update(Buffer.from(cert.der, "base64")).digest("base64"),
      );
      assert.equal(Date.parse(k.startDateTime), Math.floor(Date.parse(x509.validFrom) / 1000) * 1000);
      assert.equal(Date.parse(k.endDateTime), Math.floor(Date.parse(x509.validTo) / 1000) * 1000);
    });

    it("returns keyCredentials' key only on $select=keyCredentials for a single object, by id or appId", async () => {
      const cert = newCertificate("select");
      const name = `select-${randomUUID().slice(0, 8)}`;
      const app = await createApp(name, [cert]);
      const one = await graph.get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`);
      assert.equal(one.keyCredentials[0].key, cert.der);
      assert.deepEqual(Object.keys(one).sort(), ["@odata.context", "id", "keyCredentials"]);
      const byAppId = await graph.get<GraphJson>(
        `/applications(appId='${app.appId}')?$select=id,keyCredentials`,
      );
      assert.equal(byAppId.id, app.id);
      assert.equal(byAppId.keyCredentials[0].key, cert.der);
      const plain = await graph.get<GraphJson>(`/applications/${app.id}`);
      assert.equal(plain.keyCredentials[0].key, null);
      assert.equal(plain.displayName, name);
      const listed = await graph.get<GraphJson>(
        `/applications?$filter=appId eq '${app.appId}'&$select=id,appId,keyCredentials`,
      );
      assert.equal(listed.value.length, 1);
      assert.equal(listed.value[0].keyCredentials[0].key, null);
      const byName = await graph.list<GraphJson>(`/applications?$filter=displayName eq '${name}'&$select=id`);
      assert.deepEqual(
        byName.map((a) => a.id),
        [app.id],
      );
      const gone = await graphError(graph.get(`/applications/${randomUUID()}`));
      assert.equal(gone.status, 404);
      assert.equal(gone.code, "Request_ResourceNotFound");
    });

    it("refuses a key that is not a certificate, a credential without its key, and undeclared properties", async () => {
      const notACert = await graphError(
        graph.post("/applications", {
          displayName: "bad key",
          keyCredentials: [
            keyCredential({ der: Buffer.from("not a certificate").toString("base64"), pemPath: "" }),
          ],
        }),
      );
      assert.equal(notACert.status, 400);
      assert.equal(notACert.code, "KeyCredentialsInvalidValue");
      const notBase64 = await graphError(
        graph.post("/applications", {
          displayName: "bad key",
          keyCredentials: [{ ...keyCredential(newCertificate("b")), key: "%%%" }],
        }),
      );
      assert.equal(notBase64.status, 400);
      const undeclared = await graphError(graph.post("/applications", { displayName: "x", colour: "blue" }));
      assert.equal(undeclared.status, 400);
      assert.equal(undeclared.graphMessage, "Invalid property 'colour'.");
      const noName = await graphError(graph.post("/applications", { signInAudience: "AzureADMyOrg" }));
      assert.equal(noName.status, 400);
      const password = await graphError(
        graph.post("/applications", { displayName: "p", passwordCredentials: [{ displayName: "secret" }] }),
      );
      assert.equal(password.status, 400);

      const cert = newCertificate("keep");
      const app = await createApp(`keep-${randomUUID().slice(0, 8)}`, [cert]);
      const [existing] = app.keyCredentials;
      const withoutKey = await graphError(
        graph.patch(`/applications/${app.id}`, {
          keyCredentials: [{ keyId: existing.keyId, type: "AsymmetricX509Cert", usage: "Verify" }],
        }),
      );
      assert.equal(withoutKey.status, 400);
      assert.equal(withoutKey.code, "KeyCredentialsInvalidValue");
      const after = await graph.get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`);
      assert.deepEqual(
        after.keyCredentials.map((k: GraphJson) => [k.keyId, k.key]),
        [[existing.keyId, cert.der]],
        "a refused update changes nothing",
      );
    });

    it("rotates keys with PATCH: both certificates work while both are registered, the removed one then gets AADSTS700027", async () => {
      const [oldCert, newCert] = [newCertificate("rotate-old"), newCertificate("rotate-new")];
      const { app } = await automationApp(`rotate-${randomUUID().slice(0, 8)}`, []);
      // automationApp registered one certificate of its own; start from oldCert alone.
      await graph.patch(`/applications/${app.id}`, { keyCredentials: [keyCredential(oldCert)] });
      const [oldKey] = (await graph.get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`))
        .keyCredentials;
      assert.ok((await claimsOf(app.appId, oldCert)).appid === app.appId);

      await graph.patch(`/applications/${app.id}`, {
        keyCredentials: [
          keyCredential(oldCert, { keyId: oldKey.keyId }),
          keyCredential(newCert, { displayName: "next" }),
        ],
      });
      const both = (await graph.get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`))
        .keyCredentials;
      assert.equal(both.length, 2);
      assert.equal(both[0].keyId, oldKey.keyId, "the existing credential keeps its keyId");
      assert.equal(both[1].displayName, "next");
      assert.equal((await claimsOf(app.appId, oldCert)).appid, app.appId);
      assert.equal((await claimsOf(app.appId, newCert)).appid, app.appId);

      const changeKey = await graphError(
        graph.patch(`/applications/${app.id}`, {
          keyCredentials: [keyCredential(oldCert, { keyId: both[1].keyId })],
        }),
      );
      assert.equal(changeKey.status, 400);
      assert.equal(changeKey.graphMessage, "Update to existing credential with KeyId is not allowed");

      await graph.patch(`/applications/${app.id}`, {
        keyCredentials: [keyCredential(newCert, { keyId: both[1].keyId })],
      });
      await assert.rejects(claimsOf(app.appId, oldCert), /AADSTS700027/);
      assert.equal((await claimsOf(app.appId, newCert)).appid, app.appId);
    });

    it("updates displayName, tags and notes (204)", async () => {
      const app = await createApp(`update-${randomUUID().slice(0, 8)}`, []);
      await graph.patch(`/applications/${app.id}`, { displayName: "renamed", tags: ["a", "b"], notes: "n" });
      const got = await graph.get<GraphJson>(`/applications/${app.id}?$select=displayName,tags,notes`);
      assert.deepEqual([got.displayName, got.tags, got.notes], ["renamed", ["a", "b"], "n"]);
      const readOnly = await graphError(graph.patch(`/applications/${app.id}`, { appId: randomUUID() }));
      assert.equal(readOnly.status, 400);
    });
  });

  describe("service principals", () => {
    it("creates one per application (409 for a second), refuses an unknown appId, and every tenant has Microsoft Graph's with its app roles", async () => {
      const app = await createApp(`sp-${randomUUID().slice(0, 8)}`, []);
      const sp = await createServicePrincipal(app.appId);
      assert.match(sp["@odata.context"], /\$metadata#servicePrincipals\/\$entity$/);
      assert.match(sp.id, GUID);
      assert.equal(sp.appId, app.appId);
      assert.equal(sp.displayName, app.displayName);
      assert.equal(sp.appDisplayName, app.displayName);
      assert.equal(sp.servicePrincipalType, "Application");
      assert.equal(sp.accountEnabled, true);
      assert.deepEqual(sp.appRoles, []);
      assert.equal(sp.appOwnerOrganizationId, tenantId);
      assertDeclared("microsoft.graph.servicePrincipal", sp);

      const again = await graphError(createServicePrincipal(app.appId));
      assert.equal(again.status, 409);
      assert.equal(again.code, "Request_MultipleObjectsWithSameKeyValue");
      const unknown = await graphError(createServicePrincipal(randomUUID()));
      assert.equal(unknown.status, 400);
      assert.match(unknown.graphMessage, /does not reference a valid application object/);

      const byAppId = await graph.get<GraphJson>(`/servicePrincipals(appId='${app.appId}')?$select=id`);
      assert.equal(byAppId.id, sp.id);
      const byId = await graph.get<GraphJson>(`/servicePrincipals/${sp.id}`);
      assert.equal(byId.appId, app.appId);

      const msGraph = await graphServicePrincipal();
      assert.equal(msGraph.displayName, "Microsoft Graph");
      const invite = msGraph.appRoles.find((r: GraphJson) => r.value === "User.Invite.All");
      assert.deepEqual(invite, {
        allowedMemberTypes: ["Application"],
        description: "Allows the app to invite guest users to the organization, without a signed-in user.",
        displayName: "Invite guest users to the organization",
        id: "09850681-111b-4a89-9bed-3f2cae46d706",
        isEnabled: true,
        origin: "Application",
        value: "User.Invite.All",
      });
      for (const r of msGraph.appRoles) assertDeclared("microsoft.graph.appRole", r);
      const ids = new Map(msGraph.appRoles.map((r: GraphJson) => [r.value, r.id]));
      assert.equal(ids.get("User.ReadWrite.All"), "741f803b-c850-494e-b5df-cde7c675a1ca");
      assert.equal(ids.get("AppRoleAssignment.ReadWrite.All"), "06b708a9-e830-4db3-a914-8e69da51d44f");
      const refused = await graphError(graph.delete(`/servicePrincipals/${msGraph.id}`));
      assert.equal(refused.status, 400);
    });
  });

  describe("app role assignments and tokens", () => {
    it("a token carries exactly the Graph permissions granted to the app's service principal when it is issued", async () => {
      const cert = newCertificate("automation");
      const app = await createApp(`automation-${randomUUID().slice(0, 8)}`, [cert]);
      await assert.rejects(claimsOf(app.appId, cert), /AADSTS7000229/, "no service principal, no token");
      const sp = await createServicePrincipal(app.appId);
      const bare = await claimsOf(app.appId, cert);
      assert.equal(bare.oid, sp.id);
      assert.equal(bare.roles, undefined, "no permission granted: no roles claim");

      const invite = await grant(sp.id, "User.Invite.All");
      const readWrite = await grant(sp.id, "User.ReadWrite.All");
      const msGraph = await graphServicePrincipal();
      assert.match(invite["@odata.context"], /appRoleAssignments\/\$entity$/);
      assert.equal(invite.principalId, sp.id);
      assert.equal(invite.principalType, "ServicePrincipal");
      assert.equal(invite.principalDisplayName, app.displayName);
      assert.equal(invite.resourceId, msGraph.id);
      assert.equal(invite.resourceDisplayName, "Microsoft Graph");
      assert.equal(invite.appRoleId, "09850681-111b-4a89-9bed-3f2cae46d706");
      assert.match(invite.createdDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assertDeclared("microsoft.graph.appRoleAssignment", invite);
      // Graph's ids start with the principal's id, base64url (the documented examples decode so).
      const idBytes = Buffer.from(invite.id, "base64url");
      assert.equal(idBytes.length, 32);

      const claims = await claimsOf(app.appId, cert);
      assert.deepEqual([...claims.roles].sort(), ["User.Invite.All", "User.ReadWrite.All"]);
      assert.equal(claims.tid, tenantId);

      const automation = clientFor(app.appId, cert);
      const invitation = await automation.post<GraphJson>("/invitations", {
        invitedUserEmailAddress: `probe-${randomUUID().slice(0, 6)}@partner.example`,
        inviteRedirectUrl: "https://myapps.microsoft.com",
        sendInvitationMessage: false,
      });
      assert.equal(invitation.status, "PendingAcceptance");
      const denied = await graphError(automation.get("/groups"));
      assert.equal(denied.status, 403);
      assert.equal(denied.code, "Authorization_RequestDenied");
      assert.equal((await graphError(automation.get("/applications"))).status, 403);

      const duplicate = await graphError(grant(sp.id, "User.Invite.All"));
      assert.equal(duplicate.status, 400);
      assert.equal(duplicate.graphMessage, "Permission being assigned already exists on the object");
      const unknownRole = await graphError(
        graph.post(`/servicePrincipals/${sp.id}/appRoleAssignments`, {
          principalId: sp.id,
          resourceId: msGraph.id,
          appRoleId: randomUUID(),
        }),
      );
      assert.equal(unknownRole.status, 400);
      const otherPrincipal = await graphError(
        graph.post(`/servicePrincipals/${sp.id}/appRoleAssignments`, {
          principalId: msGraph.id,
          resourceId: msGraph.id,
          appRoleId: invite.appRoleId,
        }),
      );
      assert.equal(otherPrincipal.status, 400);

      const granted = await graph.get<GraphJson>(`/servicePrincipals/${sp.id}/appRoleAssignments`);
      assert.deepEqual(granted.value.map((a: GraphJson) => a.id).sort(), [invite.id, readWrite.id].sort());
      const assignedTo = await graph.list<GraphJson>(
        `/servicePrincipals/${msGraph.id}/appRoleAssignedTo?$filter=principalId eq '${sp.id}'`,
      );
      assert.equal(assignedTo.length, 2);

      await graph.delete(`/servicePrincipals/${sp.id}/appRoleAssignments/${readWrite.id}`);
      assert.deepEqual(
        (await claimsOf(app.appId, cert)).roles,
        ["User.Invite.All"],
        "the next token lacks it",
      );
      const again = await graphError(
        graph.delete(`/servicePrincipals/${sp.id}/appRoleAssignments/${readWrite.id}`),
      );
      assert.equal(again.status, 404);
      // Granting through the resource's appRoleAssignedTo works the same.
      const viaResource = await graph.post<GraphJson>(`/servicePrincipals/${msGraph.id}/appRoleAssignedTo`, {
        principalId: sp.id,
        resourceId: msGraph.id,
        appRoleId: readWrite.appRoleId,
      });
      assert.equal(viaResource.principalId, sp.id);
      assert.deepEqual([...(await claimsOf(app.appId, cert)).roles].sort(), [
        "User.Invite.All",
        "User.ReadWrite.All",
      ]);
    });

    it("granting needs AppRoleAssignment.ReadWrite.All", async () => {
      const { sp, app, cert } = await automationApp(`granter-${randomUUID().slice(0, 8)}`, [
        "Application.ReadWrite.All",
      ]);
      const msGraph = await graphServicePrincipal();
      const role = msGraph.appRoles.find((r: GraphJson) => r.value === "Directory.ReadWrite.All");
      const err = await graphError(
        clientFor(app.appId, cert).post(`/servicePrincipals/${sp.id}/appRoleAssignments`, {
          principalId: sp.id,
          resourceId: msGraph.id,
          appRoleId: role.id,
        }),
      );
      assert.equal(err.status, 403);
      assert.equal(err.code, "Authorization_RequestDenied");
    });

    it("with Application.ReadWrite.OwnedBy an app manages the apps it created, and no others", async () => {
      const { app, cert } = await automationApp(`ownedby-${randomUUID().slice(0, 8)}`, [
        "Application.ReadWrite.OwnedBy",
      ]);
      const owner = clientFor(app.appId, cert);
      const mine = await owner.post<GraphJson>("/applications", { displayName: "made by ownedby" });
      await owner.patch(`/applications/${mine.id}`, { notes: "mine" });
      const mineSp = await owner.post<GraphJson>("/servicePrincipals", { appId: mine.appId });
      const other = await createApp(`not-owned-${randomUUID().slice(0, 8)}`, []);
      const denied = await graphError(owner.patch(`/applications/${other.id}`, { notes: "not mine" }));
      assert.equal(denied.status, 403);
      assert.equal((await graphError(owner.delete(`/applications/${other.id}`))).status, 403);
      await owner.delete(`/servicePrincipals/${mineSp.id}`);
      await owner.delete(`/applications/${mine.id}`);
      assert.equal((await graphError(graph.get(`/applications/${mine.id}`))).status, 404);
    });
  });

  describe("service principals as group owners", () => {
    it("an owning service principal reads its group and adds and removes members without group permissions, but cannot list members or groups", async () => {
      const { app, sp, cert } = await automationApp(`owner-${randomUUID().slice(0, 8)}`, ["User.Invite.All"]);
      const automation = clientFor(app.appId, cert);
      const group = await createGroup(`reach-back-${randomUUID().slice(0, 8)}`);
      const user = await syncedUser(`u${randomUUID().slice(0, 6)}`);

      assert.equal((await graphError(automation.get(`/groups/${group.id}`))).status, 403, "not an owner yet");
      assert.equal(
        (await graphError(automation.post(`/groups/${group.id}/members/$ref`, ref(user.id)))).status,
        403,
      );

      await graph.post(`/groups/${group.id}/owners/$ref`, {
        "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/servicePrincipals/${sp.id}`,
      });
      const owners = await graph.get<GraphJson>(`/groups/${group.id}/owners`);
      assert.equal(owners.value.length, 1);
      assert.equal(owners.value[0]["@odata.type"], "#microsoft.graph.servicePrincipal");
      assert.equal(owners.value[0].id, sp.id);
      assert.equal(owners.value[0].appId, app.appId, "the deployer can read service principals");
      const dup = await graphError(graph.post(`/groups/${group.id}/owners/$ref`, ref(sp.id)));
      assert.equal(dup.status, 400);

      const got = await automation.get<GraphJson>(`/groups/${group.id}`);
      assert.equal(got.id, group.id);
      assert.equal(got.displayName, group.displayName);
      await automation.post(`/groups/${group.id}/members/$ref`, ref(user.id));
      assert.equal((await graphError(automation.get(`/groups/${group.id}/members`))).status, 403);
      assert.equal((await graphError(automation.get("/groups"))).status, 403);
      assert.equal(
        (await graphError(automation.post(`/groups/${group.id}/owners/$ref`, ref(user.id)))).status,
        403,
        "owning is not managing owners",
      );
      const members = await graph.get<GraphJson>(`/groups/${group.id}/members?$select=id`);
      assert.deepEqual(
        members.value.map((m: GraphJson) => m.id),
        [user.id],
      );
      await automation.delete(`/groups/${group.id}/members/${user.id}/$ref`);
      assert.equal((await graph.get<GraphJson>(`/groups/${group.id}/members`)).value.length, 0);

      // A reader without application permissions sees the owner with its id and type only.
      const reader = await automationApp(`reader-${randomUUID().slice(0, 8)}`, ["GroupMember.Read.All"]);
      const limited = await clientFor(reader.app.appId, reader.cert).get<GraphJson>(
        `/groups/${group.id}/owners`,
      );
      assert.equal(limited.value[0]["@odata.type"], "#microsoft.graph.servicePrincipal");
      assert.equal(limited.value[0].id, sp.id);
      assert.equal(limited.value[0].appId, null);

      // The service principal stops owning once a user owns the group too and it is removed.
      await graph.post(`/groups/${group.id}/owners/$ref`, ref(user.id));
      await graph.delete(`/groups/${group.id}/owners/${sp.id}/$ref`);
      assert.equal((await graphError(automation.get(`/groups/${group.id}`))).status, 403);
    });
  });

  describe("deleting", () => {
    it("deleting the application deletes its service principal, grants and ownerships; the app gets no more tokens", async () => {
      const { app, sp, cert } = await automationApp(`doomed-${randomUUID().slice(0, 8)}`, [
        "User.Invite.All",
      ]);
      const group = await createGroup(`owned-${randomUUID().slice(0, 8)}`);
      await graph.post(`/groups/${group.id}/owners/$ref`, ref(sp.id));
      assert.deepEqual((await claimsOf(app.appId, cert)).roles, ["User.Invite.All"]);

      await graph.delete(`/applications/${app.id}`);
      assert.equal((await graphError(graph.get(`/applications/${app.id}`))).status, 404);
      assert.equal((await graphError(graph.get(`/servicePrincipals/${sp.id}`))).status, 404);
      const msGraph = await graphServicePrincipal();
      const left = await graph.list<GraphJson>(
        `/servicePrincipals/${msGraph.id}/appRoleAssignedTo?$filter=principalId eq '${sp.id}'`,
      );
      assert.equal(left.length, 0);
      assert.equal((await graph.get<GraphJson>(`/groups/${group.id}/owners`)).value.length, 0);
      await assert.rejects(claimsOf(app.appId, cert), /AADSTS700016/);
      assert.equal((await graphError(graph.delete(`/applications/${app.id}`))).status, 404);
    });

    it("deleting only the service principal leaves the application, which then cannot get a token", async () => {
      const { app, sp, cert } = await automationApp(`sp-only-${randomUUID().slice(0, 8)}`, [
        "User.Invite.All",
      ]);
      await graph.delete(`/servicePrincipals/${sp.id}`);
      assert.equal((await graph.get<GraphJson>(`/applications/${app.id}?$select=id`)).id, app.id);
      await assert.rejects(claimsOf(app.appId, cert), /AADSTS7000229/);
      // A new service principal starts without the old grants.
      const fresh = await createServicePrincipal(app.appId);
      assert.notEqual(fresh.id, sp.id);
      assert.equal((await claimsOf(app.appId, cert)).roles, undefined);
    });
  });

  describe("the portal's admin API and saved state", () => {
    it("registers an app with roles through the admin API and changes its grants", async () => {
      const cert = newCertificate("portal");
      const registered = (await emulatorAdmin(pair, "source", "POST", "/applications", {
        displayName: "portal app",
        certificateDer: [cert.der],
        roles: ["Group.Read.All", "User.Read.All"],
      })) as GraphJson;
      assert.deepEqual(registered.roles, ["Group.Read.All", "User.Read.All"]);
      assert.deepEqual((await claimsOf(registered.appId, cert)).roles, ["Group.Read.All", "User.Read.All"]);
      await emulatorAdmin(pair, "source", "PATCH", `/applications/${registered.appId}`, {
        roles: ["User.Read.All"],
      });
      assert.deepEqual((await claimsOf(registered.appId, cert)).roles, ["User.Read.All"]);
      const sp = await graph.get<GraphJson>(`/servicePrincipals(appId='${registered.appId}')?$select=id`);
      assert.equal(sp.id, registered.servicePrincipalId);
      await assert.rejects(
        emulatorAdmin(pair, "source", "PATCH", `/applications/${registered.appId}`, {
          roles: ["No.Such.Permission"],
        }),
        /400/,
      );
    });

    it("turns a state file's apps of the old shape into application, service principal and grants", () => {
      const cert = newCertificate("legacy");
      const file = path.join(workDir("legacy-state"), "state.json");
      const tid = randomUUID();
      const appId = randomUUID();
      writeFileSync(
        file,
        JSON.stringify({
          tenants: {
            [tid]: {
              id: tid,
              displayName: "legacy",
              domains: ["legacy.example"],
              apps: {
                [appId]: {
                  appId,
                  displayName: "old deployer",
                  keyCredentials: [
                    { keyId: randomUUID(), type: "AsymmetricX509Cert", usage: "Verify", key: cert.der },
                  ],
                  roles: ["Policy.Read.All", "User.Read.All"],
                },
              },
            },
          },
        }),
      );
      const tenant = Store.open(file).tenant(tid);
      assert.ok(tenant);
      assert.equal((tenant as unknown as { apps?: unknown }).apps, undefined);
      const [application] = Object.values(tenant.applications);
      assert.equal(application.appId, appId);
      assert.equal(application.keyCredentials[0].key, cert.der);
      const sp = servicePrincipalByAppId(tenant, appId);
      assert.ok(sp);
      assert.deepEqual(grantedGraphRoles(tenant, sp.id), ["Policy.Read.All", "User.Read.All"]);
      assert.ok(
        servicePrincipalByAppId(tenant, MICROSOFT_GRAPH_APP_ID),
        "Microsoft Graph's service principal",
      );
    });
  });
});
