// The PostgreSQL server scripts/test.sh starts (scripts/postgres.sh), or why there is none.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

export interface PostgresUnderTest {
  /** postgres://user:password@127.0.0.1:port/database?sslmode=disable */
  url: string;
  port: number;
  /** The server's bin directory (psql is there too). */
  bin: string;
  /** Runs one SQL statement, returns the rows as tab-separated lines. */
  query(sql: string): string[];
}

export function postgresUnderTest(): PostgresUnderTest | string {
  const skip = process.env.ENTRA_COEX_TEST_POSTGRES_SKIP;
  if (skip) return skip;
  const file = process.env.ENTRA_COEX_TEST_POSTGRES;
  if (!file)
    return "ENTRA_COEX_TEST_POSTGRES is not set (scripts/test.sh sets it after `scripts/postgres.sh start`)";
  const c = JSON.parse(readFileSync(file, "utf8")) as { url: string; port: number; bin: string };
  return {
    ...c,
    query: (sql) => {
      const u = new URL(c.url);
      const psql = spawnSync(
        path.join(c.bin, "psql"),
        [
          "-h",
          u.hostname,
          "-p",
          u.port,
          "-U",
          u.username,
          "-d",
          u.pathname.slice(1),
          "-At",
          "-F",
          "\t",
          "-c",
          sql,
        ],
        { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, encoding: "utf8" },
      );
      if (psql.status !== 0) throw new Error(`psql: ${sql}: ${psql.stderr}`);
      return psql.stdout.split("\n").filter((l) => l !== "");
    },
  };
}

export function postgresOrSkip(ctx: Mocha.Context): PostgresUnderTest {
  const p = postgresUnderTest();
  if (typeof p === "string") {
    console.log(`      skipped: ${p}`);
    ctx.skip();
  }
  return p as PostgresUnderTest;
}
