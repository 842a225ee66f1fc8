// Graph calls for the automation's app registration, in one place. The deploying identity needs
// Application.ReadWrite.All (applications, service principals), AppRoleAssignment.ReadWrite.All
// (admin consent to application permissions) and Group.ReadWrite.All (group owners).
// Every create and change returns once Graph reads it back, and the calls that follow a create
// (service principal of a new application, grants to a new service principal, a new owner) wait
// out Graph's known post-create answers (lib/graph/consistency.ts), so that a caller can chain them.
// Creates that Graph answers 503/504 are looked up before they are sent again.
import { createHash } from "node:crypto";
import { type GraphClient, GraphRequestError, odataString } from "../graph/client";
import { eventually, lookUp, REPLICATION_RULES, retryingOn } from "../graph/consistency";

/** Microsoft Graph's application id, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Marks the app registrations this product creates, so that a re-run finds its own. */
export const AUTOMATION_APP_TAG = "entra-coexistence:reachback-automation";

export interface AppRole {
  id: string;
  value: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface ResourceServicePrincipal {
  id: string;
  appRoles: AppRole[];
}

export interface KeyCredentialInfo {
  keyId: string;
  /** Upper-case SHA-1 hex of the certificate. */
  thumbprint: string;
  displayName: string | null;
  endDateTime: string | null;
  /** base64 DER, when Graph returned it (only on $select of one application). */
  key: string | null;
}

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  tags: string[];
  keyCredentials: KeyCredentialInfo[];
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  resourceId: string;
}

export function thumbprintOfDer(derBase64: string): string {
  return createHash("sha1").update(Buffer.from(derBase64, "base64")).digest("hex").toUpperCase();
}

function toKeyCredential(k: Record<string, unknown>): KeyCredentialInfo {
  const key = (k.key as string | null | undefined) ?? null;
  const custom = (k.customKeyIdentifier as string | null | undefined) ?? null;
  return {
    keyId: String(k.keyId),
    // Graph sets customKeyIdentifier to the certificate's thumbprint bytes (unv when the key is absent).
    thumbprint: key
      ? thumbprintOfDer(key)
      : custom
        ? Buffer.from(custom, "base64").toString("hex").toUpperCase()
        : "",
    displayName: (k.displayName as string | null | undefined) ?? null,
    endDateTime: (k.endDateTime as string | null | undefined) ?? null,
    key,
  };
}

function toApplication(a: Record<string, unknown>): Application {
  return {
    id: String(a.id),
    appId: String(a.appId),
    displayName: String(a.displayName),
    tags: (a.tags as string[] | undefined) ?? [],
    keyCredentials: ((a.keyCredentials as Record<string, unknown>[] | undefined) ?? []).map(toKeyCredential),
  };
}

/** The tenant's Microsoft Graph service principal and its application permissions (app roles). */
export async function graphServicePrincipal(graph: GraphClient): Promise<ResourceServicePrincipal> {
  const found = await graph.list<ResourceServicePrincipal>(
    `/servicePrincipals?$filter=appId eq '${MICROSOFT_GRAPH_APP_ID}'&$select=id,appRoles`,
  );
  if (!found[0]) {
    throw new Error(
      `the ${graph.tenantId} tenant has no Microsoft Graph service principal (appId ${MICROSOFT_GRAPH_APP_ID}); it exists in every Entra tenant, so check the tenant id`,
    );
  }
  return found[0];
}

/** App role ids by value, from the resource's own definitions (ids are not hard-coded). */
export function appRoleIds(
  resource: ResourceServicePrincipal,
  values: readonly string[],
): Map<string, string> {
  const byValue = new Map<string, string>();
  const missing: string[] = [];
  for (const value of values) {
    const role = resource.appRoles.find(
      (r) => r.value === value && r.isEnabled !== false && r.allowedMemberTypes.includes("Application"),
    );
    if (role) byValue.set(value, role.id.toLowerCase());
    else missing.push(value);
  }
  if (missing.length > 0) {
    throw new Error(
      `Microsoft Graph in this tenant has no application permission ${missing.join(", ")}; check the spelling (e.g. User.Invite.All)`,
    );
  }
  return byValue;
}

export async function findApplicationsByName(
  graph: GraphClient,
  displayName: string,
): Promise<Application[]> {
  const found = await graph.list<Record<string, unknown>>(
    `/applications?$filter=displayName eq ${odataString(displayName)}&$select=id,appId,displayName,tags`,
  );
  return found.map(toApplication);
}

/** One application with its key credentials' keys (Graph returns keys only on this form of read). */
export async function readApplication(graph: GraphClient, id: string): Promise<Application | undefined> {
  const base = await graph.getOptional<Record<string, unknown>>(
    `/applications/${id}?$select=id,appId,displayName,tags`,
  );
  if (!base) return undefined;
  const keys = await graph.getOptional<Record<string, unknown>>(`/applications/${id}?$select=keyCredentials`);
  return toApplication({ ...base, keyCredentials: keys?.keyCredentials ?? [] });
}

