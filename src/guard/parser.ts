import { createRequire } from 'node:module';
import type { Parser as TsParser } from 'web-tree-sitter';

/**
 * `load` run at most once per success: its result is kept and every later call gets it; a load
 * that fails rejects the calls waiting on it, is forgotten, and the next call loads again (a
 * transient read error must not refuse every later line in a long-lived process). Callers that
 * arrive while a load is under way wait on that load.
 */
export function cacheSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (cached === undefined) {
      // Called now (an async function runs up to its first await), a throw becomes a rejection.
      const attempt = (async () => load())();
      cached = attempt;
      attempt.catch(() => {
        if (cached === attempt) cached = undefined;
      });
    }
    return cached;
  };
}

/** tree-sitter's WASM runtime and the bash grammar (about 50 ms). */
export async function loadTreeSitter(): Promise<TsParser> {
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return parser;
}

/**
 * The shell parser, loaded once per process once it loads; the shell analysis in
 * core/guard/shell.ts takes it as an argument, since loading is I/O.
 */
export const loadParser: () => Promise<TsParser> = cacheSuccess(loadTreeSitter);
