// CrossTenantAccessPartner: one partner entry of a tenant's cross-tenant access policy
// (/policies/crossTenantAccessPolicy/partners/{tenantId}) and its identity-sync policy.
//
// Life cycle (the kernel's rules): create adopts an entry that already exists (dynamic resources
// cannot be imported) and records what it found; update sends only the settings that differ;
// read reports drift in `settings`; delete removes an entry this resource created and puts an
// adopted one back as it was found. An identity-sync policy is managed only when declared: one
// someone else set up is never deleted, and an entry that carries one is not deleted either.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import {
  createPartner,
  deletePartner,
  type PartnerSnapshot,
  readPartner,
  setIdentitySync,
  updatePartner,
} from "../lib/crossTenantAccess/policyApi";
import {
  canonicalPartnerSettings,
  changedKeys,
  PARTNER_POLICY_KEYS,
  type PartnerSettings,
  partnerSettingsSchema,
  sameValue,
  tenantIdSchema,
} from "../lib/crossTenantAccess/settings";
import { graphFor } from "./connections";
import { defineProvider, withCleanup } from "./kernel";

export const partnerInputsSchema = z.strictObject({
  /** Which configured tenant holds the entry: "source" or "target". */
  tenant: z.enum(TENANT_ROLES),
  /** The other tenant, the one the entry is about. */
  partnerTenantId: tenantIdSchema,
  settings: partnerSettingsSchema,
});
export type PartnerInputs = z.input<typeof partnerInputsSchema>;

interface Info extends Record<string, unknown> {
  isServiceProvider: boolean;
  isInMultiTenantOrganization: boolean;
}

/** The live settings in the declared shape: an identity-sync policy the declaration leaves out
 * is not this resource's, so it is not reported as drift. */
function liveSettings(now: PartnerSnapshot, declared: PartnerSettings): PartnerSettings {
  return declared.identitySynchronization === null
    ? { ...now.settings, identitySynchronization: null }
    : now.settings;
}

const defined = defineProvider<
  typeof partnerInputsSchema,
  Record<never, never>,
  PartnerSettings,
  Info,
  CrossTenantAccessPartnerArgs
>({
  type: "CrossTenantAccessPartner",
  module: "dist/providers/crossTenantAccessPartner",
  schema: partnerInputsSchema,
  infoKeys: ["isServiceProvider", "isInMultiTenantOrganization"],
  canonical: (i) => ({
    ...i,
    partnerTenantId: i.partnerTenantId.toLowerCase(),
    settings: canonicalPartnerSettings(i.settings),
  }),
  observed: ["settings"],
  replaceOn: ["tenant", "partnerTenantId"],
  objectKey: (id, i) => `${i.tenant} tenant's partner entry for ${id}`,
  claim: (a) =>
    pulumi.interpolate`${a.tenant} tenant's partner entry for ${pulumi.output(a.partnerTenantId).apply((t) => t.toLowerCase())}`,

  // Before the kernel: `adopted` and `found` outputs.
  legacyOwnership: (s) =>
    typeof s.adopted !== "boolean"
      ? undefined
      : s.adopted && s.found
        ? { kind: "adopted", found: s.found as PartnerSettings }
        : { kind: "created" },

  async create(inputs) {
    const { tenant, partnerTenantId, settings } = inputs;
    const graph = graphFor(tenant);
    const existing = await readPartner(graph, partnerTenantId);
    if (existing) {
      await converge(tenant, partnerTenantId, existing.settings, settings);
      return { id: partnerTenantId, ownership: { kind: "adopted", found: existing.settings } };
    }
    if (await createPartner(graph, partnerTenantId, settings)) {
      await withCleanup(
        () => setIdentitySync(graph, partnerTenantId, null, settings.identitySynchronization),
        {
          describe: `the ${tenant} tenant's partner entry for ${partnerTenantId}`,
          run: () => deletePartner(graph, partnerTenantId),
        },
      );
      return { id: partnerTenantId, ownership: { kind: "created" } };
    }
    // Created by someone else between our read and our POST: adopt it like any existing entry.
    const raced = await mustRead(tenant, partnerTenantId);
    await converge(tenant, partnerTenantId, raced.settings, settings);
    return { id: partnerTenantId, ownership: { kind: "adopted", found: raced.settings } };
  },

  async observe(id, inputs) {
    const now = await readPartner(graphFor(inputs.tenant), id);
    if (!now) return undefined;
    return {
      live: { settings: liveSettings(now, inputs.settings) },
      info: {
        isServiceProvider: now.isServiceProvider,
        isInMultiTenantOrganization: now.isInMultiTenantOrganization,
      },
    };
  },

  async update(id, _olds, news) {
    // Compare with the tenant as it is now, not with state that may be stale: an update then
    // also repairs drift that no refresh has seen yet.
    const now = await mustRead(news.tenant, id);
    await converge(news.tenant, id, now.settings, news.settings);
  },

  async remove(id, state) {
    const graph = graphFor(state.tenant);
    const now = await readPartner(graph, id);
    if (!now) return;
    if (state.settings.identitySynchronization === null && now.settings.identitySynchronization !== null) {
      throw new Error(
        `the ${state.tenant} tenant's partner entry for ${id} now has an identity-synchronization policy that this stack did not declare, ` +
          "and Graph deletes it with the entry: remove that policy by hand if it is not needed, or keep the entry " +
          "(pulumi state delete, or retainOnDelete) and destroy again; nothing was deleted",
      );
    }
    await deletePartner(graph, id);
  },

  async restore(id, state, found) {
    const now = await readPartner(graphFor(state.tenant), id);
    if (!now) return;
    // An identity-sync policy is put back only if this resource managed it.
    const back =
      state.settings.identitySynchronization === null
        ? { ...found, identitySynchronization: now.settings.identitySynchronization }
        : found;
    await converge(state.tenant, id, now.settings, back);
  },
});

