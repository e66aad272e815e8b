/** An input file that is not valid for its purpose; `file` names it so the message can be acted on. */
export class CocoFormatError extends Error {
  readonly file: string;

  /** Builds the error; the message is prefixed with the file name. */
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CocoFormatError';
    this.file = file;
  }
}
