import { useState, type FormEvent } from "react";
import { TextField } from "../fields.js";
import { saveToken } from "../session.js";

/**
 * SignIn is shown without a session: open the development sign-in link that
 * `npm start` prints, or paste a token. The token is kept in this tab's
 * sessionStorage and sent only as the bearer header of API calls.
 */
export function SignIn({ storage, onSignedIn }: { storage: Storage; onSignedIn(): void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim().split(".").length !== 3) {
      setError("must be a token (three dot-separated parts)");
      return;
    }
    saveToken(storage, token);
    setToken("");
    onSignedIn();
  };
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Sign in to Planton Connect</h1>
      <p>
        For development, open the sign-in link that <code>npm start</code> prints. Or paste a bearer token:
      </p>
      <form onSubmit={submit} noValidate>
        <TextField label="Token" name="token" value={token} onChange={setToken} secret required error={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
