// The cross-tenant access policy endpoints of Microsoft Graph v1.0, in one place. Permissions:
// Policy.Read.All to read, Policy.ReadWrite.CrossTenantAccess to write. Every write returns once
// Graph reads it back (lib/graph/consistency.ts), so that the caller's next read sees it.
import { type GraphClient, GraphRequestError } from "../graph/client";
import { eventually, lookUp } from "../graph/consistency";
import {
  type DefaultSettings,
  defaultSettingsFromGraph,
  type IdentitySync,
  PARTNER_POLICY_KEYS,
  type PartnerSettings,
  partnerSettingsFromGraph,
  sameValue,
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

/** Waits until the partner entry reads back with `keys` as in `settings` (compared in the
 * canonical form, as Graph answers them). */
async function untilPartnerShows(
  graph: GraphClient,
  partnerTenantId: string,
  what: string,
  shows: (now: PartnerSnapshot) => boolean,
): Promise<PartnerSnapshot> {
  return eventually(
    `${what} (partner entry ${partnerTenantId})`,
    async () => {
      const now = await readPartner(graph, partnerTenantId);
      return now && shows(now) ? now : undefined;
    },
    graph.consistency,
  );
}

function showsKeys(
  now: PartnerSnapshot,
  settings: PartnerSettings,
  keys: readonly (typeof PARTNER_POLICY_KEYS)[number][],
): boolean {
  const sent = partnerSettingsFromGraph(policyBody(settings, keys), undefined);
  return keys.every((k) => sameValue(now.settings[k], sent[k]));
}

/** Creates the partner entry and returns once Graph reads it back. Returns false when one already
 * exists (Graph's 409), so the caller can adopt it instead. A create that Graph answers 503/504 is
 * looked up before it is sent again. */
export async function createPartner(
  graph: GraphClient,
  partnerTenantId: string,
  settings: PartnerSettings,
): Promise<boolean> {
  try {
    await graph.post(
      `${POLICY}/partners`,
      { tenantId: partnerTenantId, ...policyBody(settings, PARTNER_POLICY_KEYS) },
      {
        retry: {
          lookup: () =>
            lookUp(
              `partner entry ${partnerTenantId}`,
              () => graph.getOptional(partnerPath(partnerTenantId)),
              graph.consistency,
            ),
        },
      },
    );
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 409) return false;
    throw e;
  }
  await untilPartnerShows(graph, partnerTenantId, "the new partner entry", () => true);
  return true;
}

/** Sends only the given keys: Graph leaves the others as they are. Returns once they read back. */
export async function updatePartner(
  graph: GraphClient,
  partnerTenantId: string,
  settings: PartnerSettings,
  keys: readonly (typeof PARTNER_POLICY_KEYS)[number][],
): Promise<void> {
  if (keys.length === 0) return;
  await graph.patch(partnerPath(partnerTenantId), policyBody(settings, keys));
  await untilPartnerShows(graph, partnerTenantId, `${keys.join(", ")} just changed`, (now) =>
    showsKeys(now, settings, keys),
  );
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
    if (current === null) return;
    await deleteIgnoringGone(graph, path);
    await untilPartnerShows(
      graph,
      partnerTenantId,
      "the identity-sync policy just removed",
      (now) => now.settings.identitySynchronization === null,
    );
    return;
  }
  const body = { displayName: desired.displayName, userSyncInbound: desired.userSyncInbound };
  if (current === null) {
    try {
      await graph.put(path, body);
    } catch (e) {
      // A second PUT answers 409: one exists (ours, if a PUT Graph committed was sent again after
      // a 503, or someone else's): bring it to `desired` instead.
      if (!(e instanceof GraphRequestError && e.status === 409)) throw e;
      await graph.patch(path, body);
    }
  } else await graph.patch(path, body);
  await untilPartnerShows(graph, partnerTenantId, "the identity-sync policy just set", (now) =>
    sameValue(now.settings.identitySynchronization, desired),
  );
}

/** Deletes the partner entry; its identity-sync policy has to go first or Graph refuses. Returns
 * once Graph no longer finds the entry. */
export async function deletePartner(graph: GraphClient, partnerTenantId: string): Promise<void> {
  const sync = `${partnerPath(partnerTenantId)}/identitySynchronization`;
  await deleteIgnoringGone(graph, sync);
  await untilGone(graph, `the identity-sync policy of partner entry ${partnerTenantId}`, sync);
  await deleteIgnoringGone(graph, partnerPath(partnerTenantId));
  await untilGone(graph, `partner entry ${partnerTenantId}`, partnerPath(partnerTenantId));
}

async function untilGone(graph: GraphClient, what: string, path: string): Promise<void> {
  await eventually(
    `${what} deleted`,
    async () => ((await graph.getOptional(path)) === undefined ? true : undefined),
    graph.consistency,
  );
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

/** Sends the given keys and returns once the default reads back with them. */
export async function updateDefault(graph: GraphClient, settings: DefaultSettings): Promise<void> {
  const keys = Object.keys(settings);
  if (keys.length === 0) return;
  await graph.patch(`${POLICY}/default`, settings);
  const sent = defaultSettingsFromGraph(settings as Record<string, unknown>, keys);
  await eventually(
    `the tenant's default cross-tenant settings ${keys.join(", ")} just changed`,
    async () => {
      const now = await readDefault(graph);
      return sameValue(defaultSettingsFromGraph(now, keys), sent) ? now : undefined;
    },
    graph.consistency,
  );
}

/** Puts the default back to the service default (isServiceDefault true again), and returns once
 * it reads back so. */
export async function resetDefault(graph: GraphClient): Promise<void> {
  // Sent twice, it resets twice: safe to repeat after a 503/504.
  await graph.post(`${POLICY}/default/resetToSystemDefault`, {}, { retry: "idempotent" });
  await eventually(
    "the tenant's default cross-tenant settings reset to the service default",
    async () => {
      const now = await readDefault(graph);
      return now.isServiceDefault === true ? now : undefined;
    },
    graph.consistency,
  );
}
