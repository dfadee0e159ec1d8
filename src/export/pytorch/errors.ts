// The error the PyTorch export throws when the settings or the data cannot make a working project.

/** The design, settings or data cannot make a working PyTorch project; the message says what to change. */
export class PytorchExportError extends Error {
  override name = 'PytorchExportError';
}
