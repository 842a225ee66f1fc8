// The directory objects behind app-only access: applications (app registrations) with their
// certificate key credentials, service principals (every tenant has Microsoft Graph's), and app
// role assignments, which are the application permissions a token carries. Pure state changes;
// the Graph endpoints are in applications.ts, the token endpoint in oauth.ts.
// Sources: Graph's application, servicePrincipal, keyCredential and appRoleAssignment resource
// pages and their create/list examples; (unv) marks what no source confirms.
import { createHash, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import {
  type AppRole,
  GRAPH_APP_ROLES,
  graphAppRole,
  MICROSOFT_GRAPH_APP_ID,
  MICROSOFT_SERVICES_TENANT_ID,
} from "./graphAppRoles";
import type {
  AppRoleAssignment,
  EmulatedApplication,
  EmulatedServicePrincipal,
  JsonObject,
  StoredKeyCredential,
  Tenant,
} from "./state";

/** Graph's timestamps: UTC, whole seconds. */
export const timestamp = (d: Date = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The certificate in a keyCredential's `key` (base64 DER), or undefined if it is not one. */
export function parseCertificate(keyBase64: string): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(keyBase64, "base64"));
  } catch {
    return undefined;
  }
}

/** A keyCredential for a certificate: validity from the certificate, customKeyIdentifier the
 * certificate's SHA-1 thumbprint (the keyCredential page: "defaults to the thumbprint of the
 * certificate"; (unv) that Graph returns the raw thumbprint bytes, base64 as Edm.Binary is). */
export function keyCredentialFromCertificate(
  keyBase64: string,
  given: Partial<Pick<StoredKeyCredential, "keyId" | "displayName" | "customKeyIdentifier">> = {},
): StoredKeyCredential {
  const cert = parseCertificate(keyBase64);
  if (!cert) throw new Error("the key is not an X.509 certificate");
  const der = Buffer.from(keyBase64, "base64");
  return {
    customKeyIdentifier: given.customKeyIdentifier ?? createHash("sha1").update(der).digest("base64"),
    displayName: given.displayName ?? null,
    endDateTime: timestamp(new Date(cert.validTo)),
    key: der.toString("base64"),
    keyId: (given.keyId ?? randomUUID()).toLowerCase(),
    startDateTime: timestamp(new Date(cert.validFrom)),
    type: "AsymmetricX509Cert",
    usage: "Verify",
  };
}

/** A new application with the properties of Graph's "Create application" response example. */
export function newApplication(
  tenant: Tenant,
  input: { appId?: string; displayName: string },
): EmulatedApplication {
  return {
    id: randomUUID(),
    deletedDateTime: null,
    appId: (input.appId ?? randomUUID()).toLowerCase(),
    applicationTemplateId: null,
    createdDateTime: timestamp(),
    defaultRedirectUri: null,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: input.displayName,
    groupMembershipClaims: null,
    identifierUris: [],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    publisherDomain: tenant.initialDomain,
    samlMetadataUrl: null,
    serviceManagementReference: null,
    // What the documented example answers for a body with only displayName.
    signInAudience: "AzureADandPersonalMicrosoftAccount",
    tags: [],
    tokenEncryptionKeyId: null,
    addIns: [],
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: [],
      preAuthorizedApplications: [],
    },
    appRoles: [],
    info: {
      logoUrl: null,
      marketingUrl: null,
      privacyStatementUrl: null,
      supportUrl: null,
      termsOfServiceUrl: null,
    },
    keyCredentials: [],
    optionalClaims: null,
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: "Allow" },
    passwordCredentials: [],
    publicClient: { redirectUris: [] },
    requiredResourceAccess: [],
    spa: { redirectUris: [] },
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: {
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: [],
      redirectUriSettings: [],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
    },
    owners: [],
  };
}

function servicePrincipalBase(id: string): JsonObject & { id: string; owners: string[] } {
  return {
    id,
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: [],
    appDescription: null,
    applicationTemplateId: null,
    appRoleAssignmentRequired: false,
    description: null,
    disabledByMicrosoftStatus: null,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    samlSingleSignOnSettings: null,
    servicePrincipalType: "Application",
    tags: [],
    tokenEncryptionKeyId: null,
    addIns: [],
    info: {
      logoUrl: null,
      marketingUrl: null,
      privacyStatementUrl: null,
      supportUrl: null,
      termsOfServiceUrl: null,
    },
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    owners: [],
  };
}

/** The service principal of an application of this tenant ("Create servicePrincipal" example):
 * names, app roles and audience come from the application. */
export function newServicePrincipal(tenant: Tenant, app: EmulatedApplication): EmulatedServicePrincipal {
  return {
    ...servicePrincipalBase(randomUUID()),
    appDisplayName: app.displayName,
    appId: app.appId,
    appOwnerOrganizationId: tenant.id,
    appRoles: structuredClone(app.appRoles as JsonObject[]),
    displayName: app.displayName,
    info: structuredClone(app.info as JsonObject),
    servicePrincipalNames: [app.appId],
    signInAudience: app.signInAudience ?? null,
  };
}

/** Microsoft Graph's service principal, which every tenant has from the start. Its delegated
 * scopes (oauth2PermissionScopes) are not modelled: the emulator issues app-only tokens. */
