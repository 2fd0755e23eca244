/**
 * Conversions to USD for the value-range filter. Explicit and dated: these are reference rates
 * (units of currency per 1 USD) as of RATES_AS_OF, good enough to place a tender in a firm's
 * value band; anything not listed is "value not convertible" and treated as unknown.
 */
export const RATES_AS_OF = '2026-11-01';

const UNITS_PER_USD: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.78,
  CHF: 0.88,
  JPY: 150,
  CNY: 7.2,
  KRW: 1380,
  INR: 84,
  AUD: 1.52,
  CAD: 1.37,
  MXN: 18.5,
  BRL: 5.4,
  AFN: 70,
  XOF: 605,
  XAF: 605,
  KES: 129,
  NGN: 1550,
  ZAR: 18,
  PKR: 280,
  BDT: 120,
  UAH: 41,
  TRY: 34,
  EGP: 48,
  MAD: 10,
  IDR: 15800,
  PHP: 57,
  VND: 25300,
};

/** USD value, or null when the currency has no dated rate. */
export function toUsd(amount: number, currency: string): number | null {
  const rate = UNITS_PER_USD[currency.toUpperCase()];
  return rate ? amount / rate : null;
}
