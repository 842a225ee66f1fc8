// CrossTenantAccessPartner: one partner entry of a tenant's cross-tenant access policy
// (/policies/crossTenantAccessPolicy/partners/{tenantId}) and its identity-sync policy.
//
// Life cycle: create adopts an entry that already exists (dynamic resources cannot be imported)
// and records what it found; update sends only the settings that differ; read reports drift;
// delete removes an entry this resource created, and puts an adopted one back as it was found.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import {
  createPartner,
  deletePartner,
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
import { checkFailures, userInputs } from "./checkFailures";
import { configure, graphFor } from "./connections";
import { runtimeProvider } from "./runtimeProvider";

export const partnerInputsSchema = z.strictObject({
  /** Which configured tenant holds the entry: "source" or "target". */
  tenant: z.enum(TENANT_ROLES),
  /** The other tenant, the one the entry is about. */
  partnerTenantId: tenantIdSchema,
  settings: partnerSettingsSchema,
});
export type PartnerInputs = z.input<typeof partnerInputsSchema>;

export interface PartnerOutputs {
  tenant: TenantRole;
  partnerTenantId: string;
  settings: PartnerSettings;
  /** True when the entry existed before this resource; delete then restores `found`. */
  adopted: boolean;
  found: PartnerSettings | null;
  isServiceProvider: boolean;
  isInMultiTenantOrganization: boolean;
}

const OUTPUT_ONLY = ["adopted", "found", "isServiceProvider", "isInMultiTenantOrganization"];
const SETTING_KEYS = [...PARTNER_POLICY_KEYS, "identitySynchronization"] as const;

export const provider: pulumi.dynamic.ResourceProvider<PartnerInputs, PartnerOutputs> = {
  configure,

  async check(_olds, news) {
    const parsed = partnerInputsSchema.safeParse(userInputs(news, OUTPUT_ONLY));
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    return { inputs: { ...parsed.data, settings: canonicalPartnerSettings(parsed.data.settings) } };
  },

  async diff(_id, olds, news) {
    const replaces: string[] = [];
    if (olds.tenant !== news.tenant) replaces.push("tenant");
    if (olds.partnerTenantId !== news.partnerTenantId) replaces.push("partnerTenantId");
    const before = olds.settings as PartnerSettings;
    const after = canonicalPartnerSettings(news.settings);
    const changed = changedKeys(before, after, SETTING_KEYS);
    // The engine shows the property-level diff of the inputs itself; this says whether to act.
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const { tenant, partnerTenantId } = inputs;
    const desired = canonicalPartnerSettings(inputs.settings);
    const graph = graphFor(tenant);
    const existing = await readPartner(graph, partnerTenantId);
    let found: PartnerSettings | null = null;
    if (existing) {
      found = existing.settings;
      await converge(tenant, partnerTenantId, existing.settings, desired);
    } else if (await createPartner(graph, partnerTenantId, desired)) {
      try {
        await setIdentitySync(graph, partnerTenantId, null, desired.identitySynchronization);
      } catch (e) {
        // Leave nothing half-made: without this, the entry would exist outside any state.
        await deletePartner(graph, partnerTenantId).catch((cleanup) =>
          pulumi.log.warn(
            `could not remove partner entry ${partnerTenantId} after a failed create: ${cleanup}`,
          ),
        );
        throw e;
      }
    } else {
      // Created by someone else between our read and our POST: adopt it like any existing entry.
      const raced = await mustRead(tenant, partnerTenantId);
      found = raced.settings;
      await converge(tenant, partnerTenantId, raced.settings, desired);
    }
    const after = await mustRead(tenant, partnerTenantId);
    return { id: partnerTenantId, outs: outputs(inputs, after, found !== null, found) };
  },

  async read(id, props) {
    const tenant = props?.tenant as TenantRole;
    const now = await readPartner(graphFor(tenant), id);
    if (!now) return {}; // gone: Pulumi drops it from state on refresh
    return { id, props: { ...(props as PartnerOutputs), ...snapshotOutputs(now) } };
  },

  async update(id, olds, news) {
    const desired = canonicalPartnerSettings(news.settings);
    // Compare with the tenant as it is now, not with state that may be stale: an update then
    // also repairs drift that no refresh has seen yet.
    const now = await mustRead(news.tenant, id);
    await converge(news.tenant, id, now.settings, desired);
    const after = await mustRead(news.tenant, id);
    return { outs: outputs(news, after, olds.adopted, olds.found) };
  },

  async delete(id, props) {
    const graph = graphFor(props.tenant);
    if (props.adopted && props.found) {
      const now = await readPartner(graph, id);
      if (now) await converge(props.tenant, id, now.settings, props.found);
      return;
    }
    await deletePartner(graph, id);
  },
};

/** Changes only what differs between `current` and `desired`. */
async function converge(
  tenant: TenantRole,
  partnerTenantId: string,
  current: PartnerSettings,
  desired: PartnerSettings,
) {
  const graph = graphFor(tenant);
  const keys = changedKeys<PartnerSettings>(
    current,
    desired,
    PARTNER_POLICY_KEYS,
  ) as (typeof PARTNER_POLICY_KEYS)[number][];
  await updatePartner(graph, partnerTenantId, desired, keys);
  if (!sameValue(current.identitySynchronization, desired.identitySynchronization)) {
    await setIdentitySync(
      graph,
      partnerTenantId,
      current.identitySynchronization,
      desired.identitySynchronization,
    );
  }
}

async function mustRead(tenant: TenantRole, partnerTenantId: string) {
  const now = await readPartner(graphFor(tenant), partnerTenantId);
  if (!now) {
    throw new Error(
      `the ${tenant} tenant's partner entry for ${partnerTenantId} disappeared while it was being written; run pulumi up again`,
    );
  }
  return now;
}

function snapshotOutputs(now: NonNullable<Awaited<ReturnType<typeof readPartner>>>) {
  return {
    settings: now.settings,
    isServiceProvider: now.isServiceProvider,
    isInMultiTenantOrganization: now.isInMultiTenantOrganization,
  };
}

function outputs(
  inputs: PartnerInputs,
  now: NonNullable<Awaited<ReturnType<typeof readPartner>>>,
  adopted: boolean,
  found: PartnerSettings | null,
): PartnerOutputs {
  return {
    tenant: inputs.tenant,
    partnerTenantId: inputs.partnerTenantId.toLowerCase(),
    adopted,
    found,
    ...snapshotOutputs(now),
  };
}

export interface CrossTenantAccessPartnerArgs {
  tenant: pulumi.Input<TenantRole>;
  partnerTenantId: pulumi.Input<string>;
  settings: pulumi.Input<z.input<typeof partnerSettingsSchema>>;
}

/** A partner entry in one tenant's cross-tenant access policy. */
export class CrossTenantAccessPartner extends pulumi.dynamic.Resource {
  declare readonly tenant: pulumi.Output<TenantRole>;
  declare readonly partnerTenantId: pulumi.Output<string>;
  declare readonly settings: pulumi.Output<PartnerSettings>;
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly found: pulumi.Output<PartnerSettings | null>;
  declare readonly isServiceProvider: pulumi.Output<boolean>;
  declare readonly isInMultiTenantOrganization: pulumi.Output<boolean>;

  constructor(name: string, args: CrossTenantAccessPartnerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      runtimeProvider("dist/providers/crossTenantAccessPartner"),
      name,
      {
        adopted: undefined,
        found: undefined,
        isServiceProvider: undefined,
        isInMultiTenantOrganization: undefined,
        ...args,
      },
      opts,
      "entra-coexistence",
      "CrossTenantAccessPartner",
    );
  }
}