export function ensureGraphServicePrincipal(tenant: Tenant): EmulatedServicePrincipal {
  const existing = servicePrincipalByAppId(tenant, MICROSOFT_GRAPH_APP_ID);
  if (existing) {
    // A catalogue that grew since the state file was saved.
    const known = new Set(existing.appRoles.map((r) => r.id));
    for (const r of GRAPH_APP_ROLES) if (!known.has(r.id)) existing.appRoles.push(structuredClone(r));
    return existing;
  }
  const sp: EmulatedServicePrincipal = {
    ...servicePrincipalBase(randomUUID()),
    appDisplayName: "Microsoft Graph",
    appId: MICROSOFT_GRAPH_APP_ID,
    appOwnerOrganizationId: MICROSOFT_SERVICES_TENANT_ID,
    appRoles: GRAPH_APP_ROLES.map((r) => structuredClone(r)),
    displayName: "Microsoft Graph",
    servicePrincipalNames: ["https://graph.microsoft.com", MICROSOFT_GRAPH_APP_ID],
    signInAudience: "AzureADMultipleOrgs",
  };
  tenant.servicePrincipals[sp.id] = sp;
  return sp;
}

export function graphServicePrincipal(tenant: Tenant): EmulatedServicePrincipal {
  return ensureGraphServicePrincipal(tenant);
}

export function applicationByAppId(tenant: Tenant, appId: string): EmulatedApplication | undefined {
  const key = appId.toLowerCase();
  return Object.values(tenant.applications).find((a) => a.appId === key);
}

export function servicePrincipalByAppId(tenant: Tenant, appId: string): EmulatedServicePrincipal | undefined {
  const key = appId.toLowerCase();
  return Object.values(tenant.servicePrincipals).find((s) => s.appId === key);
}

/** The bytes of a GUID in Microsoft's layout (the first three fields little-endian). */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, "");
  const b = Buffer.from(hex, "hex");
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8, 16),
  ]);
}

/** appRoleAssignment ids as Graph makes them: the documented examples decode to the principal's
 * id followed by 16 more bytes, base64url (the unique part is (unv)). */
function assignmentId(principalId: string): string {
  return Buffer.concat([guidBytes(principalId), randomBytes(16)]).toString("base64url");
}

export function newAppRoleAssignment(
  principal: EmulatedServicePrincipal,
  resource: EmulatedServicePrincipal,
  appRoleId: string,
): AppRoleAssignment {
  return {
    id: assignmentId(principal.id),
    deletedDateTime: null,
    appRoleId: appRoleId.toLowerCase(),
    createdDateTime: timestamp(),
    principalDisplayName: principal.displayName,
    principalId: principal.id,
    principalType: "ServicePrincipal",
    resourceDisplayName: resource.displayName,
    resourceId: resource.id,
  };
}

export function assignmentsOf(tenant: Tenant, principalId: string): AppRoleAssignment[] {
  return Object.values(tenant.appRoleAssignments).filter((a) => a.principalId === principalId);
}

/** The Microsoft Graph application permissions (role values) granted to a service principal, in
 * the order they were granted: what its access tokens carry in `roles`. */
export function grantedGraphRoles(tenant: Tenant, servicePrincipalId: string): string[] {
  const graph = graphServicePrincipal(tenant);
  const roles = new Map((graph.appRoles as AppRole[]).filter((r) => r.isEnabled).map((r) => [r.id, r.value]));
  const values: string[] = [];
  for (const a of assignmentsOf(tenant, servicePrincipalId)) {
    const value = a.resourceId === graph.id ? roles.get(a.appRoleId) : undefined;
    if (value && !values.includes(value)) values.push(value);
  }
  return values;
}

/** Grants exactly these Microsoft Graph application permissions (admin consent), revoking others. */
export function setGraphRoles(tenant: Tenant, sp: EmulatedServicePrincipal, values: readonly string[]): void {
  const graph = graphServicePrincipal(tenant);
  const wanted = values.map((v) => {
    const r = graphAppRole(v);
    if (!r)
      throw new Error(`Microsoft Graph has no application permission '${v}' in emulator/graphAppRoles.ts`);
    return r.id;
  });
  for (const a of assignmentsOf(tenant, sp.id)) {
    if (a.resourceId === graph.id && !wanted.includes(a.appRoleId)) delete tenant.appRoleAssignments[a.id];
  }
  const have = new Set(
    assignmentsOf(tenant, sp.id)
      .filter((a) => a.resourceId === graph.id)
      .map((a) => a.appRoleId),
  );
  for (const id of wanted) {
    if (have.has(id)) continue;
    const a = newAppRoleAssignment(sp, graph, id);
    tenant.appRoleAssignments[a.id] = a;
    have.add(id);
  }
}

/** Deletes a service principal with what hangs on it: its app role assignments (granted to it or
 * by it as a resource) and its ownerships. */
export function removeServicePrincipal(tenant: Tenant, id: string): void {
  for (const a of Object.values(tenant.appRoleAssignments)) {
    if (a.principalId === id || a.resourceId === id) delete tenant.appRoleAssignments[a.id];
  }
  for (const owned of [
    ...Object.values(tenant.groups),
    ...Object.values(tenant.applications),
    ...Object.values(tenant.servicePrincipals),
  ]) {
    if (Array.isArray(owned.owners) && owned.owners.includes(id)) {
      owned.owners = owned.owners.filter((o) => o !== id);
    }
  }
  delete tenant.servicePrincipals[id];
}

/** Deletes an application and, as Graph does, its service principal in this tenant. */
export function removeApplication(tenant: Tenant, id: string): void {
  const app = tenant.applications[id];
  if (!app) return;
  const sp = servicePrincipalByAppId(tenant, app.appId);
  if (sp) removeServicePrincipal(tenant, sp.id);
  delete tenant.applications[id];
}