export interface NewKey {
  der: string;
  thumbprint: string;
}

function keyBody(k: NewKey | KeyCredentialInfo) {
  if ("keyId" in k) {
    // An existing credential is kept by sending it back whole (Graph needs its key too).
    return {
      keyId: k.keyId,
      type: "AsymmetricX509Cert",
      usage: "Verify",
      key: k.key,
      displayName: k.displayName,
    };
  }
  return {
    type: "AsymmetricX509Cert",
    usage: "Verify",
    key: k.der,
    displayName: `CN thumbprint ${k.thumbprint}`,
  };
}

/** Creates the app registration, for a caller that found none of this name with the product's
 * tag, and returns once Graph reads it back by id. */
export async function createApplication(
  graph: GraphClient,
  displayName: string,
  keys: readonly NewKey[],
  /** More tags beside AUTOMATION_APP_TAG (e.g. the stack that holds the app). */
  moreTags: readonly string[] = [],
): Promise<Application> {
  const ours = async () =>
    (await findApplicationsByName(graph, displayName)).find((a) =>
      [AUTOMATION_APP_TAG, ...moreTags].every((t) => a.tags.includes(t)),
    );
  const a = await graph.post<Record<string, unknown>>(
    "/applications",
    {
      displayName,
      signInAudience: "AzureADMyOrg",
      tags: [AUTOMATION_APP_TAG, ...moreTags],
      notes:
        "B2B reach-back automation (seed 000). Managed by the entra-coexistence Pulumi stack: change it there.",
      keyCredentials: keys.map(keyBody),
    },
    {
      retry: {
        lookup: async () => {
          const found = await lookUp(`app registration ${displayName}`, ours, graph.consistency);
          return found && { ...found, keyCredentials: [] };
        },
      },
    },
  );
  const app = toApplication(a);
  await eventually(
    `the new app registration ${displayName} (${app.appId})`,
    () => readApplication(graph, app.id),
    graph.consistency,
  );
  return app;
}

/** Replaces the application's key credentials with `keep` (existing, by keyId) plus `add`, and
 * returns once the application reads back with exactly those certificates. */
export async function setKeyCredentials(
  graph: GraphClient,
  applicationId: string,
  keep: readonly KeyCredentialInfo[],
  add: readonly NewKey[],
): Promise<void> {
  const missingKey = keep.find((k) => !k.key);
  if (missingKey) {
    throw new Error(
      `Graph did not return the key of credential ${missingKey.keyId} (thumbprint ${missingKey.thumbprint}) of application ${applicationId}; it cannot be kept through a keyCredentials update`,
    );
  }
  await graph.patch(`/applications/${applicationId}`, {
    keyCredentials: [...keep.map(keyBody), ...add.map(keyBody)],
  });
  const expected = [...keep, ...add].map((k) => k.thumbprint).sort();
  await eventually(
    `the certificates just set on app registration ${applicationId}`,
    async () => {
      const app = await readApplication(graph, applicationId);
      const now = app?.keyCredentials.map((k) => k.thumbprint).sort();
      return JSON.stringify(now) === JSON.stringify(expected) ? app : undefined;
    },
    graph.consistency,
  );
}

export async function renameApplication(
  graph: GraphClient,
  applicationId: string,
  displayName: string,
): Promise<void> {
  await graph.patch(`/applications/${applicationId}`, { displayName });
  await eventually(
    `app registration ${applicationId} renamed to ${displayName}`,
    async () => {
      const app = await readApplication(graph, applicationId);
      return app?.displayName === displayName ? app : undefined;
    },
    graph.consistency,
  );
}

export async function setApplicationTags(
  graph: GraphClient,
  applicationId: string,
  tags: readonly string[],
): Promise<void> {
  await graph.patch(`/applications/${applicationId}`, { tags });
}

/** Deletes the application (gone already is fine); Entra deletes its service principal, grants
 * and ownerships with it. Returns once Graph no longer finds it, so that a create of the same name
 * that follows (a replacement) does not adopt it. */
export async function deleteApplication(graph: GraphClient, applicationId: string): Promise<void> {
  try {
    await graph.delete(`/applications/${applicationId}`);
  } catch (e) {
    if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
  }
  await eventually(
    `app registration ${applicationId} deleted`,
    async () =>
      (await graph.getOptional(`/applications/${applicationId}?$select=id`)) === undefined ? true : undefined,
    graph.consistency,
  );
}

export async function findServicePrincipal(
  graph: GraphClient,
  appId: string,
): Promise<{ id: string } | undefined> {
  const found = await graph.list<{ id: string }>(
    `/servicePrincipals?$filter=appId eq ${odataString(appId)}&$select=id`,
  );
  return found[0];
}

/** Creates the service principal of an application (which may have been created moments ago),
 * and returns once Graph finds it by id and by appId. */
