import { useMemo, useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { TransportProvider } from "@connectrpc/connect-query";
import type { Transport } from "@connectrpc/connect";
import { apiBaseUrl, createApiTransport } from "./transport.js";
import { clearToken, readToken, tokenOrganization } from "./session.js";
import { Link, usePath, useFocusHeading } from "./router.js";
import { SignIn } from "./screens/sign-in.js";
import { ConnectionsPage } from "./screens/connections.js";
import { CreateConnectionPage } from "./screens/create-connection.js";
import { ConnectionPage } from "./screens/connection.js";
import { RunnersPage } from "./screens/runners.js";
import { PROVIDERS } from "./labels.js";
import type { OidcConfig } from "./config.js";

/**
 * App wires the session, the transport and the query cache, and picks the
 * screen from the path. `transport` is injectable for component tests.
 */
export function App({
  storage,
  transport,
  oidc,
  signInError,
}: {
  storage: Storage;
  transport?: Transport;
  oidc?: OidcConfig | undefined;
  signInError?: string | undefined;
}) {
  const [token, setToken] = useState(() => readToken(storage));
  const [expired, setExpired] = useState<string | undefined>();
  const queryClient = useMemo(() => new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } }), []);
  const api = useMemo(
    () =>
      transport ??
      createApiTransport({
        baseUrl: apiBaseUrl(),
        token: () => readToken(storage),
        // A refused token signs this tab out, with the reason on the sign-in page.
        onUnauthenticated: () => {
          clearToken(storage);
          queryClient.clear();
          setExpired("Your sign-in expired or was refused. Sign in again.");
          setToken(undefined);
        },
      }),
    [transport, storage, queryClient],
  );
  if (token === undefined)
    return (
      <SignIn
        storage={storage}
        oidc={oidc}
        error={signInError ?? expired}
        onSignedIn={() => {
          setExpired(undefined);
          setToken(readToken(storage));
        }}
      />
    );
  const signOut = () => {
    clearToken(storage);
    queryClient.clear();
    setToken(undefined);
  };
  return (
    <TransportProvider transport={api}>
      <QueryClientProvider client={queryClient}>
        <Shell organization={tokenOrganization(token)} onSignOut={signOut} />
      </QueryClientProvider>
    </TransportProvider>
  );
}

function Shell({ organization, onSignOut }: { organization: string | undefined; onSignOut: () => void }) {
  const path = usePath();
  useFocusHeading(path);
  const pathname = path.split("?")[0] ?? "/";
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Planton Connect</span>
        <nav aria-label="Main">
          <Link to="/connections" aria-current={pathname === "/" || pathname.startsWith("/connections") ? "page" : undefined}>
            Connections
          </Link>
          <Link to="/runners" aria-current={pathname.startsWith("/runners") ? "page" : undefined}>
            Runners
          </Link>
        </nav>
        <span className="org">{organization !== undefined ? `Organization ${organization}` : null}</span>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">{route(pathname)}</main>
    </>
  );
}

function route(pathname: string) {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === "connections" && parts.length === 1)) return <ConnectionsPage />;
  if (parts[0] === "connections" && parts[1] === "new" && parts.length === 3) {
    const provider = PROVIDERS.find((p) => p.key === parts[2]);
    if (provider !== undefined) return <CreateConnectionPage key={provider.key} provider={provider.key} />;
  }
  if (parts[0] === "connections" && parts.length === 2) return <ConnectionPage key={parts[1]} reference={parts[1]!} />;
  if (parts[0] === "runners" && parts.length === 1) return <RunnersPage />;
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link to="/connections">Go to Connections</Link>
      </p>
    </>
  );
}
