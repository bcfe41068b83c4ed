// Envoy formats stat values with {fmt}: "{}" (shortest round-trip) in /stats and "{:.32g}" in Prometheus output.
// JavaScript's own number printing differs from {fmt} in a few places (NaN, exponents), reproduced here.

/** fmt "{}" for a double: shortest round-trip digits; "nan" for NaN; exponent with sign and two digits. */
export function formatShortest(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value).replace(/e([+-])(\d)$/, "e$10$2");
}

/** C printf "%.<precision>g": `precision` significant digits, trailing zeros removed, exponent form when needed. */
export function formatGeneral(value: number, precision: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === 0) return "0";
  const exponent = Number(value.toExponential(precision - 1).split("e")[1]);
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, exp] = value.toExponential(precision - 1).split("e");
    const sign = exp.startsWith("-") ? "-" : "+";
    return `${stripZeros(mantissa)}e${sign}${exp.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return stripZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

function stripZeros(digits: string): string {
  return digits.includes(".") ? digits.replace(/\.?0+$/, "") : digits;
}
