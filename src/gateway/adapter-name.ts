/**
 * Model names compared the way a person reads them: an adapter reserved for a context must not
 * be reachable by another spelling of its name (`CBRN-research-lora`, ` cbrn-research-lora `,
 * a NUL or zero-width character inside, full-width letters, `cbrn_research_lora`).
 */

/** NFKC, case-folded, control and format characters removed, trimmed, runs of space, `_`, `-`, `.` as one `-`. */
export function modelKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .trim()
    .replace(/[\s_.\-\u2010-\u2015\u2212]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
