// A labelled percentage bar with its figure beside it: downloads, file reading, image decoding.
export interface ProgressBarProps {
  /** The accessible name, e.g. "MNIST download progress". */
  label: string;
  /** 0..100 */
  percent: number;
  /** Drawn in the error colour (a failed download keeps the bar where it stopped). */
  error?: boolean;
}

export function ProgressBar({ label, percent, error = false }: ProgressBarProps) {
  const whole = Math.floor(percent);
  return (
    <div className="progress-row">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={whole}
        aria-valuetext={`${whole}%`}
        className={error ? 'progress progress-error' : 'progress'}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-percent">{whole}%</span>
    </div>
  );
}
