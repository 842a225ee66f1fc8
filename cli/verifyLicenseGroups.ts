// `coex verify-license-groups`: seed 000's test "Verify License Groups Do Not Trigger Proxy
// Scrubbing", on a canary mail user: give it an unverified-domain primary SMTP address in AD, add
// it to each reach-back group, wait for license processing, check the address survived, and undo
// everything, whatever happened. Every group is checked even when one fails; each change (the AD
// address, each membership) is recorded before it is made and undone whatever fails, and the undo
// is reported; a membership the canary had before is left alone. Then the canary is read back:
// its AD addresses, its AD groups and its Entra ID groups must be as found. Prints a table; any
// failure (a group, an undo, the canary not as found) makes the exit code non-zero.
import { makePrimarySmtp, primarySmtp } from "../lib/addresses/proxyAddresses";
import type { LicenseGroupMapping } from "../lib/config/licenseGroups";
import type { StackConfig } from "../lib/config/stackConfig";
import { DirectoryClient } from "../lib/directory/client";
import { type GraphClient, GraphRequestError, graphClientFor, odataString } from "../lib/graph/client";
import { waitForLicenseProcessing } from "../lib/licensing/licenseGroupApi";
import { ChangeLog, formatUndo, type UndoRecord } from "./changeLog";
import { type StackRef, stackConfigOf } from "./stack";

export interface CheckRow {
  group: string;
  result: "pass" | "fail" | "skipped";
  detail: string;
}

export interface VerifyLicenseGroupsResult {
  rows: CheckRow[];
  /** Each change made to the canary and whether it was undone. */
  undo: UndoRecord[];
  /** How the canary differs from what was found before the run (empty: as found). */
  afterwards: string[];
}

interface CloudUser {
  id: string;
  mail: string | null;
  proxyAddresses: string[];
  licenseAssignmentStates?: Array<{ assignedByGroup: string | null; state: string; error?: string }>;
}

