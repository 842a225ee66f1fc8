// The provider kernel: the one way every resource of this product is checked, diffed, owned,
// observed and cleaned up. A provider file declares its schema and what is specific to its
// object (how to create, observe, converge, remove and restore it); the rules that keep users
// safe live here, once:
//
// - check validates with the zod schema and strips what Pulumi and the outputs add, one way;
// - diff makes no network calls: it compares the declaration with the live values of the last
//   read, and replaces create the new object before the old one is deleted unless a provider
//   says Graph forbids two at once;
// - ownership: an object is either created by the resource or adopted, with what was found;
//   delete only removes what the resource created and puts an adopted object back as found;
// - two resources never hold one object: within a deployment, an object taken by one create is
//   refused to a second, and the delete of an object a replacement already took over only
//   releases it;
// - a cleanup after a failed step reports what it could not undo, in the error the user sees;
// - drift has one model: outputs carry, under the declared property's own name, the value the
//   tenant or AD has, so that `refresh` shows `property: declared => live` and the next diff sees
//   the difference (implied properties a resource does not store are kept only while they differ).
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { sameValue } from "../lib/crossTenantAccess/settings";
import { checkFailures } from "./checkFailures";
import { configure } from "./connections";
import { providerSource } from "./runtimeProvider";

/** Who brought the object under this resource, and what it was like then. */
export type Ownership<Found> = { kind: "created" } | { kind: "adopted"; found: Found };

/** A resource's state as Pulumi keeps it: the checked inputs, the live values of the observed
 * properties (same names), the ownership record and the provider's informational outputs. */
export type State<Inputs, Found, Info> = Inputs & { ownership: Ownership<Found> } & Info;

export interface Observation<Live, Info> {
  /** The observed properties as the tenant or AD has them, in the declared shape. */
  live: Live;
  /** Further outputs (ids, counts, found facts) that are not compared with the declaration. */
  info: Info;
}

export interface ResourceSpec<
  Schema extends z.ZodType<Record<string, unknown>>,
  Expected extends object,
  Found,
  Info extends Record<string, unknown>,
  Args = z.input<Schema>,
