// ReachBackUser: one source user's B2B reach-back enablement (seed 000's per-user procedure,
// lib/reachBack/procedure.ts) as a resource on the provider kernel.
//
// - create runs the procedure; a user found already enabled is adopted as found: nothing written.
// - refresh reports per-user drift in words, as `property: declared => live`: licenseGroups
//   ("back in the original group …"), primarySmtp ("… (the target address: the revert is
//   missing)", "… (changed from …)"), targetAddressSecondary ("removed"), targetAddress,
//   recipientType, b2bLinked ("not linked (the B2B link was reset …)").
// - update runs the procedure again, which puts back what it owns (license groups, the AD
//   attributes, the revert, the B2B invitation) and leaves a primary address someone changed to
//   another address than the target as it is (reported, not overwritten).
// - delete never deletes the user. By default it leaves the user enabled and says so;
//   `rollbackOnDelete: true` puts the AD attributes and license groups back from the journal.
//   The B2B link stays either way: Graph v1.0 has no way back (convertExternalToInternalMemberUser
//   is beta only).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { sameAddress } from "../lib/addresses/proxyAddresses";
import { findProjectDir } from "../lib/config/stackConfig";
import type { Journal } from "../lib/journal/journal";
import { currentBackendUrl, journalLocation, openJournal, projectNameOf } from "../lib/journal/location";
import {
  enableReachBack,
  observeReachBack,
  type ProcedureDeps,
  rollBackReachBack,
} from "../lib/reachBack/procedure";
import { WaveProgress } from "../lib/reachBack/progress";
import { DeltaSyncTrigger } from "../lib/reachBack/syncHook";
import {
  type ReachBackStep,
  reachBackUserDefaults,
  reachBackUserFields,
  reachBackUserRules,
} from "../lib/reachBack/userSchema";
import { declaredLive, type LiveUser } from "../lib/reachBack/userState";
import { graphFor, stackConfig, withDirectory } from "./connections";
import { defineProvider, type Ownership } from "./kernel";

/** The declaration, and the stack whose journal holds the user's originals (the class sets it:
 * a dynamic provider is not told which stack it runs for). */
export const reachBackUserInputsSchema = reachBackUserFields
  .extend({ journalStack: z.string().min(1) })
  .superRefine(reachBackUserRules);
type Inputs = z.output<typeof reachBackUserInputsSchema>;

/** What the user looks like once enabled, in the words observe reports (userState.ts). */
type Expected = LiveUser;

interface Found {
  /** The reach-back groups the user was in when found enabled: drift is checked against them. */
  reachBackGroups: Array<{ id: string; displayName: string }>;
  /** The user's state as found, in words. */
  state: string;
}

/** The resource's id is the user's object id in the source tenant (the class gives it as
 * sourceUserId too, without a second copy in the state). */
interface Info extends Record<string, unknown> {
  /** The procedure's step reached ("verified" once done). */
  step: ReachBackStep;
  /** The final state in words: the B2B link as Graph shows it, or what is not as enabled. */
  state: string;
}

const EXPECTED_KEYS = [
  "licenseGroups",
  "targetAddress",
  "recipientType",
  "primarySmtp",
  "targetAddressSecondary",
  "b2bLinked",
] as const satisfies readonly (keyof LiveUser)[];

const journals = new Map<string, Promise<Journal>>();
let trigger: DeltaSyncTrigger | undefined;
/** The users this process enables, counted per step: one progress line for a whole wave. */
const progress = new WaveProgress((line) => pulumi.log.info(line));

/** The stack's journal, opened once per provider process. */
function journalFor(stack: string): Promise<Journal> {
  let j = journals.get(stack);
  if (!j) {
    const config = stackConfig();
    const projectDir = findProjectDir();
    const project = pulumi.getProject() || projectNameOf(projectDir);
    const location = journalLocation({
      project,
      stack,
      config: config.journal,
      backendUrl: config.journal ? undefined : currentBackendUrl(projectDir),
      projectDir,
    });
    j = openJournal(location, project, stack);
    j.catch(() => journals.delete(stack));
    journals.set(stack, j);
  }
  return j;
}

