import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

/**
 * A router of a few lines: the path is the route (the server answers every
 * client route with index.html), links push history entries, and the page's
 * heading receives focus after each navigation so screen readers announce it.
 */
const NAVIGATED = "planton:navigate";

function subscribe(callback: () => void): () => void {
  window.addEventListener("popstate", callback);
  window.addEventListener(NAVIGATED, callback);
  return () => {
    window.removeEventListener("popstate", callback);
    window.removeEventListener(NAVIGATED, callback);
  };
}

/** usePath returns the current location's path and search, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => `${window.location.pathname}${window.location.search}`);
}

/** navigate moves to a client route without reloading. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** Link is an anchor that navigates client-side on a plain left click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={to} onClick={onClick} />;
}

/** useFocusHeading focuses the page's h1 when the route changes. */
export function useFocusHeading(path: string): void {
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>("main h1");
    heading?.focus();
  }, [path]);
}
