import { describe, expect, it } from "vitest";
import { renderKeyValues, renderTable } from "./table.js";
import { createStyles } from "./terminal.js";

describe("renderTable", () => {
  it("aligns columns under capital headers and trims trailing spaces", () => {
    const text = renderTable(
      ["NAME", "STATUS", "ID"],
      [
        ["payments-prod-aws", "verified", "awsconn_1"],
        ["x", "pending_verification", ""],
      ],
    );
    expect(text.split("\n")).toEqual([
      "NAME                STATUS                 ID",
      "payments-prod-aws   verified               awsconn_1",
      "x                   pending_verification",
    ]);
  });

  it("measures colored cells by what the terminal shows", () => {
    const { green } = createStyles(true);
    const lines = renderTable(
      ["A", "B"],
      [
        [green("ok"), "1"],
        ["long-value", "2"],
      ],
    ).split("\n");
    expect(lines[1]).toBe(`${green("ok")}           1`);
    expect(lines[2]).toBe("long-value   2");
  });

  it("prints just the header without rows", () => {
    expect(renderTable(["NAME", "ID"], [])).toBe("NAME   ID");
  });
});

describe("renderKeyValues", () => {
  it("aligns values and indents continuation lines under the first", () => {
    expect(
      renderKeyValues([
        ["NAME", "a"],
        ["LAST VERIFICATION", "x"],
        ["MESSAGE", "line one\nline two"],
      ]).split("\n"),
    ).toEqual(["NAME                a", "LAST VERIFICATION   x", "MESSAGE             line one", "                    line two"]);
  });
});