export async function createServicePrincipal(graph: GraphClient, appId: string): Promise<{ id: string }> {
  const sp = await retryingOn(
    `the service principal of application ${appId}`,
    [REPLICATION_RULES.applicationNotReplicated, REPLICATION_RULES.ownedByApplicationNotReplicated],
    () =>
      graph.post<{ id: string }>(
        "/servicePrincipals",
        { appId },
        {
          retry: {
            lookup: () =>
              lookUp(
                `the service principal of ${appId}`,
                () => findServicePrincipal(graph, appId),
                graph.consistency,
              ),
          },
        },
      ),
    graph.consistency,
  );
  await eventually(
    `the new service principal ${sp.id} of application ${appId}`,
    async () => {
      const byId = await graph.getOptional<{ id: string }>(`/servicePrincipals/${sp.id}?$select=id`);
      return byId && (await findServicePrincipal(graph, appId))?.id === sp.id ? byId : undefined;
    },
    graph.consistency,
  );
  return { id: sp.id };
}

export async function listAppRoleAssignments(
  graph: GraphClient,
  servicePrincipalId: string,
): Promise<AppRoleAssignment[]> {
  const found = await graph.list<AppRoleAssignment>(
    `/servicePrincipals/${servicePrincipalId}/appRoleAssignments?$select=id,appRoleId,resourceId`,
  );
  return found.map((a) => ({
    id: a.id,
    appRoleId: a.appRoleId.toLowerCase(),
    resourceId: a.resourceId.toLowerCase(),
  }));
}

/** Grants an application permission with admin consent (an app role assignment) to a service
 * principal that may have been created moments ago, and returns once the grant is listed. */
export async function grantAppRole(
  graph: GraphClient,
  servicePrincipalId: string,
  resourceId: string,
  appRoleId: string,
): Promise<void> {
  const granted = async () =>
    (await listAppRoleAssignments(graph, servicePrincipalId)).find(
      (a) => a.resourceId === resourceId.toLowerCase() && a.appRoleId === appRoleId.toLowerCase(),
    );
  await retryingOn(
    `app role ${appRoleId} for service principal ${servicePrincipalId}`,
    [REPLICATION_RULES.notFoundYet, REPLICATION_RULES.referenceNotReplicated],
    () =>
      graph.post(
        `/servicePrincipals/${servicePrincipalId}/appRoleAssignments`,
        { principalId: servicePrincipalId, resourceId, appRoleId },
        { retry: { lookup: () => lookUp(`app role ${appRoleId}`, granted, graph.consistency) } },
      ),
    graph.consistency,
  );
  await eventually(
    `app role ${appRoleId} just granted to service principal ${servicePrincipalId}`,
    granted,
    graph.consistency,
  );
}

/** Revokes a grant and returns once it is no longer listed. */
export async function revokeAppRole(
  graph: GraphClient,
  servicePrincipalId: string,
  assignmentId: string,
): Promise<void> {
  try {
    await graph.delete(`/servicePrincipals/${servicePrincipalId}/appRoleAssignments/${assignmentId}`);
  } catch (e) {
    if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
  }
  await eventually(
    `app role assignment ${assignmentId} just revoked from service principal ${servicePrincipalId}`,
    async () =>
      (await listAppRoleAssignments(graph, servicePrincipalId)).some((a) => a.id === assignmentId)
        ? undefined
        : true,
    graph.consistency,
  );
}

export async function listOwnerIds(graph: GraphClient, groupId: string): Promise<string[] | undefined> {
  try {
    const owners = await graph.list<{ id: string }>(`/groups/${groupId}/owners?$select=id`);
    return owners.map((o) => o.id.toLowerCase());
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return undefined;
    throw e;
  }
}

/** Makes `objectId` an owner of the group (either may have been created moments ago), and returns
 * once the group lists it. */
export async function addOwner(graph: GraphClient, groupId: string, objectId: string): Promise<void> {
  const owns = async () =>
    (await listOwnerIds(graph, groupId))?.includes(objectId.toLowerCase()) ? true : undefined;
  await retryingOn(
    `owner ${objectId} of group ${groupId}`,
    [REPLICATION_RULES.notFoundYet, REPLICATION_RULES.referencedObjectNotReplicated],
    () =>
      graph.post(
        `/groups/${groupId}/owners/$ref`,
        { "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${objectId}` },
        { retry: { lookup: () => lookUp(`owner ${objectId} of ${groupId}`, owns, graph.consistency) } },
      ),
    graph.consistency,
  );
  await eventually(`${objectId} as a new owner of group ${groupId}`, owns, graph.consistency);
}

/** Removes an owner and returns once the group no longer lists it. */
export async function removeOwner(graph: GraphClient, groupId: string, objectId: string): Promise<void> {
  try {
    await graph.delete(`/groups/${groupId}/owners/${objectId}/$ref`);
  } catch (e) {
    if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
  }
  await eventually(
    `${objectId} removed from the owners of group ${groupId}`,
    async () => ((await listOwnerIds(graph, groupId))?.includes(objectId.toLowerCase()) ? undefined : true),
    graph.consistency,
  );
}
