// A small, strict CSV reader and writer (RFC 4180: comma-separated, fields in double quotes may
// hold commas, quotes doubled and line breaks; CRLF or LF between records; a UTF-8 byte order
// mark, as Excel writes one, is skipped). Strict: a quote inside an unquoted field, text after a
// closing quote or a quote left open is an error of that record, never guessed around, so a
// wave never runs a user from a half-read line.

/** One record of the file: its fields, or why it could not be read. */
export interface CsvRecord {
  /** The record's number, the header being 1 (as a spreadsheet numbers its rows). */
  row: number;
  /** The line of the file the record starts on (1-based; differs from row after a quoted line break). */
  line: number;
  fields?: string[];
  error?: string;
}

/** Every record of `text`, blank lines left out. A malformed record is returned with its error
 * and reading goes on at the next line, so that every bad row is reported at once. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  let row = 0;
  const atEnd = () => i >= s.length;
  const atBreak = () => s[i] === "\n" || (s[i] === "\r" && s[i + 1] === "\n");
  const skipBreak = () => {
    i += s[i] === "\r" ? 2 : 1;
    line++;
  };
  /** Past the rest of the physical line, after an error. */
  const skipLine = () => {
    while (!atEnd() && !atBreak()) i++;
    if (!atEnd()) skipBreak();
  };
  while (!atEnd()) {
    if (atBreak()) {
      skipBreak(); // a blank line is no record
      continue;
    }
    const start = line;
    row++;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = "";
      if (s[i] === '"') {
        const opened = line;
        i++;
        for (;;) {
          if (atEnd()) {
            error = `the quote opened on line ${opened} is never closed; close it with "`;
            break;
          }
          if (s[i] === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (s[i] === "\n") line++;
          field += s[i++];
        }
        if (!error && !atEnd() && s[i] !== "," && !atBreak()) {
          error = `field ${fields.length + 1} has text after its closing quote; put the whole field in quotes and double any quote inside it ("")`;
        }
      } else {
        while (!atEnd() && s[i] !== "," && !atBreak()) {
          if (s[i] === '"') {
            error = `field ${fields.length + 1} has a quote inside it; put the whole field in quotes and double the quote ("")`;
            break;
          }
          if (s[i] === "\r") {
            error = `field ${fields.length + 1} has a carriage return without a line feed; save the file with CRLF or LF line ends`;
            break;
          }
          field += s[i++];
        }
      }
      if (error) break;
      fields.push(field);
      if (atEnd()) break;
      if (s[i] === ",") {
        i++;
        continue;
      }
      skipBreak();
      break;
    }
    if (error) {
      records.push({ row, line: start, error });
      skipLine();
    } else records.push({ row, line: start, fields });
  }
  return records;
}

/** A field as CSV writes it: quoted when it holds a comma, a quote or a line break (or starts or
 * ends with a space, which some readers trim). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Records as CSV text with CRLF line ends (RFC 4180), the reverse of parseCsv. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => `${r.map(csvField).join(",")}\r\n`).join("");
}
