/** What a model's training loop reports after each batch (the CLIs draw it as a progress bar). */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean weighted loss of the epoch so far. */
  loss: number;
  /** Loss of the last batch. */
  batchLoss: number;
  examplesPerSecond: number;
}
