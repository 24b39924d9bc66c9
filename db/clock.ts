// Moments as stored: 'YYYY-MM-DD HH:MM:SS' in Asia/Shanghai.

export function nowMoment(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