> {
  /** The resource type name, e.g. "ReachBackLicenseGroup". */
  type: string;
  /** The compiled implementation module `__provider` loads, relative to the project root (see
   * runtimeProvider.ts); it must export the provider as `provider`. */
  module: string;
  /** The user's inputs: validation and types in one. */
  schema: Schema;
  /** Output-only property names of Info (declared as undefined inputs so that they are typed). */
  infoKeys: readonly (keyof Info & string)[];
  /** Outputs earlier versions wrote and this one no longer does: dropped when a state is read, so
   * a refresh or an update writes the state without them. */
  retiredOutputs?: readonly string[];
  /** Canonical form of valid inputs (sorted lists, lower-case ids), so equal means equal. */
  canonical?: (inputs: z.output<Schema>) => z.output<Schema>;
  /** Declared properties whose schema default the state need not keep: left out of the stored
   * inputs and outputs when they have this value, and put back before anything reads a state, so
   * a state that keeps them (written by an earlier version) reads the same. Never an observed
   * property (its declared value is what drift compares the live one with). */
  unstoredDefaults?: Partial<z.output<Schema>>;
  /** Properties the declaration implies without the user writing them (e.g. "no plan that triggers
   * scrubbing left enabled": `scrubbingPlansLeftEnabled: []`), observed like the declared ones.
   * Kept with the stored inputs, so that a preview shows them (a license group's plans), unless
   * `stored: false`: a resource of which a wave has thousands (ReachBackUser) keeps its state
   * small, and diff here and `coex drift` (declaredOf) compute them from the inputs. */
  expected?: {
    keys: readonly (keyof Expected & string)[];
    of: (inputs: z.output<Schema>) => Expected;
    stored?: boolean;
  };
  /** The properties whose live values observe reports and diff compares with the declaration. */
  observed: readonly (keyof (z.output<Schema> & Expected) & string)[];
  /** Properties (dotted paths) whose change means another object: the old one is replaced. A
   * function when it depends on the values. */
  replaceOn:
    | readonly string[]
    | ((olds: z.output<Schema> & Expected, news: z.output<Schema> & Expected) => string[]);
  /** What a replacement will do, said at preview (diff makes no calls: from the last read). */
  describeReplace?: (
    olds: State<z.output<Schema> & Expected, Found, Info>,
    news: z.output<Schema> & Expected,
  ) => string | undefined;
  /** Only where Graph refuses two such objects at once; otherwise the new one is created first. */
  deleteBeforeReplace?: boolean;
  /** A stable key of the object in its tenant or directory (e.g. "source:group:<id>"), used to keep
   * two resources from holding one object. */
  objectKey: (id: string, inputs: z.output<Schema>) => string;
  /** The same key from the program's arguments, where it can be known before any call: two
   * resources of one program that claim one object are refused at preview. */
  claim?: (args: Args) => pulumi.Input<string> | undefined;

  /** Creates the object, or adopts the one that already exists (recording what was found), and
   * brings it to the declaration. Cleans up what it made if a later step fails (see cleanup). */
  create(inputs: z.output<Schema> & Expected): Promise<{ id: string; ownership: Ownership<Found> }>;
  /** Reads the object; undefined when it is gone. */
  observe(
    id: string,
    inputs: z.output<Schema> & Expected,
    ownership: Ownership<Found>,
  ): Promise<Observation<Partial<z.output<Schema> & Expected>, Info> | undefined>;
  /** Brings the object from what the tenant has now to the declaration. Returns the ownership
   * record when the update changed it (e.g. what it found on a part newly declared). */
  update(
    id: string,
    olds: State<z.output<Schema> & Expected, Found, Info>,
    news: z.output<Schema> & Expected,
  ): Promise<undefined | { ownership: Ownership<Found> }>;
  /** The ownership record of a state written before the kernel kept one, from what that version
   * stored; undefined when it cannot be told (delete then refuses rather than guess). A refresh
   * writes the record into the state. */
  legacyOwnership?: (state: Record<string, unknown>) => Ownership<Found> | undefined;
  /** Removes an object this resource created. May refuse (throw) to protect what others rely on. */
  remove(id: string, state: State<z.output<Schema> & Expected, Found, Info>): Promise<void>;
  /** Puts an adopted object back as it was found; never deletes it. */
  restore(id: string, state: State<z.output<Schema> & Expected, Found, Info>, found: Found): Promise<void>;
}

const KERNEL_KEYS = ["__provider", "ownership"];

/** Objects claimed by the resources of this program, by their key (see ResourceSpec.claim). */
const claimedInProgram = new Map<string, string>();

/** Objects taken by a create in this provider process (one process serves a whole deployment). */
const takenThisRun = new Map<string, string>();

/** Each resource type's declared view from stored inputs, by the type name ("ReachBackUser"). */
const declaredViews = new Map<string, (inputs: Record<string, unknown>) => Record<string, unknown>>();

/** What a resource of `type` declares, from its inputs as a state stores them: with the defaults
 * the state leaves out (unstoredDefaults) and what the declaration implies (expected), whether
 * stored or not. Inputs of a type no provider registered (loading its module does) come back as
 * they are. */
export function declaredOf(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  return declaredViews.get(type)?.(inputs) ?? inputs;
}

/**
 * Runs a cleanup after a failure and never hides either error: the original error is rethrown
 * with what the cleanup could not undo, so the user knows what is left and what to do.
 */
export async function withCleanup<T>(
  work: () => Promise<T>,
  cleanup: { describe: string; run: () => Promise<void> },
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    try {
      await cleanup.run();
    } catch (c) {
      const msg = `${(e as Error).message}; and the cleanup failed, so ${cleanup.describe} is left behind: ${(c as Error).message}`;
      pulumi.log.warn(`cleanup failed: ${cleanup.describe} is left behind: ${(c as Error).message}`);
      const combined = new Error(msg);
      combined.stack = (e as Error).stack;
      throw combined;
    }
    throw e;
  }
}

