// Where journal records are kept. A store knows nothing of what records mean: it keeps, per
// user, numbered records that are created whole or not at all and never replaced. "Create record
// n if there is none" is the one write primitive, so that two writers racing on a user cannot both
// win: the loser sees the conflict, reads again and decides again (lib/journal/journal.ts). Each
// backend has that primitive: a file system (a hard link, which fails if the name exists), a
// PostgreSQL table (INSERT on the primary key (project, stack, user, seq), ON CONFLICT DO
// NOTHING), an object store (a conditional put, If-None-Match: *). This file has the file store.
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** A record as stored: its number, where it is (for messages), and its text (decoded elsewhere). */
export interface StoredRecord {
  seq: number;
  location: string;
  text: string;
}

/** A write that was cut short before its record was created: never part of the history. */
export interface InterruptedWrite {
  location: string;
  /** Whether its content is also a record that exists (the process stopped after creating the
   * record, before cleaning up): harmless either way. */
  alsoStored: boolean;
}

export interface StoredUser {
  records: StoredRecord[];
  /** Names in the user's place that are not records (a file copied in by hand). */
  strangers: string[];
  interrupted: InterruptedWrite[];
}

export interface JournalStore {
  /** Where the journal is, for people (a directory, a table). */
  readonly location: string;
  /** Creates record `seq` of `user` with `text`, durably, if there is no record `seq` yet. Returns
   * false, and changes nothing, when there is. `kind` is for people reading the store directly. */
  create(user: string, seq: number, kind: string, text: string): Promise<boolean>;
  /** The user's records in order of seq (none for an unknown user). */
  read(user: string): Promise<StoredUser>;
  /** Every user with at least one record or an interrupted write. */
  users(): Promise<string[]>;
}

/** Thrown when the store itself cannot be used (permissions, a file system without hard links). */
export class JournalStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalStoreError";
  }
}

const RECORD_FILE = /^(\d{8})-([a-z]+)\.json$/;
const TEMP_PREFIX = ".tmp-";
const TEMP_FILE = /^\.tmp-(\d{8})-/;
/** The marker that says a directory is a journal (and whose), written once at creation. */
export const MARKER_FILE = "journal.json";

/**
 * A journal in a directory: `<root>/users/<user>/<seq>-<kind>.json`, one file per record.
 *
 * A record is written to a temporary file in the user's directory, fsynced, then linked to its
 * final name (link, unlike rename, fails when the name exists: the atomic "create if absent"),
 * and the directory is fsynced, so the record is on disk whole, under its name, before create
 * returns, or not there at all. A process killed in between leaves at most a temporary file,
 * which readers report and never count.
 */
export class FileJournalStore implements JournalStore {
  private readonly known = new Set<string>();

  /** @param identity what the marker file records (project and stack), checked on open. */
  constructor(
    readonly root: string,
    private readonly identity: Record<string, string> = {},
  ) {}

  get location(): string {
    return this.root;
  }

  /** Creates the journal's directory (or checks the one there): a directory that holds something
   * else, or another stack's journal, is refused rather than written into. A reader passes
   * `create: false` and is told when there is no journal. */
  async open(options: { create?: boolean } = {}): Promise<void> {
    let entries: string[] = [];
    try {
      // A temporary file is another process creating the marker at this moment.
      entries = (await fs.readdir(this.root)).filter((n) => !n.startsWith(TEMP_PREFIX));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw this.failure("read", this.root, e);
      if (options.create === false) {
        throw new JournalStoreError(
          `there is no journal at ${this.root}: no user has been processed in this stack`,
        );
      }
    }
    if (entries.includes(MARKER_FILE)) {
      const markerPath = path.join(this.root, MARKER_FILE);
      let marker: Record<string, unknown>;
      try {
        marker = JSON.parse(await fs.readFile(markerPath, "utf8")) as Record<string, unknown>;
      } catch (e) {
        throw new JournalStoreError(
          `${markerPath} is not a journal marker (${(e as Error).message}): restore it from the stack's backup`,
        );
      }
      for (const [k, v] of Object.entries(this.identity)) {
        if (marker[k] !== v) {
          throw new JournalStoreError(
            `the journal directory ${this.root} belongs to ${k} ${String(marker[k])}, not ${v}: ` +
              "each stack needs its own journal; check entra-coexistence:journal.directory",
          );
        }
      }
    } else if (options.create === false && entries.length === 0) {
      throw new JournalStoreError(
        `there is no journal at ${this.root}: no user has been processed in this stack`,
      );
    } else if (entries.length > 0) {
      throw new JournalStoreError(
        `${this.root} is not empty and is not a journal (no ${MARKER_FILE}): ` +
          "name an empty or new directory in entra-coexistence:journal.directory",
      );
    } else {
      await this.ensureDir(this.root);
      const marker = JSON.stringify({ format: "entra-coexistence journal", ...this.identity }, null, 2);
      await this.writeDurably(this.root, MARKER_FILE, `${marker}\n`);
    }
    if (options.create !== false) await this.ensureDir(path.join(this.root, "users"));
  }