/** One delta-sync trigger per process: users of one deployment share Entra Connect's cycles. */
function syncTrigger(): DeltaSyncTrigger {
  trigger ??= new DeltaSyncTrigger(stackConfig().entraConnect, { log: (m) => pulumi.log.info(m) });
  return trigger;
}

async function withProcedure<T>(inputs: Inputs, work: (deps: ProcedureDeps) => Promise<T>): Promise<T> {
  const config = stackConfig();
  const journal = await journalFor(inputs.journalStack);
  return withDirectory((ad) =>
    work({
      source: graphFor("source"),
      target: graphFor("target"),
      ad,
      journal,
      sync: syncTrigger(),
      settings: {
        sourceTenantId: config.source.tenantId,
        targetTenantId: config.target.tenantId,
        inviteRedirectUrl:
          config.reachBack.inviteRedirectUrl ??
          `https://myapps.microsoft.com/?tenantid=${config.source.tenantId}`,
        licenseTimeoutMs: config.reachBack.licenseTimeoutSeconds * 1000,
        syncTimeoutMs: config.entraConnect.syncTimeoutSeconds * 1000,
        pollMs: config.entraConnect.pollSeconds * 1000,
        userOus: config.automation?.userOus,
      },
      log: (m) => pulumi.log.info(m),
      onStep: (user, step) => progress.step(user, step),
    }),
  );
}

/** What delete does: leaves the user enabled, or rolls back from the journal; never deletes. */
async function letGo(inputs: Inputs): Promise<void> {
  const user = inputs.sourceUserPrincipalName;
  if (!inputs.rollbackOnDelete) {
    pulumi.log.info(
      `${user}: left enabled for B2B reach-back (license groups, AD attributes and the B2B link as they are); ` +
        "the user is never deleted. rollbackOnDelete: true puts the AD attributes and license groups back from the journal",
    );
    return;
  }
  const done = await withProcedure(inputs, (deps) => rollBackReachBack(deps, inputs));
  pulumi.log.warn(`${user}: rolled back: ${done}`);
}

