/** What every benchmark section gets from the runner. */
export interface SectionContext {
  readonly brokers: string;
  /** Makes this run's topic and group names unique. */
  readonly suffix: string;
  readonly log: (line: string) => void;
}
