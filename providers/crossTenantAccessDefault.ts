// CrossTenantAccessDefault: a tenant's default cross-tenant access settings
// (/policies/crossTenantAccessPolicy/default). A singleton that always exists: create adopts it
// and records the whole default as found; delete never deletes it but puts the managed settings
// back. It resets the default to the service default only when that restores exactly what was
// found: the default was the service default then, and nothing but our keys changed since
// (someone else's tenant restrictions or redemption order must survive a destroy).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import { readDefault, resetDefault, updateDefault } from "../lib/crossTenantAccess/policyApi";
import {
  changedKeys,
  DEFAULT_MANAGED_KEYS,
  type DefaultSettings,
  defaultSettingsFromGraph,
  defaultSettingsSchema,
  sameValue,
} from "../lib/crossTenantAccess/settings";
import { graphFor } from "./connections";
import { defineProvider } from "./kernel";

export const defaultInputsSchema = z.strictObject({
  tenant: z.enum(TENANT_ROLES),
  /** Only the keys given are managed; the others keep whatever the tenant has. */
  settings: defaultSettingsSchema,
});
export type DefaultInputs = z.input<typeof defaultInputsSchema>;

/** The default as it was when adopted. */
export interface FoundDefault {
  /** Every settable key, canonical. */
  settings: DefaultSettings;
  /** The whole object as Graph returned it (without OData annotations); absent in a record
   * migrated from an older state, which never resets then. */
  whole?: Record<string, unknown>;
  isServiceDefault: boolean;
}

interface Info extends Record<string, unknown> {
  isServiceDefault: boolean;
}

type Key = (typeof DEFAULT_MANAGED_KEYS)[number];
const managedKeys = (s: DefaultSettings): Key[] => DEFAULT_MANAGED_KEYS.filter((k) => s[k] !== undefined);

function canonical(settings: DefaultSettings): DefaultSettings {
  return defaultSettingsFromGraph(settings as Record<string, unknown>, managedKeys(settings));
}

/** The default without OData annotations, isServiceDefault and the given keys: what someone else
 * may have changed. */
function othersOf(whole: Record<string, unknown>, ours: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(whole).filter(
      ([k]) => !k.startsWith("@") && k !== "isServiceDefault" && !ours.includes(k),
    ),
  );
}

const defined = defineProvider<
  typeof defaultInputsSchema,
  Record<never, never>,
  FoundDefault,
  Info,
  CrossTenantAccessDefaultArgs
>({
  type: "CrossTenantAccessDefault",
  module: "dist/providers/crossTenantAccessDefault",
  schema: defaultInputsSchema,
  infoKeys: ["isServiceDefault"],
  canonical: (i) => ({ ...i, settings: canonical(i.settings) }),
  observed: ["settings"],
  replaceOn: ["tenant"],
  objectKey: (_id, i) => `${i.tenant} tenant's default cross-tenant settings`,
  claim: (a) => pulumi.interpolate`${a.tenant} tenant's default cross-tenant settings`,

  // Before the kernel: `found` (the settable keys) and `foundIsServiceDefault` outputs; the whole
  // default was not recorded, so such a record never resets, it PATCHes our keys back.
  legacyOwnership: (s) =>
    s.found && typeof s.foundIsServiceDefault === "boolean"
      ? {
          kind: "adopted",
          found: { settings: s.found as DefaultSettings, isServiceDefault: s.foundIsServiceDefault },
        }
      : undefined,

  async create(inputs) {
    const graph = graphFor(inputs.tenant);
    const before = await readDefault(graph);
    const found: FoundDefault = {
      settings: defaultSettingsFromGraph(before, DEFAULT_MANAGED_KEYS),
      whole: othersOf(before, []),
      isServiceDefault: before.isServiceDefault === true,
    };
    const keys = changedKeys(found.settings, inputs.settings, managedKeys(inputs.settings));
    await updateDefault(graph, pick(inputs.settings, keys));
    return { id: `${inputs.tenant}-default`, ownership: { kind: "adopted", found } };
  },

  async observe(_id, inputs) {
    const now = await readDefault(graphFor(inputs.tenant));
    return {
      live: { settings: defaultSettingsFromGraph(now, managedKeys(inputs.settings)) },
      info: { isServiceDefault: now.isServiceDefault === true },
    };
  },

  async update(_id, olds, news) {
    const graph = graphFor(news.tenant);
    const found = olds.ownership.kind === "adopted" ? olds.ownership.found.settings : {};
    // What each key should be now: declared, or back to what was found if no longer managed.
    const wanted: DefaultSettings = { ...pick(found, managedKeys(olds.settings)), ...news.settings };
    const live = defaultSettingsFromGraph(await readDefault(graph), DEFAULT_MANAGED_KEYS);
    await updateDefault(graph, pick(wanted, changedKeys(live, wanted, managedKeys(wanted))));
  },

  async remove() {
    // Never reached: the default is always adopted. Deleting it is not a thing Graph offers.
  },

  async restore(_id, state, found) {
    const graph = graphFor(state.tenant);
    const current = await readDefault(graph);
    if (found.isServiceDefault && current.isServiceDefault === true) return; // already as found
    const managed = managedKeys(state.settings);
    if (
      found.isServiceDefault &&
      found.whole &&
      sameValue(othersOf(current, managed), othersOf(found.whole, managed))
    ) {
      // Restores exactly what was found, isServiceDefault included, which a PATCH cannot.
      await resetDefault(graph);
      return;
    }
    const now = defaultSettingsFromGraph(current, DEFAULT_MANAGED_KEYS);
    await updateDefault(graph, pick(found.settings, changedKeys(now, found.settings, managed)));
  },
});

export const provider = defined.provider;

function pick(settings: DefaultSettings, keys: readonly Key[]): DefaultSettings {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = settings[k];
  return out as DefaultSettings;
}

export interface CrossTenantAccessDefaultArgs {
  tenant: pulumi.Input<TenantRole>;
  settings: pulumi.Input<DefaultSettings>;
}

/** A tenant's default cross-tenant access settings, adopted and held at `settings`. */
export class CrossTenantAccessDefault extends defined.Resource {
  declare readonly tenant: pulumi.Output<TenantRole>;
  /** The managed settings as the tenant has them, as of the last read. */
  declare readonly settings: pulumi.Output<DefaultSettings>;
  declare readonly ownership: pulumi.Output<{ kind: "adopted"; found: FoundDefault }>;
  declare readonly isServiceDefault: pulumi.Output<boolean>;
}
