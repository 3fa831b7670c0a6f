/** The commands of the README's `sh` and `console` blocks, for the tests that run them as written. */

export interface ReadmeCommand {
  /** The command as written (continuations joined, comment removed). */
  readonly text: string;
  /** Output lines shown after it in a console block. */
  readonly output: string[];
  readonly line: number;
}

/** Commands of the README's sh/console blocks, `&&` chains split. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(sh|console)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const consoleBlock = fence[1] === "console";
    let current: { text: string; output: string[]; line: number } | undefined;
    for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) {
      let line = lines[i]!;
      if (consoleBlock && !line.startsWith("$ ")) {
        current?.output.push(line);
        continue;
      }
      const start = i + 1;
      if (consoleBlock) line = line.slice(2);
      while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
      const text = line.replace(/\s{2,}#.*$/, "").trim();
      if (text === "") continue;
      for (const part of text.split(" && ")) {
        current = { text: part.trim(), output: [], line: start };
        out.push(current);
      }
    }
  }
  return out;
}