export interface Defined<Args> {
  provider: pulumi.dynamic.ResourceProvider;
  /** Base class of the resource's program-side class. */
  Resource: new (
    name: string,
    args: Args,
    opts?: pulumi.CustomResourceOptions,
  ) => pulumi.CustomResource;
}

export function defineProvider<
  Schema extends z.ZodType<Record<string, unknown>>,
  Expected extends object,
  Found,
  Info extends Record<string, unknown>,
  Args = z.input<Schema>,
>(spec: ResourceSpec<Schema, Expected, Found, Info, Args>): Defined<Args> {
  type Inputs = z.output<Schema> & Expected;
  type St = State<Inputs, Found, Info>;
  // What Pulumi and the outputs add to the property bag; the user's inputs are the rest.
  const notInputs = new Set<string>([...KERNEL_KEYS, ...spec.infoKeys, ...(spec.expected?.keys ?? [])]);
  const userInputs = (bag: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(bag).filter(([k]) => !notInputs.has(k)));
  const defaults = Object.entries((spec.unstoredDefaults ?? {}) as Record<string, unknown>);
  const observedDefault = defaults.find(([k]) => (spec.observed as readonly string[]).includes(k));
  if (observedDefault) {
    throw new Error(`${spec.type}: ${observedDefault[0]} is observed; its default must be kept in the state`);
  }
  /** The bag as stored: without the properties that have their unstored default. */
  const stored = <T extends Record<string, unknown>>(bag: T): T =>
    Object.fromEntries(
      Object.entries(bag).filter(([k, v]) => !defaults.some(([d, dv]) => d === k && sameValue(v, dv))),
    ) as T;
  /** The bag as read: every unstored default put back. */
  const complete = <T extends Record<string, unknown>>(bag: T): T => {
    const full: Record<string, unknown> = { ...bag };
    for (const [k, v] of defaults) if (full[k] === undefined) full[k] = v;
    return full as T;
  };

  /** Declared inputs with what they imply (never stored). */
  const withImplied = <T extends Record<string, unknown>>(bag: T): T =>
    spec.expected ? { ...bag, ...spec.expected.of(bag as z.output<Schema>) } : bag;
  // Implied properties a resource does not store (expected.stored: false) are left out of the
  // outputs too while their live value is the implied one: a wave's users are nearly all as
  // declared, and these six values were a tenth of a user's state. Reading a state puts the
  // implied value back where none is kept, so diff and refresh see "as declared"; a value that
  // differs (drift) is kept under the property's name, as for every other resource.
  const unstoredImplied: readonly string[] = spec.expected?.stored === false ? spec.expected.keys : [];
  const retired = new Set(spec.retiredOutputs ?? []);
  /** What the declaration stored in `full` implies; undefined when it does not parse (a secret
   * shown as such, a state of another version): the bag is then taken as it is. */
  const impliedBy = (full: Record<string, unknown>): Record<string, unknown> | undefined => {
    if (!spec.expected) return undefined;
    const declared = Object.fromEntries(Object.entries(userInputs(full)).filter(([k]) => !retired.has(k)));
    const parsed = spec.schema.safeParse(declared);
    if (!parsed.success) return undefined;
    return spec.expected.of(spec.canonical ? spec.canonical(parsed.data) : parsed.data) as Record<
      string,
      unknown
    >;
  };
  /** A state as read: the defaults it leaves out, and the implied values of what it does not keep. */
  const fromState = <T extends Record<string, unknown>>(bag: T): T => {
    const full = complete(bag);
    const missing = unstoredImplied.filter((k) => full[k] === undefined);
    const implied = missing.length > 0 ? impliedBy(full) : undefined;
    return implied ? { ...full, ...Object.fromEntries(missing.map((k) => [k, implied[k]])) } : full;
  };
  declaredViews.set(spec.type, (bag) => {
    const full = complete(bag);
    return { ...full, ...impliedBy(full) };
  });

  const checked = (news: Record<string, unknown>) => {
    const parsed = spec.schema.safeParse(userInputs(news));
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    const inputs = spec.canonical ? spec.canonical(parsed.data) : parsed.data;
    return { inputs: stored(spec.expected?.stored === false ? inputs : withImplied(inputs)) as Inputs };
  };

  const outputs = (inputs: Inputs, ownership: Ownership<Found>, seen: Observation<Partial<Inputs>, Info>) => {
    const bag: Record<string, unknown> = { ...stored(inputs), ...seen.live, ownership, ...seen.info };
    if (unstoredImplied.length > 0 && spec.expected) {
      const implied = spec.expected.of(inputs) as Record<string, unknown>;
      for (const k of unstoredImplied) if (sameValue(bag[k], implied[k])) delete bag[k];
    }
    return bag as unknown as St;
  };

  const mustObserve = async (id: string, inputs: Inputs, ownership: Ownership<Found>) => {
    const seen = await spec.observe(id, inputs, ownership);
    if (!seen) {
      throw new Error(
        `${spec.type} ${id} disappeared while it was being written (someone deleted it); run pulumi up again`,
      );
    }
    return seen;
  };

  const provider: pulumi.dynamic.ResourceProvider = {
    configure,

    async check(_olds, news) {
      return checked(news);
    },

    async diff(_id, storedOlds, storedNews) {
      // news are the checked inputs; olds are the last outputs, whose observed properties hold
      // what the tenant had at the last read. Both with their unstored defaults back, so that a
      // state that keeps them and one that does not compare the same.
      const olds = fromState(storedOlds);
      const news = withImplied(complete(storedNews));
      const replaces =
        typeof spec.replaceOn === "function"
          ? spec.replaceOn(olds as Inputs, news as Inputs)
          : spec.replaceOn.filter((k) => !sameValue(getPath(olds, k), getPath(news, k)));
      const said = replaces.length > 0 ? spec.describeReplace?.(olds as St, news as Inputs) : undefined;
      if (said) pulumi.log.warn(`${spec.type} ${_id} will be replaced (${replaces.join(", ")}): ${said}`);
      const declaredKeys = Object.keys(news).filter((k) => k !== "__provider");
      const changed = declaredKeys.filter((k) => !sameValue(olds[k], news[k]));
      return {
        changes: replaces.length > 0 || changed.length > 0,
        replaces,
        deleteBeforeReplace: spec.deleteBeforeReplace === true,
      };
    },

    async create(news) {
      const inputs = withImplied(complete(withoutProvider(news))) as Inputs;
      const { id, ownership } = await spec.create(inputs);
      const key = spec.objectKey(id, inputs);
      const holder = takenThisRun.get(key);
      if (holder) {
        throw new Error(
          `${spec.type}: ${describeKey(key)} is already held by another resource of this stack (${holder}); ` +
            "two resources must not hold one object: remove one of the declarations",
        );
      }
      takenThisRun.set(key, spec.type);
      return { id, outs: outputs(inputs, ownership, await mustObserve(id, inputs, ownership)) };
    },

    async read(id, props) {
      const state = withOwnership(fromState(props) as St);
      const inputs = withoutOutputs(state);
      const seen = await spec.observe(id, inputs, state.ownership);
      if (!seen) return {}; // gone: refresh drops it from the state
      return { id, props: outputs(inputs, state.ownership, seen) };
    },

    async update(id, olds, news) {
      const state = withOwnership(fromState(olds) as St);
      const inputs = withImplied(complete(withoutProvider(news))) as Inputs;
      const ownership = (await spec.update(id, state, inputs))?.ownership ?? state.ownership;
      return { outs: outputs(inputs, ownership, await mustObserve(id, inputs, ownership)) };
    },

    async delete(id, props) {
      const state = withOwnership(fromState(props) as St);
      const inputs = withoutOutputs(state);
      const key = spec.objectKey(id, inputs);
      if (takenThisRun.has(key)) {
        // A replacement in this deployment took this object over: it now holds it, so the old
        // resource only lets go of it. The new holder recorded it as adopted, as it found it.
        pulumi.log.info(
          `${spec.type}: ${describeKey(key)} is now held by its replacement; left in place` +
            (state.ownership?.kind === "created"
              ? " (it was created by this stack; the replacement adopted it, so a later destroy leaves it as it is then)"
              : ""),
        );
        return;
      }
      if (!state.ownership) {
        throw new Error(
          `${spec.type} ${id}: its state has no ownership record (written by an older version), so whether this stack ` +
            "created the object or found it cannot be told; nothing was changed: remove it from the state " +
            `(pulumi state delete) and clean up by hand if needed`,
        );
      }
      if (state.ownership.kind === "adopted") await spec.restore(id, state, state.ownership.found);
      else await spec.remove(id, state);
    },
  };

  /** The state with its ownership record, migrating one written before the kernel kept it. */
  function withOwnership(state: St): St {
    if (state.ownership) return state;
    const legacy = spec.legacyOwnership?.(state as unknown as Record<string, unknown>);
    return legacy ? { ...state, ownership: legacy } : state;
  }

  /** The inputs part of a state (observed properties hold live values there). */
  function withoutOutputs(state: St): Inputs {
    const copy: Record<string, unknown> = { ...state };
    for (const k of [...KERNEL_KEYS, ...spec.infoKeys, ...(spec.retiredOutputs ?? [])]) delete copy[k];
    return copy as Inputs;
  }

  class Resource extends DynamicResource {
    constructor(name: string, args: Args, opts?: pulumi.CustomResourceOptions) {
      const outputsOnly = Object.fromEntries([...spec.infoKeys, "ownership"].map((k) => [k, undefined]));
      super(spec.type, spec.module, name, { ...outputsOnly, ...args }, opts);
      const claim = spec.claim?.(args);
      if (claim !== undefined) {
        pulumi.output(claim).apply((key) => {
          const holder = claimedInProgram.get(key);
          if (holder && holder !== name) {
            // Logged as an error rather than thrown: the program fails the same way, and the SDK's
            // uncaught-error path costs a minute here.
            pulumi.log.error(
              `${spec.type} ${name} and ${holder} both declare ${key}: two resources must not hold one object; remove one of them`,
              this,
            );
            process.exitCode = 1;
            return;
          }
          claimedInProgram.set(key, name);
        });
      }
    }
  }
  return { provider, Resource };
}

