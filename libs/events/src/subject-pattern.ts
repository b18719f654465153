/**
 * subjectMatches tells whether the NATS subject pattern `pattern` matches
 * `subject`: `*` matches exactly one token, `>` (last token only) one or more.
 * `subject` may itself be a pattern; the answer is then whether `pattern`
 * matches every subject that `subject` matches (used to tell whether a stream
 * already captures a subject filter).
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split(".");
  const given = subject.split(".");
  for (const [i, token] of wanted.entries()) {
    if (token === ">") return given.length > i;
    const other = given[i];
    if (other === undefined || other === ">") return false;
    if (token === "*") continue;
    if (token !== other) return false;
  }
  return wanted.length === given.length;
}

/**
 * assertSubjectPattern throws a TypeError when `pattern` is not a valid NATS
 * subject filter: empty tokens, whitespace, wildcards inside a token, or `>`
 * anywhere but last.
 */
export function assertSubjectPattern(pattern: string): void {
  const tokens = pattern.split(".");
  const valid = tokens.every((token, i) => token === "*" || (token === ">" && i === tokens.length - 1) || /^[^\s.*>]+$/.test(token));
  if (!valid) throw new TypeError(`"${pattern}" is not a valid NATS subject pattern`);
}
