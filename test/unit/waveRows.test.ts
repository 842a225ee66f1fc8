import assert from "node:assert/strict";
import { describeBadRow, parseWave, preconditionBadRows } from "../../lib/waves/wave";

const HEADER = "sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress,mailboxMigration";
const row = (alias: string, migration = "") =>
  `${alias}@fabrikam.example,${alias}@contoso.example,${alias}@contoso.mail.onmicrosoft.com,${migration}`;
const lines = (text: string) => parseWave(text).bad.map(describeBadRow);

describe("wave rows", () => {
  it("reads good rows in order with their row numbers; an empty mailboxMigration is crossTenant", () => {
    const w = parseWave(`${HEADER}\r\n${row("amara")}\r\n${row("bjorn", "thirdParty")}\r\n`);
    assert.deepEqual(w.fileProblems, []);
    assert.deepEqual(w.bad, []);
    assert.deepEqual(
      w.users.map((u) => [u.row, u.sourceUserPrincipalName, u.mailboxMigration]),
      [
        [2, "amara@fabrikam.example", "crossTenant"],
        [3, "bjorn@fabrikam.example", "thirdParty"],
      ],
    );
  });

  it("takes the columns in any order, mailboxMigration optional", () => {
    const w = parseWave(
      "coexRoutingAddress,sourceUserPrincipalName,targetEmailAddress\nchen@contoso.mail.onmicrosoft.com,chen@fabrikam.example,chen@contoso.example\n",
    );
    assert.equal(w.users[0].targetEmailAddress, "chen@contoso.example");
  });

  it("lists every bad row together, one line each, and keeps the good ones", () => {
    const text = [
      HEADER,
      row("amara"),
      "bjorn@fabrikam.example,not-an-address,bjorn@contoso.mail.onmicrosoft.com,", // invalid address
      "chen@fabrikam.example,chen@contoso.example", // wrong column count
      'dana@fabrikam.example,dana@contoso.example,dana@contoso.mail.onmicrosoft.com,x"y', // malformed
      row("amara"), // duplicate source UPN (with row 2)
      "eli@fabrikam.example,eli@contoso.example,eli@contoso.example,", // routing in the target's own domain
      "fay@fabrikam.example,amara@contoso.example,fay@contoso.mail.onmicrosoft.com,", // duplicate target (rows 2, 6)
      row("gus", "byCarrierPigeon"),
      row("hal"),
    ].join("\r\n");
    const w = parseWave(text);
    assert.deepEqual(
      w.users.map((u) => u.row),
      [10],
    );
    const said = w.bad.map(describeBadRow);
    assert.deepEqual(
      w.bad.map((b) => b.row),
      [2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.match(
      said[1],
      /^row 3 \(bjorn@fabrikam\.example\): targetEmailAddress "not-an-address" must be an SMTP address/,
    );
    assert.match(
      said[2],
      /^row 4 \(chen@fabrikam\.example\): has 2 field\(s\) where the header has 4 .*; quote a field that contains a comma/,
    );
    assert.match(said[3], /^row 5 \(no user\): cannot be read \(line 5\); field 4 has a quote inside it/);
    // One line per row, however many problems it has.
    assert.equal(
      said[0],
      "row 2 (amara@fabrikam.example): sourceUserPrincipalName amara@fabrikam.example is on row 6 too; list each user once: keep the right row and remove the other; targetEmailAddress amara@contoso.example is on row 6, 8 too; each user has their own target address: correct the wrong row",
    );
    assert.match(
      said[4],
      /^row 6 \(amara@fabrikam\.example\): sourceUserPrincipalName amara@fabrikam\.example is on row 2 too; list each user once/,
    );
    assert.match(
      said[5],
      /^row 7 \(eli@fabrikam\.example\): coexRoutingAddress "eli@contoso\.example" must be in the target tenant's routing domain/,
    );
    assert.match(
      said[6],
      /^row 8 \(fay@fabrikam\.example\): targetEmailAddress amara@contoso\.example is on row 2, 6 too; each user has their own target address/,
    );
    assert.match(
      said[7],
      /^row 9 \(gus@fabrikam\.example\): mailboxMigration "byCarrierPigeon" .*crossTenant.*thirdParty/,
    );
  });

  it("compares duplicates without regard to case", () => {
    assert.equal(lines(`${HEADER}\n${row("amara")}\n${row("AMARA")}\n`).length, 2);
  });

  it("refuses a file without the header, with an unknown or misspelt column, or without users", () => {
    assert.match(parseWave("").fileProblems[0], /the file is empty; the first row must name the columns/);
    assert.match(parseWave(`${HEADER}\n`).fileProblems[0], /has a header but no users/);
    assert.deepEqual(
      parseWave(`sourceUserPrincipalName,targetEmailAdress,coexRoutingAddress\n${row("a")}\n`).fileProblems,
      ['the header has an unknown column "targetEmailAdress"; did you mean targetEmailAddress?'],
    );
    const headerless = parseWave(`${row("amara")}\n${row("bjorn")}\n`).fileProblems;
    assert.ok(headerless.some((p) => /unknown column "amara@fabrikam\.example"/.test(p)));
    assert.ok(
      headerless.some((p) =>
        /the header has no column sourceUserPrincipalName; the first row must name the columns/.test(p),
      ),
    );
    assert.match(
      parseWave(`${HEADER},mailboxMigration\n`).fileProblems[0],
      /names column "mailboxMigration" twice/,
    );
  });

  it("puts precondition problems on their users' rows; a pairing problem stops the whole wave", () => {
    const w = parseWave(`${HEADER}\n${row("amara")}\n${row("bjorn")}\n`);
    const { bad, waveProblems } = preconditionBadRows(
      [
        {
          user: "BJORN@fabrikam.example",
          problem: "has no user in the target tenant",
          fix: "migrate the user first",
        },
        {
          user: "(all users)",
          problem: "automatic redemption is off",
          fix: "run pulumi up on the coexistence stack",
        },
      ],
      w.users,
    );
    assert.deepEqual(bad.map(describeBadRow), [
      "row 3 (bjorn@fabrikam.example): has no user in the target tenant; migrate the user first",
    ]);
    assert.deepEqual(waveProblems, [
      "(all users): automatic redemption is off; run pulumi up on the coexistence stack",
    ]);
  });
});
