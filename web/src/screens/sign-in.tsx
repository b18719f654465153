import { useState, type FormEvent } from "react";
import { Alert, TextField } from "../fields.js";
import { saveToken } from "../session.js";
import type { OidcConfig } from "../config.js";
import { startOidcSignIn } from "../oidc.js";

/**
 * SignIn is shown without a session: sign in with the organization's
 * identity provider (OIDC Authorization Code + PKCE) when one is configured,
 * or, for development, open the sign-in link `npm start` prints or paste a
 * token. The token is kept in this tab's sessionStorage and sent only as the
 * bearer header of API calls.
 */
export function SignIn({
  storage,
  onSignedIn,
  oidc,
  error: initialError,
}: {
  storage: Storage;
  onSignedIn: () => void;
  oidc?: OidcConfig | undefined;
  error?: string | undefined;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [oidcError, setOidcError] = useState<string | undefined>(initialError);
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
  const redirect = () => {
    startOidcSignIn(oidc!).catch((e: unknown) => setOidcError(`The identity provider cannot be reached: ${e instanceof Error ? e.message : String(e)}`));
  };
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Sign in to Planton Connect</h1>
      {oidcError !== undefined ? <Alert>{oidcError}</Alert> : null}
      {oidc !== undefined ? (
        <p>
          <button type="button" onClick={redirect}>
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </p>
      ) : null}
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
