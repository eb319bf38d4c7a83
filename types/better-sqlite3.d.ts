// Minimal types for the parts of better-sqlite3 (11.10) Telepacs uses directly
// (pacs-core/index/instance-writer.ts). @types/better-sqlite3 is not in the
// offline npm cache here; extend this rather than casting at call sites.
declare module 'better-sqlite3' {
  class Database {
    constructor(filename: string, options?: Database.Options);
    readonly open: boolean;
    readonly inTransaction: boolean;
    prepare<Row = unknown>(sql: string): Database.Statement<Row>;
    transaction<F extends (...args: never[]) => unknown>(fn: F): Database.Transaction<F>;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    exec(sql: string): this;
    close(): this;
  }
  namespace Database {
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** busy timeout in ms (default 5000) */
      timeout?: number;
      nativeBinding?: string;
    }
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement<Row = unknown> {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): Row | undefined;
      all(...params: unknown[]): Row[];
    }
    interface Transaction<F extends (...args: never[]) => unknown> {
      (...args: Parameters<F>): ReturnType<F>;
      deferred(...args: Parameters<F>): ReturnType<F>;
      immediate(...args: Parameters<F>): ReturnType<F>;
      exclusive(...args: Parameters<F>): ReturnType<F>;
    }
  }
  export = Database;
}
