import { useId, type ReactNode } from "react";

/** Props shared by the form controls: every control has a visible label and its error beside it. */
interface ControlProps {
  label: string;
  /** The server's field path, e.g. `spec.civo.api_token`; also the control's `name`. */
  name: string;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
}

/**
 * TextField is a labelled input with its hint and error wired by
 * aria-describedby. A `secret` field is write-only: a password input the
 * browser neither autofills nor remembers, whose value lives only in the
 * form's state until submit.
 */
export function TextField(
  props: ControlProps & {
    value: string;
    onChange(value: string): void;
    secret?: boolean;
    placeholder?: string;
    autoComplete?: string;
    inputMode?: "numeric" | "text" | "email" | "url";
  },
) {
  const id = useId();
  const described = [props.hint !== undefined ? `${id}-hint` : "", props.error !== undefined ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label}
        {props.required === true ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.secret === true ? "password" : props.inputMode === "email" ? "email" : "text"}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        required={props.required}
        aria-invalid={props.error !== undefined}
        aria-describedby={described === "" ? undefined : described}
        autoComplete={props.secret === true ? "new-password" : (props.autoComplete ?? "off")}
        spellCheck={false}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
      />
      {props.hint !== undefined ? (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      ) : null}
      {props.error !== undefined ? (
        <p id={`${id}-error`} className="error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** SelectField is a labelled select over a closed list. */
export function SelectField(
  props: ControlProps & { value: string; onChange(value: string): void; options: readonly { value: string; label: string }[]; placeholder?: string },
) {
  const id = useId();
  const described = [props.hint !== undefined ? `${id}-hint` : "", props.error !== undefined ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label}
        {props.required === true ? <span aria-hidden="true"> *</span> : null}
      </label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        required={props.required}
        aria-invalid={props.error !== undefined}
        aria-describedby={described === "" ? undefined : described}
      >
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {props.hint !== undefined ? (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      ) : null}
      {props.error !== undefined ? (
        <p id={`${id}-error`} className="error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** Alert is a message that screen readers announce as soon as it appears. */
export function Alert({ children, kind = "error" }: { children: ReactNode; kind?: "error" | "info" | "success" }) {
  if (children === undefined || children === null || children === false) return null;
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** options turns a list of strings into select options. */
export function options(values: readonly string[]): { value: string; label: string }[] {
  return values.map((value) => ({ value, label: value }));
}