  async create(user: string, seq: number, kind: string, text: string): Promise<boolean> {
    if (!/^[a-z]+$/.test(kind))
      throw new JournalStoreError(`a record kind is lowercase letters, not ${kind}`);
    const dir = this.userDir(user);
    await this.ensureDir(dir);
    return this.writeDurably(dir, `${String(seq).padStart(8, "0")}-${kind}.json`, text, seq);
  }

  async read(user: string): Promise<StoredUser> {
    const dir = this.userDir(user);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        return { records: [], strangers: [], interrupted: [] };
      throw this.failure("read", dir, e);
    }
    const records: StoredRecord[] = [];
    const strangers: string[] = [];
    const temps: string[] = [];
    for (const name of names.sort()) {
      const m = RECORD_FILE.exec(name);
      if (m) {
        const location = path.join(dir, name);
        records.push({ seq: Number(m[1]), location, text: await fs.readFile(location, "utf8") });
      } else if (name.startsWith(TEMP_PREFIX)) temps.push(name);
      else strangers.push(path.join(dir, name));
    }
    const interrupted: InterruptedWrite[] = [];
    for (const name of temps) {
      const location = path.join(dir, name);
      const seq = Number(TEMP_FILE.exec(name)?.[1] ?? Number.NaN);
      let content: string | undefined;
      try {
        content = await fs.readFile(location, "utf8");
      } catch {
        continue; // a running writer's, gone since
      }
      interrupted.push({ location, alsoStored: records.some((r) => r.seq === seq && r.text === content) });
    }
    return { records, strangers, interrupted };
  }

  async users(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.root, "users"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw this.failure("read", this.root, e);
    }
    return names.filter((n) => !n.startsWith(".")).map(decodeUserDir);
  }

  /** The user's directory. */
  userDir(user: string): string {
    return path.join(this.root, "users", encodeUserDir(user));
  }

  /** Writes `name` in `dir` whole or not at all, never replacing a file of that name: temporary
   * file, fsync, link to the name, remove the temporary file, fsync the directory. */
  private async writeDurably(dir: string, name: string, text: string, seq = 0): Promise<boolean> {
    const temp = path.join(
      dir,
      `${TEMP_PREFIX}${String(seq).padStart(8, "0")}-${process.pid}-${randomBytes(4).toString("hex")}`,
    );
    const handle = await fs.open(temp, "wx", 0o600).catch((e) => {
      throw this.failure("write", temp, e);
    });
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    let created = true;
    try {
      await fs.link(temp, path.join(dir, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") created = false;
      else {
        await fs.rm(temp, { force: true });
        if (code === "EPERM" || code === "ENOTSUP" || code === "ENOSYS") {
          throw new JournalStoreError(
            `the journal's file system does not support hard links (${code} at ${dir}), which the journal ` +
              "needs to create records atomically: name a directory on a local or NFS file system in " +
              "entra-coexistence:journal.directory",
          );
        }
        throw this.failure("write", path.join(dir, name), e);
      }
    }
    await fs.rm(temp, { force: true });
    await fsyncDir(dir);
    return created;
  }

  /** mkdir -p, each directory it creates made durable in its parent. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.known.has(dir)) return;
    const parent = path.dirname(dir);
    try {
      await fs.mkdir(dir);
      if (parent !== dir) await fsyncDir(parent);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && parent !== dir) {
        await this.ensureDir(parent);
        return this.ensureDir(dir);
      }
      if (code !== "EEXIST") throw this.failure("create", dir, e);
    }
    this.known.add(dir);
  }

  private failure(what: string, where: string, e: unknown): JournalStoreError {
    return new JournalStoreError(
      `could not ${what} the journal at ${where}: ${(e as Error).message}; the journal must be writable ` +
        "before any user is changed (check the directory's owner and free space)",
    );
  }
}

/** fsync of a directory makes the names created or removed in it durable (POSIX). Windows cannot
 * open a directory for it, and makes renames durable on its own. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A user's key as a directory name: [a-z0-9._@-] kept, anything else (and a leading dot)
 * percent-encoded, so that every file system can hold it and it reads back exactly. */
export function encodeUserDir(user: string): string {
  const encoded = Array.from(Buffer.from(user, "utf8"))
    .map((b, i) => {
      const c = String.fromCharCode(b);
      return /[a-z0-9_@-]/.test(c) || (c === "." && i > 0)
        ? c
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  if (encoded.length > 200) {
    throw new JournalStoreError(
      `the user name ${user.slice(0, 60)}… is too long for a journal directory name`,
    );
  }
  return encoded;
}

export function decodeUserDir(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // not one of ours; reading it shows what is there
  }
}
