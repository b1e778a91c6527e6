import { createRequire } from 'node:module';
import type { Parser as TsParser } from 'web-tree-sitter';

let parserPromise: Promise<TsParser> | undefined;

/**
 * tree-sitter's WASM runtime and the bash grammar, loaded once per process (about 50 ms); the
 * shell analysis in core/guard/shell.ts takes it as an argument, since loading is I/O.
 */
export function loadParser(): Promise<TsParser> {
  parserPromise ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })();
  return parserPromise;
}
