import type { ReportData } from '../core/report.js';

/**
 * Items carry the regulations their policy references. A report built without them (an older run,
 * or a store that does not keep them) gets them from the policy pack: `byPolicy` maps a policy id to
 * its `regulations`. Items that already list regulations are left as they are. Returns a new object.
 */
export function addRegulations(data: ReportData, byPolicy: ReadonlyMap<string, readonly string[]>): ReportData {
  let changed = false;
  const items = data.items.map((i) => {
    if (i.regulations !== undefined || !i.policy) return i;
    const regs = byPolicy.get(i.policy);
    if (!regs || regs.length === 0) return i;
    changed = true;
    return { ...i, regulations: [...regs] };
  });
  return changed ? { ...data, items } : data;
}
