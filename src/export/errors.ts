// The one error every model file reader and writer throws: which file, what is wrong with it, and what
// the person can do about it. Nothing of the current session is touched when it is thrown.

/** A model file (safetensors, TF.js, ONNX, project) that cannot be read or written. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';

  /**
   * @param file   the file's name as the person knows it ("model.safetensors")
   * @param reason what is wrong, in one sentence without a final full stop
   * @param hint   what to do about it
   */
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${file}: ${reason}. ${hint}`);
  }
}
