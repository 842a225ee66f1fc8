import assert from "node:assert/strict";
import fc from "fast-check";
import { csvField, formatCsv, parseCsv } from "../../lib/waves/csv";

const fieldsOf = (text: string) => parseCsv(text).map((r) => r.fields ?? r.error);

describe("wave CSV reader", () => {
  it("reads plain records with LF or CRLF line ends, numbering rows from the header", () => {
    const lf = parseCsv("a,b,c\n1,2,3\n");
    const crlf = parseCsv("a,b,c\r\n1,2,3\r\n");
    assert.deepEqual(lf, crlf);
    assert.deepEqual(lf, [
      { row: 1, line: 1, fields: ["a", "b", "c"] },
      { row: 2, line: 2, fields: ["1", "2", "3"] },
    ]);
  });

  it("skips a UTF-8 byte order mark, as Excel writes one", () => {
    assert.deepEqual(fieldsOf("\uFEFFsourceUserPrincipalName,x\r\n"), [["sourceUserPrincipalName", "x"]]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const records = parseCsv('a,"b,c","say ""hi""","two\r\nlines"\r\nnext,1,2,3');
    assert.deepEqual(records[0].fields, ["a", "b,c", 'say "hi"', "two\r\nlines"]);
    assert.deepEqual(records[1], { row: 2, line: 3, fields: ["next", "1", "2", "3"] });
  });

  it("keeps empty fields and a last line without a line break; leaves blank lines out", () => {
    assert.deepEqual(fieldsOf("a,,c\n\n\n,\nlast"), [["a", "", "c"], ["", ""], ["last"]]);
  });

  it("refuses a quote inside an unquoted field, and goes on with the next line", () => {
    const r = parseCsv('a,b\nx,y"z\nc,d\n');
    assert.match(String(r[1].error), /field 2 has a quote inside it/);
    assert.equal(r[1].row, 2);
    assert.deepEqual(r[2], { row: 3, line: 3, fields: ["c", "d"] });
  });

  it("refuses text after a closing quote", () => {
    assert.match(String(parseCsv('"ab"c,d\n')[0].error), /field 1 has text after its closing quote/);
  });

  it("refuses a quote never closed, naming the line it opened on", () => {
    const r = parseCsv('a,b\n1,"open\nmore\n');
    assert.equal(r.length, 2);
    assert.match(String(r[1].error), /the quote opened on line 2 is never closed/);
  });

  it("refuses a bare carriage return", () => {
    assert.match(String(parseCsv("a,b\rc\n")[0].error), /carriage return without a line feed/);
  });

  it("quotes a field only when it must", () => {
    assert.equal(csvField("plain@fabrikam.example"), "plain@fabrikam.example");
    assert.equal(csvField("a,b"), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField(" padded"), '" padded"');
  });

  it("reads back what it writes (any fields, quotes, commas and line breaks included)", () => {
    const field = fc.string({
      unit: fc.constantFrom("a", "Z", "@", ",", '"', "\r", "\n", " ", "é", "\uFEFF"),
    });
    // A record of one empty field is a blank line, which the reader leaves out.
    const record = fc
      .array(field, { minLength: 1, maxLength: 5 })
      .filter((r) => !(r.length === 1 && r[0] === ""));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), (rows) => {
        // A byte order mark first in the file is taken for the file's; quoting keeps it as data.
        const parsed = parseCsv(formatCsv(rows));
        assert.deepEqual(
          parsed.map((r) => r.fields),
          rows,
        );
        assert.deepEqual(
          parsed.map((r) => r.row),
          rows.map((_, i) => i + 1),
        );
      }),
      { numRuns: 500 },
    );
  });
});