const USER_SELECT = "$select=id,userPrincipalName,mail,proxyAddresses,licenseAssignmentStates";

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function poll<T>(
  what: string,
  timeoutMs: number,
  read: () => Promise<T>,
  done: (v: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function cloudUser(graph: GraphClient, upn: string): Promise<CloudUser> {
  return graph.get<CloudUser>(`/users/${encodeURIComponent(upn)}?${USER_SELECT}`);
}

const hasPrimary = (u: CloudUser, address: string) =>
  primarySmtp(u.proxyAddresses)?.toLowerCase() === address.toLowerCase();

async function memberOfIds(graph: GraphClient, userId: string): Promise<Set<string>> {
  const groups = await graph.list<{ id: string }>(`/users/${userId}/memberOf?$select=id&$top=999`);
  return new Set(groups.map((g) => g.id.toLowerCase()));
}

async function isMember(graph: GraphClient, groupId: string, userId: string): Promise<boolean> {
  const members = await graph.list<{ id: string }>(`/groups/${groupId}/members?$select=id&$top=999`);
  return members.some((m) => m.id.toLowerCase() === userId.toLowerCase());
}

/** Which of these AD groups (by name) have the canary as a member; a missing group is left out. */
async function adMemberships(ad: DirectoryClient, names: string[], dn: string): Promise<Set<string>> {
  const member = new Set<string>();
  for (const name of names) {
    const g = await ad.findGroupByName(name);
    if (g?.memberDns.some((m) => m.toLowerCase() === dn.toLowerCase())) member.add(name.toLowerCase());
  }
  return member;
}

interface Canary {
  upn: string;
  id: string;
  dn: string;
}

interface Context {
  graph: GraphClient;
  ad: DirectoryClient;
  log: ChangeLog;
  canary: Canary;
  testAddress: string;
  syncMs: number;
  licenseMs: number;
}

/** How the canary joins and leaves a group: through Graph for a cloud group; in AD, then synced by
 * Entra Connect, for a group synced from on-premises. */
interface Membership {
  isMember(): Promise<boolean>;
  add(): Promise<void>;
  /** After add: until the membership is in Entra ID. */
  arrived(): Promise<void>;
  /** Takes the canary out again (a non-member is not an error) and says how it went. */
  remove(): Promise<string>;
  /** What a person does when remove fails. */
  byHand: string;
}

function membershipFor(ctx: Context, source: "cloud" | "onPremises", group: { id: string; name: string }) {
  const { graph, ad, canary, syncMs, licenseMs } = ctx;
  const processed = () =>
    waitForLicenseProcessing(graph, group.id, licenseMs).then(
      () => "license processing complete",
      (e) => `license processing not finished yet (${reason(e)})`,
    );
  if (source === "cloud") {
    const m: Membership = {
      isMember: () => isMember(graph, group.id, canary.id),
      add: async () => {
        await graph.post(`/groups/${group.id}/members/$ref`, {
          "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${canary.id}`,
        });
      },
      arrived: async () => {},
      remove: async () => {
        await graph.delete(`/groups/${group.id}/members/${canary.id}/$ref`).catch((e) => {
          if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
        });
        return `removed through Graph; ${await processed()}`;
      },
      byHand: `remove ${canary.upn} from the group ${group.name} (${group.id}) in the Entra admin center`,
    };
    return m;
  }
  const inAd = async () => {
    const g = await ad.findGroupByName(group.name);
    if (!g) throw new Error(`${group.name} is synced but not found in AD under the configured base DN`);
    return g;
  };
  const inCloud = () => isMember(graph, group.id, canary.id);
  const m: Membership = {
    isMember: async () =>
      (await inAd()).memberDns.some((d) => d.toLowerCase() === canary.dn.toLowerCase()) || (await inCloud()),
    add: async () => ad.addGroupMember((await inAd()).dn, canary.dn),
    arrived: async () => {
      await poll(`Entra Connect to sync the canary into ${group.name}`, syncMs, inCloud, (x) => x).catch(
        (e) => {
          throw new Error(
            `${reason(e)}: is the AD group ${group.name} in Entra Connect's sync scope, and is it the group of that name in Entra ID?`,
          );
        },
      );
    },
    remove: async () => {
      await ad.removeGroupMember((await inAd()).dn, canary.dn);
      const synced = await poll(
        `Entra Connect to sync the canary out of ${group.name}`,
        syncMs,
        inCloud,
        (x) => !x,
      ).then(
        () => "synced out",
        (e) => `not synced out yet (${reason(e)}); Entra Connect will`,
      );
      return `removed in AD, ${synced}; ${await processed()}`;
    },
    byHand: `remove ${canary.dn} from the member attribute of the AD group ${group.name}`,
  };
  return m;
}

/** One reach-back group's check; never throws: a failure is the group's row. */
async function checkMapping(ctx: Context, m: LicenseGroupMapping): Promise<CheckRow> {
  const name = m.reachBackGroupName;
  const fail = (detail: string): CheckRow => ({ group: name, result: "fail", detail });
  try {
    const groups = await ctx.graph.list<{ id: string }>(
      `/groups?$filter=displayName eq ${odataString(name)}&$select=id`,
    );
    if (groups.length !== 1) return fail(`${groups.length} groups have this name in the tenant`);
    const group = { id: groups[0].id, name };
    const membership = membershipFor(ctx, m.source, group);
    if (await membership.isMember()) {
      return fail(
        "the canary is already a member, so the check cannot tell what the group does; it was left in the group: remove it and run again",
      );
    }
    const change = ctx.log.record(
      `added the canary to ${name}${m.source === "onPremises" ? " in AD" : ""}`,
      membership.remove,
      membership.byHand,
    );
    try {
      await change.run(membership.add);
      await membership.arrived();
      return await licensedAndKept(ctx, group);
    } finally {
      await change.undo();
    }
  } catch (e) {
    return fail(reason(e));
  }
}

/** With the canary in the group: its licenses are applied and the test address is still primary. */
async function licensedAndKept(ctx: Context, group: { id: string; name: string }): Promise<CheckRow> {
  const { graph, canary, testAddress, licenseMs } = ctx;
  await waitForLicenseProcessing(graph, group.id, licenseMs);
  const user = await poll(
    "the group's licenses on the canary",
    licenseMs,
    () => cloudUser(graph, canary.upn),
    (u) =>
      (u.licenseAssignmentStates ?? []).some(
        (s) => s.assignedByGroup === group.id && s.state !== "Processing",
      ),
  );
  const states = (user.licenseAssignmentStates ?? []).filter((s) => s.assignedByGroup === group.id);
  if (states.some((s) => s.state !== "Active")) {
    return {
      group: group.name,
      result: "fail",
      detail: `license not active: ${states.map((s) => `${s.state} ${s.error ?? ""}`).join(", ")}`,
    };
  }
  return hasPrimary(user, testAddress) && user.mail?.toLowerCase() === testAddress.toLowerCase()
    ? { group: group.name, result: "pass", detail: `${testAddress} kept as primary SMTP and mail` }
    : {
        group: group.name,
        result: "fail",
        detail: `scrubbed: primary is now ${primarySmtp(user.proxyAddresses) ?? "none"}, mail ${user.mail}`,
      };
}

const sorted = (xs: readonly string[]) => [...xs].sort().join(", ");

export async function verifyLicenseGroups(
  config: StackConfig,
  out: (line: string) => void,
): Promise<VerifyLicenseGroupsResult> {
  const canaryConfig = config.licenseGroups.canary;
  if (!canaryConfig)
    throw new Error(
      "entra-coexistence:licenseGroups.canary is not set: name a canary mail user (userPrincipalName)",
    );
  if (!config.activeDirectory)
    throw new Error("entra-coexistence:activeDirectory is not set: the canary's address is changed in AD");
  const upn = canaryConfig.userPrincipalName;
  const graph = graphClientFor(config.source, config.cloud);
  const ad = new DirectoryClient(config.activeDirectory);
  const log = new ChangeLog();
  const mappings = config.licenseGroups.mappings;
  const onPremisesNames = mappings.filter((m) => m.source === "onPremises").map((m) => m.reachBackGroupName);
  const rows: CheckRow[] = [];
  let afterwards: string[] = [];
  try {
    const onPrem = await ad.findUserByUpn(upn);
    if (!onPrem) throw new Error(`canary ${upn} not found in AD under ${config.activeDirectory.baseDn}`);
    if ((onPrem.msExchRecipientTypeDetails ?? 0) !== 128) {
      throw new Error(
        `canary ${upn} must be a mail user (msExchRecipientTypeDetails 128), not ${onPrem.msExchRecipientTypeDetails ?? "a user without Exchange attributes"}: convert it as seed 000 describes first`,
      );
    }
    const testAddress = canaryConfig.testAddress ?? `${upn.split("@")[0]}@${config.target.domain}`;
    const ctx: Context = {
      graph,
      ad,
      log,
      canary: { upn, id: (await cloudUser(graph, upn)).id, dn: onPrem.dn },
      testAddress,
      syncMs: canaryConfig.syncTimeoutSeconds * 1000,
      licenseMs: canaryConfig.licenseTimeoutSeconds * 1000,
    };
    // What the canary looks like before: compared with what it looks like afterwards.
    const before = {
      mail: onPrem.mail ?? null,
      proxyAddresses: onPrem.proxyAddresses,
      cloudGroups: await memberOfIds(graph, ctx.canary.id),
      adGroups: await adMemberships(ad, onPremisesNames, onPrem.dn),
    };
    try {
      const address = log.record(
        `set ${testAddress} as the canary's mail and primary SMTP in AD`,
        async () => {
          await ad.writeExchangeAttributes(onPrem.dn, {
            mail: before.mail,
            proxyAddresses: before.proxyAddresses.length ? before.proxyAddresses : null,
          });
          return poll(
            "the canary's original address in Entra ID",
            ctx.syncMs,
            () => cloudUser(graph, upn),
            (u) => !hasPrimary(u, testAddress),
          ).then(
            () => "restored in AD and synced",
            (e) => `restored in AD; not synced yet (${reason(e)}); Entra Connect will`,
          );
        },
        `set mail back to ${before.mail ?? "(none)"} and proxyAddresses back to ${sorted(before.proxyAddresses)} on ${onPrem.dn}`,
      );
      out(`canary ${upn}: setting ${testAddress} as primary SMTP in AD, waiting for Entra Connect`);
      let notReady: string | undefined;
      try {
        await address.run(() =>
          ad.writeExchangeAttributes(onPrem.dn, {
            mail: testAddress,
            proxyAddresses: makePrimarySmtp(before.proxyAddresses, testAddress),
          }),
        );
        await poll(
          `${testAddress} to reach the canary in Entra ID`,
          ctx.syncMs,
          () => cloudUser(graph, upn),
          (u) => hasPrimary(u, testAddress),
        ).catch((e) => {
          throw new Error(
            `${reason(e)}; if it never arrives, the canary itself triggers proxy scrubbing (an Exchange plan or mailbox)`,
          );
        });
      } catch (e) {
        notReady = reason(e);
      }
      if (notReady !== undefined) {
        rows.push({ group: "(canary)", result: "fail", detail: notReady });
        for (const m of mappings)
          rows.push({ group: m.reachBackGroupName, result: "skipped", detail: "the canary is not ready" });
      } else {
        for (const m of mappings) rows.push(await checkMapping(ctx, m));
      }
    } finally {
      out("undoing the changes to the canary");
      await log.undoAll();
      afterwards = await differences(ctx, before, onPremisesNames).catch((e) => [
        `could not read the canary back: ${reason(e)}`,
      ]);
    }
  } finally {
    await ad.close();
  }
  return { rows, undo: log.records, afterwards };
}

/** How the canary now differs from `before`: AD addresses, AD groups, Entra ID groups. */
async function differences(
  ctx: Context,
  before: { mail: string | null; proxyAddresses: string[]; cloudGroups: Set<string>; adGroups: Set<string> },
  onPremisesNames: string[],
): Promise<string[]> {
  const { graph, ad, canary } = ctx;
  const found: string[] = [];
  const now = await ad.getUser(canary.dn);
  if (!now) return [`${canary.dn} is no longer readable in AD`];
  if ((now.mail ?? null) !== before.mail)
    found.push(`AD mail is ${now.mail ?? "(none)"}, was ${before.mail}`);
  if (sorted(now.proxyAddresses) !== sorted(before.proxyAddresses))
    found.push(`AD proxyAddresses are ${sorted(now.proxyAddresses)}, were ${sorted(before.proxyAddresses)}`);
  const adNow = await adMemberships(ad, onPremisesNames, canary.dn);
  for (const g of adNow) if (!before.adGroups.has(g)) found.push(`member of the AD group ${g}, was not`);
  for (const g of before.adGroups) if (!adNow.has(g)) found.push(`no longer a member of the AD group ${g}`);
  const cloudNow = await memberOfIds(graph, canary.id);
  for (const g of cloudNow)
    if (!before.cloudGroups.has(g)) found.push(`member of the Entra ID group ${g}, was not`);
  for (const g of before.cloudGroups)
    if (!cloudNow.has(g)) found.push(`no longer a member of the Entra ID group ${g}`);
  return found;
}

export function formatTable(rows: CheckRow[]): string[] {
  const width = Math.max(5, ...rows.map((r) => r.group.length));
  return [
    `${"group".padEnd(width)}  result   detail`,
    ...rows.map((r) => `${r.group.padEnd(width)}  ${r.result.padEnd(7)}  ${r.detail}`),
  ];
}

export async function verifyCommand(ref: StackRef, out: (line: string) => void): Promise<number> {
  const { rows, undo, afterwards } = await verifyLicenseGroups(stackConfigOf(ref), out);
  for (const line of formatTable(rows)) out(line);
  for (const line of formatUndo(undo)) out(line);
  out(
    afterwards.length === 0
      ? "afterwards: the canary is as found (AD mail and proxyAddresses, AD groups, Entra ID groups)"
      : `afterwards: the canary is NOT as found:\n  ${afterwards.join("\n  ")}`,
  );
  const failed = rows.filter((r) => r.result !== "pass").length;
  const undoFailed = undo.filter((u) => u.result === "failed").length;
  out(
    failed === 0
      ? `all ${rows.length} reach-back group(s) checked: no proxy scrubbing`
      : `${failed} of ${rows.length} check(s) failed or were skipped`,
  );
  if (undoFailed > 0) out(`${undoFailed} change(s) could not be undone: see undo above`);
  return failed === 0 && undoFailed === 0 && afterwards.length === 0 ? 0 : 1;
}
