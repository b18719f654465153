import { useEffect, useRef, useState } from "react";
import { NO_ERRORS, type FormErrors } from "./errors.js";

/**
 * useFormErrors holds a form's errors and, whenever new ones are set, moves
 * focus to the first invalid control (or the form's alert), so keyboard and
 * screen-reader users land on what needs fixing.
 */
export function useFormErrors(): [FormErrors, (errors: FormErrors) => void, React.RefObject<HTMLFormElement | null>] {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const form = useRef<HTMLFormElement | null>(null);
  useEffect(() => {
    if (errors === NO_ERRORS) return;
    const target = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('[role="alert"]');
    target?.focus();
  }, [errors]);
  return [errors, setErrors, form];
}

/** clientErrors wraps client-side problems like a server refusal. */
export function clientErrors(fields: Record<string, string>): FormErrors | undefined {
  return Object.keys(fields).length === 0 ? undefined : { fields, message: "Some fields need attention.", code: undefined };
}