const defined = defineProvider<typeof reachBackUserInputsSchema, Expected, Found, Info, InternalArgs>({
  type: "ReachBackUser",
  module: "dist/providers/reachBackUser",
  schema: reachBackUserInputsSchema,
  infoKeys: ["step", "state"],
  // Written before as a copy of the id.
  retiredOutputs: ["sourceUserId"],
  // The defaults cost ~110 bytes per user in the state (inputs and outputs): issue 11's 2 kB.
  unstoredDefaults: reachBackUserDefaults,
  canonical: (i) => ({
    ...i,
    licenseGroupMapping: Object.fromEntries(
      Object.entries(i.licenseGroupMapping)
        .map(([k, v]) => [k.toLowerCase(), v.toLowerCase()])
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  }),
  // Not stored: the same six values for every user of a wave, from the routing address.
  expected: { keys: EXPECTED_KEYS, of: (i) => declaredLive(i.coexRoutingAddress), stored: false },
  observed: EXPECTED_KEYS,
  // Another source user is another enablement. A new target address is an update: the user's
  // B2B link is reset to the new identity.
  replaceOn: ["sourceUserPrincipalName"],
  describeReplace: (olds) =>
    `${olds.sourceUserPrincipalName} is let go as delete does (${olds.rollbackOnDelete ? "rolled back from the journal" : "left enabled"}); the new user is enabled`,
  objectKey: (id) => `source tenant's user ${id.toLowerCase()}`,
  claim: (a) =>
    pulumi
      .output(a.sourceUserPrincipalName)
      .apply((upn) => `source tenant's user ${upn.trim().toLowerCase()}`),

  async create(inputs) {
    const r = await withProcedure(inputs, (deps) => enableReachBack(deps, inputs));
    const ownership: Ownership<Found> = r.adopted
      ? {
          kind: "adopted",
          found: {
            reachBackGroups: r.reachBackGroups,
            state: `${r.state}, as found on ${new Date().toISOString().slice(0, 10)}`,
          },
        }
      : { kind: "created" };
    return { id: r.sourceUserId, ownership };
  },

  async observe(id, inputs, ownership) {
    const seen = await withProcedure(inputs, (deps) =>
      observeReachBack(deps, inputs, id, ownership.kind === "adopted" ? ownership.found : undefined),
    );
    if (!seen) return undefined;
    return {
      live: seen.live,
      info: { step: seen.step, state: seen.state },
    };
  },

  async update(_id, olds, news) {
    // A new target address: the B2B link is reset and made to the new identity (resetRedemption).
    const previousTarget = sameAddress(olds.targetEmailAddress, news.targetEmailAddress)
      ? undefined
      : olds.targetEmailAddress;
    // Only the delete option changed, and the user reads as declared: nothing to do.
    const compared = (Object.keys(news) as (keyof typeof news)[]).filter((k) => k !== "rollbackOnDelete");
    if (compared.every((k) => JSON.stringify(olds[k]) === JSON.stringify(news[k]))) return undefined;
    await withProcedure(news, (deps) => enableReachBack(deps, news, { previousTarget }));
    return undefined;
  },

  async remove(_id, state) {
    await letGo(state);
  },

  async restore(_id, state) {
    await letGo(state);
  },
});

export const provider = defined.provider;

interface InternalArgs extends ReachBackUserArgs {
  journalStack: pulumi.Input<string>;
}

export interface ReachBackUserArgs {
  /** The user in the source tenant, synced from AD (their UPN there). */
  sourceUserPrincipalName: pulumi.Input<string>;
  /** The user's primary SMTP address in the target tenant. */
  targetEmailAddress: pulumi.Input<string>;
  /** The target tenant's coexistence routing address (…mail.onmicrosoft.com): targetAddress in AD. */
  coexRoutingAddress: pulumi.Input<string>;
  /** "crossTenant" (default): the mailbox moved with cross-tenant mailbox migration. "thirdParty":
   * moved by a third-party tool; refused (at preview and up) while the source mailbox is still in
   * Exchange Online (the message gives seed 000's hold steps; reading it needs MailboxSettings.Read),
   * then converted in AD as the attribute-level Disable-RemoteMailbox + Enable-MailUser + restore,
   * every address and extension attribute kept (lib/reachBack/thirdParty.ts). */
  mailboxMigration?: pulumi.Input<"crossTenant" | "thirdParty">;
  /** Original license group id → reach-back group id (the coexistence stack's licenseGroupMapping output). */
  licenseGroupMapping?: pulumi.Input<Record<string, string>>;
  /** On delete, put AD attributes and license groups back from the journal (default false: the user
   * stays enabled). The B2B link stays either way. */
  rollbackOnDelete?: pulumi.Input<boolean>;
}

/** One source user's B2B reach-back enablement (seed 000). Deleting it never deletes the user. */
export class ReachBackUser extends defined.Resource {
  declare readonly sourceUserId: pulumi.Output<string>;
  declare readonly step: pulumi.Output<ReachBackStep>;
  declare readonly state: pulumi.Output<string>;
  declare readonly ownership: pulumi.Output<Ownership<Found>>;
  // Drift, in words: set only while the live value differs from what the declaration implies
  // (the state keeps no value that is the declared one); `state` says whether the user is enabled.
  declare readonly licenseGroups: pulumi.Output<string | undefined>;
  declare readonly targetAddress: pulumi.Output<string | undefined>;
  declare readonly recipientType: pulumi.Output<string | undefined>;
  declare readonly primarySmtp: pulumi.Output<string | undefined>;
  declare readonly targetAddressSecondary: pulumi.Output<string | undefined>;
  declare readonly b2bLinked: pulumi.Output<string | undefined>;

  constructor(name: string, args: ReachBackUserArgs, opts?: pulumi.CustomResourceOptions) {
    // The observed properties are outputs too (undefined inputs, which check leaves out).
    const observed = Object.fromEntries(EXPECTED_KEYS.map((k) => [k, undefined]));
    super(name, { ...observed, ...args, journalStack: pulumi.getStack() }, opts);
    this.sourceUserId = this.id;
  }
}
