// Address patterns for `risk.protected`. Glob matchers treat `/` and `[...]` specially, and
// Terraform addresses are full of brackets (`aws_instance.web[0]`, `module.x["a/b"]`), so the
// syntax is deliberately small: `*` matches any run of characters (dots included), `?` one
// character, everything else is literal.

const cache = new Map<string, RegExp>();

export function addressPattern(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = [...pattern]
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    cache.set(pattern, re);
  }
  return re;
}

export function matchesAddress(pattern: string, address: string): boolean {
  return addressPattern(pattern).test(address);
}
