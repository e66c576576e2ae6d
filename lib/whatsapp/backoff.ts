// Reconnection delays: exponential, capped, with jitter so that many accounts
// dropped by one network blip do not all come back in the same instant.

export interface BackoffSettings {
  baseMs: number;
  capMs: number;
}

/** Delay before retry number `failures` (1 for the first retry), between half and all of the exponential step. */
export function reconnectDelay(failures: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exponential = Math.min(settings.capMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}
