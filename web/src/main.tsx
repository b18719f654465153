import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";
import { takeTokenFromFragment } from "./session.js";
import "./styles.css";

// Before anything renders: a development sign-in link's token leaves the URL
// for sessionStorage, so it is in no history entry, referrer or screenshot.
takeTokenFromFragment(window.location, window.history, window.sessionStorage);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App storage={window.sessionStorage} />
  </StrictMode>,
);
