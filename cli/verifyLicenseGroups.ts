// `coex verify-license-groups`: seed 000's test "Verify License Groups Do Not Trigger Proxy
// Scrubbing", on a canary mail user: give it an unverified-domain primary SMTP address in AD, add
// it to each reach-back group, wait for license processing, check the address survived, and undo
// everything, whatever happened. Prints a table; any failure makes the exit code non-zero.
import { makePrimarySmtp, primarySmtp } from "../lib/addresses/proxyAddresses";
import type { StackConfig } from "../lib/config/stackConfig";
import { DirectoryClient } from "../lib/directory/client";
import { type GraphClient, GraphRequestError, graphClientFor, odataString } from "../lib/graph/client";
import { waitForLicenseProcessing } from "../lib/licensing/licenseGroupApi";
import { type StackRef, stackConfigOf } from "./stack";

export interface CheckRow {
  group: string;
  result: "pass" | "fail" | "skipped";
  detail: string;
}

interface CloudUser {
  id: string;
  mail: string | null;
  proxyAddresses: string[];
  licenseAssignmentStates?: Array<{ assignedByGroup: string | null; state: string; error?: string }>;
}

const USER_SELECT = "$select=id,userPrincipalName,mail,proxyAddresses,licenseAssignmentStates";

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

export async function verifyLicenseGroups(
  config: StackConfig,
  out: (line: string) => void,
): Promise<CheckRow[]> {
  const canary = config.licenseGroups.canary;
  if (!canary)
    throw new Error(
      "entra-coexistence:licenseGroups.canary is not set: name a canary mail user (userPrincipalName)",
    );
  if (!config.activeDirectory)
    throw new Error("entra-coexistence:activeDirectory is not set: the canary's address is changed in AD");
  const graph = graphClientFor(config.source, config.cloud);
  const ad = new DirectoryClient(config.activeDirectory);
  const syncMs = canary.syncTimeoutSeconds * 1000;
  const licenseMs = canary.licenseTimeoutSeconds * 1000;
  const rows: CheckRow[] = [];
  try {
    const onPrem = await ad.findUserByUpn(canary.userPrincipalName);
    if (!onPrem)
      throw new Error(
        `canary ${canary.userPrincipalName} not found in AD under ${config.activeDirectory.baseDn}`,
      );
    if ((onPrem.msExchRecipientTypeDetails ?? 0) !== 128) {
      throw new Error(
        `canary ${canary.userPrincipalName} must be a mail user (msExchRecipientTypeDetails 128), not ${onPrem.msExchRecipientTypeDetails ?? "a user without Exchange attributes"}: convert it as seed 000 describes first`,
      );
    }
    const testAddress =
      canary.testAddress ?? `${canary.userPrincipalName.split("@")[0]}@${config.target.domain}`;
    const before = { mail: onPrem.mail ?? null, proxyAddresses: onPrem.proxyAddresses };
    out(
      `canary ${canary.userPrincipalName}: setting ${testAddress} as primary SMTP in AD, waiting for Entra Connect`,
    );
    await ad.writeExchangeAttributes(onPrem.dn, {
      mail: testAddress,
      proxyAddresses: makePrimarySmtp(onPrem.proxyAddresses, testAddress),
    });
    try {
      await poll(
        `${testAddress} to reach the canary in Entra ID`,
        syncMs,
        () => cloudUser(graph, canary.userPrincipalName),
        (u) => hasPrimary(u, testAddress),
      ).catch((e) => {
        throw new Error(
          `${e.message}; if it never arrives, the canary itself triggers proxy scrubbing (an Exchange plan or mailbox)`,
        );
      });
      const user = await cloudUser(graph, canary.userPrincipalName);
      for (const m of config.licenseGroups.mappings) {
        const name = m.reachBackGroupName;
        const groups = await graph.list<{ id: string }>(
          `/groups?$filter=displayName eq ${odataString(name)}&$select=id`,
        );
        if (groups.length !== 1) {
          rows.push({
            group: name,
            result: "fail",
            detail: `${groups.length} groups have this name in the tenant`,
          });
          continue;
        }
        const group = { id: groups[0].id, name };
        const membership = membershipFor(graph, ad, m.source, group, { id: user.id, dn: onPrem.dn }, syncMs);
        rows.push(
          await checkGroup(
            graph,
            name,
            group.id,
            membership,
            canary.userPrincipalName,
            testAddress,
            licenseMs,
          ),
        );
      }
    } finally {
      out("restoring the canary's addresses in AD");
      await ad.writeExchangeAttributes(onPrem.dn, before);
      await poll(
        "the canary's original address in Entra ID",
        syncMs,
        () => cloudUser(graph, canary.userPrincipalName),
        (u) => !hasPrimary(u, testAddress),
      ).catch((e) => out(`warning: ${e.message}; the AD values are restored and will sync`));
    }
  } finally {
    await ad.close();
  }
  return rows;
}

