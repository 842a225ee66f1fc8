// `coex journal list|show` through its real command line, on a journal the library wrote where the
// stack's backend puts it: beside the state of a file backend (named by PULUMI_BACKEND_URL, or
// by `pulumi login`), or in the directory the stack configuration names.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Journal } from "../../lib/journal/journal";
import { FileJournalStore } from "../../lib/journal/store";
import { originalOf, userName, writeNext } from "../support/journalWriter";
import { PulumiStack, repoRoot } from "../support/pulumi";
import { workDir } from "../support/tenantPairs";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXBhcnQ";

describe("e2e: coex journal", function () {
  this.timeout(120_000);
  let dir: string;
  let stack: PulumiStack;
  /** Where the library writes, spelt out here rather than computed by the code under test. */
  let besideState: string;

  async function journalAt(directory: string, stackName = stack.name): Promise<Journal> {
    const store = new FileJournalStore(directory, { project: "entra-coexistence", stack: stackName });
    await store.open();
    return new Journal(store, { runId: "ci-runner-7:4242:a1b2c3" });
  }

  before(async () => {
    dir = workDir("journal-e2e");
    stack = new PulumiStack(`jr${Date.now().toString(36)}`, dir);
    await stack.init();
    stack.writeConfig({});
    besideState = path.join(dir, "state", ".entra-coexistence", "journal", "entra-coexistence", stack.name);
    const journal = await journalAt(besideState);
    // User 1: crashed between the swap and the revert, after a failed invitation.
    for (let seq = 1; seq <= 8; seq++) await writeNext(journal, 1, seq);
    await journal.recordFailure(
      userName(1),
      "invite.sent",
      new Error(`POST /invitations: 403 Authorization_RequestDenied (request-id 1c2d) with Bearer ${JWT}`),
    );
    // User 2: done.
    for (let seq = 1; seq <= 13; seq++) await writeNext(journal, 2, seq);
  });
  after(() => stack?.dispose());

  it("show prints the original values, the steps and what putting the user back writes", async () => {
    const r = await stack.coex(["journal", "show", "User0001@Fabrikam.example"]);
    assert.equal(r.code, 0, r.output);
    const out = r.stdout;
    assert.match(out, /^journal of user0001@fabrikam\.example, stack test-jr/m);
    assert.ok(out.includes(besideState), out);
    assert.match(out, /beside the stack's state in the file backend file:\/\//);
    assert.match(out, /state: in progress; last step sync\.swapArrived \(5: Entra Connect synced the swap\)/);
    assert.match(out, /ATTENTION: the primary SMTP address is, or may be, the target address/);
    assert.match(out, /last failure, at invite\.sent .*403 Authorization_RequestDenied \(request-id 1c2d\)/);
    // The original values, one per row; proxyAddresses one address a line.
    const o = originalOf(1).ad.attributes;
    assert.match(out, /original values \(record 1, .*, run ci-runner-7:4242:a1b2c3; crossTenant path\)/);
    assert.match(out, new RegExp(`^  mail +${esc(o.mail ?? "")}$`, "m"));
    assert.match(
      out,
      new RegExp(`^  proxyAddresses +${esc(o.proxyAddresses[0])}\\n +${esc(o.proxyAddresses[1])}$`, "m"),
    );
    assert.match(out, /^ {2}msExchRecipientTypeDetails +2147483648$/m);
    assert.match(
      out,
      /^ {2}license groups +LIC-E5-1 \(00000003-0000-4000-8000-000000000001, on-premises\)$/m,
    );
    // The history: a row per record, in order.
    const history = out.slice(out.indexOf("\nhistory\n"));
    const rows = [...history.matchAll(/^ {2}(\d+) +\S+Z +ci-runner-7:4242:a1b2c3 +(\S+)/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    assert.deepEqual(
      rows.map((x) => x[0]),
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
    );
    assert.deepEqual(
      rows.map((x) => x[1]),
      ["found:", ...Array(7).fill("step"), "failed"],
    );
    assert.match(
      history,
      /step ad\.targetAddressSet .*\n +targetAddress=SMTP:user0001@contoso\.mail\.onmicrosoft\.com/,
    );
    // What a revert writes, with the step that changed each value.
    const restore = out.slice(out.indexOf("to put the user back as found"));
    assert.match(restore, new RegExp(`^  mail +${esc(o.mail ?? "")} +ad\\.primarySwapped$`, "m"));
    assert.match(restore, /^ {2}msExchRemoteRecipientType +4 +ad\.mailUserSet$/m);
    assert.match(restore, /^ {2}rejoin license group +LIC-E5-1 /m);
    assert.match(restore, /^ {2}leave license group +00000004-0000-4000-8000-000000000001 \(cloud\)$/m);
    // The token in the error never reached the journal.
    assert.doesNotMatch(out, /eyJ/);
    const files = readdirSync(new FileJournalStore(besideState).userDir(userName(1)));
    assert.equal(files.length, 9);
  });

  it("list prints each user's state and last step", async () => {
    const r = await stack.coex(["journal", "list"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /journal of stack test-jr\S+: 2 user\(s\)/);
    assert.match(
      r.stdout,
      /^user0001@fabrikam\.example +in progress +sync\.swapArrived +\S+Z +9 +PRIMARY SMTP MAY BE THE TARGET ADDRESS; failed at invite\.sent$/m,
    );
    assert.match(r.stdout, /^user0002@fabrikam\.example +completed +verify\.passed +\S+Z +13$/m);
  });

  it("show names a user the journal does not have and says how to list them", async () => {
    const r = await stack.coex(["journal", "show", "nobody@fabrikam.example"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /nobody@fabrikam\.example: no records in the journal of stack test-jr/);
    assert.match(r.stdout, /coex journal list --stack test-jr/);
  });

  it("show reports a damaged record and exits 2", async () => {
    const journal = await journalAt(besideState);
    for (let seq = 1; seq <= 2; seq++) await writeNext(journal, 3, seq);
    const userDir = new FileJournalStore(besideState).userDir(userName(3));
    writeFileSync(path.join(userDir, "00000003-step.json"), '{"schema":1,"seq":3,"ki');
    const r = await stack.coex(["journal", "show", userName(3)]);
    assert.equal(r.code, 2, r.output);
    assert.match(
      r.stdout,
      /damaged records \(nothing more is written for this user until a person has looked\)/,
    );
    assert.match(r.stdout, /00000003-step\.json: no checksum line at the end/);
    const list = await stack.coex(["journal", "list"]);
    assert.equal(list.code, 2);
    assert.match(list.stdout, /^user0003@fabrikam\.example .* 1 damaged record\(s\)$/m);
  });

  it("finds the backend of `pulumi login` when PULUMI_BACKEND_URL is not set", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_HOME: path.join(dir, "pulumi-home") };
    env.PULUMI_BACKEND_URL = `file://${path.join(dir, "state")}`;
    const login = spawnSync("pulumi", ["login", env.PULUMI_BACKEND_URL, "--non-interactive"], {
      env,
      encoding: "utf8",
    });
    assert.equal(login.status, 0, login.stderr);
    delete env.PULUMI_BACKEND_URL;
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, "dist/cli/coex.js"), "journal", "show", userName(2), "--stack", stack.name],
      { cwd: repoRoot, env, encoding: "utf8" },
    );
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /state: completed; last step verify\.passed/);
    assert.ok(r.stdout.includes(besideState));
  });

  it("reads the directory the stack configuration names, and says when there is no journal there", async () => {
    const kept = path.join(dir, "kept-journals");
    stack.writeConfig({ journal: { directory: kept } });
    try {
      const none = await stack.coex(["journal", "list"]);
      assert.equal(none.code, 1);
      assert.match(
        none.stdout,
        /there is no journal at \S*kept-journals\/entra-coexistence\/test-jr\S+: no user has been processed/,
      );
      const journal = await journalAt(path.join(kept, "entra-coexistence", stack.name));
      await writeNext(journal, 4, 1);
      const r = await stack.coex(["journal", "show", userName(4)]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.stdout, /entra-coexistence:journal\.directory in the stack configuration/);
      assert.match(r.stdout, /state: in progress/);
      assert.match(r.stdout, /to put the user back as found: nothing was changed yet/);
      stack.writeConfig({ journal: { folder: kept } });
      const bad = await stack.coex(["journal", "list"]);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /entra-coexistence:journal: unknown key "folder"/);
    } finally {
      stack.writeConfig({});
    }
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