/**
 * A resource of this product as Pulumi keeps it. Registered as pulumi.dynamic.Resource registers
 * (the same type token, so states written by earlier versions keep their resources), but with
 * `__provider` the short module text that loads the implementation at run time instead of a
 * serialized closure (runtimeProvider.ts), and without call sites.
 *
 * The SDK records where each resource was declared (`sourcePosition` and a `stackTrace`, taken
 * from `new Error().stack` in its constructor) and the engine keeps both in the state: about 480
 * of a ReachBackUser's 3 kB in `pulumi stack export` (issue 11: ≤ 2 kB per user). For these
 * resources they name this library's own frames (the class's super call, the wave program), and
 * nothing in the CLI or this product reads them back. V8 formats a stack through
 * Error.prepareStackTrace when it is read, so a stack without frames while the SDK's constructor
 * runs leaves it none to send; the hook is put back at once, whatever happens.
 */
export class DynamicResource extends pulumi.CustomResource {
  constructor(
    typeName: string,
    moduleId: string,
    name: string,
    props: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const hook = Error.prepareStackTrace;
    Error.prepareStackTrace = (error) => String(error);
    try {
      super(
        `pulumi-nodejs:dynamic/entra-coexistence:${typeName}`,
        name,
        { ...props, __provider: providerSource(moduleId) },
        opts,
      );
    } finally {
      Error.prepareStackTrace = hook;
    }
  }
}

/** The declaration without the provider text Pulumi adds (it differs between versions). */
function withoutProvider(bag: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _, ...rest } = bag;
  return rest;
}

function describeKey(key: string): string {
  return key.replace(/:/g, " ");
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let v: unknown = obj;
  for (const p of path.split("."))
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}
