import type { DescEnum } from "@bufbuild/protobuf";
import { UsageError } from "./failures.js";

/**
 * enumLabel shows an enum value the way the CLI prints and reads it: the
 * value's name without the enum's prefix, in lower case (`verified`,
 * `pending_verification`, `aws`, `cross_account_trust`); an unset value is
 * `-` and a value this CLI does not know is its number.
 */
export function enumLabel(desc: DescEnum, value: number): string {
  if (value === 0) return "-";
  const known = desc.value[value];
  return known === undefined ? String(value) : known.localName.toLowerCase();
}

/** enumChoices lists the labels of every value of `desc` but the zero (UNSPECIFIED) one. */
export function enumChoices(desc: DescEnum): string[] {
  return desc.values.filter((v) => v.number !== 0).map((v) => v.localName.toLowerCase());
}

/**
 * parseEnum reads a flag value as an enum label; case, and `-` for `_`, do
 * not matter (`aws-irsa` is `AWS_IRSA`). Anything else is a
 * {@link UsageError} naming `flag` and the choices.
 */
export function parseEnum(desc: DescEnum, input: string, flag: string): number {
  const wanted = input.trim().toLowerCase().replaceAll("-", "_");
  const match = desc.values.find((v) => v.number !== 0 && v.localName.toLowerCase() === wanted);
  if (match === undefined) {
    throw new UsageError(`${flag} must be one of ${enumChoices(desc).join(", ")}; got "${input}"`);
  }
  return match.number;
}
