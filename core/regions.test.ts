import { describe, expect, it } from 'vitest';
import { codesWithin, isSnapshotMonth, parentOf, regionContains, structuralParent } from './regions.ts';

describe('regions', () => {
  it('reads the parent from the code', () => {
    expect(structuralParent('330603')).toBe('330600');
    expect(structuralParent('330600')).toBe('330000');
    expect(structuralParent('330000')).toBeNull();
    expect(structuralParent('33060')).toBeNull();
  });

  it('contains by structure: province ⊃ city ⊃ county, not sideways', () => {
    expect(regionContains('330600', '330603')).toBe(true);
    expect(regionContains('330000', '330603')).toBe(true);
    expect(regionContains('330603', '330603')).toBe(true);
    expect(regionContains('330603', '330604')).toBe(false);
    expect(regionContains('330603', '330600')).toBe(false);
    expect(regionContains('330700', '330603')).toBe(false);
    expect(regionContains('abc', '330603')).toBe(false);
  });

  it('follows regions.parent_code for a non-standard code (功能区)', () => {
    // 330671 looks like a county of 330600 by its digits; the table puts it under 330603.
    const parents = new Map<string, string | null>([['330671', '330603']]);
    expect(parentOf('330671', parents)).toBe('330603');
    expect(regionContains('330603', '330671', parents)).toBe(true);
    expect(regionContains('330603', '330671')).toBe(false);
    expect(regionContains('330600', '330671', parents)).toBe(true);
    expect(regionContains('330604', '330671', parents)).toBe(false);
    // A cycle in the table stops.
    expect(regionContains('330000', '330681', new Map([['330681', '330682'], ['330682', '330681']]))).toBe(false);
  });

  it('lists the codes within a region', () => {
    expect(codesWithin('330603', ['330603', '330604', '330671'], new Map([['330671', '330603']]))).toEqual(['330603', '330671']);
  });

  it('accepts only real months', () => {
    expect(isSnapshotMonth('2026-11')).toBe(true);
    expect(isSnapshotMonth('2026-13')).toBe(false);
    expect(isSnapshotMonth('2026-00')).toBe(false);
    expect(isSnapshotMonth('26-11')).toBe(false);
  });
});
