/** Longest character-string in a TXT record (RFC 1035 §3.3). */
export const TXT_STRING_MAX = 255;

/**
 * A TXT value as aws_route53_record wants it in `records`: the provider adds the outer quotes and
 * never splits, so a value over 255 characters becomes 255-character strings joined by `""`
 * (which, inside the provider's quotes, ends one string and starts the next).
 */
export function route53TxtValue(value: string): string {
  if (value.length <= TXT_STRING_MAX) return value;
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) chunks.push(value.slice(i, i + TXT_STRING_MAX));
  return chunks.join('""');
}
