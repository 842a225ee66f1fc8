// Emulated app registrations and service principals: /applications (create with certificate key
// credentials, read with $filter/$select, update (key rotation replaces the whole collection),
// delete), /servicePrincipals (create, read, delete; every tenant has Microsoft Graph's) and their
// app role assignments (application permissions with admin consent), addressed by id or by
// appId. Tokens are issued from these objects in oauth.ts.
// Sources: Graph's "Create application", "List applications", "Delete application", "Create
// servicePrincipal", "Grant an appRoleAssignment to a service principal", "Grant an
// appRoleAssignment for a service principal", "List appRoleAssignments granted to a service
// principal" and "Delete appRoleAssignment" pages with their permission tables, the keyCredential
// resource page, Graph's permissions reference, and graph-facts.md "Applications and service
// principals"; (unv) marks what no source confirms, (obs) what public tools recorded real Graph doing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  applicationByAppId,
  keyCredentialFromCertificate,
  newApplication,
  newAppRoleAssignment,
  newServicePrincipal,
  parseCertificate,
  removeApplication,
  removeServicePrincipal,
  servicePrincipalByAppId,
  timestamp,
} from "./applicationObjects";
import { MICROSOFT_GRAPH_APP_ID } from "./graphAppRoles";
import {
  badRequest,
  forbidden,
  type GraphContext,
  type GraphHttp,
  GraphHttpError,
  hasRole,
  notFound,
} from "./graphHttp";
import { parseFilter, referencedId, select } from "./odata";
import type {
  AppRoleAssignment,
  EmulatedApplication,
  EmulatedServicePrincipal,
  JsonObject,
  StoredKeyCredential,
  Tenant,
} from "./state";
import { checkSelect, page, type Query } from "./users";

