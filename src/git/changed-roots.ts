import { execFileSync } from 'node:child_process';
import { changedRoots, type Root } from '../core/projects/roots.js';

// The git side of `applygate projects` and the Action's `projects` mode: the changed files
// between the merge base of two refs and the head, the head's file list, and the text of its
// configuration files (one `git cat-file --batch`). src/core/projects/roots.ts decides.

const READ = /\.(tf|tofu)$|\.tf\.json$|\.tofu\.json$|(^|\/)terragrunt\.hcl$/;

/** The roots the changes between the merge base of `base` and `head` touch, in the repository at `dir`. */
export function listChangedRoots(dir: string, base: string, head: string): Root[] {
  const git = (args: string[], input?: string) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      input,
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  for (const ref of [base, head]) {
    try {
      git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      throw new Error(
        `${JSON.stringify(ref)} is not a commit in ${dir} (fetch it, e.g. actions/checkout with fetch-depth: 0)`,
      );
    }
  }
  const split = (out: string) => out.split('\0').filter((p) => p !== '');
  const changed = split(git(['diff', '--name-only', '-z', '--no-renames', `${base}...${head}`]));
  const files = split(git(['ls-tree', '-r', '-z', '--name-only', head]));
  const texts = readBlobs(
    dir,
    head,
    files.filter((f) => READ.test(f)),
  );
  return changedRoots({ files, read: (p) => texts.get(p) ?? '' }, changed);
}

/** The text of each path at `head`, in one `git cat-file --batch` (sizes in bytes: parsed as bytes). */
function readBlobs(dir: string, head: string, paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  // Paths with a newline cannot be asked for in batch mode: they stay unread (no local source).
  const asked = paths.filter((p) => !p.includes('\n'));
  if (asked.length === 0) return out;
  const bytes = execFileSync('git', ['-C', dir, 'cat-file', '--batch'], {
    input: asked.map((p) => `${head}:${p}\n`).join(''),
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let at = 0;
  for (const p of asked) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) break;
    const [, type, size] = bytes.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (type !== 'blob') continue; // `missing`: nothing follows the header
    const n = Number(size);
    out.set(p, bytes.subarray(at, at + n).toString('utf8'));
    at += n + 1;
  }
  return out;
}
