// CrossTenantAccessDefault: a tenant's default cross-tenant access settings
// (/policies/crossTenantAccessPolicy/default). A singleton that always exists: create adopts it
// and records what it found, delete never deletes it but sets the managed settings back to what
// was found (and, if it was the service default, resets it to the service default).
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
import { checkFailures, userInputs } from "./checkFailures";
import { configure, graphFor } from "./connections";
import { runtimeProvider } from "./runtimeProvider";

export const defaultInputsSchema = z.strictObject({
  tenant: z.enum(TENANT_ROLES),
  /** Only the keys given are managed; the others keep whatever the tenant has. */
  settings: defaultSettingsSchema,
});
export type DefaultInputs = z.input<typeof defaultInputsSchema>;

export interface DefaultOutputs {
  tenant: TenantRole;
  settings: DefaultSettings;
  /** Every settable key as it was when this resource adopted the default. */
  found: DefaultSettings;
  foundIsServiceDefault: boolean;
  isServiceDefault: boolean;
}

type Key = (typeof DEFAULT_MANAGED_KEYS)[number];
const managedKeys = (s: DefaultSettings): Key[] => DEFAULT_MANAGED_KEYS.filter((k) => s[k] !== undefined);

function canonical(settings: DefaultSettings): DefaultSettings {
  return defaultSettingsFromGraph(settings as Record<string, unknown>, managedKeys(settings));
}

export const provider: pulumi.dynamic.ResourceProvider<DefaultInputs, DefaultOutputs> = {
  configure,

  async check(_olds, news) {
    const parsed = defaultInputsSchema.safeParse(
      userInputs(news, ["found", "foundIsServiceDefault", "isServiceDefault"]),
    );
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    return { inputs: { tenant: parsed.data.tenant, settings: canonical(parsed.data.settings) } };
  },

  async diff(_id, olds, news) {
    const replaces = olds.tenant !== news.tenant ? ["tenant"] : [];
    const after = canonical(news.settings as DefaultSettings);
    // A key that stops being managed changes too: update sets it back to what was found.
    const changed = changedKeys(olds.settings, after, DEFAULT_MANAGED_KEYS);
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const graph = graphFor(inputs.tenant);
    const before = await readDefault(graph);
    const found = defaultSettingsFromGraph(before, DEFAULT_MANAGED_KEYS);
    const desired = canonical(inputs.settings as DefaultSettings);
    const keys = changedKeys(found, desired, managedKeys(desired));
    await updateDefault(graph, pick(desired, keys));
    return {
      id: `${inputs.tenant}-default`,
      outs: await outputs(inputs.tenant, desired, found, before.isServiceDefault === true),
    };
  },

  async read(id, props) {
    const p = props as DefaultOutputs;
    const now = await readDefault(graphFor(p.tenant));
    return {
      id,
      props: {
        ...p,
        settings: defaultSettingsFromGraph(now, managedKeys(p.settings)),
        isServiceDefault: now.isServiceDefault === true,
      },
    };
  },

  async update(_id, olds, news) {
    const graph = graphFor(news.tenant);
    const desired = canonical(news.settings as DefaultSettings);
    // What each key should be now: declared, or back to what was found if no longer managed.
    const wanted: DefaultSettings = { ...pick(olds.found, managedKeys(olds.settings)), ...desired };
    const live = defaultSettingsFromGraph(await readDefault(graph), DEFAULT_MANAGED_KEYS);
    await updateDefault(graph, pick(wanted, changedKeys(live, wanted, managedKeys(wanted))));
    return { outs: await outputs(news.tenant, desired, olds.found, olds.foundIsServiceDefault) };
  },

  async delete(_id, props) {
    const graph = graphFor(props.tenant);
    const current = await readDefault(graph);
    if (props.foundIsServiceDefault && current.isServiceDefault === true) return; // already as found
    const now = defaultSettingsFromGraph(current, DEFAULT_MANAGED_KEYS);
    const managed = managedKeys(props.settings);
    const othersUntouched = DEFAULT_MANAGED_KEYS.filter((k) => !managed.includes(k)).every((k) =>
      sameValue(now[k], props.found[k]),
    );
    if (props.foundIsServiceDefault && othersUntouched) {
      // Restores exactly what was found, isServiceDefault included, which a PATCH cannot.
      await resetDefault(graph);
      return;
    }
    await updateDefault(graph, pick(props.found, changedKeys(now, props.found, managed)));
  },
};

function pick(settings: DefaultSettings, keys: readonly Key[]): DefaultSettings {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = settings[k];
  return out as DefaultSettings;
}

async function outputs(
  tenant: TenantRole,
  desired: DefaultSettings,
  found: DefaultSettings,
  foundIsServiceDefault: boolean,
): Promise<DefaultOutputs> {
  const now = await readDefault(graphFor(tenant));
  return {
    tenant,
    settings: defaultSettingsFromGraph(now, managedKeys(desired)),
    found,
    foundIsServiceDefault,
    isServiceDefault: now.isServiceDefault === true,
  };
}

export interface CrossTenantAccessDefaultArgs {
  tenant: pulumi.Input<TenantRole>;
  settings: pulumi.Input<DefaultSettings>;
}

/** A tenant's default cross-tenant access settings, adopted and held at `settings`. */
export class CrossTenantAccessDefault extends pulumi.dynamic.Resource {
  declare readonly tenant: pulumi.Output<TenantRole>;
  declare readonly settings: pulumi.Output<DefaultSettings>;
  declare readonly found: pulumi.Output<DefaultSettings>;
  declare readonly foundIsServiceDefault: pulumi.Output<boolean>;
  declare readonly isServiceDefault: pulumi.Output<boolean>;

  constructor(name: string, args: CrossTenantAccessDefaultArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      runtimeProvider("dist/providers/crossTenantAccessDefault"),
      name,
      { found: undefined, foundIsServiceDefault: undefined, isServiceDefault: undefined, ...args },
      opts,
      "entra-coexistence",
      "CrossTenantAccessDefault",
    );
  }
}
