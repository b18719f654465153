// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { clearToken, readToken, takeTokenFromFragment, tokenOrganization } from "../src/session.js";

afterEach(() => {
  window.sessionStorage.clear();
  window.localStorage.clear();
  window.history.replaceState(null, "", "/");
});

describe("development sign-in link", () => {
  it("moves the token from the URL fragment into sessionStorage and removes it from the URL", () => {
    window.history.replaceState(null, "", "/connections#token=aaa.bbb.ccc");
    expect(takeTokenFromFragment(window.location, window.history, window.sessionStorage)).toBe(true);
    expect(readToken(window.sessionStorage)).toBe("aaa.bbb.ccc");
    expect(window.location.href).not.toContain("aaa.bbb.ccc");
    expect(window.location.hash).toBe("");
    expect(window.location.pathname).toBe("/connections");
    // Never in localStorage (which outlives the tab).
    expect(window.localStorage.length).toBe(0);
  });

  it("leaves other fragments and an existing session alone", () => {
    window.sessionStorage.setItem("planton.token", "kept.token.value");
    window.history.replaceState(null, "", "/#section");
    expect(takeTokenFromFragment(window.location, window.history, window.sessionStorage)).toBe(false);
    expect(window.location.hash).toBe("#section");
    expect(readToken(window.sessionStorage)).toBe("kept.token.value");
    clearToken(window.sessionStorage);
    expect(readToken(window.sessionStorage)).toBeUndefined();
  });

  it("reads the organization claim for display", () => {
    const payload = btoa(JSON.stringify({ org: "acme", sub: "u" })).replace(/=+$/, "");
    expect(tokenOrganization(`x.${payload}.y`)).toBe("acme");
    expect(tokenOrganization("not-a-jwt")).toBeUndefined();
  });
});
