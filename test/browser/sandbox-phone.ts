// One browser suite's world: sanse on the sandbox platform with a demo county in a temp folder
// (startSandboxInTemp) and a phone (launchPhone), started before the suite's tests and closed
// after them. A suite's own beforeAll, registered after this, runs once both are up.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startSandboxInTemp, type County, type RunningSanse } from './app.ts';
import { launchPhone, type Phone } from './phone.ts';

export interface SandboxPhone {
  s: RunningSanse;
  phone: Phone;
  page: Page;
}

export function sandboxWithPhone(county: County): SandboxPhone {
  const world = {} as SandboxPhone;
  beforeAll(async () => {
    world.s = await startSandboxInTemp(county);
    world.phone = await launchPhone();
    world.page = world.phone.page;
  }, 180_000);
  afterAll(async () => {
    await world.phone?.close();
    await world.s?.close();
  });
  return world;
}
