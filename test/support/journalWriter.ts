// A separate process that writes a journal through the library, for the tests that need a real
// second process: one killed with SIGKILL in the middle of its writes, and two racing on the same
// users. What it writes is a function of the user's number and the record's number alone, so a
// test can check each stored record against what it must be.
//   node journalWriter.js loop <dir> <users> <parallel>   continues each user's sequence forever; a
//                                                         line "<user number> <seq>" per record written
//   node journalWriter.js race <dir> <users> <label>      prints "ready", waits for a line on stdin,
//                                                         then records every user's original
import { createInterface } from "node:readline";
import { Journal } from "../../lib/journal/journal";
import type { OriginalValues, StepName, StepWrites } from "../../lib/journal/records";
import { FileJournalStore } from "../../lib/journal/store";

export const PROJECT = "entra-coexistence";
export const STACK = "journal-test";

export function userName(i: number): string {
  return `user${String(i).padStart(4, "0")}@fabrikam.example`;
}

const guid = (n: number, tag: number) =>
  `${tag.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** The original values of user `i` as run `label` would find them. */
export function originalOf(i: number, label = "first"): OriginalValues {
  const local = userName(i).split("@")[0];
  return {
    mailboxMigration: i % 3 === 0 ? "thirdParty" : "crossTenant",
    sourceUserId: guid(i, 1),
    ad: {
      distinguishedName: `CN=${local},OU=Wave,DC=fabrikam,DC=example`,
      objectGuid: guid(i, 2),
      attributes: {
        mail: `${local}.${label}@fabrikam.example`,
        proxyAddresses: [
          `SMTP:${local}.${label}@fabrikam.example`,
          `smtp:${local}@fabrikam.mail.onmicrosoft.com`,
        ],
        targetAddress: `SMTP:${local}@fabrikam.mail.onmicrosoft.com`,
        msExchRecipientDisplayType: -2147483642,
        msExchRecipientTypeDetails: 2147483648,
        msExchRemoteRecipientType: 4,
        ...(i % 3 === 0
          ? {
              extensionAttributes: Object.fromEntries(
                Array.from({ length: 15 }, (_, k) => [
                  `extensionAttribute${k + 1}`,
                  k < 3 ? `value ${k}` : null,
                ]),
              ),
            }
          : {}),
      },
    },
    groups: [
      { id: guid(i % 5, 3), displayName: `LIC-E5-${i % 5}`, source: i % 2 === 0 ? "cloud" : "onPremises" },
    ],
    directLicenses: [],
  };
}

/** The records of one cycle after the original, as the procedure writes them. */
export function cycleSteps(i: number): { step: StepName; writes?: StepWrites }[] {
  const local = userName(i).split("@")[0];
  const o = originalOf(i).ad.attributes;
  return [
    {
      step: "license.reachBackGroupAdded",
      writes: { groupsAdded: [{ id: guid(i % 5, 4), source: "cloud" }] },
    },
    { step: "license.reachBackLicenseActive" },
    { step: "license.originalGroupRemoved", writes: { groupsRemoved: originalOf(i).groups } },
    {
      step: "ad.targetAddressSet",
      writes: { ad: { targetAddress: `SMTP:${local}@contoso.mail.onmicrosoft.com` } },
    },
    {
      step: "ad.mailUserSet",
      writes: {
        ad: {
          msExchRecipientDisplayType: 6,
          msExchRecipientTypeDetails: 128,
          msExchRemoteRecipientType: null,
        },
      },
    },
    {
      step: "ad.primarySwapped",
      writes: {
        ad: {
          mail: `${local}@contoso.example`,
          proxyAddresses: [
            `SMTP:${local}@contoso.example`,
            ...o.proxyAddresses.map((a) => a.replace("SMTP:", "smtp:")),
          ],
        },
      },
    },
    { step: "sync.swapArrived" },
    { step: "invite.sent" },
    {
      step: "ad.primaryReverted",
      writes: {
        ad: { mail: o.mail, proxyAddresses: [...o.proxyAddresses, `smtp:${local}@contoso.example`] },
      },
    },
    { step: "sync.revertArrived" },
    { step: "verify.passed" },
  ];
}

/** What record `seq` (from 1) of user `i` is in the loop's endless sequence: cycles of found,
 * the steps, completed, a rollback step and reverted. */
export function expectedRecord(
  i: number,
  seq: number,
): { kind: string; step?: StepName; writes?: StepWrites } {
  const steps = cycleSteps(i);
  const cycle = [
    { kind: "found" },
    ...steps.map((s) => ({ kind: "step", ...s })),
    { kind: "completed" },
    {
      kind: "step",
      step: "rollback.ad" as StepName,
      writes: { ad: { mail: originalOf(i).ad.attributes.mail } },
    },
    { kind: "reverted" },
  ];
  return cycle[(seq - 1) % cycle.length];
}

/** Writes record `seq` of user `i` as expectedRecord says, through the journal's API. */
export async function writeNext(journal: Journal, i: number, seq: number): Promise<void> {
  const user = userName(i);
  const e = expectedRecord(i, seq);
  if (e.kind === "found") await journal.recordOriginal(user, originalOf(i));
  else if (e.kind === "step" && e.step) await journal.recordStep(user, e.step, e.writes);
  else if (e.kind === "completed") await journal.recordCompleted(user);
  else await journal.recordReverted(user);
}

async function loop(dir: string, users: number, parallel: number): Promise<never> {
  const store = new FileJournalStore(dir, { project: PROJECT, stack: STACK });
  await store.open();
  const journal = new Journal(store);
  // Where each user's sequence stands: a killed predecessor's records are kept and continued.
  const next = await Promise.all(
    Array.from({ length: users }, async (_, i) => (await journal.history(userName(i))).records.length + 1),
  );
  // `parallel` workers, each taking the next user in turn: many users' writes are in flight at once.
  let cursor = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = cursor++ % users;
      const seq = next[i];
      next[i] = seq + 1;
      await writeNext(journal, i, seq);
      process.stdout.write(`${i} ${seq}\n`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  throw new Error("unreachable");
}

async function race(dir: string, users: number, label: string): Promise<void> {
  const store = new FileJournalStore(dir, { project: PROJECT, stack: STACK });
  await store.open();
  const journal = new Journal(store, { runId: `race-${label}` });
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once("line", () => {
      rl.close();
      resolve();
    });
  });
  // The two racers go through the users from opposite ends, so they meet and contend.
  const order = Array.from({ length: users }, (_, i) => i);
  if (label === "right") order.reverse();
  const results = await Promise.all(
    order.map(async (i) => {
      const r = await journal.recordOriginal(userName(i), originalOf(i, label));
      return { user: userName(i), recorded: r.recorded, mail: r.record.original.ad.attributes.mail };
    }),
  );
  results.sort((a, b) => a.user.localeCompare(b.user));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (require.main === module) {
  const [mode, dir, n, extra] = process.argv.slice(2);
  const run = mode === "loop" ? loop(dir, Number(n), Number(extra)) : race(dir, Number(n), extra);
  run.catch((e) => {
    process.stderr.write(`journalWriter: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
