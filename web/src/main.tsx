import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";
import { loadConsoleConfig } from "./config.js";
import { completeOidcSignIn, OIDC_CALLBACK_PATH } from "./oidc.js";
import { saveToken, takeTokenFromFragment } from "./session.js";
import "./styles.css";

// Before anything renders: a development sign-in link's token leaves the URL
// for sessionStorage, so it is in no history entry, referrer or screenshot.
takeTokenFromFragment(window.location, window.history, window.sessionStorage);

async function start(): Promise<void> {
  const config = await loadConsoleConfig();
  let signInError: string | undefined;
  if (window.location.pathname === OIDC_CALLBACK_PATH && config.oidc !== undefined) {
    try {
      saveToken(window.sessionStorage, await completeOidcSignIn(config.oidc, window.location.href));
    } catch (error) {
      signInError = `Sign-in did not complete: ${error instanceof Error ? error.message : String(error)}`;
    }
    // The code and state leave the address bar either way.
    window.history.replaceState(null, "", "/");
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App storage={window.sessionStorage} oidc={config.oidc} signInError={signInError} />
    </StrictMode>,
  );
}

void start();
