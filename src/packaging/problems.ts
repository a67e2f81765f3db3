/**
 * What the build reports when something is wrong: the file to look at and the problem, in words a
 * developer can act on. The build collects every problem it can find before stopping.
 */
export interface BuildProblem {
  /**
   * Project-relative path of the file to fix, or the part of the package the problem is in
   * ("customizations.xml", "solution.xml", a web resource name such as "lmi_/pages/pin.html").
   */
  file: string;
  message: string;
}

export class BuildError extends Error {
  constructor(readonly problems: readonly BuildProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "BuildError";
  }
}

export function formatProblem(problem: BuildProblem): string {
  return `${problem.file}: ${problem.message}`;
}

/** Collects problems, for the build and for the package checks; `throwIfAny()` stops the build with all of them. */
export class ProblemList {
  readonly items: BuildProblem[] = [];

  add(file: string, message: string): void {
    this.items.push({ file, message });
  }

  get size(): number {
    return this.items.length;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new BuildError(this.items);
  }
}
