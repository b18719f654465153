import { slugify } from "@planton/providers/browser";
import { TextField } from "../fields.js";

/**
 * NameField is the connection name with the slug it will get, computed by
 * the registry's own rule (shared code), and the naming advice.
 */
export function NameField({
  value,
  onChange,
  error,
  provider,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  provider: string;
}) {
  const slug = slugify(value);
  return (
    <TextField
      label="Name"
      name="name"
      value={value}
      onChange={onChange}
      required
      error={error}
      hint={
        <>
          {value.trim() === "" ? (
            "The slug is generated from the name."
          ) : slug === "" ? (
            "This name has no letter or digit, so it gives no slug."
          ) : (
            <>
              Slug: <code data-testid="slug-preview">{slug}</code>
            </>
          )}{" "}
          Name it after the provider and its purpose, e.g. {provider}-production or {provider}-staging (not {provider}1 or my-cloud).
        </>
      }
    />
  );
}