const APPLICATION_READ = [
  "Application.Read.All",
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
/** Create, update and delete. Application.ReadWrite.OwnedBy reaches only applications and service
 * principals the caller owns (permissions reference); AppRegistration.Create, which the newest
 * table also lists for create, is not in the emulator's catalogue. */
const APPLICATION_WRITE = ["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"] as const;
const SERVICE_PRINCIPAL_CREATE = [
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.ReadWrite.All",
] as const;
/** What lets a caller write any application or service principal, not only those it owns. */
const ALL_APPLICATIONS = ["Application.ReadWrite.All", "Directory.ReadWrite.All"] as const;
/** Granting needs AppRoleAssignment.ReadWrite.All and one of these to read the principals ("...
 * and Application.Read.All", "... and Directory.Read.All"; (unv) that the ReadWrite forms count). */
const ASSIGNMENT_WRITE = ["AppRoleAssignment.ReadWrite.All"] as const;
const ASSIGNMENT_WRITE_READ = [
  "Application.Read.All",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
const ASSIGNMENT_READ = APPLICATION_READ;

/** GET /applications without $select: the properties of the documented create/list responses. */
export const APPLICATION_DEFAULTS = [
  "id",
  "deletedDateTime",
  "appId",
  "applicationTemplateId",
  "createdDateTime",
  "description",
  "disabledByMicrosoftStatus",
  "displayName",
  "groupMembershipClaims",
  "identifierUris",
  "isDeviceOnlyAuthSupported",
  "isFallbackPublicClient",
  "notes",
  "publisherDomain",
  "samlMetadataUrl",
  "serviceManagementReference",
  "signInAudience",
  "tags",
  "tokenEncryptionKeyId",
  "addIns",
  "api",
  "appRoles",
  "info",
  "keyCredentials",
  "optionalClaims",
  "parentalControlSettings",
  "passwordCredentials",
  "publicClient",
  "requiredResourceAccess",
  "spa",
  "verifiedPublisher",
  "web",
];
/** GET /servicePrincipals without $select ("Create servicePrincipal" response example). */
export const SERVICE_PRINCIPAL_DEFAULTS = [
  "id",
  "deletedDateTime",
  "accountEnabled",
  "alternativeNames",
  "appDescription",
  "appDisplayName",
  "appId",
  "applicationTemplateId",
  "appOwnerOrganizationId",
  "appRoleAssignmentRequired",
  "description",
  "disabledByMicrosoftStatus",
  "displayName",
  "homepage",
  "loginUrl",
  "logoutUrl",
  "notes",
  "notificationEmailAddresses",
  "preferredSingleSignOnMode",
  "preferredTokenSigningKeyThumbprint",
  "replyUrls",
  "servicePrincipalNames",
  "servicePrincipalType",
  "signInAudience",
  "tags",
  "tokenEncryptionKeyId",
  "samlSingleSignOnSettings",
  "addIns",
  "appRoles",
  "info",
  "keyCredentials",
  "oauth2PermissionScopes",
  "passwordCredentials",
  "resourceSpecificApplicationPermissions",
  "verifiedPublisher",
];
const APPLICATION_FILTERS = {
  filterable: ["appId", "displayName", "id", "identifierUris", "signInAudience", "publisherDomain", "tags"],
  advancedOnly: [],
};
const SERVICE_PRINCIPAL_FILTERS = {
  filterable: [
    "appId",
    "displayName",
    "id",
    "servicePrincipalNames",
    "servicePrincipalType",
    "accountEnabled",
    "appOwnerOrganizationId",
    "tags",
  ],
  advancedOnly: [],
};
const ASSIGNMENT_FILTERS = { filterable: ["resourceId", "appRoleId", "principalId"], advancedOnly: [] };
/** Set by Graph, not by a caller; (unv) Graph's answer to setting them. */
const APPLICATION_READ_ONLY = ["id", "appId", "createdDateTime", "deletedDateTime", "publisherDomain"];
const SERVICE_PRINCIPAL_READ_ONLY = [
  "id",
  "deletedDateTime",
  "appDisplayName",
  "appOwnerOrganizationId",
  "servicePrincipalNames",
  "appRoles",
  "signInAudience",
];
const SIGN_IN_AUDIENCES = [
  "AzureADMyOrg",
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
  "PersonalMicrosoftAccount",
];

/** Both ways Graph addresses one object: by object id and by the alternate key appId. */
const byIdOrAppId = (set: string) => [`/v1.0/${set}/:id`, `/v1.0/${set}(appId=':appId(^[^']+)')`];
type ObjectParams = { id?: string; appId?: string };

/** Directory objects are open types in the CSDL, but Graph refuses properties it does not declare
 * (obs, "Invalid property 'x'.", Microsoft365DSC#6065). */
export function refuseUndeclared(http: GraphHttp, type: string, body: unknown): void {
  const known = new Set(http.csdl.propertyNames(type));
  for (const key of Object.keys((body ?? {}) as object)) {
    if (!key.includes("@") && !known.has(key)) throw badRequest(`Invalid property '${key}'.`);
  }
}

function refuseReadOnly(body: JsonObject, readOnly: readonly string[]): void {
  for (const key of readOnly) {
    if (key in body) throw badRequest(`Property '${key}' is read-only and cannot be set.`); // (unv)
  }
}

const keyCredentialError = (message: string) =>
  new GraphHttpError(400, "KeyCredentialsInvalidValue", message);

/** The key credentials a create or an update asks for: the whole collection, replacing what was
 * there. Every entry carries its certificate, an entry for an existing credential too (its keyId
 * keeps it). */
export function keyCredentialsFrom(
  value: unknown,
  existing: readonly StoredKeyCredential[],
): StoredKeyCredential[] {
  if (value === null || value === undefined) return [];
  const seen = new Set<string>();
  return (value as JsonObject[]).map((k) => {
    if (k.type !== "AsymmetricX509Cert") {
      // (unv) wording; Graph also knows Symmetric, which the emulator does not model.
      throw keyCredentialError(
        `The value for the property "type" in one of your credentials is invalid. The emulator models AsymmetricX509Cert only.`,
      );
    }
    if (k.usage !== "Verify" && k.usage !== "Sign") {
      // (obs) msgraph-sdk-java#1823
      throw keyCredentialError(
        `The value for the property "usage" in one of your credentials is invalid. Acceptable values are Sign, Verify.`,
      );
    }
    if (k.usage === "Sign") {
      // Signing keys come with their private key (a PFX); (unv) the wording.
      throw keyCredentialError("The emulator models certificate credentials with usage Verify only.");
    }
    const key = typeof k.key === "string" ? k.key.replace(/\s+/g, "") : "";
    // (obs) ansible-collections/azure#1872: "KeyCredentialsInvalidValue: KeyValue cannot be null or empty".
    if (!key) throw keyCredentialError("KeyValue cannot be null or empty.");
    const cert = parseCertificate(key);
    if (!cert) throw keyCredentialError("Key credential is not a valid X.509 certificate."); // (unv)
    const keyId = typeof k.keyId === "string" ? k.keyId.toLowerCase() : undefined;
    if (keyId) {
      if (seen.has(keyId)) throw keyCredentialError(`Key credential keyId '${keyId}' appears twice.`); // (unv)
      seen.add(keyId);
      const before = existing.find((e) => e.keyId === keyId);
      if (before && before.key !== Buffer.from(key, "base64").toString("base64")) {
        // (obs) the answer Azure AD gave (azure-powershell#6784) to changing a credential's key.
        throw keyCredentialError("Update to existing credential with KeyId is not allowed");
      }
    }
    const credential = keyCredentialFromCertificate(key, {
      keyId,
      displayName: (k.displayName as string | undefined) ?? null,
      customKeyIdentifier: (k.customKeyIdentifier as string | undefined) ?? undefined,
    });
    // A validity the caller states must lie within the certificate's (obs: "Key credential end
    // date is invalid", azure-cli#11146; (unv) the start-date twin).
    const within = (t: unknown) =>
      typeof t === "string" &&
      Date.parse(t) >= Date.parse(credential.startDateTime) &&
      Date.parse(t) <= Date.parse(credential.endDateTime);
    if (k.endDateTime !== undefined && k.endDateTime !== null) {
      if (!within(k.endDateTime)) throw keyCredentialError("Key credential end date is invalid.");
      credential.endDateTime = timestamp(new Date(String(k.endDateTime)));
    }
    if (k.startDateTime !== undefined && k.startDateTime !== null) {
      if (!within(k.startDateTime)) throw keyCredentialError("Key credential start date is invalid.");
      credential.startDateTime = timestamp(new Date(String(k.startDateTime)));
    }
    return credential;
  });
}

/** Which properties a $select names. */
const selected = ($select?: string) => ($select ?? "").split(",").map((s) => s.trim());

/** An application or service principal as Graph answers it: without its owners, and with
 * keyCredentials' key only on `$select=keyCredentials` for a single object (keyCredential page:
 * "otherwise, it is always null"; "List applications" also shows keys for a list with $select,
 * which the emulator does not follow: the stricter rule is the one code can rely on everywhere). */
function shown(
  o: EmulatedApplication | EmulatedServicePrincipal,
  $select: string | undefined,
  defaults: readonly string[],
  single: boolean,
): JsonObject {
  const { owners: _owners, ...props } = o;
  const withKeys = single && selected($select).includes("keyCredentials");
  const keyCredentials = (o.keyCredentials as StoredKeyCredential[]).map((k) => ({
    ...k,
    key: withKeys ? k.key : null,
  }));
  return select({ ...props, keyCredentials }, $select, defaults);
}

export const applicationJson = (app: EmulatedApplication, $select?: string, single = false) =>
  shown(app, $select, APPLICATION_DEFAULTS, single);
export const servicePrincipalJson = (sp: EmulatedServicePrincipal, $select?: string, single = false) =>
  shown(sp, $select, SERVICE_PRINCIPAL_DEFAULTS, single);

export function registerApplications(app: FastifyInstance, http: GraphHttp): void {
  const context = (req: FastifyRequest, what: string) => `https://${req.headers.host}/v1.0/$metadata#${what}`;
  const applicationOf = (tenant: Tenant, p: ObjectParams): EmulatedApplication => {
    const found = p.appId
      ? applicationByAppId(tenant, decodeURIComponent(p.appId))
      : tenant.applications[String(p.id).toLowerCase()];
    if (!found) throw notFound(p.appId ?? String(p.id));
    return found;
  };
  const servicePrincipalOf = (tenant: Tenant, p: ObjectParams): EmulatedServicePrincipal => {
    const found = p.appId
      ? servicePrincipalByAppId(tenant, decodeURIComponent(p.appId))
      : tenant.servicePrincipals[String(p.id).toLowerCase()];
    if (!found) throw notFound(p.appId ?? String(p.id));
    return found;
  };
  /** Application.ReadWrite.OwnedBy alone reaches only what the caller owns. */
  const mayWrite = (ctx: GraphContext, o: { owners: string[] }) => {
    if (!hasRole(ctx, ALL_APPLICATIONS) && !o.owners.includes(ctx.servicePrincipalId)) throw forbidden();
  };
  /** owners@odata.bind on create: users or service principals of the tenant. */
  const boundOwners = (tenant: Tenant, body: JsonObject): string[] => {
    const urls = body["owners@odata.bind"];
    if (urls === undefined) return [];
    if (!Array.isArray(urls)) throw badRequest("'owners@odata.bind' must be an array of URLs."); // (unv)
    return [...new Set(urls.map(referencedId))].map((id) => {
      if (!tenant.users[id] && !tenant.servicePrincipals[id]) throw notFound(id);
      return id;
    });
  };

  // --- applications ---

  app.post("/v1.0/applications", async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx = await http.authorize(req, APPLICATION_WRITE);
    http.validate("microsoft.graph.application", req.body, "create");
    refuseUndeclared(http, "microsoft.graph.application", req.body);
    const body = req.body as JsonObject;
    if (typeof body.displayName !== "string" || body.displayName.trim() === "") {
      // "The request body must contain displayName"; (unv) Graph's wording.
      throw badRequest("Invalid value specified for property 'displayName' of resource 'Application'.");
    }
    refuseReadOnly(body, APPLICATION_READ_ONLY);
    if (Array.isArray(body.passwordCredentials) && body.passwordCredentials.length > 0) {
      // Passwords are added with addPassword only; (obs) the wording, MicrosoftDocs/azure-docs#59275.
      throw badRequest("New password credentials must be generated using service actions.");
    }
    if (body.signInAudience !== undefined && !SIGN_IN_AUDIENCES.includes(String(body.signInAudience))) {
      throw badRequest(`Invalid value specified for property 'signInAudience' of resource 'Application'.`); // (unv)
    }
    const created = newApplication(ctx.tenant, { displayName: body.displayName });
    created.keyCredentials = keyCredentialsFrom(body.keyCredentials, []);
    for (const [k, v] of Object.entries(body)) {
      if (!k.includes("@") && k !== "keyCredentials" && k !== "passwordCredentials") created[k] = v;
    }
    // An app creating apps with only Application.ReadWrite.OwnedBy owns what it creates, or it
    // could not manage it afterwards ((unv) that Graph adds it only then).
    const owners = boundOwners(ctx.tenant, body);
    if (!hasRole(ctx, ALL_APPLICATIONS) && !owners.includes(ctx.servicePrincipalId)) {
      owners.push(ctx.servicePrincipalId);
    }
    created.owners = owners;
    ctx.tenant.applications[created.id] = created;
    http.created(ctx.tenant, "applications", [created.id, created.appId]);
    http.store.save();
    return reply
      .code(201)
      .send({ "@odata.context": context(req, "applications/$entity"), ...applicationJson(created) });
  });

  app.get("/v1.0/applications", async (req: FastifyRequest<{ Querystring: Query }>) => {
    const { tenant } = await http.authorize(req, APPLICATION_READ);
    checkSelect(http, "microsoft.graph.application", req.query.$select);
    let apps = Object.values(tenant.applications);
    if (req.query.$filter) {
      const predicate = parseFilter(req, req.query.$filter, APPLICATION_FILTERS);
      apps = apps.filter((a) => predicate(a));
    }
    return page(
      req,
      apps.map((a) => applicationJson(a, req.query.$select)),
      "applications",
    );
  });

  for (const path of byIdOrAppId("applications")) {
    app.get(path, async (req: FastifyRequest<{ Params: ObjectParams; Querystring: Query }>) => {
      const { tenant } = await http.authorize(req, APPLICATION_READ);
      checkSelect(http, "microsoft.graph.application", req.query.$select);
      const found = applicationOf(tenant, req.params);
      return {
        "@odata.context": context(req, "applications/$entity"),
        ...applicationJson(found, req.query.$select, true),
      };
    });

    app.patch(path, async (req: FastifyRequest<{ Params: ObjectParams }>, reply: FastifyReply) => {
      const ctx = await http.authorize(req, APPLICATION_WRITE);
      const target = applicationOf(ctx.tenant, req.params);
      mayWrite(ctx, target);
      http.validate("microsoft.graph.application", req.body, "update");
      refuseUndeclared(http, "microsoft.graph.application", req.body);
      const patch = req.body as JsonObject;
      refuseReadOnly(patch, APPLICATION_READ_ONLY);
      if ("passwordCredentials" in patch) {
        throw badRequest("New password credentials must be generated using service actions."); // (obs)
      }
      if (
        "displayName" in patch &&
        (typeof patch.displayName !== "string" || patch.displayName.trim() === "")
      ) {
        throw badRequest("Invalid value specified for property 'displayName' of resource 'Application'."); // (unv)
      }
      if (patch.signInAudience !== undefined && !SIGN_IN_AUDIENCES.includes(String(patch.signInAudience))) {
        throw badRequest(`Invalid value specified for property 'signInAudience' of resource 'Application'.`); // (unv)
      }
      // Validated whole before anything changes: a refused update leaves the object as it was.
      const keyCredentials =
        "keyCredentials" in patch
          ? keyCredentialsFrom(patch.keyCredentials, target.keyCredentials)
          : undefined;
      for (const [k, v] of Object.entries(patch))
        if (!k.includes("@") && k !== "keyCredentials") target[k] = v;
      if (keyCredentials) target.keyCredentials = keyCredentials;
      http.store.save();
      return reply.code(204).send();
    });

    app.delete(path, async (req: FastifyRequest<{ Params: ObjectParams }>, reply: FastifyReply) => {
      const ctx = await http.authorize(req, APPLICATION_WRITE);
      const target = applicationOf(ctx.tenant, req.params);
      mayWrite(ctx, target);
      // Graph moves it to deletedItems for 30 days; the emulator does not model restoring.
      removeApplication(ctx.tenant, target.id);
      http.store.save();
      return reply.code(204).send();
    });
  }

  // --- service principals ---

  app.post("/v1.0/servicePrincipals", async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx = await http.authorize(req, SERVICE_PRINCIPAL_CREATE);
    http.validate("microsoft.graph.servicePrincipal", req.body, "create");
    refuseUndeclared(http, "microsoft.graph.servicePrincipal", req.body);
    const body = req.body as JsonObject;
    if (typeof body.appId !== "string" || body.appId === "") {
      throw badRequest("Invalid value specified for property 'appId' of resource 'ServicePrincipal'."); // (unv)
    }
    refuseReadOnly(body, SERVICE_PRINCIPAL_READ_ONLY);
    const existing = servicePrincipalByAppId(ctx.tenant, body.appId);
    if (existing) {
      // (obs) terraform-provider-azuread and AzureAD PowerShell users recorded this answer.
      throw new GraphHttpError(
        409,
        "Request_MultipleObjectsWithSameKeyValue",
        `The service principal cannot be created, updated, or restored because the service principal name ${existing.appId} is already in use.`,
      );
    }
    const application = applicationByAppId(ctx.tenant, body.appId);
    if (!application) {
      // (obs) msgraph-sdk-powershell#846. The emulator has no multi-tenant apps of other tenants.
      throw badRequest(
        `The appId '${body.appId}' of the service principal does not reference a valid application object.`,
      );
    }
    mayWrite(ctx, application);
    const created = newServicePrincipal(ctx.tenant, application);
    for (const [k, v] of Object.entries(body)) if (!k.includes("@") && k !== "appId") created[k] = v;
    const owners = boundOwners(ctx.tenant, body);
    if (!hasRole(ctx, ALL_APPLICATIONS) && !owners.includes(ctx.servicePrincipalId)) {
      owners.push(ctx.servicePrincipalId); // (unv) as for applications
    }
    created.owners = owners;
    ctx.tenant.servicePrincipals[created.id] = created;
    http.created(ctx.tenant, "servicePrincipals", [created.id, created.appId]);
    http.store.save();
    return reply.code(201).send({
      "@odata.context": context(req, "servicePrincipals/$entity"),
      ...servicePrincipalJson(created),
    });
  });

  app.get("/v1.0/servicePrincipals", async (req: FastifyRequest<{ Querystring: Query }>) => {
    const { tenant } = await http.authorize(req, APPLICATION_READ);
    checkSelect(http, "microsoft.graph.servicePrincipal", req.query.$select);
    let sps = Object.values(tenant.servicePrincipals);
    if (req.query.$filter) {
      const predicate = parseFilter(req, req.query.$filter, SERVICE_PRINCIPAL_FILTERS);
      sps = sps.filter((s) => predicate(s));
    }
    return page(
      req,
      sps.map((s) => servicePrincipalJson(s, req.query.$select)),
      "servicePrincipals",
    );
  });

  for (const path of byIdOrAppId("servicePrincipals")) {
    app.get(path, async (req: FastifyRequest<{ Params: ObjectParams; Querystring: Query }>) => {
      const { tenant } = await http.authorize(req, APPLICATION_READ);
      checkSelect(http, "microsoft.graph.servicePrincipal", req.query.$select);
      const found = servicePrincipalOf(tenant, req.params);
      return {
        "@odata.context": context(req, "servicePrincipals/$entity"),
        ...servicePrincipalJson(found, req.query.$select, true),
      };
    });

    app.delete(path, async (req: FastifyRequest<{ Params: ObjectParams }>, reply: FastifyReply) => {
      const ctx = await http.authorize(req, APPLICATION_WRITE);
      const target = servicePrincipalOf(ctx.tenant, req.params);
      if (target.appId === MICROSOFT_GRAPH_APP_ID) {
        // (unv) the emulator keeps Microsoft's own service principal, which every token needs.
        throw badRequest("The service principal of Microsoft Graph cannot be deleted in the emulator.");
      }
      mayWrite(ctx, target);
      removeServicePrincipal(ctx.tenant, target.id);
      http.store.save();
      return reply.code(204).send();
    });

    // --- app role assignments, from either end: granted to a principal, or of a resource ---

    for (const rel of ["appRoleAssignments", "appRoleAssignedTo"] as const) {
      /** The assignments in this relationship of the service principal. */
      const related = (tenant: Tenant, sp: EmulatedServicePrincipal) =>
        Object.values(tenant.appRoleAssignments).filter((a) =>
          rel === "appRoleAssignments" ? a.principalId === sp.id : a.resourceId === sp.id,
        );

      app.get(`${path}/${rel}`, async (req: FastifyRequest<{ Params: ObjectParams; Querystring: Query }>) => {
        const { tenant } = await http.authorize(req, ASSIGNMENT_READ);
        checkSelect(http, "microsoft.graph.appRoleAssignment", req.query.$select);
        const sp = servicePrincipalOf(tenant, req.params);
        let items: AppRoleAssignment[] = related(tenant, sp);
        if (req.query.$filter) {
          const predicate = parseFilter(req, req.query.$filter, ASSIGNMENT_FILTERS);
          items = items.filter((a) => predicate(a));
        }
        return page(
          req,
          items.map((a) => select(a, req.query.$select, Object.keys(a))),
          `servicePrincipals('${sp.id}')/${rel}`,
        );
      });

      app.post(
        `${path}/${rel}`,
        async (req: FastifyRequest<{ Params: ObjectParams }>, reply: FastifyReply) => {
          const ctx = await http.authorize(req, ASSIGNMENT_WRITE);
          if (!hasRole(ctx, ASSIGNMENT_WRITE_READ)) throw forbidden();
          const { tenant } = ctx;
          const sp = servicePrincipalOf(tenant, req.params);
          http.validate("microsoft.graph.appRoleAssignment", req.body, "create");
          refuseUndeclared(http, "microsoft.graph.appRoleAssignment", req.body);
          const body = req.body as JsonObject;
          for (const key of ["principalId", "resourceId", "appRoleId"]) {
            if (typeof body[key] !== "string") {
              throw badRequest(
                `Invalid value specified for property '${key}' of resource 'AppRoleAssignment'.`,
              ); // (unv)
            }
          }
          const principalId = String(body.principalId).toLowerCase();
          const resourceId = String(body.resourceId).toLowerCase();
          const appRoleId = String(body.appRoleId).toLowerCase();
          // The docs: {id} is the principal (appRoleAssignments) or the resource (appRoleAssignedTo),
          // and the body repeats it; (unv) Graph's answer when it does not.
          if (rel === "appRoleAssignments" && principalId !== sp.id) {
            throw badRequest(
              `principalId '${principalId}' must be the id of the service principal in the URL.`,
            );
          }
          if (rel === "appRoleAssignedTo" && resourceId !== sp.id) {
            throw badRequest(
              `resourceId '${resourceId}' must be the id of the service principal in the URL.`,
            );
          }
          const principal = tenant.servicePrincipals[principalId];
          // Users and groups can hold app roles too; the emulator grants them to service principals only.
          if (!principal) throw notFound(principalId);
          const resource = tenant.servicePrincipals[resourceId];
          if (!resource) throw notFound(resourceId);
          const role = resource.appRoles.find(
            (r) =>
              r.id === appRoleId &&
              r.isEnabled !== false &&
              Array.isArray(r.allowedMemberTypes) &&
              r.allowedMemberTypes.includes("Application"),
          );
          if (!role) {
            // (unv) the wording for an app role the resource does not define for applications.
            throw badRequest(
              `Permission being assigned was not found on application '${resource.appId}' (${resource.displayName}): no application app role has id '${appRoleId}'.`,
            );
          }
          const duplicate = Object.values(tenant.appRoleAssignments).some(
            (a) =>
              a.principalId === principal.id && a.resourceId === resource.id && a.appRoleId === appRoleId,
          );
          // (obs) graph-facts.md
          if (duplicate) throw badRequest("Permission being assigned already exists on the object");
          const created = newAppRoleAssignment(principal, resource, appRoleId);
          tenant.appRoleAssignments[created.id] = created;
          http.store.save();
          return reply.code(201).send({
            "@odata.context": context(req, `servicePrincipals('${sp.id}')/${rel}/$entity`),
            ...created,
          });
        },
      );

      app.delete(
        `${path}/${rel}/:assignmentId`,
        async (
          req: FastifyRequest<{ Params: ObjectParams & { assignmentId: string } }>,
          reply: FastifyReply,
        ) => {
          const { tenant } = await http.authorize(req, ASSIGNMENT_WRITE);
          const sp = servicePrincipalOf(tenant, req.params);
          const target = related(tenant, sp).find((a) => a.id === req.params.assignmentId);
          if (!target) throw notFound(req.params.assignmentId);
          delete tenant.appRoleAssignments[target.id];
          http.store.save();
          return reply.code(204).send();
        },
      );
    }
  }
}
