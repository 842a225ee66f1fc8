// The cross-tenant access policy endpoints of Microsoft Graph v1.0, in one place. Permissions:
// Policy.Read.All to read, Policy.ReadWrite.CrossTenantAccess to write.
import { type GraphClient, GraphRequestError } from "../graph/client";
import {
  type DefaultSettings,
  type IdentitySync,
  PARTNER_POLICY_KEYS,
  type PartnerSettings,
  partnerSettingsFromGraph,
} from "./settings";

const POLICY = "/policies/crossTenantAccessPolicy";
const partnerPath = (partnerTenantId: string) => `${POLICY}/partners/${encodeURIComponent(partnerTenantId)}`;

export interface PartnerSnapshot {
  settings: PartnerSettings;
  isServiceProvider: boolean;
  isInMultiTenantOrganization: boolean;
}

/** The partner entry for `partnerTenantId` with its identity-sync policy, or undefined if none. */
export async function readPartner(
  graph: GraphClient,
  partnerTenantId: string,
): Promise<PartnerSnapshot | undefined> {
  const partner = await graph.getOptional<Record<string, unknown>>(partnerPath(partnerTenantId));
  if (!partner) return undefined;
  const sync = await graph.getOptional<Record<string, unknown>>(
    `${partnerPath(partnerTenantId)}/identitySynchronization`,
  );
  return {
    settings: partnerSettingsFromGraph(partner, sync),
    isServiceProvider: partner.isServiceProvider === true,
    isInMultiTenantOrganization: partner.isInMultiTenantOrganization === true,
  };
}

function policyBody(
  settings: Partial<PartnerSettings>,
  keys: readonly (typeof PARTNER_POLICY_KEYS)[number][],
) {
  const body: Record<string, unknown> = {};
  for (const key of keys) body[key] = settings[key] ?? null;
  return body;
}

/** Creates the partner entry. Returns false when one already exists (Graph's 409), so the
 * caller can adopt it instead. */
export async function createPartner(
  graph: GraphClient,
  partnerTenantId: string,
  settings: PartnerSettings,
): Promise<boolean> {
  try {
    await graph.post(`${POLICY}/partners`, {
      tenantId: partnerTenantId,
      ...policyBody(settings, PARTNER_POLICY_KEYS),
    });
    return true;
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 409) return false;
    throw e;
  }
}

/** Sends only the given keys: Graph leaves the others as they are. */
export async function updatePartner(
  graph: GraphClient,
  partnerTenantId: string,
  settings: PartnerSettings,
  keys: readonly (typeof PARTNER_POLICY_KEYS)[number][],
): Promise<void> {
  if (keys.length === 0) return;
  await graph.patch(partnerPath(partnerTenantId), policyBody(settings, keys));
}

/** Brings the identity-sync policy of a partner to `desired` (null: no policy). PUT creates it
 * and is not an upsert (a second PUT is 409), so an existing one is changed with PATCH. */
export async function setIdentitySync(
  graph: GraphClient,
  partnerTenantId: string,
  current: IdentitySync | null,
  desired: IdentitySync | null,
): Promise<void> {
  const path = `${partnerPath(partnerTenantId)}/identitySynchronization`;
  if (desired === null) {
    if (current !== null) await deleteIgnoringGone(graph, path);
    return;
  }
  const body = { displayName: desired.displayName, userSyncInbound: desired.userSyncInbound };
  if (current === null) await graph.put(path, body);
  else await graph.patch(path, body);
}

/** Deletes the partner entry; its identity-sync policy has to go first or Graph refuses. */
export async function deletePartner(graph: GraphClient, partnerTenantId: string): Promise<void> {
  await deleteIgnoringGone(graph, `${partnerPath(partnerTenantId)}/identitySynchronization`);
  await deleteIgnoringGone(graph, partnerPath(partnerTenantId));
}

async function deleteIgnoringGone(graph: GraphClient, path: string): Promise<void> {
  try {
    await graph.delete(path);
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return;
    throw e;
  }
}

export async function readDefault(graph: GraphClient): Promise<Record<string, unknown>> {
  return graph.get<Record<string, unknown>>(`${POLICY}/default`);
}

export async function updateDefault(graph: GraphClient, settings: DefaultSettings): Promise<void> {
  if (Object.keys(settings).length === 0) return;
  await graph.patch(`${POLICY}/default`, settings);
}

/** Puts the default back to the service default (isServiceDefault true again). */
export async function resetDefault(graph: GraphClient): Promise<void> {
  await graph.post(`${POLICY}/default/resetToSystemDefault`, {});
}
