/** Decision times kept for the benchmark's read-out (`take`). */
export class DecisionTimings {
  private decisionWall: number[] = [];
  private decisionCpu: number[] = [];

  constructor(private readonly keep: number) {}

  /** One decision's wall-clock and process CPU time, µs. */
  record(wallMicros: number, cpuMicros: number): void {
    if (this.decisionWall.length >= this.keep) return;
    this.decisionWall.push(wallMicros);
    this.decisionCpu.push(cpuMicros);
  }

  /**
   * Decision times (µs, measured around the in-memory decision: wall clock, and the process's CPU time,
   * which preemption on a busy machine does not inflate) since the last call; at most `keep`.
   */
  take(): { wall: number[]; cpu: number[] } {
    const out = { wall: this.decisionWall, cpu: this.decisionCpu };
    this.decisionWall = [];
    this.decisionCpu = [];
    return out;
  }
}