export const provider = defined.provider;

/** Changes only what differs between `current` and `desired`. An undeclared (null) identity-sync
 * policy is left as it is. */
async function converge(
  tenant: TenantRole,
  partnerTenantId: string,
  current: PartnerSettings,
  desired: PartnerSettings,
): Promise<void> {
  const graph = graphFor(tenant);
  const keys = changedKeys<PartnerSettings>(
    current,
    desired,
    PARTNER_POLICY_KEYS,
  ) as (typeof PARTNER_POLICY_KEYS)[number][];
  await updatePartner(graph, partnerTenantId, desired, keys);
  if (
    desired.identitySynchronization !== null &&
    !sameValue(current.identitySynchronization, desired.identitySynchronization)
  ) {
    await setIdentitySync(
      graph,
      partnerTenantId,
      current.identitySynchronization,
      desired.identitySynchronization,
    );
  }
}

async function mustRead(tenant: TenantRole, partnerTenantId: string): Promise<PartnerSnapshot> {
  const now = await readPartner(graphFor(tenant), partnerTenantId);
  if (!now) {
    throw new Error(
      `the ${tenant} tenant's partner entry for ${partnerTenantId} disappeared while it was being written; run pulumi up again`,
    );
  }
  return now;
}

export interface CrossTenantAccessPartnerArgs {
  tenant: pulumi.Input<TenantRole>;
  partnerTenantId: pulumi.Input<string>;
  settings: pulumi.Input<z.input<typeof partnerSettingsSchema>>;
}

/** A partner entry in one tenant's cross-tenant access policy. */
export class CrossTenantAccessPartner extends defined.Resource {
  declare readonly tenant: pulumi.Output<TenantRole>;
  declare readonly partnerTenantId: pulumi.Output<string>;
  /** The entry's settings as the tenant has them, as of the last read. */
  declare readonly settings: pulumi.Output<PartnerSettings>;
  declare readonly ownership: pulumi.Output<
    { kind: "created" } | { kind: "adopted"; found: PartnerSettings }
  >;
  declare readonly isServiceProvider: pulumi.Output<boolean>;
  declare readonly isInMultiTenantOrganization: pulumi.Output<boolean>;
}