/** How the canary joins and leaves a group: through Graph for a cloud group; in AD, then synced by
 * Entra Connect, for a group synced from on-premises. */
interface Membership {
  add(): Promise<void>;
  remove(): Promise<void>;
}

async function isMember(graph: GraphClient, groupId: string, userId: string): Promise<boolean> {
  const members = await graph.list<{ id: string }>(`/groups/${groupId}/members?$select=id`);
  return members.some((m) => m.id === userId);
}

function membershipFor(
  graph: GraphClient,
  ad: DirectoryClient,
  source: "cloud" | "onPremises",
  group: { id: string; name: string },
  canary: { id: string; dn: string },
  syncMs: number,
): Membership {
  if (source === "cloud") {
    return {
      add: async () => {
        await graph.post(`/groups/${group.id}/members/$ref`, {
          "@odata.id": `${graphRoot(graph)}/directoryObjects/${canary.id}`,
        });
      },
      remove: () =>
        graph.delete(`/groups/${group.id}/members/${canary.id}/$ref`).catch((e) => {
          if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
        }),
    };
  }
  const inAd = async () => {
    const g = await ad.findGroupByName(group.name);
    if (!g) throw new Error(`${group.name} is synced but not found in AD under the configured base DN`);
    return g;
  };
  return {
    add: async () => {
      await ad.addGroupMember((await inAd()).dn, canary.dn);
      await poll(
        `Entra Connect to sync the canary into ${group.name}`,
        syncMs,
        () => isMember(graph, group.id, canary.id),
        (m) => m,
      );
    },
    remove: async () => {
      await ad.removeGroupMember((await inAd()).dn, canary.dn);
      await poll(
        `Entra Connect to sync the canary out of ${group.name}`,
        syncMs,
        () => isMember(graph, group.id, canary.id),
        (m) => !m,
      );
    },
  };
}

async function checkGroup(
  graph: GraphClient,
  groupName: string,
  groupId: string,
  membership: Membership,
  upn: string,
  testAddress: string,
  licenseMs: number,
): Promise<CheckRow> {
  await membership.add();
  try {
    await waitForLicenseProcessing(graph, groupId, licenseMs);
    const user = await poll(
      "the group's licenses on the canary",
      licenseMs,
      () => cloudUser(graph, upn),
      (u) =>
        (u.licenseAssignmentStates ?? []).some(
          (s) => s.assignedByGroup === groupId && s.state !== "Processing",
        ),
    );
    const states = (user.licenseAssignmentStates ?? []).filter((s) => s.assignedByGroup === groupId);
    if (states.some((s) => s.state !== "Active")) {
      return {
        group: groupName,
        result: "fail",
        detail: `license not active: ${states.map((s) => `${s.state} ${s.error ?? ""}`).join(", ")}`,
      };
    }
    return hasPrimary(user, testAddress) && user.mail?.toLowerCase() === testAddress.toLowerCase()
      ? { group: groupName, result: "pass", detail: `${testAddress} kept as primary SMTP and mail` }
      : {
          group: groupName,
          result: "fail",
          detail: `scrubbed: primary is now ${primarySmtp(user.proxyAddresses) ?? "none"}, mail ${user.mail}`,
        };
  } finally {
    await membership.remove();
    await waitForLicenseProcessing(graph, groupId, licenseMs).catch(() => undefined);
  }
}

function graphRoot(graph: GraphClient): string {
  return `${graph.baseUrl}v1.0`;
}

export function formatTable(rows: CheckRow[]): string[] {
  const width = Math.max(5, ...rows.map((r) => r.group.length));
  return [
    `${"group".padEnd(width)}  result   detail`,
    ...rows.map((r) => `${r.group.padEnd(width)}  ${r.result.padEnd(7)}  ${r.detail}`),
  ];
}

export async function verifyCommand(ref: StackRef, out: (line: string) => void): Promise<number> {
  const rows = await verifyLicenseGroups(stackConfigOf(ref), out);
  for (const line of formatTable(rows)) out(line);
  const failed = rows.filter((r) => r.result === "fail").length;
  out(
    failed === 0
      ? `all ${rows.length} reach-back group(s) checked: no proxy scrubbing`
      : `${failed} group(s) failed`,
  );
  return failed === 0 ? 0 : 1;
}
