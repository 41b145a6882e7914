// UTC calendar days and months as text ('YYYY-MM-DD', 'YYYY-MM'): what usage is kept by.

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

export function daysInMonth(month: string): number {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]), 0)).getUTCDate();
}

export function firstDayOf(month: string): string {
  return `${month}-01`;
}

export function lastDayOf(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;
}

/**
 * The day a clock reading falls on, remembered until the day ends: the metering hooks
 * ask on every request, and formatting a date each time would be most of their cost.
 */
export class DayClock {
  #day = '';
  #startsAt = 0;
  #endsAt = 0;

  dayOf(at: Date): string {
    const ms = at.getTime();
    if (ms < this.#startsAt || ms >= this.#endsAt) {
      this.#startsAt = ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
      this.#endsAt = this.#startsAt + 86_400_000;
      this.#day = utcDay(at);
    }
    return this.#day;
  }
}
